"""Sphinx configuration for Mimic's documentation (``make docs``)."""

project = "Mimic"
author = "The Mimic developers"
copyright = "2026, The Mimic developers"
extensions = ["sphinx.ext.autodoc"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = False
