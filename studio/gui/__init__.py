"""The PySide6 window. The only package that imports Qt; it calls studio.actions like the CLI."""
