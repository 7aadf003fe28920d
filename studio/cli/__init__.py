"""The `studio` command line: everything the window does, headless."""
