"""The differential test's queries (docs/search.md, "Compared with Solr"):
the portal's own searches, written out, and searches Hypothesis draws from
the Lucene grammar CKAN sends, with a fixed seed (``derandomize``) and a
bounded number of examples, so every run asks the same questions.

Each query is ``{"id", "class", "user", "params", "total"}``: ``class``
groups queries for the list of known differences, ``user`` is
``anonymous`` or ``sysadmin``, ``params`` go to ``package_search`` as they
are, ``total`` says whether the sort orders every dataset (a sort ending in
``name``, or on the metadata dates, which the corpus makes unique, and
without ``score``), so the order of the returned ids must match too.
"""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from tests.solr import corpus

KAT = corpus.KAT
DRAWN = 300
CATEGORIES = sorted(corpus.TOPICS) + ["mobilitaet", "energie", "umwelt-klima",
                                      "stadtentwicklung", "bildung", "sicherheit"]
ORGS = corpus.DEMO_ORGANIZATIONS + [o["name"] for o in corpus.ORGANIZATIONS]
DATASET_FACETS = ["vocab_smartcity_category", "vocab_eu_theme", "organization", "groups",
                  "tags", "res_format", "license_id"]
# CKAN's sort options on the dataset page, and a few an API user sends
PAGE_SORTS = ["score desc, metadata_modified desc", "title_string asc", "title_string desc",
              "metadata_modified desc"]
TOTAL_SORTS = ["name asc", "name desc", "metadata_modified desc", "metadata_created asc",
               "title_string asc, name asc", "metadata_modified asc",
               "score desc, name asc"]
TAGS = ["Open Data", "Statistik", "Geodaten", "Umwelt", "Mobilität", "Verwaltung", "Karte",
        "Radwege", "Haltestellen", "Bäume", "Schulen", "Energie"]
STOPWORDS = ["und", "der", "die", "mit", "für", "im"]
DATES = ["2017-06-01T00:00:00Z", "2019-01-01T00:00:00Z", "2021-03-15T12:00:00Z",
         "2024-12-31T23:59:59Z"]
DATE_MATH = ["NOW-1YEAR", "NOW/DAY-2YEARS", "NOW-5YEARS", "NOW/YEAR-3YEARS", "NOW-18MONTHS",
             "NOW/MONTH-30DAYS"]


def is_total(sort: str | None) -> bool:
    """A sort that orders every hit the same way on both sides: one ending in
    a unique key and without relevance (scores differ by design)."""
    if not sort or "score" in sort:
        return False
    last = sort.split(",")[-1].split()[0]
    return last in ("name", "metadata_modified", "metadata_created")


def query(qid: str, qclass: str, params: dict[str, Any], user: str = "anonymous") -> dict:
    return {"id": qid, "class": qclass, "user": user, "params": params,
            "total": is_total(params.get("sort"))}


