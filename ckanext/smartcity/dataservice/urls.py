"""Where a DataStore table's API lives: the one source of these addresses.

The RDF profile (``rdf/``), the OpenAPI pages (``dataservice/pages.py``) and
the demo town all build them here, so the metadata never points somewhere
the portal does not answer (docs/dataservices.md).
"""
from __future__ import annotations

from urllib.parse import quote

import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema import vocab


def _site() -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/")


def in_datastore(resource: dict) -> bool:
    """True when the resource's rows are in the DataStore (set by CKAN's datastore plugin)."""
    return tk.asbool(resource.get("datastore_active"))


def endpoint_url(resource_id: str) -> str:
    """``dcat:endpointURL``: the table's ``datastore_search`` endpoint."""
    return f"{_site()}/api/3/action/datastore_search?resource_id={quote(resource_id, safe='')}"


def description_url(resource_id: str) -> str:
    """``dcat:endpointDescription``: the OpenAPI 3 document the portal serves for the table."""
    return f"{_site()}/schnittstelle/{quote(resource_id, safe='')}/openapi.json"


def service_iri(resource_id: str) -> str:
    """The IRI of the ``dcat:DataService`` that serves one DataStore table."""
    return f"{_site()}/schnittstelle/{quote(resource_id, safe='')}"


def download_url(resource: dict) -> str | None:
    """``dcat:downloadURL`` of a distribution, or None.

    A file in the portal's own file store (``url_type == "upload"``) is a
    download by definition: CKAN serves it at the resource's ``url``. Other
    distributions carry one only where the steward gave ``download_url``.
    """
    if resource.get("url_type") == "upload" and resource.get("url"):
        return resource["url"]
    return resource.get("download_url") or None


def datastore_standard() -> str:
    """``dct:conformsTo`` of a DataStore table's data service: the CKAN
    DataStore API, as the vocabulary ``api-standard`` names it."""
    return vocab.find("api-standard", "ckan-datastore")["uri"]
