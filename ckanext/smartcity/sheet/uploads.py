"""An uploaded sheet waits here between its check and its confirmation.

Each upload is one file under ``<ckan.storage_path>/smartcity-sheets/``
(the system's temporary directory when the site has no file store), named
by a random token. The token is good for one confirmation, by the same user
for the same organisation, within ``KEEP_SECONDS``; older files are removed
whenever a new one is kept, and at most ``PER_USER`` wait per user. The
state and report of a queued check or import (``jobs.py``) lie beside them
as ``<token>.result`` (docs/bulk-onboarding.md, docs/security.md)."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
import time

import ckan.plugins.toolkit as tk

KEEP_SECONDS = 3600
PER_USER = 5
RESULT_SECONDS = 86400  # a queued check's or import's report
JOB_SECONDS = 6 * 3600  # an upload a confirmed import waits on (not capped per user)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _directory() -> str:
    base = tk.config.get("ckan.storage_path") or tempfile.gettempdir()
    path = os.path.join(base, "smartcity-sheets")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _prune(directory: str) -> None:
    now = time.time()
    for entry in os.scandir(directory):
        keep_for = RESULT_SECONDS if entry.name.endswith(".result") else \
            JOB_SECONDS if entry.name.endswith(".job") else KEEP_SECONDS
        try:
            if entry.stat().st_mtime < now - keep_for:
                os.unlink(entry.path)
        except OSError:
            pass  # another worker removed it first


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def keep(data: bytes, filename: str, user_id: str, org_id: str, writes: int = 0,
         for_job: bool = False) -> str:
    """Keep an upload; ``writes``: the rows its check would write;
    ``for_job``: a confirmed import waits on it (kept longer, never capped)."""
    directory = _directory()
    _prune(directory)
    if not for_job:
        _cap(directory, user_id)
    token = new_token()
    header = json.dumps({"user": user_id, "org": org_id, "filename": filename[:200],
                         "writes": writes})
    path = os.path.join(directory, token + (".job" if for_job else ""))
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(header.encode("utf-8") + b"\n" + data)
    return token


def _cap(directory: str, user_id: str) -> None:
    """At most ``PER_USER`` uploads wait per user; the oldest go first."""
    mine = []
    for entry in os.scandir(directory):
        if TOKEN.match(entry.name):
            try:
                with open(entry.path, "rb") as kept:
                    if json.loads(kept.readline()).get("user") == user_id:
                        mine.append((entry.stat().st_mtime, entry.path))
            except (OSError, ValueError):
                continue
    for _mtime, path in sorted(mine)[:max(0, len(mine) - PER_USER + 1)]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _read(token: str, user_id: str, org_id: str,
          for_job: bool = False) -> tuple[str, bytes, str] | None:
    if not TOKEN.match(token or ""):
        return None
    path = os.path.join(_directory(), token + (".job" if for_job else ""))
    try:
        if os.stat(path).st_mtime < time.time() - (JOB_SECONDS if for_job else KEEP_SECONDS):
            os.unlink(path)
            return None
        with open(path, "rb") as kept:
            header, _, data = kept.read().partition(b"\n")
    except OSError:
        return None
    meta = json.loads(header)
    if meta.get("user") != user_id or meta.get("org") != org_id:
        return None
    return path, data, meta.get("filename") or "sheet.xlsx"


def planned_writes(token: str, user_id: str, org_id: str) -> int:
    """The rows the upload's check said it would write (0 when unknown)."""
    if not TOKEN.match(token or ""):
        return 0
    try:
        with open(os.path.join(_directory(), token), "rb") as kept:
            meta = json.loads(kept.readline())
    except (OSError, ValueError):
        return 0
    if meta.get("user") != user_id or meta.get("org") != org_id:
        return 0
    return int(meta.get("writes") or 0)


def set_writes(token: str, user_id: str, org_id: str, writes: int) -> None:
    """Record what a queued check found (the confirmation decides by it)."""
    found = _read(token, user_id, org_id)
    if found is None:
        return
    path, data, filename = found
    header = json.dumps({"user": user_id, "org": org_id, "filename": filename,
                         "writes": writes})
    temporary = path + ".tmp"
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(header.encode("utf-8") + b"\n" + data)
    os.replace(temporary, path)


def peek(token: str, user_id: str, org_id: str) -> tuple[bytes, str] | None:
    """The kept upload (data, file name), left in place (a queued check)."""
    found = _read(token, user_id, org_id)
    return (found[1], found[2]) if found else None


def take(token: str, user_id: str, org_id: str,
         for_job: bool = False) -> tuple[bytes, str] | None:
    """The kept upload (data, file name) once, or None when the token is
    unknown, expired, or belongs to someone else or another organisation."""
    found = _read(token, user_id, org_id, for_job)
    if found is None:
        return None
    path, data, filename = found
    try:
        os.unlink(path)  # one confirmation per check
    except OSError:
        return None  # a second, simultaneous confirmation lost the race
    return data, filename


SUMMARY = ("state", "kind", "filename", "queued", "job")


def put_result(token: str, user_id: str, org_id: str, result: dict) -> None:
    """Store the state or report of a queued check or import
    (``sheet/jobs.py``): a first line with the owner and the summary the
    page lists, then the whole result."""
    path = os.path.join(_directory(), token + ".result")
    header = {"user": user_id, "org": org_id,
              **{key: result[key] for key in SUMMARY if key in result}}
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        json.dump(result, out, ensure_ascii=False)
    os.replace(temporary, path)  # readers never see half a report


def _result_header(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as kept:
            return json.loads(kept.readline())
    except (OSError, ValueError):
        return None


def result(token: str, user_id: str, org_id: str) -> dict | None:
    """The stored state or report of a queued check or import, for its own
    user and organisation only; None when unknown or expired."""
    if not TOKEN.match(token or ""):
        return None
    try:
        with open(os.path.join(_directory(), token + ".result"), encoding="utf-8") as kept:
            header = json.loads(kept.readline())
            if header.get("user") != user_id or header.get("org") != org_id:
                return None
            return json.loads(kept.read())
    except (OSError, ValueError):
        return None


def drop_result(token: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(_directory(), token + ".result"))


def recent(user_id: str, org_id: str, limit: int = 5) -> list[dict]:
    """This user's queued checks and imports for this organisation, newest
    first (token, time, stored state), so a steward who left the page finds
    them again."""
    found = []
    for entry in os.scandir(_directory()):
        name = entry.name.removesuffix(".result")
        if not entry.name.endswith(".result") or not TOKEN.match(name):
            continue
        header = _result_header(entry.path)  # the first line only, never a whole report
        if header and header.get("user") == user_id and header.get("org") == org_id:
            found.append({**header, "token": name, "time": entry.stat().st_mtime})
    return sorted(found, key=lambda item: item["time"], reverse=True)[:limit]
