"""Translate the Solr query syntax CKAN sends into a PostgreSQL WHERE clause.

Parsing is done by luqum, a Lucene query parser; this module only walks the
tree. Every value reaches SQL as a bind parameter, never as SQL text.

Semantics follow CKAN's Solr set-up:

* ``q.op=AND``: clauses without an operator are all required;
* ``q`` without a colon is a dismax query: its words are matched against the
  weighted full-text vector, with CKAN's minimum-should-match (``mm``);
* ``string`` fields match exactly, ``text`` fields are stemmed (German by
  default), ``date`` fields take ranges with ``NOW`` date math;
* what Solr would reject (local parameters, magic fields) or what this
  backend cannot answer faithfully (fuzzy, proximity, regular expressions)
  raises QuerySyntaxError, which CKAN reports as a client error.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field as dc_field
from decimal import Decimal, InvalidOperation

from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse as lucene_parse

from . import dates
from .expand import Expander
from .document import PROMOTED_ARRAYS, PROMOTED_COLUMNS
from .fields import DATE, NUMBER, TEXT, SolrSchema

# Fields with a column of their own in smartcity_search_doc.
PROMOTED_SCALARS = PROMOTED_COLUMNS + ("site_id",)
# The catch-all field CKAN uses as default field ("df").
DEFAULT_TEXT_FIELD = "text"
# Deepest nesting of a parsed query ("- - - a", "((a))"): the compiler
# recurses once per level, and 1,500 levels were a RecursionError (a 500).
MAX_NESTING = 100
# Compiled SQL marks each full-text clause with a placeholder (its number)
# until the lexeme counts are known (Compiler.resolve_text); SQL text holds
# only the compiler's own tokens, every value is a bind parameter.
TEXT_PLACEHOLDER = "__smartcity_text_{}__"
TEXT_PLACEHOLDER_PATTERN = re.compile(r"__smartcity_text_(\d+)__")
# the same for an exact value of an interned facet field (facet_ids)
VALUE_PLACEHOLDER = "__smartcity_value_{}__"
# the minimum-should-match clause of a free-text query, decided with the
# lexeme counts (stopword-only words do not count, as in Solr)
MM_PLACEHOLDER = "__smartcity_mm_{}__"
MM_PLACEHOLDER_PATTERN = re.compile(r"__smartcity_mm_(\d+)__")
VALUE_PLACEHOLDER_PATTERN = re.compile(r"__smartcity_value_(\d+)__")


class QuerySyntaxError(ValueError):
    """The query cannot be answered; the message is safe to show a user."""


@dataclass
class CompiledQuery:
    """A WHERE clause with its bind parameters and the text query for ranking."""

    sql: str
    params: dict[str, object]
    rank_terms: list[str] = dc_field(default_factory=list)


def parse(text: str, max_length: int) -> tree.Item:
    if len(text) > max_length:
        raise QuerySyntaxError(
            f"Query too long ({len(text)} characters, at most {max_length})")
    if "{!" in text:
        raise QuerySyntaxError("Local parameters ({!...}) are not supported")
    try:
        # luqum's thread-safe entry point: ply's lexer keeps state between
        # calls, luqum.thread gives each thread a lexer of its own.
        node = lucene_parse(text)
    except (ParseError, RecursionError) as exc:
        raise QuerySyntaxError(f"Invalid query syntax: {exc}") from None
    except Exception as exc:  # ply raises bare exceptions on odd input
        raise QuerySyntaxError(f"Invalid query syntax: {type(exc).__name__}") from None
    if _nesting(node) > MAX_NESTING:
        raise QuerySyntaxError(f"Query nested too deeply (at most {MAX_NESTING} levels)")
    return node


def _nesting(node: tree.Item) -> int:
    """Depth of the tree, counted without recursion (the tree may be deeper
    than Python's recursion limit)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item.children)
    return deepest


def _unescape(value: str) -> str:
    """``value`` with Lucene's backslash escapes removed (luqum's rule)."""
    return tree.Word(value).unescaped_value


def _like_pattern(value: str) -> str:
    """Lucene wildcard (``*``, ``?``, backslash escapes) to a LIKE pattern."""
    out, escaped = [], False
    for char in value:
        if escaped:
            out.append("\\" + char if char in "%_\\" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "%_":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def min_should_match(spec: str | None, optional: int) -> int:
    """How many of ``optional`` clauses must match, per Solr's ``mm`` syntax
    (``"2<-1 5<80%"``, ``"3"``, ``"75%"``, ``"-1"``)."""
    if optional <= 0:
        return 0
    if not spec:
        return optional
    chosen = spec.strip().split()[0] if "<" not in spec else None
    if chosen is None:
        chosen = str(optional)  # below the first threshold everything is required
        for condition in spec.split():
            threshold, _, value = condition.partition("<")
            try:
                if optional > int(threshold):
                    chosen = value
            except ValueError:
                raise QuerySyntaxError(f"Invalid mm parameter {spec!r}") from None
    try:
        if chosen.endswith("%"):
            percent = int(chosen[:-1])
            count = math.floor(optional * abs(percent) / 100)
            required = count if percent >= 0 else optional - count
        else:
            number = int(chosen)
            required = number if number >= 0 else optional + number
    except ValueError:
        raise QuerySyntaxError(f"Invalid mm parameter {spec!r}") from None
    return max(1, min(optional, required))


# what a field name in a query looks like (CKAN's and Solr's names)
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_.\-]*$")
# free-text words looked at for phrases with synonyms ("Open Data"); a
# citizen's query is short, a hostile one may have 1,000 words
JOIN_PHRASES_WITHIN = 32
# "X- und -Y", "X- oder -Y": German elision, not "exclude Y"
_ELISION = re.compile(r"(\w-\s+(?:und|oder|bzw\.?|sowie)\s+)-(?=\w)", re.IGNORECASE)
# CKAN's minimum-should-match for free text (ckan.lib.search.query)
CKAN_MM = "2<-1 5<80%"


def _field_names(node: tree.Item) -> list[str]:
    names = [node.name] if isinstance(node, tree.SearchField) else []
    for child in node.children:
        names += _field_names(child)
    return names


def pasted_text(node: tree.Item, schema: SolrSchema) -> bool:
    """Whether a query with colons is text a person pasted ("Luftqualität:
    Messwerte", "Kommunalwahl 2025: Ergebnisse") rather than a field query:
    every "field" before a colon is no declared field and does not even
    look like a field name. CKAN sends such a query to Solr as a field
    query, which finds nothing (docs/architecture.md, "Search")."""
    names = _field_names(node)
    return bool(names) and all(
        name not in schema.fields and not _FIELD_NAME.match(name) for name in names)


class Compiler:
    """Compiles one or more luqum trees into SQL over the index table ``d``."""

    def __init__(self, schema: SolrSchema, text_config: str,
                 max_clauses: int, now: dt.datetime | None = None,
                 interned: Callable[[str], bool] = lambda name: False,
                 expander: Expander | None = None) -> None:
        self.schema = schema
        # alternatives of a typed term (search/expand.py); None: as typed
        self.expander = expander
        self.interned = interned
        self.text_config = text_config
        self.max_clauses = max_clauses
        self.now = now
        self.params: dict[str, object] = {"cfg": text_config}
        self.clauses = 0
        self.rank_terms: list[str] = []
        # tsquery expressions whose lexeme count decides their clause (see
        # text_placeholders / resolve_text)
        self.text_checks: list[tuple[str, str]] = []
        # (field, value) bind parameters of exact matches on interned fields
        self.value_checks: list[tuple[str, str]] = []
        self._negated = 0
        # most optional words of one free-text query (a relaxed search can
        # then need one less)
        self.optional_terms = 0
        # (mm, [(SQL, times typed, text check)]) of each free-text query
        self.mm_groups: list[tuple[str | None, list[tuple[str, int, int | None]]]] = []
        # most clauses of one free-text query (words, +word, -word, groups)
        self.free_text_clauses = 0

    # -- helpers -----------------------------------------------------------
    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def _count_clause(self) -> None:
        self.clauses += 1
        if self.clauses > self.max_clauses:
            raise QuerySyntaxError(
                f"Too many clauses in query (at most {self.max_clauses})")

    def _tsquery(self, value: str, phrase: bool, expand: bool = False) -> str:
        """SQL expression of a tsquery for one word or phrase; ``expand``:
        with the word's alternatives (free text only)."""
        if not phrase and tree.Word(value).has_wildcard():
            stripped = _unescape(value)
            if not stripped.endswith("*") or "*" in stripped[:-1] or "?" in stripped:
                raise QuerySyntaxError(
                    "Only trailing wildcards (Verkehr*) are supported in full-text fields")
            prefix = re.sub(r"[^\w]+", " ", stripped[:-1]).split()
            if not prefix:
                return ""
            # Each word quoted as a tsquery lexeme; the last one as a prefix.
            parts = ["'" + word.replace("'", "''") + "'" for word in prefix]
            parts[-1] += ":*"
            return f"to_tsquery(CAST(:cfg AS regconfig), {self.param(' & '.join(parts))})"
        if phrase or not expand or self.expander is None:
            func = "phraseto_tsquery" if phrase else "plainto_tsquery"
            return f"{func}(CAST(:cfg AS regconfig), {self.param(_unescape(value))})"
        # the term or its spellings, synonyms, compound parts: one clause
        alternatives = [f"plainto_tsquery(CAST(:cfg AS regconfig), {self.param(text)})"
                        for text in self.expander(_unescape(value))]
        if len(alternatives) == 1:
            return alternatives[0]
        return "(" + " || ".join(alternatives) + ")"

    def _text_match(self, vector_sql: str, value: str, phrase: bool) -> str:
        # alternatives (synonyms, compound parts) for free text only: a field
        # query (title:...) and an exclusion (-Müll) keep their Lucene meaning
        query = self._tsquery(value, phrase,
                              expand=vector_sql == "d.tsv" and not self._negated)
        if not query:  # "*" alone: any value
            return "TRUE"
        if vector_sql == "d.tsv" and not self._negated:
            self.rank_terms.append(query)
        return self._text_check(vector_sql, query)

    def _text_check(self, vector_sql: str, query: str) -> str:
        """A placeholder for ``vector @@ query``, resolved by
        :meth:`resolve_text` once the lexeme count of ``query`` is known: a
        query of stopwords only has no lexemes, and Lucene drops such a
        clause (TRUE). Deciding that before the search, instead of
        ``numnode(q) = 0 OR ...`` in SQL, leaves a plain ``d.tsv @@ q`` that
        PostgreSQL answers from the GIN index (docs/architecture.md)."""
        self.text_checks.append((vector_sql, query))
        return TEXT_PLACEHOLDER.format(len(self.text_checks) - 1)

    def _resolve_mm(self, sql: str, lexemes: list[int]) -> str:
        """The minimum-should-match clause of each free-text query, counting
        only its words that are not stopwords ("Müll und Abfall" needs both
        nouns, as Solr drops "und" before applying mm)."""
        def replace(match: re.Match) -> str:
            mm, words = self.mm_groups[int(match.group(1))]
            counted = [(sql_, n) for sql_, n, check in words
                       if check is None or lexemes[check]]
            typed = sum(n for _, n in counted)
            if not typed:
                return "TRUE"  # stopwords only: Lucene drops the clause
            need = min_should_match(mm, typed)
            if self.expander is not None and self.expander.relaxed and typed > 1:
                need = max(1, need - 1)  # the relaxed second search: one word less
            if need >= typed or len(counted) == 1:
                # one word, however often typed, either matches or not: a
                # plain clause keeps the GIN index usable
                return "(" + " AND ".join(sql_ for sql_, _ in counted) + ")"
            total = " + ".join(f"({o})::int" if n == 1 else f"({o})::int * {n}"
                               for o, n in counted)
            return f"(({total}) >= {need})"
        return MM_PLACEHOLDER_PATTERN.sub(replace, sql)

    def resolve_text(self, sql: str, lexemes: list[int]) -> str:
        """``sql`` with every text placeholder replaced, given the lexeme
        count of each checked query (in the order of ``text_checks``)."""
        sql = self._resolve_mm(sql, lexemes)

        def replace(match: re.Match) -> str:
            vector_sql, query = self.text_checks[int(match.group(1))]
            if not lexemes[int(match.group(1))]:
                return "TRUE"
            if vector_sql == "d.tsv":  # never NULL: no COALESCE, so the index applies
                return f"(d.tsv @@ {query})"
            return f"COALESCE({vector_sql} @@ {query}, FALSE)"
        return TEXT_PLACEHOLDER_PATTERN.sub(replace, sql)

    def resolve_values(self, sql: str, ids: list[int | None]) -> str:
        """``sql`` with every value placeholder replaced, given the facet
        value id of each (None: no dataset ever had that value)."""
        def replace(match: re.Match) -> str:
            found = ids[int(match.group(1))]
            # an integer from the value table, never client text
            return "FALSE" if found is None else f"(d.facet_ids @> ARRAY[{int(found)}])"
        return VALUE_PLACEHOLDER_PATTERN.sub(replace, sql)

    def _column(self, name: str, kind: str) -> str:
        """The jsonb column holding ``name``: tokenised fields apart."""
        return "d.text_fields" if kind == TEXT else "d.fields"

    def _source(self, name: str) -> tuple[str, str]:
        """How to read the values of ``name``: ("scalar", SQL of one value)
        or ("multi", SQL of a set of values)."""
        info = self.schema.field(name)
        if name in PROMOTED_SCALARS:
            return "scalar", f"d.{name}"
        column = self._column(name, info.kind)
        if info.multi_valued or name in PROMOTED_ARRAYS:
            return "multi", (f"jsonb_array_elements_text(COALESCE({column} -> "
                             f"{self.param(name)}, '[]'::jsonb))")
        return "scalar", f"({column} -> {self.param(name)} ->> 0)"

    def _exists(self, name: str) -> str:
        if name in PROMOTED_SCALARS:
            return f"(d.{name} IS NOT NULL)"
        if name in PROMOTED_ARRAYS:
            return f"(cardinality(d.{name}) > 0)"
        column = self._column(name, self.schema.field(name).kind)
        return f"({column} ? {self.param(name)})"

    # -- leaves ------------------------------------------------------------
    def term(self, name: str | None, raw: str, phrase: bool) -> str:
        self._count_clause()
        value = raw
        if name is None or name == DEFAULT_TEXT_FIELD:
            if not phrase and _unescape(value) == "*":
                return "TRUE"
            return self._text_match("d.tsv", value, phrase)
        info = self.schema.field(name)
        if not phrase and value == "*":
            return self._exists(name)
        if info.kind == TEXT:
            return self._text_match(
                f"to_tsvector(CAST(:cfg AS regconfig), d.text_fields -> {self.param(name)})",
                value, phrase)
        if info.kind == DATE:
            bound = self._date(value)
            return self._range_sql(name, bound, bound, True, True, "")
        if info.kind == NUMBER:
            number = self._number(value)
            return self._range_sql(name, number, number, True, True, "::numeric")
        if not phrase and tree.Word(value).has_wildcard():
            shape, source = self._source(name)
            pattern = self.param(_like_pattern(value))
            if shape == "scalar":
                return f"COALESCE({source} LIKE {pattern}, FALSE)"
            return f"EXISTS (SELECT 1 FROM {source} v WHERE v LIKE {pattern})"
        literal = _unescape(value)
        if name in PROMOTED_SCALARS:
            return f"COALESCE(d.{name} = {self.param(literal)}, FALSE)"
        if name in PROMOTED_ARRAYS:
            return f"(d.{name} @> ARRAY[{self.param(literal)}]::text[])"
        if self.interned(name):
            # answered from facet_ids: the GIN index there has statistics per
            # value, so PostgreSQL combines it with the full-text index
            self.value_checks.append((self.param(name), self.param(literal)))
            return VALUE_PLACEHOLDER.format(len(self.value_checks) - 1)
        return f"(d.fields @> CAST({self.param(json.dumps({name: [literal]}))} AS jsonb))"

    def _date(self, value: str) -> str:
        try:
            return dates.resolve(_unescape(value), self.now)
        except dates.DateSyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None

    def _number(self, value: str) -> Decimal:
        try:
            number = Decimal(_unescape(value))
        except InvalidOperation:
            raise QuerySyntaxError(f"Invalid number {value!r}") from None
        if not number.is_finite():
            raise QuerySyntaxError(f"Invalid number {value!r}")
        return number

    def _range_sql(self, name: str, low: object, high: object,
                   include_low: bool, include_high: bool, cast: str) -> str:
        shape, source = self._source(name)
        value = "x" if shape == "multi" else source
        conditions = []
        if low is not None:
            conditions.append(f"{value}{cast} {'>=' if include_low else '>'} {self.param(low)}")
        if high is not None:
            conditions.append(f"{value}{cast} {'<=' if include_high else '<'} {self.param(high)}")
        if not conditions:
            return self._exists(name)
        where = " AND ".join(conditions)
        if shape == "multi":
            return f"EXISTS (SELECT 1 FROM {source} x WHERE {where})"
        return f"COALESCE({where}, FALSE)"

    def range(self, name: str | None, node: tree.Range) -> str:
        self._count_clause()
        if name is None:
            raise QuerySyntaxError("A range query needs a field (field:[a TO b])")
        info = self.schema.field(name)
        raw_low, raw_high = str(node.low), str(node.high)
        if info.kind == DATE:
            low = None if raw_low == "*" else self._date(raw_low)
            high = None if raw_high == "*" else self._date(raw_high)
            cast = ""
        elif info.kind == NUMBER:
            low = None if raw_low == "*" else self._number(raw_low)
            high = None if raw_high == "*" else self._number(raw_high)
            cast = "::numeric"
        else:
            low = None if raw_low == "*" else _unescape(raw_low.strip('"'))
            high = None if raw_high == "*" else _unescape(raw_high.strip('"'))
            cast = ""
        return self._range_sql(name, low, high, node.include_low, node.include_high, cast)

    # -- tree --------------------------------------------------------------
    def compile(self, node: tree.Item, name: str | None = None) -> str:
        if isinstance(node, tree.SearchField):
            if node.name == "*":
                if isinstance(node.expr, tree.Word) and node.expr.value == "*":
                    self._count_clause()
                    return "TRUE"
                raise QuerySyntaxError("Field name '*' is only allowed in *:*")
            if node.name in ("_query_", "_val_"):
                raise QuerySyntaxError("Magic fields are not supported")
            return self.compile(node.expr, node.name)
        if isinstance(node, (tree.FieldGroup, tree.Group)):
            return f"({self.compile(node.expr, name)})"
        if isinstance(node, tree.AndOperation):
            return "(" + " AND ".join(self.compile(c, name) for c in node.children) + ")"
        if isinstance(node, tree.OrOperation):
            return "(" + " OR ".join(self.compile(c, name) for c in node.children) + ")"
        if isinstance(node, tree.UnknownOperation):
            # q.op=AND: every clause without an operator is required.
            return "(" + " AND ".join(self.compile(c, name) for c in node.children) + ")"
        if isinstance(node, tree.Plus):
            return self.compile(node.a, name)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            self._negated += 1
            try:
                return f"(NOT {self.compile(node.a, name)})"
            finally:
                self._negated -= 1
        if isinstance(node, tree.Boost):
            # A boost only changes the score; the match is the same.
            return self.compile(node.expr, name)
        if isinstance(node, tree.Phrase):
            return self.term(name, node.value[1:-1], phrase=True)
        if isinstance(node, tree.Word):
            return self.term(name, node.value, phrase=False)
        if isinstance(node, tree.Range):
            return self.range(name, node)
        if isinstance(node, tree.Fuzzy):
            raise QuerySyntaxError("Fuzzy queries (term~) are not supported")
        if isinstance(node, tree.Proximity):
            raise QuerySyntaxError("Proximity queries (\"...\"~n) are not supported")
        if isinstance(node, tree.Regex):
            raise QuerySyntaxError("Regular expression queries are not supported")
        raise QuerySyntaxError(f"Unsupported query element {type(node).__name__}")

    # -- dismax --------------------------------------------------------------
    def dismax(self, text: str, mm: str | None, max_length: int) -> str:
        """CKAN's free-text search: words and phrases against the weighted
        vector; ``+word`` required, ``-word`` excluded, the rest counted
        against ``mm``. Dismax never fails on syntax: unparseable input is
        taken word by word."""
        # "Gewerbean- und -abmeldungen": a hyphen after "und" completes a
        # word (Ergänzungsstrich), it does not exclude one
        text = _ELISION.sub(r"\1", text)
        try:
            node = parse(text, max_length)
            clauses = list(node.children) if isinstance(node, tree.UnknownOperation) else [node]
        except QuerySyntaxError:
            if len(text) > max_length or "{!" in text:
                raise
            words = re.sub(r"[\\\"()\[\]{}:^~]", " ", text).split()
            clauses = [tree.Word(w) for w in words if w not in ("AND", "OR", "NOT", "&&", "||")]
        clauses = self._join_known_phrases(clauses)
        self.free_text_clauses = max(self.free_text_clauses, len(clauses))
        required, excluded, optional = [], [], []
        # a word typed again is compiled once and counted as often as typed
        # (the same match as Lucene's repeated clauses; "Müll " x 1,000
        # compiled 1,000 clauses)
        times: list[int] = []
        checks: list[int | None] = []
        seen: dict[tuple[str, str], int] = {}
        for clause in clauses:
            if isinstance(clause, tree.Plus):
                required.append(self.compile(clause.a))
            elif isinstance(clause, (tree.Prohibit, tree.Not)):
                excluded.append(self.compile(clause))
            elif isinstance(clause, (tree.Word, tree.Phrase)):
                key = (type(clause).__name__, clause.value)
                if key in seen:
                    self._count_clause()
                    times[seen[key]] += 1
                    continue
                seen[key] = len(optional)
                before = len(self.text_checks)
                optional.append(self.compile(clause))
                # the one full-text check of this word: if it holds stopwords
                # only, the word does not count for mm (as in Solr)
                checks.append(before if len(self.text_checks) == before + 1 else None)
                times.append(1)
            else:
                required.append(self.compile(clause))
        parts = required + excluded
        if optional:
            self.optional_terms = max(self.optional_terms, sum(times))
            # decided once the stopword-only words are known (resolve_text)
            self.mm_groups.append((mm, list(zip(optional, times, checks, strict=True))))
            parts.append(MM_PLACEHOLDER.format(len(self.mm_groups) - 1))
        leaves = (tree.Word, tree.Phrase)
        simple = all(isinstance(c, leaves) or (
            isinstance(c, (tree.Plus, tree.Prohibit, tree.Not)) and isinstance(c.a, leaves))
            for c in clauses)
        if simple and len(self.rank_terms) > 1:
            # Every match contains one of the positive terms: this lets
            # PostgreSQL use the GIN index before counting matches (one
            # term is such a clause already).
            any_term = " || ".join(self.rank_terms)
            parts.append(self._text_check("d.tsv", f"({any_term})"))
        return "(" + " AND ".join(parts) + ")" if parts else "TRUE"

    def _join_known_phrases(self, clauses: list[tree.Item]) -> list[tree.Item]:
        """Neighbouring plain words that form a phrase with synonyms of its
        own ("Open Data", "Hartz IV") become one term, longest first."""
        if self.expander is None:
            return clauses
        out: list[tree.Item] = []
        i = 0
        while i < len(clauses):
            if i >= JOIN_PHRASES_WITHIN:
                out.extend(clauses[i:])
                break
            for size in (3, 2):
                span = clauses[i:i + size]
                if len(span) == size and all(
                        type(c) is tree.Word and not c.has_wildcard() for c in span):
                    phrase = " ".join(_unescape(c.value) for c in span)
                    if self.expander.known(phrase):
                        out.append(tree.Word(phrase))
                        i += size
                        break
            else:
                out.append(clauses[i])
                i += 1
        return out
