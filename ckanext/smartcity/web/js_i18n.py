"""The German texts of CKAN's JavaScript modules (the table preview's
buttons, "Filter hinzufügen" above a filterable view, the upload field).

The browser asks ``/api/i18n/<lang>`` for them; CKAN answers from JSON
files that only ``ckan run`` and ``ckan translation js`` write. A portal
served by gunicorn (``deploy/wsgi.py``) never runs either, so every
JavaScript text stayed English on the German portal. Building them when
the web application is made does what ``ckan run`` does before it serves.
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
        # and then find the files fresh, so no request reads a half file
        with open(os.path.join(target, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            i18n.build_js_translations()
    except OSError as error:
        log.warning("JavaScript translations not built in %s: %s", target, error)
        return False
    return True
