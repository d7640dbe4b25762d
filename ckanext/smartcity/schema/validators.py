"""Validators of the DCAT-AP.de schema (registered for scheming by name).

Messages are English msgids translated by the extension's catalogue
(``i18n/de``), so a steward sees them in the language of the page or API
route (``/de/...``, ``/en/...``). Every validator states what it accepts and
the form it stores.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import mimetypes
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import munge
from ckanext.scheming.validation import scheming_validator

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

_ = tk._

MAX_URL_LENGTH = 2000
MAX_LIST_ITEMS = 100  # values in one list field (docs/security.md F4)
MAX_DISTRIBUTIONS = 1_000  # a dataset's resources (docs/security.md H11)
MAX_TEXT_LENGTH = 1_000  # titles, names (docs/security.md F6)
MAX_LONG_TEXT_LENGTH = 100_000  # descriptions
MAX_NAME_BASE = 90  # a name made from a title, room for "-99" (CKAN allows 100)
MAX_NAME_TRIES = 99
# U+FFFE/U+FFFF are not characters: one makes /catalog.rdf not well-formed
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# the overrides that reorder what is shown (U+202E makes "exe.txt" read
# "txt.exe"); embeddings, isolates and marks come with pasted right-to-left
# text and stay allowed
_BIDI_OVERRIDE = re.compile("[\u202d\u202e]")
# ASCII only: \d and [a-z] with IGNORECASE would also match other scripts
# without ^ ` { | }: RFC 5322 allows them, an IRI (mailto: in RDF) does not
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?_~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?_~-]+)*$")
# characters an IRI may not hold unescaped (RFC 3987); rdflib refuses to
# write them, so one such URL broke every catalogue page (docs/security.md O1)
_NOT_IN_IRI = frozenset('<>"{}|\\^`')
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})"
                   r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]{1,6})?)?"
                   r"(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$")
_GERMAN_DATE = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
                         r"(?:\s*;\s*[a-z0-9!#$&^_.+-]+=(?:[^;\s\"]+|\"[^\"]*\"))*$",
                         re.IGNORECASE | re.ASCII)
# xsd:duration (no weeks), as stored (upper case); its parts by name for the
# words on the dataset page (web/helpers.py smartcity_duration_text)
DURATION = re.compile(r"^P(?!$)(?:(?P<years>[0-9]+)Y)?(?:(?P<months>[0-9]+)M)?"
                      r"(?:(?P<days>[0-9]+)D)?(?:T(?=[0-9])(?:(?P<hours>[0-9]+)H)?"
                      r"(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+(?:\.[0-9]+)?)S)?)?$")
# an unknown vocabulary value: how many valid values the error names, the
# largest vocabulary searched for similar ones (not the 11,000 regions), and
# how many such searches one request may run (about 2 ms each; a dataset
# may have 1,000 distributions, docs/security.md "Bounded cost")
MAX_EXAMPLES = 5
MAX_SIMILAR = 2
SIMILARITY = 0.7  # difflib ratio: "WMSS" ~ "WMS", "Excel 97" ~ "Excel XLS"
MAX_SIMILAR_SEARCH = 1_000
MAX_SIMILAR_SEARCHES = 20
# hex digest length per checksum algorithm code (checksum-algorithm vocabulary)
DIGEST_LENGTH = {"md2": 32, "md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96,
                 "sha512": 128}


def _empty(value: Any) -> bool:
    return value is tk.missing or value is None or value == "" or value == []


# -- drafts (docs/drafts.md) ---------------------------------------------------

# context flag of a save that asked for a draft ("Save as draft" button,
# schema/drafts.py); CKAN's own staged form sets context["save"] instead
DRAFT_SAVE = "smartcity_draft"
DRAFT = "draft"


def _state(data: dict, context: dict) -> Any:
    """The state the dataset is saved in: the one given, else the stored one."""
    state = data.get(("state",))
    if state is None or state is tk.missing:
        state = getattr(context.get("package"), "state", None)
    return state


def is_draft_save(data: dict, context: dict) -> bool:
    """Whether this save may leave mandatory fields empty: the dataset is
    saved in state "draft", and not by CKAN's own staged form, whose "Next"
    button checks the whole schema as before (the "Save as draft" button
    sets DRAFT_SAVE). Given values are validated either way."""
    if _state(data, context) != DRAFT:
        return False
    return bool(context.get(DRAFT_SAVE)) or not context.get("save")


def smartcity_required(key, data, errors, context):
    """A mandatory value: empty is refused ("Missing value", as CKAN's
    not_empty) unless the dataset is saved as a draft (is_draft_save); then
    the field stays empty and the chain stops, as with ignore_missing."""
    if not _empty(data.get(key)):
        return
    if not is_draft_save(data, context):
        errors[key].append(_("Missing value"))
    elif data.get(key) is tk.missing or data.get(key) is None:
        data.pop(key, None)
    raise tk.StopOnError


def smartcity_name_from_title(key, data, errors, context):
    """A draft saved without URL name gets one made from its title
    (``Ladesäulen 2024`` -> ``ladesaulen-2024``, ``-2``, ``-3`` … when
    taken), a stored draft keeps its own; otherwise the name is left to the
    validators after this one."""
    title = data.get(("title",))
    if not _empty(data.get(key)) or not isinstance(title, str) or not title.strip():
        return
    if not is_draft_save(data, context):
        return
    if context.get("package") is not None:
        data[key] = context["package"].name
        return
    base = munge.munge_title_to_name(title)[:MAX_NAME_BASE] or "datensatz"
    for number in range(1, MAX_NAME_TRIES + 1):
        name = base if number == 1 else f"{base}-{number}"
        if model.Package.get(name) is None:
            data[key] = name
            return
    data[key] = f"{base}-{uuid.uuid4().hex[:8]}"


@scheming_validator
def smartcity_draft_state(field, schema):
    """(before_validators) A new dataset may start as a draft for whoever
    may create it: CKAN keeps a state given to package_create only for
    sysadmins or with ``allow_state_change`` (which its own form sets for
    stage 1, an API caller cannot), so a steward's "state": "draft" was
    dropped and the dataset created public. Only "draft" is let through."""
    def validator(key, data, errors, context):
        if data.get(("state",)) == DRAFT and context.get("package") is None:
            context["allow_state_change"] = True
    return validator


def _required_subfields(schema: dict) -> list[tuple[str, list[str]]]:
    return [(f["field_name"], [s["field_name"] for s in f["repeating_subfields"]
                               if "smartcity_required" in s.get("validators", "")])
            for f in schema.get("dataset_fields", []) if "repeating_subfields" in f]


@scheming_validator
def smartcity_draft_checks(field, schema):
    """(after_validators) The mandatory fields once more, on the state the
    dataset is finally saved in: a field left empty for a draft whose state
    CKAN then dropped (a caller not allowed to change it) is refused here,
    so an incomplete dataset is never saved as anything but a draft."""
    required = [f["field_name"] for f in schema.get("dataset_fields", [])
                if "smartcity_required" in f.get("validators", "")]
    subfields = _required_subfields(schema)

    def validator(key, data, errors, context):
        if is_draft_save(data, context):
            return
        for name in required:
            if _empty(data.get((name,))) and not errors.get((name,)):
                errors.setdefault((name,), []).append(_("Missing value"))
        for name, subs in subfields:
            for index, row in _rows(data, name).items():
                for sub in subs:
                    if _empty(row.get(sub)) and not errors.get((name, index, sub)):
                        errors.setdefault((name, index, sub), []).append(_("Missing value"))
    return validator


def smartcity_http_url(value: Any) -> Any:
    """An absolute http(s) URL; stored stripped."""
    if _empty(value):
        return value
    text = str(value).strip()
    try:
        parts = urlsplit(text) if len(text) <= MAX_URL_LENGTH else None
        host = parts.hostname if parts else None
    except ValueError:  # e.g. "http://[::1" or NFKC-unsafe netlocs
        parts = host = None
    if (parts is None or parts.scheme not in ("http", "https") or not host
            or any(ch.isspace() or ord(ch) < 32 or ch in _NOT_IN_IRI for ch in text)):
        raise tk.Invalid(_("Enter a web address that starts with http:// or https://."))
    return text


def smartcity_email(value: Any) -> Any:
    """An email address (a leading ``mailto:`` is removed)."""
    if _empty(value):
        return value
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, _at, domain = text.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")  # münchen.de
    except (UnicodeError, ValueError):
        ascii_domain = ""
    if (len(text) > 254 or not _at or not _EMAIL_LOCAL.match(local)
            or not _DOMAIN.match(ascii_domain)):
        raise tk.Invalid(_("Enter a valid email address, for example name@example.org."))
    return text


def _parse_date(text: str) -> tuple[str, tuple, tuple]:
    """(stored text, earliest instant, latest instant) of an xsd date value."""
    german = _GERMAN_DATE.match(text)
    if german:
        day, month, year = german.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}"
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    y, m, d = int(year), int(month or 1), int(day or 1)
    if y < 1:
        raise ValueError(text)
    dt.date(y, m, d)  # raises ValueError for 2024-02-30
    if hour is not None:
        dt.time(int(hour), int(minute), int(second or 0))
        if zone and zone != "Z" and (int(zone[1:3]) > 14 or int(zone[4:6]) > 59):
            raise ValueError(text)
        if second is None:  # xsd:dateTime needs seconds: 12:00 -> 12:00:00
            text = f"{year}-{month}-{day}T{hour}:{minute}:00{zone or ''}"
        if zone in ("+00:00", "-00:00"):  # XSD's canonical UTC form (RDF writes +00:00)
            text = text[:-6] + "Z"
    if month is None:
        last = (y, 12, 31)
    elif day is None:
        next_month = dt.date(y + m // 12, m % 12 + 1, 1)
        last = (y, m, (next_month - dt.timedelta(days=1)).day)
    else:
        last = (y, m, d)
    return text, (y, m, d), last


def smartcity_xsd_date(value: Any) -> Any:
    """xsd:gYear, gYearMonth, date or dateTime (``2024``, ``2024-05``,
    ``2024-05-31``, ``2024-05-31T12:00:00Z``); ``31.05.2024`` is accepted and
    stored as ``2024-05-31``."""
    if _empty(value):
        return value
    try:
        return _parse_date(str(value).strip())[0]
    except ValueError:
        raise tk.Invalid(_("Enter a date as YYYY-MM-DD (or YYYY, YYYY-MM, or a date and time "
                        "such as 2024-05-31T12:00:00Z).")) from None


def _rows(data: dict, field: str) -> dict[int, dict[str, Any]]:
    """Rows of a repeating field in flattened ``data``: {index: {sub: value}}."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        if len(key) == 3 and key[0] == field and isinstance(key[1], int):
            rows.setdefault(key[1], {})[key[2]] = value
    return rows


