"""Property-based fuzzing of what a visitor can send (issue 16): Lucene-like
``q``/``fq``, odd ``sort``/``facet.field``/``rows``/``start``, hostile Unicode
(NUL, lone surrogates, bidi controls) and the catalogue's ``page``,
``modified_since``, ``profiles`` and ``q``, driven through the real action
API (query string and JSON body), the dataset search page, ``/catalog.*``
and ``/dataset/NAME.*``.

The property (docs/security.md F12, F13): never a 5xx, never an uncaught
exception, never a traceback; a client error is a 400 or a 409, and a 409
names the parameter.

The run is bounded for ``make test``: a fixed number of examples per test
(``SMARTCITY_FUZZ_EXAMPLES``, default 100), derandomized so every run and CI
try the same inputs, no example database on disk. Every failing example
Hypothesis has found is kept below as an explicit test
(``test_known_hostile_request`` and the ``@example`` lines)."""
from __future__ import annotations

import html
import json
import logging
import os
import traceback
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from ckan import model
from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import full_dataset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEARCH_URL = "/api/3/action/package_search"
RDF_FORMATS = ("ttl", "rdf", "jsonld", "nt")
CLIENT_ERRORS = (400, 409)

# Hypothesis caches what it learns from the source (constants, Unicode
# tables) even without an example database: in var/, not in the checkout.
set_hypothesis_home_dir(os.path.join(ROOT, "var", "hypothesis"))
settings.register_profile(
    "smartcity-fuzz",
    max_examples=int(os.environ.get("SMARTCITY_FUZZ_EXAMPLES", "100")),
    deadline=None,  # a catalogue page may take a second; tests do not time
    derandomize=True,  # the same examples on every run and in CI
    database=None,  # no .hypothesis directory in the checkout
    # the seeded catalogue is shared by every example on purpose
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("smartcity-fuzz")


# --- the seeded catalogue ----------------------------------------------------

# Words the queries use, so that many of them match (issue 16, finding 3:
# some failures only show when a query has hits).
WORDS = ("Verkehr", "Bus", "Haltestellen", "Ordnung", "Bäume", "Ladesäulen", "Energie",
         "Straße", "csv", "Dinslaken")
PUBLIC = ("verkehr-bus", "baeume-stadtgebiet", "ladesaeulen")
PRIVATE_TITLE = "Geheimer Fuzz-Datensatz"


def _seed() -> None:
    sysadmin = factories.Sysadmin()
    context = {"user": sysadmin["name"]}
    org = helpers.call_action(
        "organization_create", context=dict(context), name="stadt-dinslaken",
        title="Stadt Dinslaken", publisher_uri="https://www.dinslaken.de",
        contributor_id="http://dcat-ap.de/def/contributors/openNRW",
        political_geocoding_level="municipality", political_geocoding="05170008",
        contact_name="Open-Data-Team", contact_email="opendata@dinslaken.de",
        homepage="https://www.dinslaken.de")
    for data in (
            full_dataset(org, name="verkehr-bus", title="Verkehr Bus Haltestellen",
                         notes="Ordnung im Verkehr: alle Haltestellen der Busse.",
                         tag_string="Verkehr,Bus,Straße", identifier="fuzz-verkehr-bus"),
            full_dataset(org, name="baeume-stadtgebiet", title="Bäume im Stadtgebiet",
                         notes="Baumkataster mit Ordnung und Straße.",
                         tag_string="Umwelt,Bäume", theme=["ENVI"],
                         identifier="fuzz-baeume"),
            full_dataset(org),  # ladesaeulen: Energie, Mobilität
            full_dataset(org, name="geheim-fuzz", title=PRIVATE_TITLE, private=True,
                         tag_string="Geheim", identifier="fuzz-geheim")):
        helpers.call_action("package_create", context=dict(context), **data)


@pytest.fixture
def catalogue(reset_db, migrate_db_for, reset_index):
    """Three public datasets and a private one, created once per worker and
    kept while no other test has reset the database (checked per test; one
    query), so each fuzz test does not pay for a reset."""
    present = model.Session.query(model.Package).filter(
        model.Package.name.in_(PUBLIC + ("geheim-fuzz",)),
        model.Package.state == "active").count()
    if present != len(PUBLIC) + 1 or helpers.call_action(
            "package_search", q="Verkehr Bus")["count"] != 1:
        reset_db()
        for plugin in ("activity", "smartcity_search", "smartcity", "harvest"):
            migrate_db_for(plugin)
        reset_index()
        _seed()
    yield
    model.Session.remove()


@pytest.fixture
def fuzz_app(app, monkeypatch):
    """The test app, re-raising nothing the portal would not: an uncaught
    exception is caught by ``send`` and fails the example with its traceback."""
    monkeypatch.setitem(app.flask_app.config, "PROPAGATE_EXCEPTIONS", True)
    return app


# --- strategies ------------------------------------------------------------

# Characters that broke or could break a layer: NUL (psycopg2), lone
# surrogates (UTF-8 encoders), bidi controls and BOM, line ends, the
# characters the query language, URLs, HTML and SQL give a meaning to.
HOSTILE_CHARS = ("\x00", "\ud800", "\udfff", "\udc80", "\u202e", "\u2066", "\u200f",
                 "\ufeff", "\uffff", "\U0001f68c", "ß", "\r\n", "\t", "\x1b", "%00", "%",
                 "\\", "'", '"', ";", "--", "<", ">", "&", "{!", "}", "*", "?", ":", "~",
                 "^", "/", "NaN", "\u0130", "\ufb01")

hostile_char = st.sampled_from(HOSTILE_CHARS)
# any code point, surrogates included (st.characters leaves them out by default)
any_char = st.characters(codec=None, exclude_categories=())
unicode_text = st.lists(st.one_of(hostile_char, any_char, st.sampled_from(WORDS)),
                        max_size=12).map("".join)

FIELDS = ("title", "name", "notes", "tags", "res_format", "organization", "license_id",
          "metadata_modified", "metadata_created", "num_resources", "num_tags", "text",
          "smartcity_category", "theme", "capacity", "state", "id", "unknown_field", "*",
          "extras_identifier", "res_name", "groups", "title_string", "_query_")

word = st.one_of(st.sampled_from(WORDS), st.text(st.characters(codec="utf-8"), min_size=1,
                                                 max_size=8))
wildcard = st.builds(lambda w, c, tail: w[:3] + c + tail, st.sampled_from(WORDS),
                     st.sampled_from("*?"), st.sampled_from(("", "*", "s", "?")))
phrase = st.lists(word, min_size=1, max_size=4).map(
    lambda words: '"' + " ".join(words).replace('"', '\\"') + '"')
escaped = st.builds(lambda w, c: w + "\\" + c, st.sampled_from(WORDS),
                    st.sampled_from('+-&|!(){}[]^"~*?:\\/ '))
bound = st.one_of(st.just("*"), st.integers(-10**12, 10**12).map(str), st.sampled_from(WORDS),
                  st.sampled_from(("NOW", "NOW-1DAY", "NOW/DAY+1MONTH", "2025-01-15T08:30:00Z",
                                   "2025-13-45", "1970-01-01T00:00:00Z", "NOW-1FORTNIGHT",
                                   "0000-00-00", "9999-12-31T23:59:59.999Z")))
range_ = st.builds(lambda o, a, b, c: f"{o}{a} TO {b}{c}", st.sampled_from("[{"), bound, bound,
                   st.sampled_from("]}"))
value = st.one_of(word, wildcard, phrase, escaped, range_,
                  st.builds(lambda w, n: f"{w}~{n}", word, st.integers(0, 3)),
                  st.builds(lambda w, n: f"{w}^{n}", word, st.integers(-2, 100)))
clause = st.one_of(value, st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), value))
OPERATORS = (" AND ", " OR ", " ", " NOT ", " && ", " || ", " AND NOT ", "AND", " OR OR ")


