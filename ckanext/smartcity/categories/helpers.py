"""Template helpers of the category picker, links, themes and home tiles."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.categories import index as facets
from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.categories.actions import caller_context
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values


def _theme_label(uri: str, lang: str) -> str:
    return vocab.label("eu-data-theme", uri, lang) or uri


def smartcity_category_tree(value: Any) -> dict[str, Any]:
    """What the category picker shows: the tree with the checked concepts,
    each concept's implied EU themes, and the themes the checked ones imply."""
    lang = tk.h.lang() or "de"
    scheme = categories.current()
    checked = {c.uri for c in (scheme.find(v) for v in values(value)) if c}

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
    for item in values(value):
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
    picked = values(pkg_dict.get(facets.THEME_FIELD))
    return [{"uri": uri, "label": _theme_label(uri, lang), "derived": uri not in picked,
             "url": tk.url_for("dataset.search", **{facets.THEME_FACET: uri})}
            for uri in facets.effective_themes(pkg_dict)]


def smartcity_category_tiles() -> list[dict[str, Any]]:
    """Top categories with dataset counts for the home page (visible to the
    current user)."""
    data = tk.get_action("smartcity_category_list")(caller_context(), {"top_only": True})
    return data["categories"]


def get_helpers() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
