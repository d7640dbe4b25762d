"""Links to one field of the dataset or distribution edit form: the id of
the field's first input, as CKAN and ckanext-scheming render it. Shared by
the draft panel (schema/drafts.py) and the steward's to-do list
(steward/todo.py)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema


def url(endpoint: str, path: str, **values: str) -> str:
    """``endpoint``'s URL in the page language; ``path`` outside a request
    (command line, background jobs)."""
    try:
        return tk.h.url_for(endpoint, **values)
    except RuntimeError:  # no application or request context
        return path


def anchor(field: str, resource: bool = False) -> str:
    """The id of the field's first input in the edit form: ``field-<name>``;
    the first subfield of the first row for repeating fields (scheming gives
    the group no id), CKAN's own ids for the distribution URL and the
    organisation."""
    if resource and field == "url":
        return "field-resource-url"
    if not resource and field == "owner_org":
        return "field-organizations"
    schema = scheming_get_dataset_schema("dataset") or {}
    fields = schema.get("resource_fields" if resource else "dataset_fields") or []
    for spec in fields:
        if spec.get("field_name") == field and spec.get("repeating_subfields"):
            return f"field-{field}-0-{spec['repeating_subfields'][0]['field_name']}"
    return f"field-{field}"


def field_url(name: str, field: str | None, element: str | None = None) -> str:
    """The dataset's edit form, at ``field`` (a dataset field) or at the
    input with the id ``element`` (e.g. ``field-publisher-0-name``)."""
    form = url("dataset.edit", f"/dataset/edit/{name}", id=name)
    target = element or (anchor(field) if field else None)
    return f"{form}#{target}" if target else form


def resource_field_url(name: str, resource_id: str | None, field: str | None) -> str:
    """The distribution's edit form at ``field`` (the dataset's edit form
    when the distribution is gone)."""
    if not resource_id:
        return field_url(name, None)
    form = url("resource.edit", f"/dataset/{name}/resource/{resource_id}/edit",
               id=name, resource_id=resource_id)
    return f"{form}#{anchor(field, resource=True)}" if field else form