def _compound(inner):
    return st.one_of(
        st.builds(lambda a, op, b: a + op + b, inner, st.sampled_from(OPERATORS), inner),
        st.builds(lambda sign, a: sign + a, st.sampled_from("-+!"), inner),
        st.builds(lambda f, a: f"{f}:({a})", st.sampled_from(FIELDS), inner),
        inner.map(lambda a: f"({a})"),
        inner.map(lambda a: f"(({a}")  # unbalanced
    )


lucene = st.recursive(clause, _compound, max_leaves=12)
query = st.one_of(lucene, unicode_text, st.builds(lambda q, c, r: q + c + r, lucene,
                                                  hostile_char, lucene),
                  st.sampled_from(("", " ", "*:*", "*", "-", "--", "\\", '"', "(", ")",
                                   "AND", "NOT", "title:", ":", "{!", "[* TO *]")))

number = st.one_of(st.integers(-10**6, 10**6), st.integers(-10**30, 10**30),
                   st.sampled_from((0, -1, 1000, 1001, 2**31, 2**63, 10**20)))
odd_number = st.one_of(number.map(str), st.sampled_from(
    ("", " ", "abc", "1e3", "0x10", "NaN", "inf", "-0", " 5", "1.5", "5,5", "٣", "1_000",
     "99999999999999999999", "\x00")), unicode_text)