def _instant(text: Any, last: bool) -> tuple | None:
    try:
        stored, first, final = _parse_date(str(text).strip())
    except ValueError:
        return None
    time = re.search(r"T([0-9]{2}):([0-9]{2}):([0-9]{2})", stored)
    clock = tuple(int(x) for x in time.groups()) if time else ((23, 59, 59) if last else (0, 0, 0))
    return (final if last else first) + clock


def smartcity_dataset_checks(key, data, errors, context):
    """Dataset-level rules (scheming ``after_validators``), run on validated
    values: exactly one publisher (none yet in a draft); every contact point reachable (email, web
    address or telephone); each period ends not before it starts; no more
    than MAX_LIST_ITEMS rows in a repeating field (keywords included) and no
    more than MAX_DISTRIBUTIONS distributions."""
    publishers = _rows(data, "publisher")
    if not publishers and not is_draft_save(data, context):
        errors.setdefault(("publisher",), []).append(
            _("Name the publishing body (exactly one)."))
    for index in sorted(publishers)[1:]:
        errors.setdefault(("publisher", index, "name"), []).append(
            _("Exactly one publishing body is allowed."))
    for index, row in _rows(data, "contact").items():
        if all(_empty(row.get(sub)) for sub in ("email", "url", "phone")):
            errors.setdefault(("contact", index, "email"), []).append(
                _("Give an email address, a web address or a telephone number."))
    for index, row in _rows(data, "temporal_coverage").items():
        start = _instant(row.get("start"), last=False) if not _empty(row.get("start")) else None
        end = _instant(row.get("end"), last=True) if not _empty(row.get("end")) else None
        if start and end and end < start:
            errors.setdefault(("temporal_coverage", index, "end"), []).append(
                _("The end date must not be before the start date."))
    # distributions have their own cap: a monthly series may have hundreds
    resources = _rows(data, "resources")
    if len(resources) > MAX_DISTRIBUTIONS:  # on the last row: CKAN keeps row errors in rows
        errors.setdefault(("resources", max(resources), "url"), []).append(
            _("At most %(count)s distributions are allowed.") % {"count": MAX_DISTRIBUTIONS})
    for field in {k[0] for k in data if len(k) == 3 and isinstance(k[1], int)} - {"resources"}:
        rows = _rows(data, field)
        if len(rows) > MAX_LIST_ITEMS:
            errors.setdefault((field, max(rows), sorted(rows[max(rows)])[0]), []).append(
                _("At most %(count)s values are allowed.") % {"count": MAX_LIST_ITEMS})


