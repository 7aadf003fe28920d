"""The model catalogue, one module per area; each defines ENTRIES (see ../model_catalog.py)."""
