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

from dateutil.parser import parse as dateutil_parse

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchError
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.processors import RDF_PROFILES_ENTRY_POINT_GROUP, RDFSerializer

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
    if tk.asbool(tk.config.get("ckanext.dcat.expose_subcatalogs")):
        return original(context, data_dict)
    if not builder.configured(data_dict["profiles"]):
        return _other_profiles_page(context, data_dict, auth, fmt)
    if not builder.enabled():
        return original(context, data_dict)
    tk.check_access(auth, context, data_dict)
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    return builder.catalogue_page(query["results"], fmt, pagination_info(query, data_dict),
                                   profiles=None)


def _other_profiles_page(context, data_dict, auth, fmt: str) -> str:
    """A catalogue page in profiles other than the site's: built by
    ckanext-dcat's serialiser for every request (no cache: each combination
    would fill Redis), so the page is smaller,
    ``ckanext.smartcity.rdf.other_profiles_per_page`` datasets, and its cost
    stays within the anonymous budget (docs/security.md, "Bounded cost";
    five profiles over 100 datasets took 1.7 s)."""
    tk.check_access(auth, context, data_dict)
    per_page = tk.asint(tk.config.get("ckanext.smartcity.rdf.other_profiles_per_page"))
    query = _search(context, data_dict, per_page)
    _check_work(query["results"], data_dict["profiles"])
    serializer = RDFSerializer(profiles=data_dict["profiles"])
    return serializer.serialize_catalog(
        {}, query["results"], _format=fmt,
        pagination_info=_paging(pagination_info(query, data_dict), query, data_dict, per_page))


def _check_work(datasets: list[dict], profiles: list[str]) -> None:
    """Other profiles pass every dataset and distribution through rdflib
    once per profile (about 1.5 ms per distribution and profile here): a
    page holding a dataset of 900 distributions took 1.4 s for one profile,
    7 s for five. Above ``ckanext.smartcity.rdf.other_profiles_max_work``
    passes the request is a 409 naming ``profiles``; the site's own profile
    serves every dataset from the cache."""
    work = len(profiles) * sum(1 + len(d.get("resources") or []) for d in datasets)
    maximum = tk.asint(tk.config.get("ckanext.smartcity.rdf.other_profiles_max_work"))
    if work > maximum:
        raise tk.ValidationError({"profiles": [tk._(
            "Too many distributions for these RDF profiles (%(work)s datasets and "
            "distributions times profiles, at most %(maximum)s). Ask for fewer profiles, "
            "or leave out profiles: the portal's own profile has no such limit.")
            % {"work": work, "maximum": maximum}]})


def _page_number(data_dict) -> int:
    try:
        page = int(data_dict.get("page") or 1)
    except (TypeError, ValueError):
        page = 0
    if page < 1:
        raise tk.ValidationError({"page": [tk._("The page number must be a positive integer.")]})
    return page


def _search(context, data_dict, per_page: int) -> dict:
    """The datasets of one catalogue page, as ckanext-dcat selects them
    (newest first, harvest sources and showcases left out, q, fq and
    modified_since), ``per_page`` at a time."""
    page = _page_number(data_dict)
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    if data_dict.get("modified_since"):
        try:
            since = dateutil_parse(str(data_dict["modified_since"])).isoformat() + "Z"
        except (ValueError, OverflowError):
            raise tk.ValidationError({"modified_since": [
                tk._("Wrong modified date format. Use ISO-8601 format")]}) from None
        fq_list.append(f"metadata_modified:[{since} TO NOW]")
    return tk.get_action("package_search")(context, {
        "rows": per_page, "start": per_page * (page - 1), "sort": "metadata_modified desc",
        "q": data_dict.get("q", "*:*"), "fq": data_dict.get("fq"), "fq_list": fq_list})


def _paging(info: dict, query: dict, data_dict, per_page: int) -> dict:
    """ckanext-dcat's hydra paging for pages of ``per_page`` datasets: its
    page IRIs (already percent-encoded) with the page numbers of this size."""
    if not info:
        return info
    page = _page_number(data_dict)
    first = info["first"]

    def url(number: int) -> str:
        return re.sub(r"([?&]page=)\d+$", lambda m: f"{m.group(1)}{number}", first)

    last = -(-query["count"] // per_page) or 1
    paged = {"count": query["count"], "items_per_page": per_page, "current": url(page),
             "first": url(1), "last": url(last)}
    if page > 1:
        paged["previous"] = url(page - 1 if (page - 1) * per_page + len(query["results"])
                                <= query["count"] else last)
    if page * per_page < query["count"]:
        paged["next"] = url(page + 1)
    return paged


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_show")


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_search")


def _refuse_drafts(data_dict: dict) -> None:
    """A draft has no RDF, not even for its editors: it may lack what
    DCAT-AP.de requires, and what we send out validates (docs/drafts.md).
    404, as its HTML page answers the public."""
    package = model.Package.get(str(data_dict.get("id") or ""))
    if package is not None and (package.state or "").startswith("draft"):
        raise tk.ObjectNotFound(tk._("Dataset not found"))


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(original, context, data_dict):
    """One dataset's RDF from the catalogue's cache (the same entry, so a
    dataset is built once, when it is indexed): with 900 distributions the
    profiles take seconds. The caller's own access check and package_show,
    as in ckanext-dcat: private and deleted datasets stay refused; drafts
    answer 404 to everyone."""
    fmt = _check_format(data_dict)
    _refuse_drafts(data_dict)
    data_dict = dict(data_dict, profiles=requested_profiles(data_dict))
    if not builder.configured(data_dict["profiles"]):
        tk.check_access("dcat_dataset_show", context, data_dict)
        _check_work([tk.get_action("package_show")(dict(context), data_dict)],
                    data_dict["profiles"])
        return original(context, data_dict)
    if not builder.enabled():
        return original(context, data_dict)
    tk.check_access("dcat_dataset_show", context, data_dict)
    dataset = tk.get_action("package_show")(context, data_dict)
    return builder.dataset_document(dataset, fmt)


def get_actions() -> dict:
    return {"dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search,
            "dcat_dataset_show": dcat_dataset_show}