SORT_FIELDS = ("score", "name", "title_string", "metadata_modified", "metadata_created",
               "views_recent", "num_resources", "title", "tags", "name_ngram", "", "1",
               "score desc, name", "rand_1")
sort_key = st.builds(lambda f, d: f"{f} {d}".strip(), st.one_of(st.sampled_from(SORT_FIELDS),
                                                                unicode_text),
                     st.sampled_from(("asc", "desc", "", "ASC", "sideways", "desc desc")))
sort = st.one_of(sort_key, st.lists(sort_key, min_size=2, max_size=40).map(", ".join),
                 unicode_text)
FACETS = ("tags", "res_format", "organization", "license_id", "groups", "smartcity_category",
          "theme", "name", "title", "unknown", "*", "capacity", "extras_identifier")
facet_names = st.lists(st.one_of(st.sampled_from(FACETS), unicode_text), max_size=30)


def facet_field_param(names):
    """CKAN takes ``facet.field`` as a JSON list in a query string; a
    visitor may send anything else."""
    return st.one_of(st.just(json.dumps(names)), st.just(",".join(names)),
                     st.just(names[0] if names else "["), st.just(names))


@st.composite
def search_params(draw) -> dict[str, Any]:
    """package_search parameters, each present or not."""
    params: dict[str, Any] = {}
    for name, strategy in (("q", query), ("fq", query), ("sort", sort),
                           ("rows", odd_number), ("start", odd_number),
                           ("facet.limit", odd_number), ("facet", st.sampled_from(
                               ("true", "false", "yes", "", "x"))),
                           ("include_private", st.sampled_from(("true", "false", "1", "x")))):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    if draw(st.booleans()):
        params["facet.field"] = draw(facet_names.flatmap(facet_field_param))
    if draw(st.integers(0, 9)) == 0:  # the same key many times
        params["fq"] = draw(st.lists(query, min_size=2, max_size=6))
    return params


json_scalar = st.one_of(st.none(), st.booleans(), number, st.floats(allow_nan=True),
                        unicode_text, query)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(unicode_text, inner, max_size=4)),
    max_leaves=10)


@st.composite
def json_body(draw) -> dict[str, Any]:
    """A package_search body: the parameters of a query string, or any JSON
    value in their place (a list for rows, a dict for q, ...)."""
    params = draw(search_params())
    for name in list(params):
        if draw(st.integers(0, 3)) == 0:
            params[name] = draw(json_value)
    if draw(st.integers(0, 4)) == 0:
        params[draw(unicode_text)] = draw(json_value)
    return params


PROFILES = ("dcat_ap_de", "euro_dcat_ap_3", "euro_dcat_ap_2", "euro_dcat_ap", "schemaorg",
            "dcat_us_3", "unknown", "")
profiles = st.one_of(
    st.lists(st.sampled_from(PROFILES), min_size=1, max_size=3).map(",".join),
    st.lists(st.sampled_from(PROFILES), min_size=1, max_size=3).map(" ".join),
    unicode_text)
page = st.one_of(odd_number, st.sampled_from(("0", "1", "2", "3", "100000", "100001")))
modified_since = st.one_of(st.sampled_from((
    "2025-01-15", "2025-01-15T08:30:00Z", "2025-01-15T08:30:00+25:00", "15.01.2025",
    "99999999999999999999", "2025-02-30", "0001-01-01", "9999-12-31", "now", "")),
    odd_number)


@st.composite
def catalogue_params(draw) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, strategy in (("q", query), ("fq", query), ("page", page),
                           ("modified_since", modified_since), ("profiles", profiles)):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    if draw(st.integers(0, 9)) == 0:  # a repeated parameter
        params["page"] = draw(st.lists(page, min_size=2, max_size=3))
    return params


@st.composite
def page_params(draw) -> dict[str, Any]:
    """The dataset search page: q, sort, page and the facet filters of its
    sidebar."""
    params: dict[str, Any] = {}
    for name, strategy in (("q", query), ("sort", sort), ("page", page),
                           ("tags", unicode_text), ("res_format", word),
                           ("organization", word), ("license_id", word),
                           ("smartcity_category", unicode_text), ("ext_bbox", odd_number)):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    return params


