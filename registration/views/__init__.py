"""Pages and endpoints, one module per feature: delegate, delegation, privacy, desk, staff."""
