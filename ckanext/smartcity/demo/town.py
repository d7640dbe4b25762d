"""Load the demonstration town (``ckan smartcity demo-load``).

Idempotent: organisations, datasets and the sysadmin that already exist are
left as they are, so a second ``make demo`` is quick. Resources name a file
under ``demo/data/files/``; it is uploaded into CKAN's file store, so the
portal serves every download itself. The organisations' defaults (access
rights, rights statement: schema/defaults.py) reach every dataset and
distribution; a resource marked ``data_service`` is described as an access
service pointing at the portal's own DataStore API for its table
(dataservice/urls.py), filled in once the resource has its id.
"""
from __future__ import annotations

import io
from importlib import resources
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.model as model
from ckan.plugins import toolkit
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.dataservice import urls
from ckanext.smartcity.schema import defaults, vocab

# the entry of CKAN's DataStore API in the API standards vocabulary
# (vocabularies/api-standard.json)
DATASTORE_STANDARD = ("api-standard", "ckan-datastore")


def demo_data() -> dict[str, Any]:
    text = resources.files("ckanext.smartcity.demo.data").joinpath("town.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def demo_file(name: str) -> bytes:
    return resources.files("ckanext.smartcity.demo.data").joinpath("files", name).read_bytes()


def ensure_sysadmin(name: str, email: str, password: str) -> bool:
    """Create the sysadmin ``name`` if missing; returns True if created."""
    user = model.User.get(name)
    created = False
    if user is None:
        toolkit.get_action("user_create")(
            {"ignore_auth": True},
            {"name": name, "email": email, "password": password, "fullname": "Demo-Administration"})
        user = model.User.get(name)
        created = True
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    return created


def sample(count: int | None = None,
           datasets: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The demo datasets, or ``count`` of them spread evenly over the file
    (so over the categories): tests that need a town, not all of it."""
    datasets = demo_data()["datasets"] if datasets is None else datasets
    if count is None or count >= len(datasets):
        return datasets
    step = len(datasets) / count
    return [datasets[int(i * step)] for i in range(count)]


def load(admin: str, count: int | None = None) -> dict[str, int]:
    """Create the demo organisations and datasets (all, or ``count`` of
    them, see sample()); returns what was created."""
    data = demo_data()
    context = {"user": admin, "ignore_auth": True}
    created = {"organizations": 0, "datasets": 0}
    for org in data["organizations"]:
        if model.Group.get(org["name"]) is None:
            toolkit.get_action("organization_create")(dict(context), dict(org))
            created["organizations"] += 1
    for item in sample(count, data["datasets"]):
        existing = model.Package.get(item["name"])
        if existing is not None:
            _add_categories(context, existing.id, item)
            _add_defaults_and_services(context, existing.id, item)
            continue
        dataset = dict(item)
        dataset["owner_org"] = dataset.pop("organization")
        dataset["tag_string"] = ",".join(dataset.pop("tags", []))
        files = dataset.pop("resources", [])
        package = toolkit.get_action("package_create")(dict(context), dataset)
        for entry in files:
            resource = _resource(package["id"], entry)
            defaults.apply_resource_defaults(context, package["id"], resource)
            resource = toolkit.get_action("resource_create")(dict(context), resource)
            if entry.get("data_service"):
                _describe_service(context, resource["id"], entry["data_service"])
        created["datasets"] += 1
    return created


def service_fields() -> tuple[str, ...]:
    """The subfields of ``access_services`` the dataset schema declares."""
    schema = scheming_get_dataset_schema("dataset") or {}
    for field in schema.get("resource_fields", []):
        if field["field_name"] == "access_services":
            return tuple(sub["field_name"] for sub in field.get("repeating_subfields", []))
    return ()


def data_service(resource_id: str, title: str) -> dict[str, str]:
    """The ``access_services`` entry of a table served by the portal's own
    DataStore API: its ``datastore_search`` endpoint, the OpenAPI document
    the portal serves for it and, where the schema has the subfield, CKAN's
    DataStore API (from the API standards vocabulary) as its standard."""
    service = {"title": title, "endpoint_url": urls.endpoint_url(resource_id),
               "endpoint_description": urls.description_url(resource_id)}
    standard = vocab.find(*DATASTORE_STANDARD) if "conforms_to" in service_fields() else None
    if standard:
        service["conforms_to"] = standard["uri"]
    return service


def _describe_service(context: dict[str, Any], resource_id: str, title: str) -> None:
    toolkit.get_action("resource_patch")(
        dict(context), {"id": resource_id, "access_services": [data_service(resource_id, title)]})


def _resource(package_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A resource dict; ``file`` entries become uploads, others keep ``url``."""
    resource = {key: value for key, value in entry.items()
                if key not in ("file", "data_service")}
    resource["package_id"] = package_id
    if entry.get("file"):
        resource["url"] = entry["file"]
        resource["upload"] = FileStorage(
            stream=io.BytesIO(demo_file(entry["file"])), filename=entry["file"])
    return resource


def _add_categories(context: dict[str, Any], package_id: str, item: dict[str, Any]) -> None:
    """Demo datasets loaded before categories existed get theirs (once)."""
    if not item.get("smartcity_category"):
        return
    shown = toolkit.get_action("package_show")(dict(context), {"id": package_id})
    if not shown.get("smartcity_category"):
        toolkit.get_action("package_patch")(
            dict(context), {"id": package_id, "smartcity_category": item["smartcity_category"]})


def _add_defaults_and_services(context: dict[str, Any], package_id: str,
                               item: dict[str, Any]) -> None:
    """A demo town loaded before the organisations' access rights, rights
    statement and data services existed gets them (once): each only where
    still empty."""
    shown = toolkit.get_action("package_show")(dict(context), {"id": package_id})
    org = defaults.organization_defaults(toolkit.get_action("organization_show")(
        dict(context), {"id": shown["owner_org"], "include_datasets": False,
                        "include_users": False, "include_extras": True}))
    if defaults.is_blank(shown.get("access_rights")) and org.get("access_rights"):
        toolkit.get_action("package_patch")(
            dict(context), {"id": package_id, "access_rights": org["access_rights"]})
    titles = {entry["name"]: entry.get("data_service") for entry in item.get("resources", [])}
    for resource in shown.get("resources", []):
        patch: dict[str, Any] = {}
        defaults.apply_resource_defaults(context, package_id, patch)
        patch = {k: v for k, v in patch.items() if defaults.is_blank(resource.get(k))}
        title = titles.get(resource.get("name"))
        if title and defaults.is_blank(resource.get("access_services")):
            patch["access_services"] = [data_service(resource["id"], title)]
        if patch:
            toolkit.get_action("resource_patch")(dict(context), {"id": resource["id"], **patch})
