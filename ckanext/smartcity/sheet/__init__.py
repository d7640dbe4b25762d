"""Bulk onboarding: a town's dataset list as a spreadsheet (XLSX or CSV),
exported with German headers and vocabulary labels, imported back through
the same validators as the form (docs/bulk-onboarding.md)."""
