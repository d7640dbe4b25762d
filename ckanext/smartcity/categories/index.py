"""Smart City categories and EU data themes in the search index and facets.

Index fields (multi-valued strings, ``vocab_*`` as in CKAN's Solr schema, so
they work on Solr sites too):

- ``vocab_smartcity_category``: the dataset's category URIs and all their
  ancestors, so that a dataset in "Radverkehr" counts for, and is found
  under, "Mobilität und Verkehr";
- ``vocab_smartcity_category_label``: their labels and alternative labels
  (German and English), so a search for "Mobilität" or "ÖPNV" finds them;
- ``vocab_eu_theme``: the effective EU data themes (hand-picked plus derived).

Facet items carry labels in the page language, never URIs.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

CATEGORY_FIELD = "smartcity_category"
THEME_FIELD = "theme"
CATEGORY_FACET = "vocab_smartcity_category"
CATEGORY_LABEL_FIELD = "vocab_smartcity_category_label"
THEME_FACET = "vocab_eu_theme"


def effective_themes(pkg_dict: dict[str, Any]) -> list[str]:
    """The dataset's EU data themes: hand-picked ones, then those its
    categories imply (in that order, without duplicates)."""
    themes = values(pkg_dict.get(THEME_FIELD))
    for theme in categories.current().derived_themes(values(pkg_dict.get(CATEGORY_FIELD))):
        if theme not in themes:
            themes.append(theme)
    return themes


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    scheme = categories.current()
    uris = scheme.with_ancestors(values(pkg_dict.get(CATEGORY_FIELD)))
    labels: list[str] = []
    for uri in uris:
        concept = scheme.concepts[uri]
        labels.extend(concept.labels.values())
        for alt in concept.alt_labels.values():
            labels.extend(alt)
    pkg_dict[CATEGORY_FACET] = uris
    pkg_dict[CATEGORY_LABEL_FIELD] = labels
    pkg_dict[THEME_FACET] = effective_themes(pkg_dict)
    return pkg_dict


def synonym_groups() -> list[tuple[str, ...]]:
    """Each concept's German label with its German alternative labels
    (the council words of the scheme), for the search's synonyms."""
    groups = []
    for concept in categories.current().concepts.values():
        words = [concept.labels.get("de", ""), *concept.alt_labels.get("de", ())]
        words = [w for w in dict.fromkeys(words) if w]
        if len(words) > 1:
            groups.append(tuple(words))
    return groups


def synonym_version() -> int:
    """Changes when the category scheme is reloaded (a town's file edited)."""
    return id(categories.current())


def facet_titles(facets: dict[str, Any]) -> dict[str, Any]:
    """Category and theme facets first, then CKAN's own."""
    ordered = {CATEGORY_FACET: tk._("Smart City category"),
               THEME_FACET: tk._("EU data theme")}
    ordered.update(facets)
    return ordered


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Facet items of categories and themes get labels in the page language."""
    lang = categories.page_language()
    facets = search_results.get("search_facets") or {}
    scheme = categories.current()
    for item in (facets.get(CATEGORY_FACET) or {}).get("items", []):
        concept = scheme.concepts.get(item.get("name"))
        if concept is not None:
            item["display_name"] = concept.label(lang)
    for item in (facets.get(THEME_FACET) or {}).get("items", []):
        item["display_name"] = vocab.label("eu-data-theme", item.get("name", ""), lang) \
            or item.get("name")
    return search_results
