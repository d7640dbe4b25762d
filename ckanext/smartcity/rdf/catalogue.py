"""``dcat_catalog_show``/``dcat_catalog_search`` (``/catalog.*``) and
``dcat_dataset_show`` (``/dataset/<id>.<format>``) on the fast path of
:mod:`ckanext.smartcity.rdf.builder`: the same search, permission checks and
paging as ckanext-dcat, the same triples, written by pyoxigraph from
per-dataset triples kept in Redis.

Every request's cost is bounded (docs/security.md, "Bounded cost"):
``profiles`` takes known profile names only, each once and a few at most;
the site's own choice always takes the fast path; page IRIs are
percent-encoded so any ``q`` gives a page."""
from __future__ import annotations

import functools
import re
from importlib.metadata import entry_points
from urllib.parse import quote, urlencode

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.processors import RDF_PROFILES_ENTRY_POINT_GROUP

from ckanext.smartcity.rdf import builder, formats


def _check_format(data_dict) -> str:
    """Only formats ckanext-dcat's views can label (an unknown suffix such as
    /catalog.foo was a 500 there); a clear 409 otherwise."""
    fmt = str(data_dict.get("format") or "xml").lower()
    if fmt not in dcat_utils.CONTENT_TYPES:
        raise tk.ValidationError({"format": [
            tk._("Unknown RDF format; allowed: %(formats)s")
            % {"formats": ", ".join(sorted(dcat_utils.CONTENT_TYPES))}]})
    return fmt


def register_content_types() -> None:
    """What ckanext-dcat's views and actions take from here, set once at
    start-up: the media types of rdf/formats.py (it routes any suffix but
    knows no N-Triples: /catalog.nt, /dataset/<id>.nt; the formats it knows
    keep its own entries), and percent-encoded page IRIs for its own
    catalogue path too (``?profiles=`` of another site's choice), so both
    paths give the same triples."""
    for fmt in formats.FORMATS.values():
        dcat_utils.CONTENT_TYPES.setdefault(fmt.suffix, fmt.media_type)
    # ckanext-dcat's dcat_catalog_show looks the function up at call time
    # (guarded by tests/rdf/test_request_cost.py)
    dcat_logic._pagination_info = pagination_info


@functools.cache
def known_profiles() -> frozenset[str]:
    """The profile names installed (ckanext-dcat's entry point group)."""
    return frozenset(ep.name for ep in entry_points(group=RDF_PROFILES_ENTRY_POINT_GROUP))


def _profile_names(value) -> list[str] | None:
    """Names from a list of strings or one string (commas or spaces between
    names), each once, in their order; None for anything else."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return list(dict.fromkeys(name for item in value for name in item.replace(",", " ").split()))


def requested_profiles(data_dict) -> list[str] | None:
    """A request's ``profiles``: known names only, each once, at most
    ``ckanext.smartcity.rdf.max_profiles``; None when none are given. Every
    name is one more pass of every dataset through the rdflib profiles, so
    repeats made one request cost seconds."""
    names = _profile_names(data_dict.get("profiles"))
    if names is None or not set(names) <= known_profiles():
        raise tk.ValidationError({"profiles": [
            tk._("Unknown RDF profile; allowed: %(profiles)s")
            % {"profiles": ", ".join(sorted(known_profiles()))}]})
    maximum = tk.asint(tk.config.get("ckanext.smartcity.rdf.max_profiles"))
    if len(names) > maximum:
        raise tk.ValidationError({"profiles": [
            tk._("At most %(maximum)s RDF profiles may be combined.") % {"maximum": maximum}]})
    return names or None


# the request parameters ckanext-dcat repeats in the page IRIs, in its order
PAGE_PARAMETERS = ("modified_since", "profiles", "q", "fq")
PAGE_LINKS = ("current", "first", "last", "next", "previous")
_PAGE_NUMBER = re.compile(r"[?&]page=(\d+)$")
# ckanext-dcat's own (also when this module is loaded again after install)
_dcat_pagination_info = getattr(dcat_logic._pagination_info, "dcat_original",
                                dcat_logic._pagination_info)


def _page_iri(url: str) -> str:
    """ckanext-dcat's page URL with its query percent-encoded: it writes
    ``q`` as given (``?q=Verkehr Bus``), which no IRI may hold, so rdflib's
    and pyoxigraph's writers refused the page (a 500 for any match)."""
    number = _PAGE_NUMBER.search(url)
    if number is None:
        return url
    base = quote(url.partition("?")[0], safe=":/%@!$&'()*+,;=~")
    parameters = [(key, value) for key, value in tk.request.args.items()
                  if key != "page" and key in PAGE_PARAMETERS]
    return base + "?" + urlencode([*parameters, ("page", number[1])], quote_via=quote,
                                  safe=":/@!$'()*,;")


def pagination_info(query, data_dict) -> dict:
    """ckanext-dcat's paging (hydra), with percent-encoded page IRIs."""
    info = _dcat_pagination_info(query, data_dict)
    for link in PAGE_LINKS:
        if info.get(link):
            info[link] = _page_iri(info[link])
    return info


pagination_info.dcat_original = _dcat_pagination_info


MAX_PAGE = 100_000


def _check_page(data_dict) -> None:
    """A page number past any catalogue (OFFSET beyond bigint was a 500)."""
    page = data_dict.get("page")
    try:
        too_far = page is not None and int(page) > MAX_PAGE
    except (TypeError, ValueError):
        return  # ckanext-dcat answers non-numbers with its own 409
    if too_far:
        raise tk.ValidationError({"page": [
            tk._("The page number may be at most %(maximum)s.") % {"maximum": MAX_PAGE}]})


def _fast(original, context, data_dict, auth):
    """The catalogue page; a query, filter or date the search cannot run is
    a 409 naming the parameter, never a 500 (docs/security.md F12/F13). A
    database that cannot be reached is not the query's fault: the search
    raises SearchBackendError (not a SearchError), which stays a 500."""
    _check_page(data_dict)
    try:
        return _page(original, context, data_dict, auth)
    except (SearchError, OverflowError, ValueError):
        field = "modified_since" if data_dict.get("modified_since") and not (
            data_dict.get("q") or data_dict.get("fq")) else "q"
        raise tk.ValidationError({field: [
            tk._("This search cannot be run.")]}) from None


def _page(original, context, data_dict, auth):
    fmt = _check_format(data_dict)
    data_dict = dict(data_dict, profiles=requested_profiles(data_dict))
    if not builder.enabled() or not builder.configured(data_dict["profiles"]) or tk.asbool(
            tk.config.get("ckanext.dcat.expose_subcatalogs")):
        return original(context, data_dict)
    tk.check_access(auth, context, data_dict)
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    return builder.catalogue_page(query["results"], fmt, pagination_info(query, data_dict),
                                   profiles=None)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_show")


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_search")


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(original, context, data_dict):
    """One dataset's RDF from the catalogue's cache (the same entry, so a
    dataset is built once, when it is indexed): with 900 distributions the
    profiles take seconds. The caller's own access check and package_show,
    as in ckanext-dcat: private, draft and deleted datasets stay refused."""
    fmt = _check_format(data_dict)
    data_dict = dict(data_dict, profiles=requested_profiles(data_dict))
    if not builder.enabled() or not builder.configured(data_dict["profiles"]):
        return original(context, data_dict)
    tk.check_access("dcat_dataset_show", context, data_dict)
    dataset = tk.get_action("package_show")(context, data_dict)
    return builder.dataset_document(dataset, fmt)


def get_actions() -> dict:
    return {"dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search,
            "dcat_dataset_show": dcat_dataset_show}