def portal_queries() -> list[dict[str, Any]]:
    """What the portal's pages ask (web/helpers.py, categories/, rdf/,
    web/tags.py, CKAN's dataset page)."""
    out = []
    for user in ("anonymous", "sysadmin"):
        out.append(query(f"home-{user}", "portal-home", {
            "q": "", "rows": 5, "sort": "metadata_created desc", "include_private": True,
            "facet.field": ["owner_org"], "facet.limit": -1}, user))
        out.append(query(f"category-counts-{user}", "portal-category-counts", {
            "q": "", "rows": 0, "include_private": True,
            "facet.field": ["vocab_smartcity_category"], "facet.limit": -1,
            "facet.mincount": 1}, user))
        out.append(query(f"tags-{user}", "portal-tags", {
            "q": "*:*", "rows": 0, "include_private": True, "facet": "true",
            "facet.field": ["tags"], "facet.limit": -1, "facet.mincount": 1}, user))
    for cid in CATEGORIES:
        out.append(query(f"category-page-{cid}", "portal-category-page", {
            "fq": f'vocab_smartcity_category:"{KAT}{cid}"', "rows": 20,
            "sort": "metadata_modified desc", "include_private": True}))
    for org in ORGS:
        out.append(query(f"category-counts-org-{org}", "portal-category-counts", {
            "q": "", "fq": f'organization:"{org}"', "rows": 0, "include_private": True,
            "facet.field": ["vocab_smartcity_category"], "facet.limit": -1,
            "facet.mincount": 1}))
    for i, sort in enumerate(PAGE_SORTS):
        for page in (1, 2, 7):
            out.append(query(f"dataset-page-{i}-{page}", "portal-dataset-page", {
                "q": "", "fq": "+dataset_type:dataset", "facet.field": DATASET_FACETS,
                "rows": 20, "start": 20 * (page - 1), "sort": sort, "include_private": True}))
    for word in ("Radwege", "Schulen", "Luftqualität", "Hünxe", "Parkplätze Voerde"):
        for sort in PAGE_SORTS[1:]:
            out.append(query(f"dataset-page-{word}-{sort}", "portal-dataset-page-q", {
                "q": word, "fq": "+dataset_type:dataset", "facet.field": DATASET_FACETS,
                "rows": 20, "sort": sort, "include_private": True}))
    for page, since in ((1, None), (2, None), (11, None), (1, "2023-01-01"),
                        (2, "2020-06-30T08:00:00"), (1, "2026-01-01")):
        fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
        if since:
            stamp = since + ("T00:00:00" if "T" not in since else "")
            fq_list.append(f"metadata_modified:[{stamp}Z TO NOW]")
        out.append(query(f"hydra-{page}-{since}", "portal-hydra", {
            "rows": 100, "start": 100 * (page - 1), "sort": "metadata_modified desc",
            "q": "*:*", "fq_list": fq_list}))
    for since in DATES + ["NOW-1YEAR", "NOW/DAY-3YEARS"]:
        out.append(query(f"modified-since-{since}", "portal-modified-since", {
            "q": "*:*", "fq": f"metadata_modified:[{since} TO *]", "rows": 20,
            "sort": "metadata_modified desc"}))
    return out


def known_cases() -> list[dict[str, Any]]:
    """One written query per difference the drawn ones may or may not hit,
    so each entry of the known list is held by a query that always runs."""
    return [
        query("case-fq-or", "case-fq-or", {
            "q": "", "fq": 'tags:"Geodaten" OR tags:"Open Data"', "rows": 20}),
        query("case-fq-or-bracketed", "case-fq-or-bracketed", {
            "q": "", "fq": '(tags:"Geodaten" OR tags:"Open Data")', "rows": 20,
            "sort": "name asc"}),
        query("case-dismax-or", "case-dismax-or", {"q": "Voerde OR Dinslaken", "rows": 20}),
        query("case-mm-stopwords", "case-mm-stopwords", {"q": "Dinslaken im Wesel",
                                                         "rows": 20}),
        query("case-mm-plain", "case-mm-plain", {"q": "Voerde Hiesfeld Lohberg",
                                                 "rows": 20, "sort": "name asc"}),
        query("case-phrase-across-tags", "case-phrase-across-tags", {
            "q": '"Abfallkalender Kitas"', "rows": 20}),
        query("case-spelling", "case-spelling", {"q": "Hünxe", "rows": 20}),
        query("case-compound", "case-compound", {"q": "Stadtgebiet", "rows": 20}),
        query("case-category-label", "case-category-label", {"q": "Umleitungen", "rows": 20}),
    ]


# ---- drawn queries -------------------------------------------------------

WORDS = corpus.words()
word = st.sampled_from(WORDS)
# words that no stemmer changes the match of (names, places): the mm rule alone
# (no compounds, no inflection)
# ("Hünxe" is not one: we also find "huenxe", the organisation's name)
plain_word = st.sampled_from(["Voerde", "Dinslaken", "Wesel", "Hiesfeld", "Lohberg",
                              "Eppinghoven", "Kreis"])


