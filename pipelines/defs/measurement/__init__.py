"""Shared measurement: intake of partners' files, the warehouse, figures and their checks."""
