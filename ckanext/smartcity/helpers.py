"""Template helpers (registered with the ``smartcity_`` prefix)."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import dominate.tags as tags
from markupsafe import Markup

from ckanext.smartcity import categories, facets, vocab
from ckanext.smartcity.logic.category import caller_context
from ckanext.smartcity.form_rows import flat_rows

FORM_GROUPS = ("mandatory", "recommended", "optional")
log = logging.getLogger(__name__)


def smartcity_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the field's vocabulary (scheming ``choices_helper``)."""
    return vocab.choices(field["vocabulary"], field.get("vocabulary_key", "uri"))


_values = facets.values  # one parser for stored list fields


def smartcity_vocabulary_labels(field: dict[str, Any], value: Any) -> list[dict[str, str]]:
    """[{"value", "label"}] for a stored single or list value, labelled in the
    page language (unknown values are shown as stored)."""
    lang = tk.h.lang() or "de"
    name = field.get("vocabulary")
    result = []
    for item in _values(value):
        text = vocab.label(name, item, lang) if name else None
        result.append({"value": item, "label": text or item})
    return result


def smartcity_region_labels(items: list[dict[str, str]]) -> str:
    """JSON {uri: "name (context)"} for the region picker's stored values
    (an attribute value; the template escapes it)."""
    labels = {}
    lang = tk.h.lang() or "de"
    for item in items:
        concept = vocab.find("german-region", item["value"])
        if concept:
            context = concept["context"].get(lang) or concept["context"]["de"]
            labels[item["value"]] = f"{item['label']} ({context})"
    return json.dumps(labels, ensure_ascii=False)


def smartcity_url_values(value: Any) -> list[str]:
    return _values(value)


def smartcity_form_data(data: dict, fields: list[dict[str, Any]]) -> str:
    """Put the steward's submitted rows of repeating fields back in place.

    After a refused save CKAN's edit view merges the stored dataset with the
    submitted form, whose repeating fields are still flat keys
    (``temporal_coverage-0-end``); the stored list would win and the form
    would show old values next to the error. Rebuilds the list from the flat
    keys, in place; returns "" for use in a template.
    """
    for field in fields:
        if "repeating_subfields" not in field:
            continue
        rows = {int(index): {sub: data.pop(key) for sub, key in row.items() if sub}
                for index, row in flat_rows(data, field["field_name"]).items()
                if index.isdigit()}
        if rows:
            data[field["field_name"]] = [rows[i] for i in sorted(rows)]
    return ""


def smartcity_form_groups(fields: list[dict[str, Any]]) -> list[tuple[str, list[dict]]]:
    """The form's fields grouped by ``form_group`` in the order
    Pflichtangaben, Empfohlen, Optional (fields without a group last)."""
    groups: dict[str, list[dict]] = {name: [] for name in FORM_GROUPS}
    groups[""] = []
    for field in fields:
        groups.setdefault(field.get("form_group", ""), []).append(field)
    return [(name, groups[name]) for name in (*FORM_GROUPS, "") if groups[name]]


def _theme_label(uri: str, lang: str) -> str:
    return vocab.label("eu-data-theme", uri, lang) or uri


def smartcity_category_tree(value: Any) -> dict[str, Any]:
    """What the category picker shows: the tree with the checked concepts,
    each concept's implied EU themes, and the themes the checked ones imply."""
    lang = tk.h.lang() or "de"
    scheme = categories.current()
    checked = {c.uri for c in (scheme.find(v) for v in _values(value)) if c}

    def node(uri: str) -> dict[str, Any]:
        concept = scheme.concepts[uri]
        words = [*concept.labels.values(), *(a for alt in concept.alt_labels.values() for a in alt)]
        children = [node(child) for child in concept.narrower]
        return {"uri": uri, "id": concept.id, "label": concept.label(lang),
                "definition": concept.definition(lang), "icon": concept.icon,
                "checked": uri in checked,
                "selected": (uri in checked) + sum(c["checked"] for c in children),
                "open": uri in checked or any(c["checked"] or c["open"] for c in children),
                "themes": " ".join(scheme.derived_themes([uri])),
                "search": " ".join(words).lower(), "children": children}
    derived = scheme.derived_themes([uri for uri in scheme.concepts if uri in checked])
    theme_labels = {c["uri"]: c["labels"].get(lang) or c["labels"]["en"]
                    for c in vocab.concepts("eu-data-theme")}
    return {"items": [node(uri) for uri in scheme.top],
            "derived": [theme_labels.get(t, t) for t in derived],
            "theme_labels": json.dumps(theme_labels, ensure_ascii=False)}


def smartcity_category_links(value: Any) -> list[dict[str, str]]:
    """Stored categories as [{"label", "url"}] to their pages (page language)."""
    lang = tk.h.lang() or "de"
    scheme = categories.current()
    links = []
    for item in _values(value):
        concept = scheme.find(item)
        if concept is None:
            links.append({"label": item, "url": ""})
        else:
            links.append({"label": concept.label(lang),
                          "url": tk.url_for("smartcity_categories.concept", cid=concept.id)})
    return links