def quoted(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


field_clause = st.one_of(
    st.sampled_from(ORGS).map(lambda v: f"organization:{v}"),
    st.sampled_from(TAGS).map(lambda v: f"tags:{quoted(v)}"),
    st.sampled_from(corpus.FORMATS).map(lambda v: f"res_format:{quoted(v)}"),
    st.sampled_from(CATEGORIES).map(lambda v: f"vocab_smartcity_category:{quoted(KAT + v)}"),
    st.integers(0, 999).map(lambda n: f"name:{corpus.PREFIX}{n:04d}"),
    st.sampled_from(["gen-*", "ladesaeulen*", "*dinslaken"]).map(lambda v: f"name:{v}"),
    word.map(lambda w: f"title:{w}"),
)
date_clause = st.builds(
    lambda field, low, high, exclusive: (
        f"{field}:{'{' if exclusive else '['}{low} TO {high}{'}' if exclusive else ']'}"),
    st.sampled_from(["metadata_modified", "metadata_created"]),
    st.sampled_from(DATES[:2] + DATE_MATH + ["*"]),
    st.sampled_from(DATES[2:] + ["NOW", "*", "NOW/DAY"]),
    st.booleans())


def _negate(clause: str) -> str:
    return "-" + clause


# (label, fq): "or" is an fq with OR at its top level, which CKAN prefixes
# with "+capacity:public" etc. without brackets (docs/search.md)
fq_value = st.one_of(
    st.one_of(field_clause, date_clause, field_clause.map(_negate),
              st.tuples(field_clause, date_clause).map(lambda t: f"{t[0]} AND {t[1]}"),
              st.tuples(field_clause, field_clause).map(
                  lambda t: f"({t[0]} OR {t[1]}) AND -res_format:PDF")).map(lambda v: ("", v)),
    st.tuples(field_clause, field_clause).map(lambda t: ("+fq-or", f"{t[0]} OR {t[1]}")),
)
text_q = {
    "words": st.lists(word, min_size=1, max_size=3).map(" ".join),
    "mm": st.lists(plain_word, min_size=2, max_size=6).map(" ".join),
    "mm-stopwords": st.builds(lambda a, stop, b: f"{a} {stop} {b}", plain_word,
                              st.sampled_from(STOPWORDS), plain_word),
    "phrase": st.lists(word, min_size=2, max_size=2).map(lambda w: quoted(" ".join(w))),
    "boolean": st.builds(lambda a, op, b: f"{a} {op} {b}", word,
                         st.sampled_from(["AND", "AND NOT"]), word),
    "or": st.builds(lambda a, b: f"{a} OR {b}", plain_word, plain_word),
    "exclude": st.builds(lambda a, b: f"{a} -{b}", plain_word, word),
    "field": field_clause,
    "field-and-word": st.builds(lambda f, w: f"{f} AND text:{w}", field_clause, word),
    "date": date_clause,
    "all": st.sampled_from(["*:*", ""]),
}
sort = st.one_of(st.none(), st.sampled_from(PAGE_SORTS + TOTAL_SORTS))
facets = st.lists(st.sampled_from(DATASET_FACETS[2:] + ["vocab_smartcity_category"]),
                  min_size=0, max_size=3, unique=True)


@st.composite
def drawn_query(draw) -> tuple[str, dict[str, Any], str]:
    kind = draw(st.sampled_from(sorted(text_q)))
    params: dict[str, Any] = {"q": draw(text_q[kind])}
    if draw(st.booleans()):
        label, params["fq"] = draw(fq_value)
        kind += label
    chosen_sort = draw(sort)
    if chosen_sort:
        params["sort"] = chosen_sort
    fields = draw(facets)
    if fields:
        params["facet.field"] = json.dumps(fields)
        params["facet.mincount"] = draw(st.sampled_from([1, 2, 5]))
        params["facet.limit"] = draw(st.sampled_from([-1, 5, 50]))
    params["rows"] = draw(st.sampled_from([20, 20, 20, 0, 5]))
    params["start"] = draw(st.sampled_from([0, 0, 0, 5, 20, 100]))
    user = draw(st.sampled_from(["anonymous", "anonymous", "sysadmin"]))
    if user == "sysadmin":
        params["include_private"] = True
        params["include_drafts"] = draw(st.booleans())
    return kind, params, user


def drawn_queries(count: int = DRAWN) -> list[dict[str, Any]]:
    """``count`` distinct queries Hypothesis draws, the same on every run."""
    found: dict[str, dict[str, Any]] = {}

    @settings(max_examples=count * 3, derandomize=True, database=None,
              phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(drawn_query())
    def collect(drawn):
        kind, params, user = drawn
        key = json.dumps([params, user], sort_keys=True)
        if len(found) < count and key not in found:
            found[key] = query(f"drawn-{len(found):03d}", f"drawn-{kind}", params, user)

    collect()
    return list(found.values())


def all_queries() -> list[dict[str, Any]]:
    return portal_queries() + known_cases() + drawn_queries()