# --- requests and the property ---------------------------------------------

def query_string(params: dict[str, Any]) -> str:
    """Percent-encoded as a client would send it; a lone surrogate becomes
    the bytes a careless client produces (surrogatepass)."""
    return urlencode(params, doseq=True, encoding="utf-8", errors="surrogatepass")


def json_text(body: Any) -> str:
    """JSON with \\u escapes: lone surrogates survive as text."""
    return json.dumps(body, ensure_ascii=True, allow_nan=True)


class _Logged(logging.Handler):
    """Exceptions the portal logged while answering (the action API turns
    any exception into a logged 500)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    def emit(self, record):
        if record.exc_info:
            self.failures.append("".join(traceback.format_exception(*record.exc_info)))


def send(app, method: str, url: str, params: Any) -> Any:
    """One request; an exception the portal did not turn into an answer
    fails with its traceback, a logged one is kept on the response
    (``logged``) for the failure message."""
    logged = _Logged()
    logging.getLogger().addHandler(logged)
    try:
        if method == "GET":
            response = app.get(url, query_string=query_string(params))
        else:
            response = app.post(url, data=json_text(params), content_type="application/json")
    except Exception:  # the failure this test looks for
        pytest.fail(f"{method} {url} {params!r} raised:\n{traceback.format_exc()[-2500:]}")
    finally:
        logging.getLogger().removeHandler(logged)
    response.logged = logged.failures
    return response


def names_a_parameter(response, names) -> bool:
    """A 409's body names one of the parameters sent: the action API's error
    dict has the parameter as a key or in its message, the catalogue shows
    ckanext-dcat's ``{'param': ['...']}``."""
    body = html.unescape(response.body)
    if response.content_type and "json" in response.content_type:
        try:
            error = json.loads(response.body)["error"]
        except (ValueError, KeyError, TypeError):
            return False
        message = str(error.get("message", "")) + " " + " ".join(
            key for key in error if key not in ("__type", "message"))
        return any(name in message for name in names)
    return any(f"{{'{name}': [" in body or f'"{name}"' in body for name in names)


def assert_clean(response, method: str, url: str, params: Any) -> None:
    status = response.status_code
    sent = params if isinstance(params, dict) else {}
    where = f"{method} {url} {params!r}"
    body = response.body
    logged = "".join(getattr(response, "logged", []))[-3000:]
    assert status < 500, f"{where} answered {status}: {body[:1000]}\n{logged}"
    assert "Traceback" not in body, f"{where} shows a traceback"
    if status >= 400:
        assert status in CLIENT_ERRORS, f"{where} answered {status}: {body[:500]}"
    if status == 409:
        assert names_a_parameter(response, list(sent) + ["q", "fq"]), (
            f"{where}: the 409 names no parameter: {body[:800]}")
    if status == 200:  # every request is anonymous, include_private or not
        assert PRIVATE_TITLE not in body, f"{where} shows a private dataset"


def check(app, method: str, url: str, params: Any) -> None:
    assert_clean(send(app, method, url, params), method, url, params)


pytestmark = pytest.mark.usefixtures("catalogue")


# --- the properties --------------------------------------------------------

@FUZZ
@given(params=search_params())
# what Hypothesis found (the comment says which finding of issue 16)
@example(params={"start": ""})  # new: CKAN's natural_number_validator(None)
@example(params={"sort": "asc", "include_private": "x"})  # new: asbool raises
@example(params={"q": "Ì'2Dinslaken<'\x83\x00h", "rows": "4",
                 "facet.limit": "2147483648", "facet": "true"})  # finding 4 (NUL)
def test_package_search_query_string_never_fails(fuzz_app, params):
    check(fuzz_app, "GET", SEARCH_URL, params)


@FUZZ
@given(body=json_body())
@example(body={"q": None, "sort": "score asc", "rows": [], "fq": None, "": None})  # new
@example(body={"fq": "jð", "rows": {}, "facet": "yes", "include_private": "true"})  # new
def test_package_search_json_body_never_fails(fuzz_app, body):
    check(fuzz_app, "POST", SEARCH_URL, body)


@FUZZ
@given(params=page_params())
@example(params={"sort": "*H asc, , asc, *H asc", "ext_bbox": "100000000000000000000"})  # new
@example(params={"sort": ", "})  # new
@example(params={"q": "Verkehr\x00Verkehr"})  # finding 4 (NUL)
def test_dataset_search_page_never_fails(fuzz_app, params):
    check(fuzz_app, "GET", "/dataset/", params)