def smartcity_effective_themes(pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's EU data themes (hand-picked, then derived from its
    categories) as [{"uri", "label", "derived", "url"}], url = filtered search."""
    lang = tk.h.lang() or "de"
    picked = facets.values(pkg_dict.get(facets.THEME_FIELD))
    return [{"uri": uri, "label": _theme_label(uri, lang), "derived": uri not in picked,
             "url": tk.url_for("dataset.search", **{facets.THEME_FACET: uri})}
            for uri in facets.effective_themes(pkg_dict)]


def smartcity_category_tiles() -> list[dict[str, Any]]:
    """Top categories with dataset counts for the home page (visible to the
    current user)."""
    data = tk.get_action("smartcity_category_list")(caller_context(), {"top_only": True})
    return data["categories"]


def _date_text(value: str | None, lang: str) -> str:
    """``2020-01-31`` as ``31.01.2020`` on German pages; time and partial
    dates (``2020``, ``2020-05``) as stored."""
    text = (value or "")[:10]
    if lang == "de" and len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


def smartcity_dataset_facts(pkg: dict[str, Any]) -> dict[str, Any]:
    """What a citizen looks for first on a dataset page, labelled in the page
    language: licence (+ attribution texts), publisher, contact, region,
    period, update frequency, modification date."""
    lang = tk.h.lang() or "de"
    attributions = []
    for resource in pkg.get("resources") or []:
        text = (resource.get("license_attribution_by_text") or "").strip()
        if text and text not in attributions:
            attributions.append(text)
    publisher = (pkg.get("publisher") or [{}])[0]
    contact = (pkg.get("contact") or [{}])[0]
    regions = [vocab.label("german-region", uri, lang) or uri
               for uri in _values(pkg.get("political_geocoding"))]
    periods = []
    for period in pkg.get("temporal_coverage") or []:
        start, end = _date_text(period.get("start"), lang), _date_text(period.get("end"), lang)
        if start and end:
            periods.append(f"{start} – {end}")
        elif start:
            periods.append(tk._("since %(date)s") % {"date": start})
        elif end:
            periods.append(tk._("until %(date)s") % {"date": end})
    frequency = pkg.get("frequency")
    return {
        "license": {"title": pkg.get("license_title") or pkg.get("license_id"),
                    "url": pkg.get("license_url"), "open": pkg.get("isopen"),
                    "attributions": attributions},
        "publisher": {"name": publisher.get("name") or (pkg.get("organization") or {}).get("title"),
                      "uri": publisher.get("uri")},
        "contact": {key: contact.get(key) for key in ("name", "email", "url", "phone")
                    if contact.get(key)},
        "regions": regions,
        "periods": periods,
        "frequency": (vocab.label("eu-frequency", frequency, lang) or frequency) if frequency else "",
        "modified": _date_text(pkg.get("modified"), lang),
    }


def smartcity_home(newest: int = 5, organizations: int = 8) -> dict[str, Any]:
    """The home page's lists, from one search as the current user: the newest
    datasets, the organisations with the dataset counts the user may see
    (organization_list's own package_count also counts private datasets)
    and the totals."""
    context = caller_context()
    result = tk.get_action("package_search")(
        dict(context), {"q": "", "rows": newest, "sort": "metadata_created desc",
                        "include_private": True, "facet.field": ["owner_org"],
                        "facet.limit": -1})
    counts = result.get("facets", {}).get("owner_org", {})
    orgs = tk.get_action("organization_list")(dict(context), {"all_fields": True})
    for org in orgs:
        org["package_count"] = counts.get(org["id"], 0)
    orgs.sort(key=lambda org: (-org["package_count"], org["display_name"]))
    return {"newest": result["results"], "organizations": orgs[:organizations],
            "datasets": result["count"], "organization_count": len(orgs)}


def smartcity_package_organization(org_id: str) -> dict[str, Any]:
    """The organisation for the box on the dataset page. CKAN's block asks
    ``organization_show`` for everything: it counts the organisation's
    datasets, lists its groups and members and counts followers (two
    searches and about 20 queries on every dataset page) for a box that
    shows none of it (``show_nums=false``). Here only the organisation
    itself (title, description, image) is read; no dataset count is
    computed, so the dict says none."""
    try:
        org = tk.get_action("organization_show")(
            {"dataset_counts": {"owner_org": {}, "groups": {}}},
            {"id": org_id, "include_datasets": False, "include_users": False,
             "include_groups": False, "include_followers": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {}
    org.pop("package_count", None)
    return org


def smartcity_structured_data(pkg: dict[str, Any]) -> Markup | str:
    """ckanext-dcat's schema.org JSON-LD of the dataset, encoded so that it
    cannot end its <script> element (<, >, & as \\u escapes); "" when the
    dataset cannot be serialised. Only called where the structured_data
    plugin's template block exists."""
    try:
        data = json.loads(tk.h.structured_data(pkg))
    except Exception:  # advisory markup: never a 500 on the dataset page
        log.warning("structured data of %s failed", pkg.get("id"), exc_info=True)
        return ""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return Markup(text)


def smartcity_pager_symbols() -> dict[str, Any]:
    """Previous/next links of CKAN's pager with a name screen readers read
    (CKAN's are bare icons)."""
    def symbol(icon: str, text: str) -> Any:
        return tags.span(tags.i(cls=f"fa-solid {icon}", aria_hidden="true"),
                         tags.span(text, cls="visually-hidden"))
    return {"symbol_previous": symbol("fa-chevron-left", tk._("Previous page")),
            "symbol_next": symbol("fa-chevron-right", tk._("Next page"))}


def smartcity_demo_notice() -> bool:
    """Whether every page carries the "Demonstrationsdaten" notice."""
    return tk.asbool(tk.config.get("ckanext.smartcity.demo_notice"))


def get_helpers() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}


def smartcity_quality_report(package_id: str) -> dict[str, Any] | None:
    """The quality report of a dataset for the dataset page: the full one for
    its editors, the summary where the site publishes it, else None."""
    if not tk.asbool(tk.config.get("ckanext.smartcity.quality.public_summary")):
        try:
            tk.check_access("package_update", {}, {"id": package_id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return None  # the common case (visitors) costs no second package_show
    try:
        return tk.get_action("smartcity_quality_show")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    except Exception:  # the report is advisory: never a 500 on the dataset page
        log.warning("quality report of %s failed", package_id, exc_info=True)
        return None
