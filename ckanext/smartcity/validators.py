"""Validators of the DCAT-AP.de schema (registered for scheming by name).

Messages are English msgids translated by the extension's catalogue
(``i18n/de``), so a steward sees them in the language of the page or API
route (``/de/...``, ``/en/...``). Every validator states what it accepts and
the form it stores.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing
from ckanext.scheming.validation import scheming_validator

from ckanext.smartcity import vocab

_ = tk._

MAX_URL_LENGTH = 2000
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})"
                   r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
                         r"(?:\s*;\s*[a-z0-9!#$&^_.+-]+=[^;\s]+)*$", re.IGNORECASE)
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
# hex digest length per checksum algorithm (SPDX names, as in DCAT-AP 3)
_DIGEST_LENGTH = {"md2": 32, "md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def smartcity_http_url(value: Any) -> Any:
    """An absolute http(s) URL; stored stripped."""
    if _empty(value):
        return value
    text = str(value).strip()
    parts = urlsplit(text) if len(text) <= MAX_URL_LENGTH else None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or any(ch.isspace() or ord(ch) < 32 for ch in text)):
        raise Invalid(_("Enter a web address that starts with http:// or https://."))
    return text


def smartcity_email(value: Any) -> Any:
    """An email address (a leading ``mailto:`` is removed)."""
    if _empty(value):
        return value
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if len(text) > 254 or not _EMAIL.match(text):
        raise Invalid(_("Enter a valid email address, for example name@example.org."))
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
    year, month, day, hour, minute, second, _zone = match.groups()
    y, m, d = int(year), int(month or 1), int(day or 1)
    dt.date(y, m, d)  # raises ValueError for 2024-02-30
    if hour is not None:
        dt.time(int(hour), int(minute), int(second or 0))
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
        raise Invalid(_("Enter a date as YYYY-MM-DD (or YYYY, YYYY-MM, or a date and time "
                        "such as 2024-05-31T12:00:00Z)."))


def smartcity_end_after_start(key, data, errors, context):
    """On ``end`` of a repeating period: the end is not before the start."""
    end = data.get(key)
    start = data.get(key[:-1] + ("start",))
    if _empty(end) or _empty(start) or errors.get(key) or errors.get(key[:-1] + ("start",)):
        return
    try:
        _t, first, _l = _parse_date(str(start))
        _t, _f, last = _parse_date(str(end))
    except ValueError:
        return
    if last < first:
        errors[key].append(_("The end date must not be before the start date."))


def smartcity_non_negative_integer(value: Any) -> Any:
    """A whole number >= 0 (xsd:nonNegativeInteger), stored as int."""
    if _empty(value):
        return value
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,18}", text):
        raise Invalid(_("Enter the size in bytes as a whole number, 0 or more."))
    return int(text)


def smartcity_media_type(value: Any) -> Any:
    """An IANA media type such as ``text/csv``; stored lower-cased."""
    if _empty(value):
        return value
    text = str(value).strip()
    if not _MEDIA_TYPE.match(text):
        raise Invalid(_("Enter a media type such as text/csv or application/json."))
    return text.lower()


def smartcity_duration(value: Any) -> Any:
    """An xsd:duration such as ``P1D`` or ``PT15M``."""
    if _empty(value):
        return value
    text = str(value).strip().upper()
    if not _DURATION.match(text):
        raise Invalid(_("Enter a duration in ISO 8601 form, for example P1D (one day) or "
                        "PT15M (15 minutes)."))
    return text


def smartcity_no_control_characters(value: Any) -> Any:
    if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value):
        raise Invalid(_("The text contains control characters that are not allowed."))
    return value


@scheming_validator
def smartcity_vocabulary(field, schema):
    """One value of ``field['vocabulary']``, given as URI, code or alias
    (case-insensitive); stored as the concept's ``vocabulary_key`` (default
    ``uri``). A list with more than one value is refused."""
    name = field["vocabulary"]
    key = field.get("vocabulary_key", "uri")

    def validator(value):
        if _empty(value):
            return value
        if isinstance(value, list):
            if len(value) != 1:
                raise Invalid(_("Choose exactly one value."))
            value = value[0]
        stored = vocab.canonical(name, value, key) if isinstance(value, str) else None
        if stored is None:
            raise Invalid(_("“%(value)s” is not in the list of allowed values.")
                          % {"value": str(value)[:100]})
        return stored
    return validator


@scheming_validator
def smartcity_vocabulary_multiple(field, schema):
    """Values of ``field['vocabulary']`` as a list, a JSON list or a
    comma-separated string; stored as a JSON list of URIs, without duplicates."""
    name = field["vocabulary"]
    key = field.get("vocabulary_key", "uri")

    def validator(key_, data, errors, context):
        value = data.get(key_)
        if _empty(value):
            data[key_] = "[]"
            return
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    value = None
            else:
                value = [part for part in (p.strip() for p in text.split(",")) if part]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[key_].append(_("Expected a list of values."))
            return
        stored: list[str] = []
        for item in value:
            canonical = vocab.canonical(name, item, key)
            if canonical is None:
                errors[key_].append(_("“%(value)s” is not in the list of allowed values.")
                                    % {"value": item[:100]})
            elif canonical not in stored:
                stored.append(canonical)
        if not errors[key_]:
            data[key_] = json.dumps(stored)
    return validator


@scheming_validator
def smartcity_url_list(field, schema):
    """http(s) URLs as a list, JSON list or newline/comma-separated string;
    stored as a JSON list."""
    def validator(key_, data, errors, context):
        value = data.get(key_)
        if _empty(value):
            data[key_] = "[]"
            return
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    value = None
            else:
                value = [p.strip() for p in re.split(r"[\n,]", text) if p.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[key_].append(_("Expected a list of values."))
            return
        stored = []
        for item in value:
            if not item.strip():
                continue
            try:
                url = smartcity_http_url(item)
            except Invalid as error:
                errors[key_].append(error.error)
                return
            if url not in stored:
                stored.append(url)
        data[key_] = json.dumps(stored)
    return validator


def smartcity_checksum(key, data, errors, context):
    """On ``hash`` of a distribution: a hex digest whose length fits the
    chosen ``hash_algorithm``; an algorithm is required with a checksum."""
    value = data.get(key)
    if _empty(value):
        return
    text = str(value).strip().lower()
    algorithm_uri = data.get(key[:-1] + ("hash_algorithm",))
    if _empty(algorithm_uri):
        errors[key].append(_("Choose the checksum algorithm as well."))
        return
    algorithm = str(algorithm_uri).rsplit("_", 1)[-1].lower()
    length = _DIGEST_LENGTH.get(algorithm)
    if not re.fullmatch(r"[0-9a-f]+", text) or (length and len(text) != length):
        errors[key].append(_("The checksum must be the hexadecimal value of the chosen "
                             "algorithm (%(length)s characters).") % {"length": length or "?"})
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
    except Invalid as error:
        errors[key].append(error.error)


def get_validators() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