def smartcity_non_negative_integer(value: Any) -> Any:
    """A whole number >= 0 (xsd:nonNegativeInteger), stored as int; an empty
    form field is stored as no value (the column is numeric)."""
    if _empty(value):
        return None if value == "" else value
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,18}", text):
        raise tk.Invalid(_("Enter the size in bytes as a whole number, 0 or more."))
    return int(text)


def smartcity_media_type(value: Any) -> Any:
    """An IANA media type such as ``text/csv``; stored lower-cased."""
    if _empty(value):
        return value
    text = str(value).strip()
    if not _MEDIA_TYPE.match(text):
        raise tk.Invalid(_("Enter a media type such as text/csv or application/json."))
    return text.lower()


def smartcity_duration(value: Any) -> Any:
    """An xsd:duration such as ``P1D`` or ``PT15M``."""
    if _empty(value):
        return value
    text = str(value).strip().upper()
    if not DURATION.match(text):
        raise tk.Invalid(_("Enter a duration in ISO 8601 form, for example P1D (one day) or "
                        "PT15M (15 minutes)."))
    return text


def character_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None: control characters (NUL makes
    PostgreSQL fail, the others make invalid XML in /catalog.rdf) or lone
    surrogates (not encodable as UTF-8)."""
    if _CONTROL.search(text):
        return _("The text contains control characters that are not allowed.")
    if _SURROGATE.search(text):
        return _("The text contains characters that are not valid Unicode.")
    return None


def without_bad_characters(text: str) -> str:
    """``text`` with what character_problem() objects to removed (to name a
    field whose key itself is refused)."""
    return _SURROGATE.sub("", _CONTROL.sub("", text))


def smartcity_no_control_characters(value: Any) -> Any:
    if isinstance(value, str) and (problem := character_problem(value)):
        raise tk.Invalid(problem)
    return value


def thousands(number: int) -> str:
    """A count as both languages of the portal read it: 100.000."""
    return f"{number:,}".replace(",", ".")


def _text(value: Any, limit: int) -> Any:
    """Text as a person typed it (docs/security.md F6): a string, not a list,
    object, number or boolean sent through the API; at most ``limit``
    characters (a 1 MB title was accepted and shown on every list); no control
    characters or lone surrogates; no bidirectional overrides."""
    if value is tk.missing or value is None:
        return value
    if not isinstance(value, str):
        raise tk.Invalid(_("Enter text here, not a list, object, number or true/false value."))
    if len(value) > limit:
        raise tk.Invalid(_("The text is too long: at most %(count)s characters are allowed.")
                      % {"count": thousands(limit)})
    smartcity_no_control_characters(value)
    if _BIDI_OVERRIDE.search(value):
        raise tk.Invalid(_("The text contains characters that reverse the reading direction "
                        "(U+202D, U+202E); they are not allowed."))
    return value


def smartcity_text(value: Any) -> Any:
    """A short text: titles, names, phone numbers, labels."""
    return _text(value, MAX_TEXT_LENGTH)


def smartcity_long_text(value: Any) -> Any:
    """A running text: descriptions, provenance, rights statements."""
    return _text(value, MAX_LONG_TEXT_LENGTH)


def _list_value(key, data, errors, separators: str) -> list[str] | None:
    """The list behind a list field: a list, a JSON list or a string split at
    ``separators`` (parsed by :func:`values`). An empty value is stored as
    ``[]``; None means done (empty or refused with an error)."""
    value = data.get(key)
    if _empty(value):
        data[key] = "[]"
        return None
    try:
        items = values(value, separators, strict=True)
    except ValueError:
        errors[key].append(_("Expected a list of values."))
        return None
    if len(items) > MAX_LIST_ITEMS:
        errors[key].append(_("At most %(count)s values are allowed.") % {"count": MAX_LIST_ITEMS})
        return None
    return items


def _language() -> str:
    """The page or API language; German outside a request (CLI, jobs)."""
    if not tk.request:  # an unbound proxy is false
        return "de"
    return tk.request.environ.get("CKAN_LANG") or "de"


def _may_search_similar() -> bool:
    """Whether this request has searches for similar values left (outside a
    request, always)."""
    if not tk.request:
        return True
    done = getattr(tk.g, "smartcity_similar_searches", 0)
    tk.g.smartcity_similar_searches = done + 1
    return done < MAX_SIMILAR_SEARCHES


def _shown(concept: dict[str, Any], language: str) -> str:
    """A concept as a steward may type it: its label, and its code where
    that differs (``WMS (WMS_SRVC)``)."""
    labels = concept.get("labels", {})
    label = labels.get(language) or labels.get("en") or concept["code"]
    return label if label.lower() == concept["code"].lower() else f"{label} ({concept['code']})"


def _examples(field: dict[str, Any], value: str) -> list[str]:
    """Valid values to name next to an unknown ``value``: the most similar
    codes and labels first, then the field's ``vocabulary_examples``."""
    name = field["vocabulary"]
    found: list[dict[str, Any]] = []
    concepts = vocab.concepts(name)
    if len(concepts) <= MAX_SIMILAR_SEARCH and _may_search_similar():
        written: dict[str, dict[str, Any]] = {}
        for concept in concepts:
            for text in (concept["code"], *concept.get("labels", {}).values()):
                written.setdefault(text.lower(), concept)
        similar = difflib.get_close_matches(value.strip().lower(), written, n=MAX_SIMILAR,
                                            cutoff=SIMILARITY)
        found += [written[text] for text in similar]
    for code in field.get("vocabulary_examples", "").split():
        if (concept := vocab.find(name, code)) is not None:
            found.append(concept)
    language = _language()
    return list(dict.fromkeys(_shown(c, language) for c in found))[:MAX_EXAMPLES]


