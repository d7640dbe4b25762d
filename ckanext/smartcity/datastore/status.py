"""The DataStore state of a resource as the steward reads it on the
resource page: loaded, waiting, or failed with a short reason in the page
language. xloader's own errors are English technical texts (tracebacks,
HTTP details); they are mapped to a few plain reasons here and never shown
raw (registered as the ``smartcity_datastore_status`` helper)."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

_WAITING = ("submitting", "pending", "running", "running_but_viewable")
_TOO_LARGE = re.compile(r"Data too large to load into Datastore: (\d+) bytes > max (\d+) bytes")


def _reason(error: Any) -> str:
    """A plain sentence for xloader's (or our own, see limits.py) error."""
    if isinstance(error, dict) and error.get("smartcity_reason") == "rows":
        return tk._("The file has %(rows)s rows; the portal loads at most %(max)s rows "
                    "into the DataStore.") % {"rows": tk.h.localised_number(int(error["rows"])),
                                             "max": tk.h.localised_number(int(error["max_rows"]))}
    if isinstance(error, dict) and error.get("smartcity_reason") == "address":
        return tk._("The file's address points into a private network; the portal "
                    "does not fetch it.")
    text = error.get("message", "") if isinstance(error, dict) else str(error or "")
    if match := _TOO_LARGE.search(text):
        return tk._("The file is too large for the DataStore (%(size)s; at most "
                    "%(max)s).") % {"size": tk.h.localised_filesize(int(match[1])),
                                    "max": tk.h.localised_filesize(int(match[2]))}
    if "timed out" in text:
        return tk._("Loading took too long and was stopped.")
    if "bad HTTP response" in text or "status=" in text or "Only http, https, and ftp" in text:
        return tk._("The file could not be downloaded from its address.")
    return tk._("The file could not be read as a table: it may not really be a file of "
                "its stated format (for example a spreadsheet saved as .csv), be empty, "
                "or have a column without a header.")


def smartcity_datastore_status(resource: dict[str, Any]) -> dict[str, str] | None:
    """For users who may edit the resource: ``{"state": "loaded" | "waiting"
    | "failed", "message": ...}``; None for everyone else, for resources
    xloader never saw, and on sites without xloader."""
    try:
        status_action = tk.get_action("xloader_status")
    except KeyError:
        return None
    if not tk.h.check_access("resource_update", {"id": resource.get("id")}):
        return None
    try:
        status = status_action({"ignore_auth": True}, {"resource_id": resource["id"]})
    except tk.ObjectNotFound:
        return None
    state = status.get("status")
    if state == "error":
        return {"state": "failed", "message": _reason(status.get("error"))}
    if state in _WAITING:
        return {"state": "waiting",
                "message": tk._("The table is being loaded into the DataStore.")}
    if state == "complete" and resource.get("datastore_active"):
        return {"state": "loaded",
                "message": tk._("The table is loaded into the DataStore and can be "
                                "queried through the API.")}
    return None


# ckanext-xloader 2.6.0 stores its job's metadata on the resource when a load
# succeeds (jobs.set_datastore_active -> set_resource_metadata): addresses,
# queue, flags and timestamps that mean nothing to citizens or harvesters and
# showed up on the resource page ("Ckan url", "Queue name", ...).
XLOADER_JOB_KEYS = ("ckan_url", "ignore_hash", "original_url", "queue_name", "resource_id",
                    "set_url_type", "task_created", "tries")


def hide_job_metadata(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource without xloader's job metadata (in place, returned)."""
    for key in XLOADER_JOB_KEYS:
        resource.pop(key, None)
    return resource


def get_helpers() -> dict[str, Any]:
    return {"smartcity_datastore_status": smartcity_datastore_status}
