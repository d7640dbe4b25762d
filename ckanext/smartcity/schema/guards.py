"""The guards around dataset, resource and organisation writes (chained
actions): characters refused per field, empty repeating rows dropped,
organisation defaults filled, the dataset URI rule, free extras capped,
extras of former free fields read as their fields."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat import utils as dcat_utils
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.schema import defaults
from ckanext.smartcity.schema import validators
from ckanext.smartcity.schema.form_rows import flat_rows

# fields kept as free extras before the schema had them: the RDF profile
# stored adms:identifier as an extra holding a JSON list until the
# ``alternate_identifier`` field existed (same key, same stored text, so
# stored datasets show and update unchanged)
FORMER_EXTRAS = ("alternate_identifier",)


def _problem(value: Any) -> str | None:
    """The first character problem anywhere in ``value`` (strings inside
    lists and objects too), or None."""
    if isinstance(value, str):
        return validators.character_problem(value)
    if isinstance(value, dict):
        parts = [part for pair in value.items() for part in pair]
    elif isinstance(value, list):
        parts = value
    else:
        return None
    return next((problem for part in parts if (problem := _problem(part))), None)


def _character_errors(data_dict: dict) -> dict[str, Any]:
    """Control characters or lone surrogates anywhere in a write, refused
    before validation (a NUL reaching PostgreSQL was a 500). Errors shaped
    like CKAN's: per field, and inside lists of objects (resources,
    repeating subfields) per row and subfield."""
    errors: dict[str, Any] = {}
    for key, value in data_dict.items():
        name = validators.without_bad_characters(str(key))
        if problem := _problem(key):
            errors[name or "key"] = [problem]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = [_character_errors(row) for row in value]
            if any(rows):
                errors[name] = rows
        elif problem := _problem(value):
            errors[name] = [problem]
    return errors


def _guard(data_dict: dict) -> None:
    errors = _character_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)


def _repeating(fields: list[dict]) -> list[str]:
    return [f["field_name"] for f in fields if "repeating_subfields" in f]


def _drop_empty_rows(data: dict, names: list[str]) -> None:
    """Remove rows of repeating fields the steward left entirely empty (the
    form always sends one row per field), given as lists of objects or as the
    form's flat keys ``contact-0-email``; empty rows are not data."""
    for name in names:
        if isinstance(data.get(name), list):
            data[name] = [row for row in data[name]
                          if not (isinstance(row, dict) and defaults.is_blank(row))]
        for row in flat_rows(data, name).values():
            if all(defaults.is_blank(data[key]) for key in row.values()):
                for key in row.values():
                    del data[key]


def _without_scheme(uri: str) -> str:
    return uri.split("://", 1)[-1].lower()


def _uri_values(data_dict: dict) -> list[Any]:
    """The ``uri`` extras of a write; empty values and ckanext-dcat's "None"
    mean no URI."""
    extras = data_dict.get("extras")
    return [e.get("value") for e in extras if isinstance(e, dict) and e.get("key") == "uri"
            and e.get("value") not in (None, "", "None")] if isinstance(extras, list) else []


def _dataset_uri_problem(data_dict: dict, own: model.Package | None) -> str | None:
    """An ``extras`` ``uri`` is the dataset's RDF subject (ckanext-dcat's
    ``dataset_uri``; datasets migrated from ckanext-dcat keep their source's
    URI there). It must be an http(s) IRI, must not be under the portal's own
    ``/dataset/`` path unless it names this very dataset, and must not be
    the subject of another dataset: two datasets with one subject merge in
    every catalogue and a harvester overwrites one with the other
    (docs/security.md F8). ``own`` is the dataset being updated (None when
    creating). A URI the dataset already has is not checked again, so older
    data stays editable."""
    uris = _uri_values(data_dict)
    if own is not None:
        uris = [uri for uri in uris if uri != (own.extras or {}).get("uri")]
    if not uris:
        return None
    taken = tk._("This URI already identifies another dataset; a dataset URI must be unique.")
    portal = _without_scheme(dcat_utils.catalog_uri().rstrip("/") + "/dataset/")
    for uri in uris:
        try:
            if not isinstance(uri, str) or validators.smartcity_http_url(uri) != uri:
                raise tk.Invalid(tk._("Enter a web address that starts with http:// or https://."))
        except tk.Invalid as error:
            return f"uri: {error.error}"
        if _without_scheme(uri).startswith(portal):
            other = model.Package.get(_without_scheme(uri)[len(portal):].split("/")[0])
            if own is None or other is None or other.id != own.id:
                return taken
        holders = model.Session.query(model.Package.id).filter(
            model.Package.extras["uri"].astext == uri, model.Package.state != "deleted")
        if any(own is None or holder != own.id for (holder,) in holders):
            return taken
    return None


def _check_dataset_uri(action: str, context: dict, data_dict: dict) -> None:
    """The dataset URI rule, after the caller's permission (an unauthorised
    caller learns nothing about which URIs exist). On create the dataset is
    new whatever its name says: a name equal to another dataset's id must
    not make that dataset "this one"."""
    if not _uri_values(data_dict):
        return  # most writes: no permission check or query added
    tk.check_access(action, dict(context), data_dict)
    own = None
    if action != "package_create":
        ref = data_dict.get("id") or data_dict.get("name")
        own = model.Package.get(ref) if isinstance(ref, str) and ref else None
    if problem := _dataset_uri_problem(data_dict, own):
        raise tk.ValidationError({"extras": [problem]})


