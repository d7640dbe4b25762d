"""The German texts of CKAN's JavaScript modules (the table preview's
buttons, "Filter hinzufügen" above a filterable view, the upload field).

The browser asks ``/api/i18n/<lang>`` for them; CKAN answers from JSON
files that only ``ckan run`` and ``ckan translation js`` write. A portal
served by gunicorn (``deploy/wsgi.py``) never runs either, so every
JavaScript text stayed English on the German portal. Building them when
the web application is made does what ``ckan run`` does before it serves.

CKAN makes the web application for every ``ckan`` command too, so a CLI
command also writes them when a .po file is newer than its JavaScript file
(a start with fresh files costs about 30 ms). Run the portal's commands as
the user that serves it, or the files belong to another user and stay as
they are (logged). Without ``ckan.storage_path`` they go to CKAN's temporary
directory. A site that prefers a deploy step runs ``ckan translation js``.
"""
from __future__ import annotations

import fcntl
import logging
import os

from ckan.lib import i18n

log = logging.getLogger(__name__)


def ensure_built() -> bool:
    """Write the JavaScript catalogues of CKAN and of every ITranslation
    plugin into ``<storage_path>/i18n/js``; only those older than their
    .po files are written again, so a start with fresh files costs a few
    milliseconds. True when they are in place; a storage that cannot be
    written is logged and the portal starts anyway (with English
    JavaScript texts)."""
    target = i18n.get_js_translations_dir()
    try:
        os.makedirs(target, exist_ok=True)
        # gunicorn's workers start side by side: one writes, the others wait
        # and then find the files fresh
        with open(os.path.join(target, ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            i18n.build_js_translations()
    except Exception as error:  # noqa: BLE001 - best effort: the portal starts anyway
        log.warning("JavaScript translations not built in %s: %s", target, error)
        return False
    return True
