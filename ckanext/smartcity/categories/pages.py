"""Category pages for citizens and the published SKOS scheme.

``/kategorien``        overview: a tile per top concept (HTML), or the whole
                       scheme as Turtle, RDF/XML, JSON-LD or N-Triples
``/kategorien/<id>``   one concept: sub-concepts, datasets, related themes,
                       or its RDF description

The format follows the ``Accept`` header (content negotiation) or a suffix
(``/kategorien.ttl``, ``/kategorien/radverkehr.jsonld``). Concept URIs live in
the host-independent namespace ``https://w3id.org/ckanext-smartcity/kategorien/``;
the path after ``ckanext-smartcity`` is the portal path, so a redirect rule
``ckanext-smartcity/(.*) -> https://<portal>/$1`` makes them dereference
(see README, "Smart City categories").
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, request
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

import ckan.plugins.toolkit as tk

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.categories import index as facets
from ckanext.smartcity.categories.actions import caller_context
from ckanext.smartcity.rdf.formats import FORMATS

blueprint = Blueprint("smartcity_categories", __name__)

_BY_MEDIA_TYPE = {fmt.media_type: suffix for suffix, fmt in FORMATS.items()}
_SUFFIXES = ", ".join(FORMATS)  # for the routes: <any(ttl, rdf, jsonld, nt):suffix>
_OFFERED = ["text/html", *_BY_MEDIA_TYPE, "application/xhtml+xml"]
DATASETS_ON_PAGE = 20


def _negotiated(suffix: str | None) -> str | None:
    """The RDF suffix to answer with, or None for HTML."""
    if suffix:
        return suffix
    best = request.accept_mimetypes.best_match(_OFFERED, default="text/html")
    return _BY_MEDIA_TYPE.get(best)


def _rdf_response(graph_key: Any, build, suffix: str) -> Response:
    scheme = categories.current()
    media, fmt = FORMATS[suffix].media_type, FORMATS[suffix].rdflib_serializer
    key = (graph_key, suffix)
    if key not in scheme.cache:
        scheme.cache[key] = build(scheme).serialize(format=fmt, encoding="utf-8")
    response = Response(scheme.cache[key], mimetype=media)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _html_response(template: str, extra_vars: dict[str, Any]) -> Response:
    """The HTML answer of a negotiated URL: caches must key on Accept too."""
    response = make_response(tk.render(template, extra_vars))
    response.vary.add("Accept")
    return response


def _concept_graph(scheme: categories.Scheme, concept: categories.Concept) -> Graph:
    """The concept's own statements, plus the labels of the concepts and the
    scheme it points to, so the description reads on its own."""
    graph = Graph()
    for prefix, namespace in scheme.graph.namespaces():
        graph.bind(prefix, namespace, override=True)
    subject = URIRef(concept.uri)
    for p, o in scheme.graph.predicate_objects(subject):
        graph.add((subject, p, o))
    neighbours = [concept.broader, *concept.narrower] if concept.broader else list(concept.narrower)
    for uri in neighbours:
        for label in scheme.graph.objects(URIRef(uri), SKOS.prefLabel):
            graph.add((URIRef(uri), SKOS.prefLabel, label))
        graph.add((URIRef(uri), RDF.type, SKOS.Concept))
    scheme_ref = URIRef(scheme.uri)
    graph.add((scheme_ref, RDF.type, SKOS.ConceptScheme))
    for title in scheme.graph.objects(scheme_ref, DCTERMS.title):
        graph.add((scheme_ref, DCTERMS.title, title))
    return graph


def _links(path_suffix: str) -> list[dict[str, str]]:
    return [{"suffix": suffix, "media": fmt.media_type, "label": fmt.label,
             "url": f"{path_suffix}.{suffix}"}
            for suffix, fmt in FORMATS.items()]


def _sysadmin_error() -> str | None:
    user = tk.current_user
    if user and user.is_authenticated and getattr(user, "sysadmin", False):
        error = categories.last_error()
        return str(error) if error else None
    return None


@blueprint.route("/kategorien", defaults={"suffix": None})
@blueprint.route(f"/kategorien.<any({_SUFFIXES}):suffix>")
def index(suffix: str | None):
    chosen = _negotiated(suffix)
    if chosen:
        return _rdf_response("scheme", lambda scheme: scheme.graph, chosen)
    data = tk.get_action("smartcity_category_list")(
        caller_context(), {"lang": categories.page_language()})
    by_uri = {c["uri"]: c for c in data["categories"]}
    tiles = [c for c in data["categories"] if c["top"]]
    for tile in tiles:
        tile["children"] = [by_uri[uri] for uri in tile["narrower"]]
    base = tk.url_for("smartcity_categories.index")
    return _html_response("smartcity/categories/index.html", {
        "scheme": data, "tiles": tiles, "rdf_links": _links(base),
        "vocabulary_error": _sysadmin_error()})


@blueprint.route("/kategorien/<cid>", defaults={"suffix": None})
@blueprint.route(f"/kategorien/<cid>.<any({_SUFFIXES}):suffix>")
def concept(cid: str, suffix: str | None):
    scheme = categories.current()
    found = scheme.by_id.get(cid)
    if found is None:
        tk.abort(404, tk._("Unknown Smart City category"))
    chosen = _negotiated(suffix)
    if chosen:
        return _rdf_response(("concept", found.uri),
                             lambda s: _concept_graph(s, found), chosen)
    context = caller_context()
    lang = categories.page_language()
    data = tk.get_action("smartcity_category_show")(context, {"id": found.uri, "lang": lang})
    search = tk.get_action("package_search")(dict(context), {
        "fq": f'{facets.CATEGORY_FACET}:"{found.uri}"', "rows": DATASETS_ON_PAGE,
        "sort": "metadata_modified desc", "include_private": True})
    themes = [{"uri": uri, "label": categories.target_label(uri, lang)[1],
               "search_url": tk.url_for("dataset.search", **{facets.THEME_FACET: uri})}
              for uri in data["themes"]]
    related = [m for m in data["mappings"] if m["uri"] not in data["themes"]]
    page = tk.url_for("smartcity_categories.concept", cid=found.id)
    return _html_response("smartcity/categories/concept.html", {
        "concept": data, "datasets": search["results"], "dataset_count": search["count"],
        "themes": themes, "mappings": related, "rdf_links": _links(page)})


def get_blueprints():
    return [blueprint]
