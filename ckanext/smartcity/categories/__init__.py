"""Smart City categories: the SKOS scheme a town can extend (``scheme``),
categories and EU themes in the search index and facets (``index``), the
category pages and published scheme (``pages``), the API (``actions``,
``auth``), template helpers (``helpers``) and ``ckan smartcity
check-categories`` (``cli``)."""
