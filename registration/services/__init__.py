"""Writes. Each public function runs in one transaction and writes its audit row there too."""
