"""A stand-in for the pysolr connection CKAN talks to, answered by PostgreSQL.

CKAN builds every search request itself (query, filters, facets, permission
labels) and hands it to ``pysolr.Solr.search/add/delete/commit``. This class
answers the same calls from the ``smartcity_search_doc`` table through CKAN's
own SQLAlchemy session, so an index row commits, or rolls back, together
with the dataset it describes.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError

import ckan.model as model
from ckan.lib.search.common import SearchError, SearchQueryError, SolrConnectionError
from ckan.plugins import toolkit

# the one list parser (no imports of its own, so search stays free of RDF)
from ckanext.smartcity.schema.values import values

from . import german, synonyms
from .document import PROMOTED_COLUMNS, build_row
from .expand import Expander
from .fields import DATE, NUMBER, TEXT, load_schema
from .query import CKAN_MM, MAX_NESTING, Compiler, QuerySyntaxError, parse, pasted_text

log = logging.getLogger(__name__)

TABLE = "smartcity_search_doc"
STORED_TABLE = "smartcity_search_stored"
# every interned facet value once, numbered (facet_ids of the index rows)
FACET_VALUE_TABLE = "smartcity_search_facet_value"
# ts_rank weights for D, C, B, A (resources/extras, description, tags, title).
RANK_WEIGHTS = "{0.05, 0.15, 0.4, 1.0}"
_SORT_FIELD = re.compile(r"^[A-Za-z0-9_.\-]+$")
_TEXT_CONFIG = re.compile(r"^[a-z_]+$")
# what no PostgreSQL text value can hold: psycopg2 refuses a NUL, and a
# lone surrogate cannot be encoded as UTF-8 (both were 500s)
UNSENDABLE = re.compile("[\x00\ud800-\udfff]")
# SQLSTATE class 54, "program limit exceeded" (too many columns, a
# statement too complex): the request's size, not an outage
_LIMIT_EXCEEDED = "54"


# a free-text query of more words is never searched again relaxed (what a
# citizen types is short; a second pass over 1,000 words doubled its cost)
RELAXED_MAX_WORDS = 8
# whether an empty free-text search may be retried relaxed: only where a
# person reads the result (the dataset search page sets it, web/search_params.py);
# API clients that test for a title get Solr's answer
RELAXED_SEARCH: ContextVar[bool] = ContextVar("smartcity_relaxed_search", default=False)


# set when a search of this request was answered relaxed (the page says so)
RELAXED_ANSWER: ContextVar[bool] = ContextVar("smartcity_relaxed_answer", default=False)


@contextmanager
def relaxed_search(allowed: bool = True) -> Iterator[None]:
    """Within this block an empty free-text search is retried relaxed (or,
    with ``allowed=False``, never)."""
    token = RELAXED_SEARCH.set(allowed)
    try:
        yield
    finally:
        RELAXED_SEARCH.reset(token)


class SearchBackendError(SolrConnectionError):
    """PostgreSQL could not be reached for a search (connection lost, server
    restarting): the backend's fault, never to be reported as a bad query.
    Like CKAN's own connection error, not a SearchError, so the action API
    answers 500 "Search Connection Error" rather than 409, and pages show
    the error page instead of "your search could not be run"."""


_TSV_SQL = (
    "setweight(to_tsvector(CAST(:cfg AS regconfig), :text_a), 'A') || "
    "setweight(to_tsvector(CAST(:cfg AS regconfig), :text_b), 'B') || "
    "setweight(to_tsvector(CAST(:cfg AS regconfig), :text_c), 'C') || "
    "setweight(to_tsvector(CAST(:cfg AS regconfig), :text_d), 'D')"
)
_UPSERT = sa.text(f"""
    INSERT INTO {TABLE} (index_id, site_id, package_id, state, capacity, dataset_type,
                         entity_type, organization, metadata_modified, permission_labels,
                         fields, text_fields, tsv, indexed_at, facet_ids)
    VALUES (:index_id, :site_id, :package_id, :state, :capacity, :dataset_type,
            :entity_type, :organization, :metadata_modified,
            CAST(:permission_labels AS text[]), CAST(:fields AS jsonb),
            CAST(:text_fields AS jsonb), {_TSV_SQL}, now() at time zone 'utc',
            CAST(:facet_ids AS int[]))
    ON CONFLICT (index_id) DO UPDATE SET
        site_id = EXCLUDED.site_id, package_id = EXCLUDED.package_id,
        state = EXCLUDED.state, capacity = EXCLUDED.capacity,
        dataset_type = EXCLUDED.dataset_type, entity_type = EXCLUDED.entity_type,
        organization = EXCLUDED.organization,
        metadata_modified = EXCLUDED.metadata_modified,
        permission_labels = EXCLUDED.permission_labels,
        fields = EXCLUDED.fields, text_fields = EXCLUDED.text_fields,
        tsv = EXCLUDED.tsv, indexed_at = EXCLUDED.indexed_at,
        facet_ids = EXCLUDED.facet_ids;
    INSERT INTO {STORED_TABLE} (index_id, doc, data_dict, validated_data_dict)
    VALUES (:index_id, CAST(:doc AS jsonb), :data_dict, :validated_data_dict)
    ON CONFLICT (index_id) DO UPDATE SET
        doc = EXCLUDED.doc, data_dict = EXCLUDED.data_dict,
        validated_data_dict = EXCLUDED.validated_data_dict