def _free_extras(data_dict: dict) -> list[tuple[Any, Any]]:
    """(key, value) of the free extras of a write (``extras``, a list of
    ``{"key", "value"}`` objects in the API and, unflattened, in forms)."""
    extras = data_dict.get("extras")
    if not isinstance(extras, list):
        return []
    return [(e.get("key"), e.get("value")) for e in extras if isinstance(e, dict)]


def _too_long(key: Any, value: Any) -> bool:
    key_text = key if isinstance(key, str) else str(key)
    value_text = value if isinstance(value, str) else str(value)
    return (len(key_text) > validators.MAX_TEXT_LENGTH
            or len(value_text) > validators.MAX_LONG_TEXT_LENGTH)


def _stored_extras(action: str, data_dict: dict) -> dict[str, str]:
    """The extras the dataset or organisation being updated has now (none
    when creating)."""
    ref = data_dict.get("id") or data_dict.get("name")
    if action.endswith("_create") or not isinstance(ref, str) or not ref:
        return {}
    stored = (model.Group if action.startswith("organization_") else model.Package).get(ref)
    return dict(stored.extras or {}) if stored is not None else {}


def _extras_problem(extras: list[tuple[Any, Any]]) -> str | None:
    for key, value in extras:
        if not _too_long(key, value):
            continue
        key_text = key if isinstance(key, str) else str(key)
        if len(key_text) > validators.MAX_TEXT_LENGTH:
            return tk._("The key of an extra field may have at most %(count)s characters.") \
                % {"count": validators.thousands(validators.MAX_TEXT_LENGTH)}
        shown = key_text if len(key_text) <= 100 else key_text[:100] + "…"
        return tk._('Extra field "%(key)s": at most %(count)s characters are allowed.') % {
            "key": shown, "count": validators.thousands(validators.MAX_LONG_TEXT_LENGTH)}
    return None


def _check_extras(action: str, context: dict, data_dict: dict) -> None:
    """Free extras are capped like the extension's text fields (keys at
    MAX_TEXT_LENGTH, values at MAX_LONG_TEXT_LENGTH characters; a 5 MB value
    was accepted and shipped with every search result and RDF export,
    docs/security.md F17). An extra stored before the cap is kept: a write
    that sends it unchanged (every patch and every form save does) passes,
    only a new or changed value must fit. The comparison with the stored
    value runs after the caller's permission check, so the answer tells an
    outsider nothing about another dataset's extras."""
    oversized = [(k, v) for k, v in _free_extras(data_dict) if _too_long(k, v)]
    if not oversized:
        return  # most writes: no permission check or query added
    tk.check_access(action, dict(context), data_dict)
    stored = _stored_extras(action, data_dict)
    changed = [(k, v) for k, v in oversized if not (isinstance(k, str) and stored.get(k) == v)]
    if problem := _extras_problem(changed):
        raise tk.ValidationError({"extras": [problem]})


def _former_extras(data_dict: dict) -> None:
    """A free extra named like a field that used to be one (FORMER_EXTRAS),
    as clients written before the field send it, is read as the field (CKAN
    refuses an extra named like a field); a value given for the field wins."""
    extras = data_dict.get("extras")
    if not isinstance(extras, list):
        return
    kept = []
    for extra in extras:
        key = extra.get("key") if isinstance(extra, dict) else None
        if key not in FORMER_EXTRAS:
            kept.append(extra)
        elif data_dict.get(key) in (None, "", [], "[]"):
            data_dict[key] = extra.get("value")
    data_dict["extras"] = kept


def _prepare(data_dict: dict, resource: bool = False) -> None:
    """Checks and clean-up before CKAN validates a dataset or resource."""
    _guard(data_dict)
    schema = scheming_get_dataset_schema("dataset") or {}
    resource_names = _repeating(schema.get("resource_fields", []))
    if resource:
        _drop_empty_rows(data_dict, resource_names)
        return
    _former_extras(data_dict)
    _drop_empty_rows(data_dict, _repeating(schema.get("dataset_fields", [])))
    for res in data_dict.get("resources") or []:
        if isinstance(res, dict):
            _drop_empty_rows(res, resource_names)


@tk.chained_action
def package_create(original_action, context, data_dict):
    """Refuse control characters, drop empty rows, fill empty fields from
    the organisation."""
    _prepare(data_dict)
    _check_dataset_uri("package_create", context, data_dict)
    _check_extras("package_create", context, data_dict)
    defaults.apply_organization_defaults(context, data_dict)
    return original_action(context, data_dict)


def _guarded(name: str):
    """A chained ``name`` that refuses control characters (and for datasets
    and resources drops empty repeating rows) first."""
    def action(original_action, context, data_dict):
        if name.startswith("organization_"):
            _guard(data_dict)
            _check_extras(name, context, data_dict)
        else:
            _prepare(data_dict, resource=name.startswith("resource_"))
            if name.startswith("package_"):
                _check_dataset_uri(name, context, data_dict)
                _check_extras(name, context, data_dict)
            elif name == "resource_create" and isinstance(data_dict.get("package_id"), str):
                # a distribution added later gets the organisation's rights
                # statement too (docs/quality.md)
                defaults.apply_resource_defaults(context, data_dict["package_id"], data_dict)
        return original_action(context, data_dict)
    action.__name__ = name
    action.__doc__ = (f"{name}, refusing control characters per field and oversized "
                      "free extras first.")
    return tk.chained_action(action)


def get_actions() -> dict[str, Any]:
    actions = {name: _guarded(name) for name in (
        "package_update", "package_patch", "resource_create", "resource_update",
        "resource_patch", "organization_create", "organization_update",
        "organization_patch")}
    actions["package_create"] = package_create
    return actions
