"""Messages kept for later, in German and English at once.

A message shown in a request goes through ``tk._()`` and comes in the
language of the page. A message stored for later display (harvest job and
object errors a steward reads on the job page, URL check results) or
printed by a command (``ckan smartcity check-categories``) is made where
no request decides the language (``tk._()`` outside a request returns the
English msgid, or fails inside an app context without one). Those messages
go through :func:`bilingual`: the msgid is English, the German comes from
the extension's catalogue (``i18n/de``), and the stored text is
"Deutsch / English", readable whoever opens it later.

Translators: ``bilingual`` is a gettext keyword like ``_`` (the first
argument is the msgid; ``pybabel extract -k bilingual``).
"""
from __future__ import annotations

import gettext
import os
from functools import lru_cache

DOMAIN = "ckanext-smartcity"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")


@lru_cache(maxsize=1)
def _german() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["de"], fallback=True)


def bilingual(msgid: str, **params: object) -> str:
    """``msgid`` (English, with ``%(name)s`` placeholders filled from
    ``params``) as "German / English"; the English alone when the catalogue
    has no different German text."""
    english = msgid % params if params else msgid
    german = _german().gettext(msgid)
    german = german % params if params else german
    return english if german == english else f"{german} / {english}"
