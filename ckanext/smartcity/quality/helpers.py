"""Template helper of the quality panel on the dataset page."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.quality.actions import CONFIG_PUBLIC

log = logging.getLogger(__name__)


def smartcity_quality_report(package_id: str) -> dict[str, Any] | None:
    """The quality report of a dataset for the dataset page: the full one for
    its editors, the summary where the site publishes it, else None."""
    if not tk.asbool(tk.config.get(CONFIG_PUBLIC)):
        try:
            tk.check_access("package_update", {}, {"id": package_id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return None  # the common case (visitors) costs no second package_show
    try:
        return tk.get_action("smartcity_quality_show")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    except Exception:  # the report is advisory: never a 500 on the dataset page
        log.warning("quality report of %s failed", package_id, exc_info=True)
        return None


def get_helpers() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