def _not_in_vocabulary(field: dict[str, Any], value: str) -> str:
    """The error for a value outside the field's vocabulary, with a few valid
    values where there are some to suggest."""
    message = _("“%(value)s” is not in the list of allowed values.") % {"value": value[:100]}
    examples = _examples(field, value[:100])
    if examples:
        message += " " + _("For example: %(values)s.") % {"values": ", ".join(examples)}
    return message


@scheming_validator
def smartcity_vocabulary(field, schema):
    """One value of ``field['vocabulary']``, given as URI, code, alias or
    unambiguous label (case-insensitive, :func:`vocab.resolve`: ``WMS`` is
    the file type ``WMS_SRVC``); stored as the concept's ``vocabulary_key``
    (default ``uri``). A list with more than one value is refused."""
    name = field["vocabulary"]
    key = field.get("vocabulary_key", "uri")

    def validator(value):
        if _empty(value):
            return value
        if isinstance(value, list):
            if len(value) != 1:
                raise tk.Invalid(_("Choose exactly one value."))
            value = value[0]
        stored = vocab.resolve_canonical(name, value, key) if isinstance(value, str) else None
        if stored is None:
            raise tk.Invalid(_not_in_vocabulary(field, str(value)))
        return stored
    return validator


@scheming_validator
def smartcity_vocabulary_multiple(field, schema):
    """Values of ``field['vocabulary']`` as a list, a JSON list or a
    comma-separated string; stored as a JSON list of URIs, without duplicates."""
    name = field["vocabulary"]
    key = field.get("vocabulary_key", "uri")

    def validator(key_, data, errors, context):
        value = _list_value(key_, data, errors, r",")
        if value is None:
            return
        stored: list[str] = []
        for item in value:
            canonical = vocab.resolve_canonical(name, item, key)
            if canonical is None:
                errors[key_].append(_not_in_vocabulary(field, item))
            elif canonical not in stored:
                stored.append(canonical)
        if not errors[key_]:
            data[key_] = json.dumps(stored)
    return validator


