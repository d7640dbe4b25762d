"""The demonstration town (``make demo``, ``ckan smartcity demo-load``)."""