""")


def text_config() -> str:
    # defaults of every option here: search/config_declaration.yaml
    value = toolkit.config.get("ckanext.smartcity.search.text_config")
    if not _TEXT_CONFIG.match(value):
        raise SearchError(f"Invalid ckanext.smartcity.search.text_config {value!r}")
    return value


def compound_splitter() -> german.Splitter | None:
    """The Hunspell compound splitter, None when switched off or missing."""
    return german.splitter(toolkit.config.get("ckanext.smartcity.search.compound_dictionary")
                           or "")


def warm_up() -> None:
    """Start reading the compound dictionary in the background (plugin
    start): the first search of a worker would otherwise wait ~1 s."""
    german.preload(toolkit.config.get("ckanext.smartcity.search.compound_dictionary") or "")


def current_synonyms() -> synonyms.Synonyms:
    config = toolkit.config
    return synonyms.current(
        config.get("ckanext.smartcity.search.synonyms_file") or "",
        toolkit.asbool(config.get("ckanext.smartcity.search.shipped_synonyms")))


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f"Invalid {name} parameter: {value!r}") from None


class Results:
    """What pysolr.Results offers CKAN: ``hits``, ``docs``, ``facets``."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facets: dict[str, Any]) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = facets
        self.raw_response: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.docs)


class PostgresSearchConnection:
    """Drop-in for ``pysolr.Solr`` as used by ``ckan.lib.search``."""

    url = "postgresql://smartcity_search"

    def __init__(self, decode_dates: bool = True) -> None:
        self.decode_dates = decode_dates

    # -- configuration read at call time -------------------------------------
    @staticmethod
    def _limits() -> tuple[int, int]:
        config = toolkit.config
        return (toolkit.asint(config.get("ckanext.smartcity.search.max_query_length")),
                toolkit.asint(config.get("ckanext.smartcity.search.max_clauses")))

    @staticmethod
    def _cap(name: str) -> int:
        return toolkit.asint(toolkit.config.get(f"ckanext.smartcity.search.{name}"))

    def _compiler(self, relaxed: bool = False) -> Compiler:
        _, max_clauses = self._limits()
        schema = load_schema()
        return Compiler(schema, text_config(), max_clauses,
                        interned=lambda name: interned_field(name, schema),
                        expander=Expander(compound_splitter(), current_synonyms(), relaxed))

    def _where(self, compiler: Compiler, q: str | None, fq: Iterable[str],
               def_type: str | None, mm: str | None) -> str:
        max_length, _ = self._limits()
        parts: list[str] = []
        query = (q or "").strip()
        try:
            if query and query != "*:*":
                if def_type == "dismax" and ":" not in query:
                    parts.append(compiler.dismax(query, mm, max_length))
                else:
                    node = parse(query, max_length)
                    if pasted_text(node, compiler.schema):
                        parts.append(compiler.dismax(query.replace(":", " "), mm or CKAN_MM,
                                                     max_length))
                    else:
                        parts.append(compiler.compile(node))
            for item in fq:
                if item and item.strip():
                    parts.append(compiler.compile(parse(item.strip(), max_length)))
        except QuerySyntaxError as exc:
            raise SearchQueryError(str(exc)) from None
        except RecursionError:  # parse() bounds the nesting; this is the backstop
            raise SearchQueryError(f"Query nested too deeply (at most {MAX_NESTING} levels)"
                                   ) from None
        sql = " AND ".join(parts) if parts else "TRUE"
        checks = [f"numnode({query})" for _, query in compiler.text_checks]
        checks += [f"(SELECT id FROM {FACET_VALUE_TABLE} WHERE field = {field} "
                   f"AND md5(value) = md5({value}) AND value = {value})"
                   for field, value in compiler.value_checks]
        if checks:
            # one round trip tells which full-text clauses hold stopwords
            # only and which number each filtered facet value has
            found = list(self._execute(sa.text("SELECT " + ", ".join(checks)),
                                       compiler.params)[0])
            texts = len(compiler.text_checks)
            sql = compiler.resolve_values(compiler.resolve_text(sql, found[:texts]),
                                          found[texts:])
        else:
            sql = compiler.resolve_text(sql, [])  # minimum-should-match clauses
        return sql

    def _order_by(self, sort: str | None, rank_sql: str) -> list[tuple[str, str]]:
        """Sort keys as (SQL expression over ``d``, ASC|DESC), missing values
        last as in Solr; the index id breaks ties so pages never overlap."""
        schema = load_schema()
        terms: list[tuple[str, str]] = []
        specs = [spec.strip() for spec in (sort or "score desc").split(",") if spec.strip()]
        maximum = self._cap("max_sort_keys")
        if len(specs) > maximum:
            # 2,000 keys passed PostgreSQL's column limit: a 500 "Search
            # Connection Error" for a client's mistake
            raise SearchQueryError(toolkit._(
                'Invalid "sort" parameter: at most %(maximum)s sort keys') % {"maximum": maximum})
        for spec in specs:
            pieces = spec.split()
            if len(pieces) != 2 or pieces[1].lower() not in ("asc", "desc"):
                raise SearchQueryError('Invalid "sort" parameter')
            name, direction = pieces[0], pieces[1].upper()
            if name == "score":
                terms.append((rank_sql, direction))
                continue
            if not _SORT_FIELD.match(name):
                raise SearchQueryError('Invalid "sort" parameter')
            info = schema.field(name)
            if info.multi_valued:
                raise SearchQueryError(
                    f'Invalid "sort" parameter: cannot sort on multi-valued field {name}')
            column = "d.text_fields" if info.kind == TEXT else "d.fields"
            value = (f"d.{name}" if name in PROMOTED_COLUMNS
                     else f"({column} -> '{name}' ->> 0)")
            if info.kind == NUMBER:
                expressions = [f"{value}::numeric"]
            elif info.kind == DATE:
                expressions = [value]
            else:
                # Sorting by title should not put "Zoo" before "apfel".
                expressions = [f"lower({value})", value]
            terms.extend((e, direction) for e in expressions)
        terms.append(("d.index_id", "ASC"))
        return terms

    def _execute(self, statement: Any, params: dict[str, Any]) -> Any:
        """Run a query inside a savepoint: a failing search must not abort
        the request's transaction (and with it the dataset being saved)."""
        session = model.Session
        savepoint = session.begin_nested()
        try:
            result = session.execute(statement, params)
            rows = result.fetchall() if result.returns_rows else None
            savepoint.commit()
            return rows
        except ValueError as exc:  # psycopg2 refuses a value before sending it
            savepoint.rollback()
            log.error("Search query failed: %s", exc)
            raise SearchQueryError("A value in this query cannot be searched for") from None
        except DBAPIError as exc:
            savepoint.rollback()
            log.error("Search query failed: %s", exc.orig)
            if str(getattr(exc.orig, "pgcode", "") or "").startswith(_LIMIT_EXCEEDED):
                raise SearchQueryError("This query is too large to run") from None
            if isinstance(exc, DataError):
                # a value from the request PostgreSQL cannot take (a date
                # out of range, a number too large): the query's fault
                raise SearchQueryError("A value in this query is out of range") from None
            if exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError)):
                # connection lost, server restarting: not the query's fault
                raise SearchBackendError("The search backend cannot be reached") from None
            raise SearchError("The search backend could not answer this query") from None

    # -- pysolr API ------------------------------------------------------------
    @staticmethod
    def _refuse_unsendable(q: str | None, kwargs: dict[str, Any]) -> None:
        """A NUL or lone surrogate in any parameter (q, fq, facet.field,
        sort, ... from a URL or a JSON body) is the client's error."""
        for name, value in (("q", q), *kwargs.items()):
            items = value if isinstance(value, (list, tuple)) else [value]
            if any(isinstance(item, str) and UNSENDABLE.search(item) for item in items):
                raise SearchQueryError(toolkit._(
                    'Invalid "%(parameter)s" parameter: it contains a NUL character '
                    "or an unpaired surrogate") % {"parameter": name})

    def _facet_fields(self, kwargs: dict[str, Any]) -> list[str]:
        """The facet fields asked for, each once, at most
        ``ckanext.smartcity.search.max_facet_fields`` (every one is a pass
        over the matches: 50,000 names took 5 s)."""
        if str(kwargs.get("facet", "true")).lower() != "true":
            return []
        names = list(dict.fromkeys(values(kwargs.get("facet.field"))))
        maximum = self._cap("max_facet_fields")
        if len(names) > maximum:
            raise SearchQueryError(toolkit._(
                'Invalid "facet.field" parameter: at most %(maximum)s facet fields')
                % {"maximum": maximum})
        return names

    def search(self, q: str | None = None, **kwargs: Any) -> Results:
        self._refuse_unsendable(q, kwargs)
        # "Mu\u0308ll" pasted from some systems is "Müll"
        q = unicodedata.normalize("NFC", q) if isinstance(q, str) else q
        if kwargs.get("fq"):
            kwargs["fq"] = [unicodedata.normalize("NFC", f) if isinstance(f, str) else f
                            for f in values(kwargs["fq"])]
        compiler = self._compiler()
        results = self._search(compiler, q, kwargs)
        if (not results.hits and RELAXED_SEARCH.get() and kwargs.get("defType") == "dismax"
                and (compiler.expander.compounds or compiler.optional_terms > 1)
                and compiler.free_text_clauses <= RELAXED_MAX_WORDS):
            # nothing found on the search page: a compound's tail or all
            # words but one may find something ("Grundschulen" -> "Schulen");
            # docs/search.md, "Relaxed second search"
            relaxed = self._search(self._compiler(relaxed=True), q, kwargs)
            if relaxed.hits:
                RELAXED_ANSWER.set(True)
                return relaxed
        return results

    def _search(self, compiler: Compiler, q: str | None, kwargs: dict[str, Any]) -> Results:
        facet_fields = self._facet_fields(kwargs)
        where = self._where(compiler, q, values(kwargs.get("fq")),
                            kwargs.get("defType"), kwargs.get("mm"))
        params = compiler.params
        if compiler.rank_terms:
            rank_sql = (f"ts_rank(CAST('{RANK_WEIGHTS}' AS float4[]), d.tsv, "
                        f"({' || '.join(compiler.rank_terms)}))")
        else:
            rank_sql = "CAST(0 AS float4)"
        rows = _int(kwargs.get("rows"), "rows", 10)
        start = _int(kwargs.get("start"), "start", 0)
        if rows < 0 or start < 0:
            raise SearchQueryError("rows and start must not be negative")
        # the rank is computed once per match (a LATERAL kept apart by OFFSET
        # 0; written twice, as score and as sort key, it ran twice)
        rank_table = (f"LATERAL (SELECT {rank_sql} AS score OFFSET 0)" if compiler.rank_terms
                      else f"(SELECT {rank_sql} AS score)")
        source = f"{TABLE} d CROSS JOIN {rank_table} r"
        sort_keys = self._order_by(kwargs.get("sort"), "r.score")
        fl = [f for f in re.split(r"[\s,]+", kwargs.get("fl") or "*") if f]
        limit = _int(kwargs.get("facet.limit"), "facet.limit", 50)
        mincount = _int(kwargs.get("facet.mincount"), "facet.mincount", 1)

        order = ", ".join(f"_s{i} {direction} NULLS LAST"
                          for i, (_, direction) in enumerate(sort_keys))
        sort_columns = [f"{expr} AS _s{i}" for i, (expr, _) in enumerate(sort_keys)]
        params = dict(params, _rows=rows, _start=start)
        fast = [name for name in facet_fields if self._interned(name)]
        slow = [name for name in facet_fields if name not in fast]
        if facet_fields:
            # Facets need every match: one pass over the matching rows (a
            # materialised CTE) answers the count, the page and the facets.
            # Interned facet fields are counted from the small integer array
            # facet_ids (docs/architecture.md, "Search at 100k datasets").
            columns = ["d.index_id", "r.score AS score", *sort_columns]
            if fast:
                columns.append("d.facet_ids")
            if slow:
                columns += ["d.fields", "d.text_fields"]
            page_sql = "NULL"
            if rows:
                page_sql = f"""(SELECT json_agg(json_build_array(index_id, score)
                                          ORDER BY {order}) FROM (
                        SELECT * FROM m ORDER BY {order} LIMIT :_rows OFFSET :_start) p)"""
            statement = sa.text(f"""
                WITH m AS MATERIALIZED (
                    SELECT {', '.join(columns)} FROM {source} WHERE {where})
                SELECT (SELECT count(*) FROM m), {page_sql},
                       {self._fast_facet_sql() if fast else 'NULL'},
                       {self._slow_facet_sql() if slow else 'NULL'}""")
            hits, page, fast_rows, slow_rows = self._execute(statement, dict(
                params, _fast_names=fast, _slow_names=slow,
                _mincount=max(mincount, 1), _limit=limit))[0]
            facet_rows = (fast_rows or []) + (slow_rows or [])
        else:
            # No facets: the count and the page are two plain statements, so
            # the page can come from an index in sort order (a deep page of
            # the newest datasets reads 1,000 index entries, not every match)
            # and the count from an index-only scan.
            hits = self._execute(sa.text(
                f"SELECT count(*) FROM {TABLE} d WHERE {where}"), params)[0][0]
            page = []
            if rows and hits > start:
                page = self._execute(sa.text(f"""
                    SELECT index_id, score FROM (
                        SELECT d.index_id, r.score AS score, {', '.join(sort_columns)}
                        FROM {source} WHERE {where}
                        ORDER BY {order} LIMIT :_rows OFFSET :_start) p"""), params)
            facet_rows = []

        docs: list[dict[str, Any]] = []
        if page:
            want_all = "*" in fl
            payload = ["index_id", "doc",
                       "data_dict" if want_all or "data_dict" in fl else "NULL",
                       "validated_data_dict" if want_all or "validated_data_dict" in fl
                       else "NULL"]
            found = self._execute(sa.text(
                f"SELECT {', '.join(payload)} FROM {STORED_TABLE} "
                f"WHERE index_id = ANY(:_ids)"),
                {"_ids": [index_id for index_id, _ in page]})
            by_id = {row[0]: row[1:] for row in found}
            docs = [self._doc((*by_id[index_id], score), fl, want_all)
                    for index_id, score in page if index_id in by_id]

        facets: dict[str, Any] = {"facet_fields": {}}
        if facet_fields:
            result: dict[str, list[Any]] = {name: [] for name in facet_fields}
            for name, value, count in sorted(facet_rows or [],
                                             key=lambda r: (r[0], -r[2], r[1])):
                result[name].extend([value, count])
            if mincount <= 0:
                self._add_zero_counts(result, facet_fields, limit)
            facets["facet_fields"] = result
        return Results(docs, hits, facets)

    @staticmethod
    def _interned(name: str) -> bool:
        """Whether the values of ``name`` are counted from facet_ids."""
        return interned_field(name, load_schema())

    @staticmethod
    def _fast_facet_sql() -> str:
        """Facet counts of interned fields: the ids of every match counted
        once, then named through the value table (each value once per
        dataset, as Solr counts documents)."""
        return f"""(SELECT json_agg(json_build_array(field, value, c)) FROM (
            SELECT v.field, v.value, f.c,
                   row_number() OVER (PARTITION BY v.field ORDER BY f.c DESC, v.value) AS rn
            FROM (SELECT id, count(*) AS c FROM (SELECT unnest(m.facet_ids) AS id FROM m) u
                  GROUP BY id) f
            JOIN {FACET_VALUE_TABLE} v ON v.id = f.id
            WHERE v.field = ANY(CAST(:_fast_names AS text[]))) x
          WHERE c >= :_mincount AND (:_limit < 0 OR rn <= :_limit))"""

    @staticmethod
    def _slow_facet_sql() -> str:
        """Facet counts of any other field, read from the jsonb columns."""
        return """(SELECT json_agg(json_build_array(name, value, c)) FROM (
            SELECT k.name, e.value, count(*) AS c,
                   row_number() OVER (PARTITION BY k.name
                                      ORDER BY count(*) DESC, e.value) AS rn
            FROM m
            CROSS JOIN unnest(CAST(:_slow_names AS text[])) AS k(name)
            CROSS JOIN LATERAL (SELECT DISTINCT value FROM jsonb_array_elements_text(
                COALESCE(m.fields -> k.name, m.text_fields -> k.name)) AS a(value)) AS e
            GROUP BY k.name, e.value) f
          WHERE c >= :_mincount AND (:_limit < 0 OR rn <= :_limit))"""

    @staticmethod
    def _doc(row: Any, fl: list[str], want_all: bool) -> dict[str, Any]:
        schema = load_schema()
        stored: dict[str, Any] = row[0]
        doc: dict[str, Any] = {}
        if want_all:
            doc = {k: v for k, v in stored.items() if schema.field(k).stored}
            if row[1] is not None:
                doc["data_dict"] = row[1]
            if row[2] is not None:
                doc["validated_data_dict"] = row[2]
        for name in fl:
            if name == "data_dict" and row[1] is not None:
                doc[name] = row[1]
            elif name == "validated_data_dict" and row[2] is not None:
                doc[name] = row[2]
            elif name == "score":
                doc["score"] = float(row[3])
            elif name in stored:
                doc[name] = stored[name]
        return doc

    def _add_zero_counts(self, result: dict[str, list[Any]], names: list[str],
                         limit: int) -> None:
        """facet.mincount=0: values not among the matches are listed with
        count 0 after the others, as Solr does. Only values of public,
        active datasets of this site are listed, so a facet never reveals a
        private dataset's tags or organisation."""
        found = self._execute(sa.text(f"""
            SELECT DISTINCT k.name, e.value FROM {TABLE} d
            CROSS JOIN unnest(CAST(:_facet_names AS text[])) AS k(name)
            CROSS JOIN LATERAL jsonb_array_elements_text(
                COALESCE(d.fields -> k.name, d.text_fields -> k.name)) AS e(value)
            WHERE d.site_id = :_site AND d.state = 'active'
              AND d.permission_labels @> ARRAY['public']::text[]
            ORDER BY k.name, e.value"""),
            {"_facet_names": names, "_site": toolkit.config.get("ckan.site_id")})
        for name, value in found:
            counts = result[name]
            if value in counts[0::2]:
                continue
            if limit >= 0 and len(counts) // 2 >= limit:
                continue
            counts.extend([value, 0])

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        schema = load_schema()
        cfg = text_config()
        rows = [build_row(doc, schema) for doc in docs]
        split = compound_splitter()
        if split is not None:
            # compound parts, so that "Fahrrad" finds "Fahrradzählstellen"
            # (resources and extras, weight D, are left as they are)
            for row in rows:
                for name in ("text_a", "text_b", "text_c"):
                    row[name] = unicodedata.normalize("NFC", row[name])
                    extra = german.index_terms(row[name], split)
                    if extra:
                        row[name] = f"{row[name]}\n{extra}"
        pairs = [[(name, value) for name, items in row.pop("field_values").items()
                  if interned_field(name, schema) for value in dict.fromkeys(items)]
                 for row in rows]
        ids = _intern(sorted({pair for doc_pairs in pairs for pair in doc_pairs}))
        for row, doc_pairs in zip(rows, pairs, strict=True):
            row["facet_ids"] = [ids[pair] for pair in doc_pairs]
            try:
                model.Session.execute(_UPSERT, dict(row, cfg=cfg))
            except DBAPIError as exc:
                from ckan.lib.search.common import SearchIndexError
                # the database's message stays in the log: the API answer
                # must not echo SQL or server details
                log.error("indexing dataset %s failed: %s", row["package_id"], exc.orig)
                raise SearchIndexError(f"Could not index dataset {row['package_id']}") from None
        _after_indexing(docs)

    def delete(self, id: str | None = None, q: str | None = None,
               commit: bool = True, **_: Any) -> None:
        if id is not None:
            model.Session.execute(sa.text(f"DELETE FROM {TABLE} WHERE index_id = :id"),
                                  {"id": id})
            return
        if q is None:
            raise SearchError("delete needs an id or a query")
        if model.Session.execute(sa.text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar() is None:
            return  # `ckan db clean` clears the index after dropping every table
        compiler = self._compiler()
        compiler.expander = None  # delete exactly what the query says
        where = self._where(compiler, q, [], None, None)
        model.Session.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {where}"),
                              compiler.params)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        """An explicit commit (``ckan search-index rebuild/clear``) makes the
        index changes durable. Adds and deletes inside actions pass
        ``commit=True`` to add/delete instead, and ride on the action's own
        transaction."""
        model.Session.commit()

    def optimize(self, *args: Any, **kwargs: Any) -> None:
        model.Session.execute(sa.text(f"ANALYZE {TABLE}"))


