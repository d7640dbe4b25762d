"""Drafts that may be incomplete: what a draft still lacks for publication
(placeholder until it lands)."""
from __future__ import annotations


def get_blueprints():
    return []


def get_helpers():
    return {}
