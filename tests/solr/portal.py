"""A CKAN portal on a real Solr, driven from a separate process (docs/solr.md).

``python tests/solr/portal.py INI load`` creates the organisation
``solr-stadt`` and four datasets with the DCAT-AP.de schema and Smart City
categories (one of them private), replacing those of an earlier run.

``python tests/solr/portal.py INI query`` prints, as JSON, what an anonymous
visitor gets from the API and the HTML pages, and what a sysadmin gets with
``include_private``.

A process of its own because CKAN's plugins are loaded once per process: the
pytest process runs with ``smartcity_search`` (the PostgreSQL search), this
one with the plugins of INI, which leave it out.
"""
from __future__ import annotations

import contextlib
import json
import sys
from typing import Any

from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.plugins import toolkit as tk
from werkzeug.test import Client

RESULT = "PORTAL-RESULT "
ORG = "solr-stadt"
KAT = "https://w3id.org/ckanext-smartcity/kategorien/"
LICENSE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
DATASETS = [
    {"name": "solr-radwege", "title": "Radwege in Dinslaken",
     "notes": "Fahrradstraßen, Radwege und Abstellanlagen der Stadt.",
     "smartcity_category": [KAT + "radverkehr"], "tags": [{"name": "Fahrrad"}]},
    {"name": "solr-haltestellen", "title": "Haltestellen des Busverkehrs",
     "notes": "Bushaltestellen mit Linien und Barrierefreiheit.",
     "smartcity_category": [KAT + "oepnv"], "tags": [{"name": "Bus"}]},
    {"name": "solr-baumkataster", "title": "Baumkataster",
     "notes": "Bäume der Stadt mit Art, Höhe und Pflanzjahr.",
     "smartcity_category": [KAT + "stadtgruen-natur"], "tags": [{"name": "Bäume"}]},
    {"name": "solr-geheim", "title": "Geheime Radzählung", "private": True,
     "notes": "Zählstellen, noch nicht veröffentlicht.",
     "smartcity_category": [KAT + "radverkehr"]},
]
# anonymous API searches: name -> parameters of package_search
SEARCHES: dict[str, dict[str, Any]] = {
    "all": {"q": "*:*"},
    "radwege": {"q": "Radwege"},
    "baeume": {"q": "Bäume"},
    "haltestellen": {"q": "Haltestellen"},
    "mobilitaet_label": {"q": "Mobilität"},
    "oepnv_alt_label": {"q": "ÖPNV"},
    "geheim": {"q": "Radzählung"},
    "facets": {"q": "*:*", "facet.field": json.dumps(["vocab_smartcity_category"]),
               "facet.limit": "-1"},
    "category_filter": {"fq": f'vocab_smartcity_category:"{KAT}mobilitaet"'},
    "sorted": {"q": "*:*", "sort": "title_string asc"},
}
PAGES = {
    "dataset_page": "/dataset/?q=Radwege",
    "category_page": f"/dataset/?vocab_smartcity_category={KAT}mobilitaet",
    "home": "/",
    "catalogue": "/catalog.ttl",
}


def site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def load() -> None:
    context = {"user": site_user(), "ignore_auth": True}
    for item in DATASETS:
        with contextlib.suppress(tk.ObjectNotFound):
            tk.get_action("dataset_purge")(dict(context), {"id": item["name"]})
    with contextlib.suppress(tk.ObjectNotFound):
        tk.get_action("organization_purge")(dict(context), {"id": ORG})
    org = tk.get_action("organization_create")(
        dict(context), {"name": ORG, "title": "Stadt Solrhausen"})
    for item in DATASETS:
        data = {"owner_org": org["id"], "license_id": LICENSE,
                "publisher": [{"name": "Stadt Solrhausen"}],
                "resources": [{"url": f"https://example.org/{item['name']}.csv",
                               "name": item["title"], "format": "CSV"}], **item}
        tk.get_action("package_create")(dict(context), data)
    emit({"created": len(DATASETS)})


def search(client: Client, params: dict[str, Any]) -> dict[str, Any]:
    params = {"fq": f"organization:{ORG}", **params}
    if "fq" in params and not params["fq"].startswith("organization:"):
        params["fq"] = f"organization:{ORG} AND {params['fq']}"
    response = client.get("/api/3/action/package_search", query_string=params)
    body = json.loads(response.get_data(as_text=True))
    if not body.get("success"):
        return {"status": response.status_code, "error": body.get("error")}
    result = body["result"]
    return {"status": response.status_code, "count": result["count"],
            "names": [d["name"] for d in result["results"]],
            "facets": {field: {item["name"]: [item["count"], item["display_name"]]
                               for item in facet["items"]}
                       for field, facet in result.get("search_facets", {}).items()}}


def query(app: Any) -> None:
    client = Client(app)
    out: dict[str, Any] = {name: search(client, params) for name, params in SEARCHES.items()}
    for name, path in PAGES.items():
        response = client.get(path)
        out[name] = {"status": response.status_code, "html": response.get_data(as_text=True)}
    sysadmin = tk.get_action("package_search")(
        {"user": site_user(), "ignore_auth": True},
        {"q": "Radzählung", "fq": f"organization:{ORG}", "include_private": True})
    out["sysadmin_geheim"] = {"count": sysadmin["count"],
                              "names": [d["name"] for d in sysadmin["results"]]}
    out["solr_url"] = tk.config.get("solr_url")
    out["plugins"] = tk.config.get("ckan.plugins")
    emit(out)


def emit(result: dict[str, Any]) -> None:
    """One line the caller finds among CKAN's log lines (test.ini logs to stdout)."""
    print(RESULT + json.dumps(result), flush=True)


def main(ini: str, command: str) -> None:
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        if command == "load":
            load()
        else:
            query(app)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
