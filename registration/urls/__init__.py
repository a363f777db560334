"""URL patterns, one module per feature; excom/urls.py mounts them under their prefixes."""