def _checked_list(separators: str, check):
    """A list field's validator: the values (see :func:`_list_value`), each
    through ``check`` (its stored form, "" to skip it, or tk.Invalid),
    stored as a JSON list without duplicates."""
    def validator(key_, data, errors, context):
        value = _list_value(key_, data, errors, separators)
        if value is None:
            return
        stored: list[str] = []
        for item in value:
            try:
                checked = check(item)
            except tk.Invalid as error:
                errors[key_].append(error.error)
                return
            if checked and checked not in stored:
                stored.append(checked)
        data[key_] = json.dumps(stored)
    return validator


@scheming_validator
def smartcity_url_list(field, schema):
    """http(s) URLs as a list, JSON list or newline/comma-separated string;
    stored as a JSON list."""
    return _checked_list(r"[\n,]", lambda item: smartcity_http_url(item) if item.strip() else "")


@scheming_validator
def smartcity_text_list(field, schema):
    """Short texts (identifiers) as a list, a JSON list or a newline-separated
    string, each checked as :func:`smartcity_text`; stored as a JSON list of
    stripped texts, without empty entries or duplicates."""
    return _checked_list(r"\n", lambda item: smartcity_text(item).strip())


def smartcity_checksum(key, data, errors, context):
    """On ``hash`` of a distribution: a hex digest whose length fits the
    chosen ``hash_algorithm``; an algorithm is required with a checksum."""
    value = data.get(key)
    if _empty(value):
        return
    text = str(value).strip().lower()
    algorithm = data.get(key[:-1] + ("hash_algorithm",))
    if isinstance(algorithm, list) and len(algorithm) == 1:
        algorithm = algorithm[0]
    concept = vocab.find("checksum-algorithm", algorithm) if isinstance(algorithm, str) else None
    if concept is None:
        # an unknown algorithm gets its own error on hash_algorithm
        if _empty(algorithm):
            errors[key].append(_("Choose the checksum algorithm as well."))
        return
    length = DIGEST_LENGTH[concept["code"]]
    if len(text) != length or not re.fullmatch(r"[0-9a-f]+", text):
        errors[key].append(_("The checksum must be the hexadecimal value of the chosen "
                             "algorithm (%(length)s characters).") % {"length": length})
        return
    data[key] = text


