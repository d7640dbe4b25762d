"""Organisation defaults for new datasets.

An organisation (schemas/organization.yaml) names its publisher, GovData
contributor ID, political geocoding, contact point and access rights once;
a dataset created in it takes each of these where the steward left the
field empty. The organisation's rights statement is a distribution field
(``dct:rights``): a resource created in the organisation takes it where
its own ``rights`` is empty. A value the steward gives always wins.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_organization_schema

from ckanext.smartcity.schema.form_rows import flat_rows


def is_blank(value: Any) -> bool:
    if value in (None, "", [], "[]"):
        return True
    if isinstance(value, list):
        return all(is_blank(item) for item in value)
    if isinstance(value, dict):
        return all(is_blank(v) for v in value.values())
    return False


def _given(data_dict: dict, field: str) -> bool:
    """Whether the steward gave ``field``: as a value, or in the web form's
    flat repeating-subfield keys (``contact-0-email``) that scheming
    expands only during validation."""
    if not is_blank(data_dict.get(field)):
        return True
    return any(not is_blank(data_dict[key])
               for row in flat_rows(data_dict, field).values() for key in row.values())


def _organization(context: dict, org_id: str) -> dict | None:
    try:
        return tk.get_action("organization_show")(
            {"ignore_auth": True, "user": context.get("user")},
            {"id": org_id, "include_datasets": False, "include_users": False,
             "include_extras": True})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None


def _schema_default(field_name: str) -> Any:
    """The default the organisation schema declares for ``field_name`` (for
    organisations saved before the field existed)."""
    schema = scheming_get_organization_schema("organization") or {}
    for field in schema.get("fields", []):
        if field["field_name"] == field_name:
            return field.get("default")
    return None


def organization_defaults(org: dict) -> dict[str, Any]:
    """The dataset fields an organisation supplies, in dataset form."""
    defaults: dict[str, Any] = {}
    publisher = {
        "name": org.get("publisher_name") or org.get("title") or org.get("name"),
        "uri": org.get("publisher_uri"),
        "type": org.get("publisher_type") or _schema_default("publisher_type"),
        "url": org.get("homepage"),
    }
    defaults["publisher"] = [{k: v for k, v in publisher.items() if v}]
    contact = {"name": org.get("contact_name"), "email": org.get("contact_email"),
               "url": org.get("contact_url"), "phone": org.get("contact_phone")}
    if not is_blank(contact):
        defaults["contact"] = [{k: v for k, v in contact.items() if v}]
    for field in ("contributor_id", "political_geocoding_level", "political_geocoding",
                  "access_rights"):
        if not is_blank(org.get(field)):
            defaults[field] = org[field]
    return defaults


def organization_resource_defaults(org: dict) -> dict[str, Any]:
    """The resource fields an organisation supplies (its rights statement)."""
    return {"rights": org["rights"]} if not is_blank(org.get("rights")) else {}


def fill_resource(resource: dict, defaults: dict[str, Any]) -> None:
    """Fill the empty fields of one resource dict from ``defaults`` in place."""
    for field, value in defaults.items():
        if is_blank(resource.get(field)):
            resource[field] = value


def apply_organization_defaults(context: dict, data_dict: dict) -> None:
    """Fill the empty inheritable fields of ``data_dict`` and of the
    resources it carries, in place."""
    org_id = data_dict.get("owner_org")
    if not org_id or not isinstance(org_id, str):
        return
    org = _organization(context, org_id)
    if not org:
        return
    for field, value in organization_defaults(org).items():
        if not _given(data_dict, field):
            data_dict[field] = value
    resource_defaults = organization_resource_defaults(org)
    for resource in data_dict.get("resources") or []:
        if isinstance(resource, dict):
            fill_resource(resource, resource_defaults)


def apply_resource_defaults(context: dict, package_id: str, resource: dict) -> None:
    """Fill the empty inheritable fields of a resource about to be created
    in the dataset ``package_id`` (``resource_create``), in place."""
    try:
        dataset = tk.get_action("package_show")(
            {"ignore_auth": True, "user": context.get("user")}, {"id": package_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return
    org = _organization(context, dataset.get("owner_org") or "") \
        if dataset.get("owner_org") else None
    if org:
        fill_resource(resource, organization_resource_defaults(org))