@FUZZ
@given(fmt=st.sampled_from(RDF_FORMATS), params=catalogue_params())
# finding 3: the hydra page IRIs carried the raw q
@example(fmt="jsonld", params={"q": " ", "page": "2"})
@example(fmt="nt", params={"q": "(Bus && Bus)", "page": ["7", "7"]})
@example(fmt="nt", params={"q": "^\x15<", "page": "1001", "profiles": "euro_dcat_ap_2"})
def test_catalogue_never_fails(fuzz_app, fmt, params):
    check(fuzz_app, "GET", f"/catalog.{fmt}", params)


@FUZZ
@given(name=st.sampled_from(PUBLIC), fmt=st.sampled_from(RDF_FORMATS),
       params=st.fixed_dictionaries({}, optional={"profiles": profiles,
                                                  "format": unicode_text}))
def test_dataset_rdf_never_fails(fuzz_app, name, fmt, params):
    check(fuzz_app, "GET", f"/dataset/{name}.{fmt}", params)


# --- failing examples kept as tests ----------------------------------------

# (method, url, parameters, where it came from). Issue 16's findings, as
# Hypothesis (or the review) found them; new finds are added here.
KNOWN = [
    # finding 1: repeated profile names
    ("GET", "/catalog.ttl", {"profiles": ",".join(["euro_dcat_ap_3"] * 20)}, "finding 1"),
    # finding 3: the hydra page IRI carries the raw q
    ("GET", "/catalog.ttl", {"q": "Verkehr Bus"}, "finding 3"),
    ("GET", "/catalog.nt", {"q": "Verkehr Bus"}, "finding 3"),
    ("GET", "/catalog.rdf", {"q": '"Ordnung"'}, "finding 3"),
    ("GET", "/catalog.ttl", {"q": "title:[* TO *]"}, "finding 3"),
    # finding 4: client input that must be refused cleanly
    ("GET", SEARCH_URL, {"q": "-" * 1500}, "finding 4"),
    ("GET", SEARCH_URL, {"fq": "-" * 1500}, "finding 4"),
    ("GET", "/catalog.ttl", {"q": "-" * 1500}, "finding 4"),
    ("GET", SEARCH_URL, {"q": "Verkehr\x00"}, "finding 4"),
    ("GET", SEARCH_URL, {"fq": "tags:Bus\x00"}, "finding 4"),
    ("GET", SEARCH_URL, {"facet.field": json.dumps(["tags\x00"])}, "finding 4"),
    ("GET", "/dataset/", {"q": "Verkehr\x00"}, "finding 4"),
    ("GET", "/catalog.ttl", {"q": "Bus\x00"}, "finding 4"),
    ("POST", SEARCH_URL, {"q": "Verkehr\ud800"}, "finding 4"),
    ("POST", SEARCH_URL, {"fq": "tags:\udfff"}, "finding 4"),
    ("GET", SEARCH_URL, {"sort": ", ".join(["name asc"] * 2000)}, "finding 4"),
    ("GET", SEARCH_URL, {"facet.field": json.dumps([f"f{i}" for i in range(50000)])},
     "finding 4"),
    # found by this file, not in issue 16's findings: CKAN core's
    # package_search validation and dataset search view
    ("GET", SEARCH_URL, {"start": ""}, "new: natural_number_validator(None)"),
    ("GET", SEARCH_URL, {"rows": " "}, "new: natural_number_validator(None)"),
    ("GET", SEARCH_URL, {"include_private": "x"}, "new: asbool(include_private)"),
    ("POST", SEARCH_URL, {"rows": []}, "new: convert_int(list)"),
    ("POST", SEARCH_URL, {"start": {}, "rows": {}}, "new: convert_int(dict)"),
    ("GET", "/dataset/", {"sort": ", "}, "new: dataset view splits an empty sort key"),
    ("GET", "/dataset/", {"sort": "name asc, , asc"},
     "new: dataset view splits an empty sort key"),
    ("GET", "/dataset/", {"sort": " "}, "new: dataset view splits an empty sort key"),
]


@pytest.mark.parametrize("method, url, params, origin", KNOWN,
                         ids=[f"{origin}-{n}" for n, (_, _, _, origin) in enumerate(KNOWN)])
def test_known_hostile_request(fuzz_app, method, url, params, origin):
    check(fuzz_app, method, url, params)