def interned_field(name: str, schema: Any) -> bool:
    """Fields whose values are interned into facet_ids at indexing time:
    ``ckanext.smartcity.search.interned_facet_fields`` and every ``vocab_``
    field, unless tokenised (text fields are faceted from text_fields)."""
    if schema.field(name).kind == TEXT:
        return False
    return name.startswith("vocab_") or name in _interned_names()


def _interned_names() -> frozenset[str]:
    # defaults of every option here: search/config_declaration.yaml
    return frozenset(values(toolkit.config.get(
        "ckanext.smartcity.search.interned_facet_fields")))


_INTERN = sa.text(f"""
    INSERT INTO {FACET_VALUE_TABLE} (field, value)
    SELECT * FROM unnest(CAST(:_fields AS text[]), CAST(:_values AS text[]))
    ON CONFLICT (field, md5(value)) DO NOTHING""")
_LOOKUP = sa.text(f"""
    SELECT v.field, v.value, v.id FROM {FACET_VALUE_TABLE} v
    JOIN unnest(CAST(:_fields AS text[]), CAST(:_values AS text[])) AS p(field, value)
      ON v.field = p.field AND md5(v.value) = md5(p.value) AND v.value = p.value""")


def _intern(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The id of every (field, value), adding the new ones. Two statements,
    so that the lookup sees a value a concurrent indexing has just added
    (ON CONFLICT waits for it)."""
    if not pairs:
        return {}
    params = {"_fields": [f for f, _ in pairs], "_values": [v for _, v in pairs]}
    model.Session.execute(_INTERN, params)
    return {(field, value): id_ for field, value, id_ in
            model.Session.execute(_LOOKUP, params).fetchall()}


_indexed_hooks: list[Callable[[list[dict[str, Any]]], None]] = []


def on_indexed(hook: Callable[[list[dict[str, Any]]], None]) -> None:
    """Call ``hook`` with the validated dataset dicts of every batch just
    indexed (the RDF cache builds their triples then). The search backend
    knows nothing of what the hooks do."""
    if hook not in _indexed_hooks:
        _indexed_hooks.append(hook)


def _after_indexing(docs: list[dict[str, Any]]) -> None:
    """Hand freshly indexed datasets, as package_search will return them, to
    the registered hooks. Never fails the indexing."""
    if not _indexed_hooks:
        return
    dicts = []
    for doc in docs:
        if doc.get("dataset_type") == "dataset" and doc.get("validated_data_dict"):
            try:
                dicts.append(json.loads(doc["validated_data_dict"]))
            except ValueError:
                continue
    if not dicts:
        return
    for hook in _indexed_hooks:
        try:
            hook(dicts)
        except Exception:  # an optimisation (a cache); indexing must not depend on it
            log.warning("after-index hook %s failed for %d datasets",
                        getattr(hook, "__name__", hook), len(dicts), exc_info=True)


__all__ = ["PostgresSearchConnection", "Results"]
