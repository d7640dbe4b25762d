"""API actions over the Smart City categories, with dataset counts.

Counts come from one ``package_search`` facet query run as the calling user,
so they respect visibility: a private dataset counts only for users allowed
to see it. A dataset counts for its categories and all their ancestors.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.categories import index as facets


def _lang(data_dict: dict[str, Any]) -> str:
    lang = data_dict.get("lang")
    return lang if lang in ("de", "en") else categories.page_language()


def caller_context() -> dict[str, Any]:
    """An action context for the user of the current web request."""
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else None}


def counts(context: dict[str, Any], fq: str = "") -> dict[str, int]:
    """Datasets per category URI the calling user can see."""
    result = tk.get_action("package_search")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
        {"q": "", "fq": fq, "rows": 0, "include_private": True,
         "facet.field": [facets.CATEGORY_FACET], "facet.limit": -1, "facet.mincount": 1})
    return dict(result.get("facets", {}).get(facets.CATEGORY_FACET, {}))


def concept_dict(concept: categories.Concept, scheme: categories.Scheme,
                 count_by_uri: dict[str, int], lang: str, full: bool = False) -> dict[str, Any]:
    data = {
        "uri": concept.uri,
        "id": concept.id,
        "label": concept.label(lang),
        "labels": dict(concept.labels),
        "definition": concept.definition(lang),
        "notation": concept.notation,
        "icon": concept.icon,
        "broader": concept.broader,
        "narrower": list(concept.narrower),
        "top": concept.broader is None,
        "themes": scheme.derived_themes([concept.uri]),
        "package_count": count_by_uri.get(concept.uri, 0),
        "search_url": tk.url_for("dataset.search", **{facets.CATEGORY_FACET: concept.uri}),
        "page_url": tk.url_for("smartcity_categories.concept", cid=concept.id),
    }
    if full:
        data["alt_labels"] = {k: list(v) for k, v in concept.alt_labels.items()}
        data["definitions"] = dict(concept.definitions)
        data["mappings"] = []
        for relation, target in concept.mappings:
            known = scheme.concepts.get(target)
            described = (("Smart-City-Kategorie", known.label(lang)) if known
                         else categories.target_label(target, lang))
            data["mappings"].append({
                "relation": f"skos:{relation}", "uri": target,
                "scheme": described[0] if described else None,
                "label": described[1] if described else None})
        data["narrower"] = [concept_dict(scheme.concepts[uri], scheme, count_by_uri, lang)
                            for uri in concept.narrower]
        data["ancestors"] = [concept_dict(scheme.concepts[uri], scheme, count_by_uri, lang)
                             for uri in reversed(scheme.ancestors(concept.uri))]
    return data


@tk.side_effect_free
def smartcity_category_list(context, data_dict):
    """The Smart City categories with the number of datasets the caller can
    see in each (sub-concepts included).

    :param top_only: only the top concepts (default false)
    :param lang: ``de`` or ``en`` for ``label``/``definition`` (default: page language)
    :returns: ``{"scheme", "title", "categories": [...]}``; each category has
        ``uri``, ``id``, ``label``, ``labels``, ``definition``, ``notation``,
        ``icon``, ``broader``, ``narrower``, ``top``, ``themes`` (implied EU data
        themes), ``package_count``, ``search_url``, ``page_url``.
    """
    tk.check_access("smartcity_category_list", context, data_dict)
    top_only = tk.asbool(data_dict.get("top_only", False))
    lang = _lang(data_dict)
    scheme = categories.current()
    count_by_uri = counts(context)
    selected = scheme.top if top_only else tuple(scheme.concepts)
    return {
        "scheme": scheme.uri,
        "title": scheme.titles.get(lang) or scheme.titles.get("de"),
        "categories": [concept_dict(scheme.concepts[uri], scheme, count_by_uri, lang)
                       for uri in selected],
    }


@tk.side_effect_free
def smartcity_category_show(context, data_dict):
    """One category: labels, definitions, alternative labels, mappings
    (EU data themes, Musterdatenkatalog, HVD, mobilityDCAT-AP), its ancestors
    and sub-categories, each with the number of datasets the caller can see.

    :param id: the category's id (``radverkehr``), URI or German/English label
    :param lang: ``de`` or ``en`` (default: page language)
    """
    tk.check_access("smartcity_category_show", context, data_dict)
    scheme = categories.current()
    concept = scheme.find(data_dict.get("id"))
    if concept is None:
        raise tk.ObjectNotFound(tk._("Unknown Smart City category"))
    return concept_dict(concept, scheme, counts(context), _lang(data_dict), full=True)


def get_actions() -> dict[str, Any]:
    return {"smartcity_category_list": smartcity_category_list,
            "smartcity_category_show": smartcity_category_show}
