"""Reads, one module per feature: registrations, delegation, desk, staff. Querysets carry their
joins, so that a list never costs one query per row."""
