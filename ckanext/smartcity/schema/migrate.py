"""``ckan smartcity migrate``: core-schema CKAN datasets to DCAT-AP.de fields.

For each dataset the plan maps what CKAN's core schema and the usual
extensions left behind to the schema's fields:

- ``license_id`` (CKAN/OGD codes such as ``cc-by``, ``dl-de-by-2.0``) to the
  dcat-ap.de licence URI (the licence list carries those codes as aliases);
- groups named after an EU data theme (code or label) or an old GovData
  category (``transport_verkehr``) to ``theme``;
- extras of ckanext-dcat / ckanext-dcatde (``contributorID``,
  ``politicalGeocodingURI``, ``plannedAvailability``, ``temporal_start``,
  ``publisher_name``, ...) to their fields; deprecated dcatde terms go to
  their 3.0 successors (``plannedAvailability`` -> ``availability``,
  ``legalbasisText`` -> ``applicable_legislation`` when it is a URL);
- ``maintainer``/``maintainer_email`` to the contact point and the custodian
  (successor of ``dcatde:maintainer``), ``author`` to the originator, when
  those are empty;
- resource formats (``csv``, ``text/csv``, ``WMS``) to EU file-type codes;
  every vocabulary value is read as the form reads it (``vocab.resolve``).

Tags stay keywords. What cannot be mapped is reported and left where it is;
a dataset whose result would not validate is reported with the field errors
and not changed. The plan of a migrated dataset is empty, so a second run
changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
from ckan.lib import plugins as lib_plugins
from ckan.plugins import toolkit

from ckanext.smartcity.schema import defaults
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

# extra key -> (dataset field, vocabulary or None, kind). Extras named like a
# schema field (language, theme, issued, ...) need no entry: package_show
# already shows them as that field, and _canonical_vocabulary_values maps
# their values.
EXTRA_FIELDS: dict[str, tuple[str, str | None, str]] = {
    "contributorID": ("contributor_id", "dcatde-contributor", "single"),
    "politicalGeocodingLevelURI": ("political_geocoding_level", "political-geocoding-level",
                                   "single"),
    "politicalGeocodingURI": ("political_geocoding", "german-region", "list"),
    "spatial_uri": ("political_geocoding", "german-region", "list"),
    "plannedAvailability": ("availability", "eu-planned-availability", "single"),
    "accrual_periodicity": ("frequency", "eu-frequency", "single"),
    "dcat_issued": ("issued", None, "text"),
    "dcat_modified": ("modified", None, "text"),
    "guid": ("identifier", None, "text"),
    "legalbasisText": ("applicable_legislation", None, "urls"),
}
# extra key -> (repeating field, subfield)
EXTRA_SUBFIELDS: dict[str, tuple[str, str]] = {
    "publisher_name": ("publisher", "name"), "publisher_uri": ("publisher", "uri"),
    "publisher_email": ("publisher", "email"), "publisher_url": ("publisher", "url"),
    "publisher_type": ("publisher", "type"),
    "contact_name": ("contact", "name"), "contact_email": ("contact", "email"),
    "contact_uri": ("contact", "url"), "contact_url": ("contact", "url"),
    "temporal_start": ("temporal_coverage", "start"), "temporal_end": ("temporal_coverage", "end"),
}


@dataclass
class Plan:
    name: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    errors: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.errors:
            return "blocked"
        return "change" if self.changes else "unchanged"


def _theme_for_group(group: dict) -> list[str]:
    wanted = {group.get("name", "").lower(), (group.get("title") or "").lower()}
    themes = []
    for concept in vocab.concepts("eu-data-theme"):
        names = {concept["code"].lower(), *(label.lower() for label in concept["labels"].values()),
                 *concept.get("ogd_categories", [])}
        if wanted & names:
            themes.append(concept["uri"])
    return themes


def _format_code(value: str) -> str | None:
    concept = vocab.resolve("eu-file-type", value)
    if concept:
        return concept["code"]
    for candidate in vocab.concepts("eu-file-type"):
        if value.strip().lower() in candidate.get("media_types", []):
            return candidate["code"]
    return None


def _canonical_vocabulary_values(data: dict, plan: Plan) -> None:
    """Top-level vocabulary fields written before the schema (e.g. an extra
    ``language: de`` that scheming already shows as the field) in their
    canonical form; values outside the vocabulary stay and are reported."""
    schema = toolkit.h.scheming_get_dataset_schema("dataset")
    for schema_field in schema["dataset_fields"]:
        name = schema_field.get("vocabulary")
        if not name or data.get(schema_field["field_name"]) in (None, "", []):
            continue
        value = data[schema_field["field_name"]]
        key = schema_field.get("vocabulary_key", "uri")
        if isinstance(value, list):
            mapped = [vocab.resolve_canonical(name, v, key) or v for v in value]
        else:
            mapped = vocab.resolve_canonical(name, value, key) or value
        data[schema_field["field_name"]] = mapped


def plan_dataset(pkg: model.Package) -> Plan:
    """What would change for ``pkg`` (read from the database, not through
    the DCAT-AP.de show schema)."""
    plan = Plan(pkg.name)
    current = toolkit.get_action("package_show")(
        {"ignore_auth": True, "for_view": False}, {"id": pkg.id})
    proposed = {k: v for k, v in current.items()}
    extras = {e["key"]: e["value"] for e in current.get("extras", [])}
    keep_extras = []

    assigned: dict[str, tuple[str, Any]] = {}  # field -> (extra key, value)

    def setv(name: str, value: Any, source: str) -> bool:
        """Propose ``value`` for an empty field; False when another extra
        already proposed a different value (the caller keeps its extra)."""
        if value in (None, "", []):
            return True
        if name in assigned and assigned[name][1] != value:
            plan.unmapped.append(f"extras.{source} (conflicts with extras.{assigned[name][0]})")
            return False
        old = current.get(name)
        if old not in (None, "", [], "[]") and old != value and name != "license_id":
            plan.unmapped.append(f"extras.{source} (field {name} already holds another value)")
            return False
        assigned[name] = (source, value)
        proposed[name] = value
        return True

    # licence
    if pkg.license_id:
        uri = vocab.resolve_canonical("dcatde-license", pkg.license_id)
        if uri:
            setv("license_id", uri, "license_id")
        else:
            plan.unmapped.append(f"license_id={pkg.license_id}")
    # groups -> themes
    themes: list[str] = list(values(current.get("theme"), ","))
    for group in current.get("groups", []):
        found = _theme_for_group(group)
        if not found:
            plan.unmapped.append(f"group={group['name']}")
        themes += [t for t in found if t not in themes]
    if themes and themes != values(current.get("theme"), ","):
        proposed["theme"] = themes
    # extras: an extra is removed only when all of its values found a home
    subfields: dict[str, dict[str, str]] = {}
    for key, value in extras.items():
        if key in EXTRA_FIELDS:
            name, vocabulary, kind = EXTRA_FIELDS[key]
            items = values(value, ",")
            if kind in ("single", "list"):
                mapped = [vocab.resolve_canonical(vocabulary, v) for v in items]
                good = [m for m in mapped if m]
                lost = [v for v, m in zip(items, mapped, strict=True) if m is None]
                if kind == "single":
                    lost += [v for v, m in zip(items, mapped, strict=True) if m][1:]
                    good = good[:1]
                new = (good[0] if kind == "single" else good) if good else None
            elif kind == "urls":
                new = [v for v in items if v.startswith(("http://", "https://"))]
                lost = [v for v in items if v not in new]
            else:
                new, lost = value, []
            if lost:
                plan.unmapped.append(f"extras.{key}={', '.join(lost)}")
            if not setv(name, new, key) or lost or not new:
                keep_extras.append(key)
        elif key in EXTRA_SUBFIELDS:
            name, sub = EXTRA_SUBFIELDS[key]
            subfields.setdefault(name, {})[sub] = value
        else:
            plan.unmapped.append(f"extras.{key}")
            keep_extras.append(key)
    if pkg.maintainer or pkg.maintainer_email:
        # CKAN's maintainer was both the contact point and dcatde:maintainer,
        # whose 3.0 successor is geodcatap:custodian
        for target in ("contact", "custodian"):
            entry = subfields.setdefault(target, {})
            entry.setdefault("name", pkg.maintainer or "")
            entry.setdefault("email", pkg.maintainer_email or "")
    if pkg.author or pkg.author_email:
        originator = subfields.setdefault("originator", {})
        originator.setdefault("name", pkg.author or "")
        originator.setdefault("email", pkg.author_email or "")
    for name, parts in subfields.items():
        filled = {k: v for k, v in parts.items() if v}
        if filled and current.get(name) in (None, "", []):
            proposed[name] = [filled]
    if pkg.owner_org:
        org = model.Group.get(pkg.owner_org)
        org_dict = toolkit.get_action("organization_show")(
            {"ignore_auth": True}, {"id": org.id, "include_datasets": False,
                                    "include_users": False}) if org else {}
        for name, value in defaults.organization_defaults(org_dict).items():
            if proposed.get(name) in (None, "", [], "[]"):
                proposed[name] = value
    _canonical_vocabulary_values(proposed, plan)
    kept = [e for e in current.get("extras", []) if e["key"] in keep_extras]
    if kept or "extras" in current:  # package_show leaves out an empty extras list
        proposed["extras"] = kept
    # resources
    resources = []
    for res in current.get("resources", []):
        res = dict(res)
        if res.get("format"):
            code = _format_code(res["format"])
            if code:
                res["format"] = code
            else:
                plan.unmapped.append(
                    f"resource {res.get('name') or res['id']}: format={res['format']}")
        resources.append(res)
    proposed["resources"] = resources

    for name in sorted(set(proposed) | set(current)):
        if name in ("metadata_modified", "num_resources", "num_tags"):
            continue
        if proposed.get(name) != current.get(name):
            plan.changes[name] = (current.get(name), proposed.get(name))
    plan.data = proposed
    # also without changes: a dataset the schema refuses needs a steward
    plan.errors = _validation_errors(proposed)
    return plan


def _validation_errors(data: dict) -> dict:
    context = {"model": model, "session": model.Session, "ignore_auth": True,
               "user": _site_user()}
    package_plugin = lib_plugins.lookup_package_plugin(data.get("type"))
    schema = package_plugin.update_package_schema()
    _data, errors = lib_plugins.plugin_validate(
        package_plugin, context, dict(data), schema, "package_update")
    return errors


def _site_user() -> str:
    # defer_commit: a dry run must not even create the site user
    return toolkit.get_action("get_site_user")(
        {"ignore_auth": True, "defer_commit": True}, {})["name"]


def run(names: Iterable[str] | None = None, apply: bool = False) -> list[Plan]:
    """Plan (and with ``apply`` carry out) the migration of the named
    datasets, or of every active and draft dataset."""
    query = model.Session.query(model.Package).filter(
        model.Package.state.in_(["active", "draft"]), model.Package.type == "dataset")
    if names:
        query = query.filter(model.Package.name.in_(list(names)))
    plans = []
    for pkg in query.order_by(model.Package.name).all():
        plan = plan_dataset(pkg)
        if apply and plan.status == "change":
            try:
                toolkit.get_action("package_update")(
                    {"ignore_auth": True, "user": _site_user()}, dict(plan.data))
            except toolkit.ValidationError as error:
                model.Session.rollback()
                plan.errors = error.error_dict
        elif not apply:
            model.Session.rollback()
        plans.append(plan)
    return plans
