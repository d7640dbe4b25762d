"""The one parser of stored list fields (categories, themes, keywords...):
CKAN and scheming hand them over as a list, a JSON list or a single value."""
from __future__ import annotations

import json
from typing import Any


def values(value: Any) -> list[str]:
    """A stored list field as a list of strings: a list, a JSON list, or a
    single value (empty, None and jinja's Undefined give [])."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value)
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except (ValueError, TypeError):
            pass
    return [text]
