"""Load the demonstration town (``ckan smartcity demo-load``).

Idempotent: organisations, datasets and the sysadmin that already exist are
left as they are, so a second ``make demo`` is quick. Resources name a file
under ``demo/data/files/``; it is uploaded into CKAN's file store, so the
portal serves every download itself.
"""
from __future__ import annotations

import io
from importlib import resources
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.model as model
from ckan.plugins import toolkit


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
            continue
        dataset = dict(item)
        dataset["owner_org"] = dataset.pop("organization")
        dataset["tag_string"] = ",".join(dataset.pop("tags", []))
        files = dataset.pop("resources", [])
        package = toolkit.get_action("package_create")(dict(context), dataset)
        for entry in files:
            toolkit.get_action("resource_create")(
                dict(context), _resource(package["id"], entry))
        created["datasets"] += 1
    return created


def _resource(package_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A resource dict; ``file`` entries become uploads, others keep ``url``."""
    resource = {key: value for key, value in entry.items() if key != "file"}
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
