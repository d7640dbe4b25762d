"""Harvesting DCAT-AP.de sources: hardened fetching (``fetch``)."""
