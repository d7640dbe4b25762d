"""What the portal refuses to load into the DataStore, decided before a
job is queued (ckanext-xloader's ``IXloader.can_upload``):

- an uploaded file with more rows than ``ckanext.smartcity.datastore.max_rows``
  (CSV/TSV: lines after the header; XLSX: rows of the first sheet);
- a linked file whose host resolves to a private or local address, unless
  the address lies in ``ckanext.smartcity.datastore.allowed_networks``
  (SSRF, docs/datastore.md and docs/security.md).

The size cap is xloader's own (``ckanext.xloader.max_content_length``),
checked while it downloads. A refusal is stored where xloader stores its
own job states (the resource's ``xloader`` task status), so the steward
sees it like any other failure (:mod:`.status`)."""
from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import logging
import os
import re
from typing import Any

import ckan.plugins.toolkit as tk
import openpyxl
from ckan import model
from ckan.lib import uploader

from ckanext.smartcity import net

log = logging.getLogger(__name__)

MAX_ROWS_OPTION = "ckanext.smartcity.datastore.max_rows"
ALLOWED_NETWORKS_OPTION = "ckanext.smartcity.datastore.allowed_networks"
DEFAULT_MAX_ROWS = 1_000_000
_TEXT_FORMATS = ("csv", "text/csv", "application/csv", "tsv", "text/tab-separated-values")
_XLSX_FORMATS = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_CHUNK = 1024 * 1024
_MD5 = re.compile(r"[0-9a-f]{32}")
MD5_URI = "http://spdx.org/rdf/terms#checksumAlgorithm_md5"


def _utcnow() -> datetime.datetime:
    """Naive UTC, as xloader writes its task times."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def max_rows() -> int:
    """The row cap; 0 means no cap."""
    return int(tk.config.get(MAX_ROWS_OPTION, DEFAULT_MAX_ROWS) or 0)


def _count_text_rows(path: str) -> int:
    """Lines after the header (a newline inside a quoted cell counts too:
    a cheap upper bound, read in 1 MB chunks)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _count_xlsx_rows(path: str) -> int | None:
    """Rows after the header of the first sheet (the one xloader loads)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - a broken file is xloader's to report
        return None
    try:
        return max((book.worksheets[0].max_row or 0) - 1, 0) if book.worksheets else 0
    finally:
        book.close()


def uploaded_rows(resource: dict[str, Any]) -> int | None:
    """Rows of an uploaded CSV/TSV/XLSX file in the file store; None when
    unknown (not uploaded, missing, another format)."""
    if resource.get("url_type") != "upload":
        return None
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    if not os.path.isfile(path):
        return None
    fmt = (resource.get("format") or "").lower()
    if fmt in _TEXT_FORMATS:
        return _count_text_rows(path)
    if fmt in _XLSX_FORMATS:
        return _count_xlsx_rows(path)
    return None


def _policy() -> net.Policy:
    networks = tuple(ipaddress.ip_network(n, strict=False)
                     for n in (tk.config.get(ALLOWED_NETWORKS_OPTION) or "").split())
    return net.Policy(allowed_networks=networks, connect_timeout=5.0)


def refusal(resource: dict[str, Any]) -> dict[str, Any] | None:
    """Why ``resource`` is not loaded (an error dict with ``message`` in
    English, ``smartcity_reason`` and its figures), or None to load it."""
    cap = max_rows()
    rows = uploaded_rows(resource)
    if cap and rows is not None and rows > cap:
        return {"message": f"The file has {rows} rows; at most {cap} are loaded.",
                "smartcity_reason": "rows", "rows": rows, "max_rows": cap}
    if resource.get("url_type") != "upload":
        try:
            net.check_url(resource.get("url") or "", _policy())
        except net.FetchError as error:
            return {"message": str(error), "smartcity_reason": "address"}
    return None


def name_checksum_algorithm(context: dict[str, Any], current: dict[str, Any],
                            resource: dict[str, Any]) -> None:
    """When xloader (as the site user) stores a new MD5 in ``hash``, name
    the algorithm too; a steward's own checksum is left to the schema."""
    digest = str(resource.get("hash") or "")
    if (context.get("user") == tk.config.get("ckan.site_id")
            and digest != (current.get("hash") or "") and _MD5.fullmatch(digest)):
        resource["hash_algorithm"] = MD5_URI


def record_refusal(resource_id: str, error: dict[str, Any]) -> None:
    """Store the refusal as the resource's xloader task in state ``error``
    (a session of its own: this runs inside the resource's save)."""
    context = {"session": model.meta.create_local_session(), "ignore_auth": True}
    task = {"entity_id": resource_id, "entity_type": "resource", "task_type": "xloader",
            "key": "xloader", "state": "error", "value": "{}",
            "error": json.dumps(error),
            "last_updated": str(_utcnow())}
    with contextlib.suppress(tk.ObjectNotFound):
        task["id"] = tk.get_action("task_status_show")(
            dict(context), {"entity_id": resource_id, "task_type": "xloader",
                            "key": "xloader"})["id"]
    tk.get_action("task_status_update")(context, task)
    log.info("DataStore: resource %s not loaded: %s", resource_id, error["message"])
