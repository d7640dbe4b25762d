"""Drafts that may be incomplete (docs/drafts.md).

A steward saves a dataset with only a title as a draft ("Save as draft" in
the dataset form, or ``"state": "draft"`` through the API): the mandatory
fields (``smartcity_required`` in schemas/dataset.yaml) may stay empty, given
values are validated as always. The draft's page lists what publishing would
still refuse (:func:`missing_for_publication`), each item linked to its
field; "Publish" runs the normal package_update with state "active", so the
whole schema applies and a refused draft stays a draft, unchanged.

Drafts are never searched, catalogued, counted or exported: CKAN's search
leaves them out unless ``include_drafts`` (only for their editors), and the
dataset RDF answers 404 for them (rdf/catalogue.py).
"""
from __future__ import annotations

import copy
import logging
from typing import Any, NamedTuple

from flask import Blueprint

import ckan.lib.navl.dictization_functions as dict_fns
import ckan.lib.plugins as lib_plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.views import dataset as dataset_views
from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_language_text

from ckanext.smartcity.schema import form_links, validators

log = logging.getLogger(__name__)

DATASET_TYPE = "dataset"
# the form's keys that steer CKAN's views, not dataset fields
FORM_KEYS = ("save", "_ckan_phase", "pkg_name")

blueprint = Blueprint("smartcity_drafts", __name__)


class Missing(NamedTuple):
    """One thing a draft still lacks (or has wrong) for publication."""

    field_name: str  # "notes", "publisher-0-name", "resources-1-url", "resources"
    label: str  # the field's label in the page language
    message: str  # the validation message(s)
    url: str  # where to fix it: the field in the edit or distribution form


def is_draft(pkg_dict: dict) -> bool:
    return str(pkg_dict.get("state") or "").startswith(validators.DRAFT)


def _by_name(fields: list[dict]) -> dict[str, Any]:
    return {f["field_name"]: f for f in fields}


def _label(field: dict | None, name: str) -> str:
    """The field's label in the page language (German outside a request)."""
    if not field or not field.get("label"):
        return name
    language = tk.request.environ.get("CKAN_LANG") if tk.request else None
    return scheming_language_text(field["label"], prefer_lang=language or "de")


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [m for m in value if isinstance(m, str)]
    return []


def _rows(value: Any) -> list[tuple[int, dict]]:
    """The per-row errors of a repeating field (lists of dicts)."""
    if not isinstance(value, list):
        return []
    return [(i, row) for i, row in enumerate(value) if isinstance(row, dict) and row]


def publication_errors(context: dict, pkg_dict: dict) -> dict[str, Any]:
    """The errors package_update with state "active" would raise for
    ``pkg_dict`` (package_show form), computed without writing anything."""
    package_type = pkg_dict.get("type") or DATASET_TYPE
    plugin = lib_plugins.lookup_package_plugin(package_type)
    check = {"model": model, "session": model.Session, "ignore_auth": True,
             "user": context.get("user") or "",
             "package": model.Package.get(pkg_dict.get("id") or "")}
    data = dict(copy.deepcopy(pkg_dict), state="active")
    _data, errors = lib_plugins.plugin_validate(
        plugin, check, data, plugin.update_package_schema(), "package_update")
    return errors


def needs_distribution() -> bool:
    """CKAN's own form publishes a dataset only with a distribution
    (``ckan.dataset.create_on_ui_requires_resources``, default true)."""
    return tk.asbool(tk.config.get("ckan.dataset.create_on_ui_requires_resources", True))


def missing_for_publication(context: dict, pkg_dict: dict) -> list[Missing]:
    """What publishing ``pkg_dict`` (package_show form) would still refuse,
    one item per field in schema order, labels and messages in the page
    language, each with the URL of the field to fix."""
    errors = publication_errors(context, pkg_dict)
    schema = scheming_get_dataset_schema(pkg_dict.get("type") or DATASET_TYPE) or {}
    fields = _by_name(schema.get("dataset_fields", []))
    resource_fields = _by_name(schema.get("resource_fields", []))
    name = pkg_dict.get("name") or pkg_dict.get("id") or ""
    order = {key: i for i, key in enumerate(fields)}
    found: list[Missing] = []
    for key in sorted(errors, key=lambda k: (order.get(k, len(order)), k)):
        if key == "resources":
            found += _resource_items(errors[key], pkg_dict, resource_fields)
            continue
        field = fields.get(key)
        messages = _messages(errors[key])
        if messages:
            found.append(Missing(key, _label(field, key), " ".join(messages),
                                 form_links.field_url(name, key)))
        subfields = _by_name((field or {}).get("repeating_subfields", []))
        for index, row in _rows(errors[key]):
            for sub, value in row.items():
                anchor = f"{key}-{index}-{sub}"
                label = f"{_label(field, key)} {index + 1}: {_label(subfields.get(sub), sub)}"
                found.append(Missing(anchor, label, " ".join(_messages(value)),
                                     form_links.field_url(name, key, f"field-{anchor}")))
    if needs_distribution() and not pkg_dict.get("resources"):
        found.append(Missing("resources", tk._("Distributions"),
                             tk._("Add at least one distribution."),
                             form_links.url("resource.new", f"/dataset/{name}/resource/new",
                                            id=name)))
    return found


