"""DCAT-AP.de RDF: the profile (``profile``), the fast path of catalogue
pages and the export, one builder for both (``builder``, ``export``), the
catalogue actions (``catalogue``) and ``ckan smartcity export`` (``cli``)."""
