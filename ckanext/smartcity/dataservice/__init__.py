"""Data services: every DataStore table as an API with a machine-readable description.

See docs/dataservices.md.
"""