def _resource_items(errors: Any, pkg_dict: dict, fields: dict) -> list[Missing]:
    resources = pkg_dict.get("resources") or []
    items = []
    for index, row in _rows(errors):
        resource_id = resources[index].get("id") if index < len(resources) else None
        name = pkg_dict.get("name") or ""
        for sub, value in row.items():
            url = (form_links.resource_field_url(name, resource_id, sub) if resource_id else
                   form_links.url("dataset.resources", f"/dataset/resources/{name}", id=name))
            label = tk._("Distribution %(number)s") % {"number": index + 1}
            items.append(Missing(f"resources-{index}-{sub}",
                                 f"{label}: {_label(fields.get(sub), sub)}",
                                 " ".join(_messages(value)), url))
    return items


# -- views -----------------------------------------------------------------------

def _form_data() -> dict[str, Any]:
    try:
        return dataset_views.clean_dict(dict_fns.unflatten(
            dataset_views.tuplize_dict(dataset_views.parse_params(tk.request.form))))
    except dict_fns.DataError:
        return tk.abort(400, tk._("Integrity Error"))


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user,
            validators.DRAFT_SAVE: True, "allow_state_change": True}


def save():
    """POST from the dataset form's "Save as draft" button (stage 1 of a new
    dataset, or the form of a draft): saved in state "draft" with whatever
    is filled in, then the draft's page. A given value that is wrong shows
    the form again with its error."""
    data = _form_data()
    existing = data.get("pkg_name")
    for key in FORM_KEYS:
        data.pop(key, None)
    data.update(state=validators.DRAFT, type=DATASET_TYPE)
    context = _context()
    try:
        if existing:
            current = tk.get_action("package_show")(dict(context), {"id": existing})
            if not is_draft(current):  # a published dataset is unpublished by CKAN's form
                return tk.abort(409, tk._("Only a draft can be saved as a draft."))
            data["id"] = current["id"]
            pkg = tk.get_action("package_update")(context, data)
        else:
            pkg = tk.get_action("package_create")(context, data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to create a package"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        return _form_again(data, existing, error)
    tk.h.flash_success(tk._("Saved as a draft. It is not public until you publish it."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


def _form_again(data: dict, existing: str | None, error: tk.ValidationError):
    """The stage-1 form with the errors; its main button still posts to
    CKAN's own form view (our route only takes the draft button)."""
    tk.g.form_action = tk.h.url_for("dataset.new")
    if existing:
        data = dict(data, state=validators.DRAFT, pkg_name=existing)
        return dataset_views.EditView().get(DATASET_TYPE, existing, data,
                                            error.error_dict, error.error_summary)
    data["state"] = "none"
    return dataset_views.CreateView().get(DATASET_TYPE, data, error.error_dict,
                                          error.error_summary)


def publish(id: str):
    """POST from the draft's page: package_update with state "active" and
    the whole schema. Refused, the draft stays as it was and its page lists
    the field errors."""
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        tk.check_access("package_update", dict(context), {"id": id})
        pkg = tk.get_action("package_show")(dict(context), {"id": id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to update dataset"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    if not is_draft(pkg):
        return tk.redirect_to("dataset.read", id=pkg["name"])
    if needs_distribution() and not pkg.get("resources"):
        tk.h.flash_error(tk._("Not published: add at least one distribution first."))
        return tk.redirect_to("dataset.read", id=pkg["name"])
    try:
        tk.get_action("package_update")(dict(context, allow_state_change=True),
                                        dict(pkg, state="active"))
    except tk.ValidationError as error:
        count = len(missing_for_publication(context, pkg)) or len(error.error_dict)
        tk.h.flash_error(tk.ungettext(  # flask-babel fills in %(num)s
            "Not published: %(num)s field is still missing or invalid (see the list).",
            "Not published: %(num)s fields are still missing or invalid (see the list).",
            count))
        return tk.redirect_to("dataset.read", id=pkg["name"])
    tk.h.flash_success(tk._("Published: the dataset is now public in the catalogue."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


blueprint.add_url_rule("/dataset/save-draft", view_func=save, methods=["POST"],
                       endpoint="save")
blueprint.add_url_rule("/dataset/publish/<id>", view_func=publish, methods=["POST"],
                       endpoint="publish")


def get_blueprints() -> list[Blueprint]:
    return [blueprint]


# -- template helpers ---------------------------------------------------------------

def smartcity_draft_missing(pkg_dict: dict) -> list[Missing] | None:
    """For the draft's page: what it lacks for publication, for those who
    may edit it; None for a published dataset or other readers."""
    if not is_draft(pkg_dict) or not tk.h.check_access("package_update",
                                                        {"id": pkg_dict.get("id")}):
        return None
    try:
        return missing_for_publication({"user": tk.current_user.name}, pkg_dict)
    except Exception:  # advisory: a draft's page must show even if the check fails
        log.warning("missing fields of draft %s not listed", pkg_dict.get("id"),
                    exc_info=True)
        return []


def smartcity_draft_form(data: dict, form_style: str) -> bool:
    """Whether the dataset form offers "Save as draft": a new dataset's
    first stage, or a draft's form (CKAN shows both with form_style "new")."""
    return form_style != "edit" and (not data.get("id") or is_draft(data))


def get_helpers() -> dict[str, Any]:
    return {"smartcity_draft_missing": smartcity_draft_missing,
            "smartcity_draft_form": smartcity_draft_form}
