"""``dcat_catalog_show``/``dcat_catalog_search`` (``/catalog.*``) on the fast
path of :mod:`ckanext.smartcity.fast_rdf`: the same search, permission
checks and paging as ckanext-dcat, the same triples, written by pyoxigraph
from per-dataset triples kept in Redis."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckanext.dcat import logic as dcat_logic

from ckanext.smartcity import fast_rdf


def _fast(original, context, data_dict, auth):
    fmt = (data_dict.get("format") or "xml").lower()
    if not fast_rdf.enabled() or fmt not in fast_rdf.FORMATS or tk.asbool(
            tk.config.get("ckanext.dcat.expose_subcatalogs")):
        return original(context, data_dict)
    tk.check_access(auth, context, data_dict)
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    return fast_rdf.catalogue_page(query["results"], fmt,
                                   dcat_logic._pagination_info(query, data_dict),
                                   profiles=data_dict.get("profiles"))


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_show")


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_search")