def smartcity_upload_or_http_url(key, data, errors, context):
    """The distribution's access URL: an http(s) URL, or the file name of an
    upload (``url_type`` = ``upload``)."""
    value = data.get(key)
    if _empty(value):
        return
    if data.get(key[:-1] + ("url_type",)) == "upload":
        return
    try:
        data[key] = smartcity_http_url(value)
    except tk.Invalid as error:
        errors[key].append(error.error)


def smartcity_guess_format(key, data, errors, context) -> None:
    """An empty format of a new *uploaded* file from its name
    (``baustellen.csv`` -> CSV), when the EU file-type list knows the
    extension or media type; otherwise it stays empty (the steward chooses).
    A link keeps what its steward gave: its address says little about what
    it serves. Runs before ``ignore_missing``; CKAN's ``if_empty_guess_format``
    would store a media type, which is not a code of the list."""
    if (not _empty(data.get(key)) or data.get(key[:-1] + ("id",))
            or data.get(key[:-1] + ("url_type",)) != "upload"):
        return
    url = data.get(key[:-1] + ("url",))
    if not isinstance(url, str) or not url:
        return
    path = urlsplit(url).path
    extension = path.rpartition(".")[2] if "." in path.rpartition("/")[2] else ""
    media_type = mimetypes.guess_type(path)[0] or ""
    for candidate in (extension, media_type):
        stored = vocab.resolve_canonical("eu-file-type", candidate, "code") if candidate else None
        if stored:
            data[key] = stored
            return


def get_validators() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
