"""``ckan smartcity sheet export|import`` (placeholder until they land)."""
from __future__ import annotations


def get_commands():
    return []
