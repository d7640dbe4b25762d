"""The one parser of stored list fields (categories, themes, keywords...):
CKAN and scheming hand them over as a list, a JSON list or a single value;
forms, API clients and core-schema extras also send separated text."""
from __future__ import annotations

import json
import re
from typing import Any


def values(value: Any, separators: str | None = None, *, strict: bool = False) -> list[str]:
    """A list field as a list of strings: a list, a JSON list, or a single
    value (empty, None and jinja's Undefined give []).

    ``separators`` (a regular expression, e.g. ``r"[\\n,]"``) splits a text
    that is not a JSON list, as forms and core-schema extras send it; the
    parts are stripped and empty parts dropped. Without it such a text is one
    value, as stored.

    ``strict`` (for validators of input) raises ValueError instead of
    mending what is not a list of texts: a broken JSON list, a list holding
    numbers or objects, a value that is neither text nor list.
    """
    if strict and not isinstance(value, (str, list)):
        raise ValueError("not a list of texts")
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        if strict and not all(isinstance(v, str) for v in value):
            raise ValueError("not a list of texts")
        return [str(v) for v in value]
    text = str(value)
    if text.lstrip().startswith("["):
        try:
            return values(json.loads(text), strict=strict)
        except ValueError:
            if strict:
                raise
    if separators is None:
        return [text]
    return [part.strip() for part in re.split(separators, text) if part.strip()]
