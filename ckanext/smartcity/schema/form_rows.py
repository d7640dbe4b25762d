"""The web form's flat keys of repeating fields (``contact-0-email``).

scheming expands them into lists only during validation, so code that runs
before it (organisation defaults, empty-row clean-up) or after a refused
save (re-showing the form) reads them here, in one way.
"""
from __future__ import annotations

from typing import Any


def flat_rows(data: dict[Any, Any], name: str) -> dict[str, dict[str, str]]:
    """{index: {subfield: key}} for the keys ``name-index-subfield`` of ``data``."""
    prefix = f"{name}-"
    rows: dict[str, dict[str, str]] = {}
    for key in data:
        if isinstance(key, str) and key.startswith(prefix):
            index, _sep, sub = key[len(prefix):].partition("-")
            rows.setdefault(index, {})[sub] = key
    return rows
