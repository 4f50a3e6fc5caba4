"""PySide6 widgets and pages. The only layer that imports Qt."""
