"""What the benchmark scripts share: the machine line, appending a
section to docs/benchmarks.md (and printing it), and a database of the
benchmark's own."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import contextlib
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"


def publish(text: list[str], out: str | None) -> None:
    print("\n".join(text))
    if out:
        with open(os.path.join(ROOT, out), "a", encoding="utf-8") as handle:
            handle.write("\n".join(text))


def write_section(path: str, heading: str, lines: list[str]) -> None:
    """Replace the section ``heading`` of ``path`` (up to the next "## "
    heading) by ``lines``, or append it after a blank line; every other byte
    of the file stays as it is."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            old = handle.read()
    except FileNotFoundError:
        old = ""
    parts = old.split("\n")
    if heading in parts:
        start = parts.index(heading)
        end = next((i for i in range(start + 1, len(parts)) if parts[i].startswith("## ")),
                   len(parts))
        new = "\n".join(parts[:start] + lines + parts[end:])
    else:
        gap = "" if not old or old.endswith("\n\n") else "\n" if old.endswith("\n") else "\n\n"
        new = old + gap + "\n".join(lines)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(new)


def in_own_database(label: str, database: str, ini: str, measure: Callable[[str], Any],
                    failure: type[Exception]) -> Any | None:
    """``measure(ini)`` against the benchmark's database ``database`` (made by
    create_database, whose ini is ``ini``), with stdout sent to stderr
    (test.ini logs to stdout: the report alone goes there); the database is
    dropped afterwards. None, with the reason on stderr, when ``measure``
    raised ``failure``."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return measure(ini)
    except failure as error:
        print(f"{label}: {error}", file=sys.stderr)
        return None
    finally:
        drop_database(database)


def publish_section(out: str, heading: str, lines: list[str]) -> None:
    """Write the section into ``out`` (relative to the repository) and print it."""
    path = os.path.join(ROOT, out)
    write_section(path, heading, lines)
    print("\n".join(lines))
    print(f"wrote {path}", file=sys.stderr)


def _psql(sql: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1",
                    "-qtAX", "-c", sql], check=True, capture_output=True)


def create_database(name: str, ckan_ini: str, site_id: str,
                    extra: dict[str, str] | None = None) -> str:
    """A database of its own (dropped first, then migrated), so tests and
    benchmarks never share data, with the plugins of ``ckan_ini`` and the
    ``extra`` options; returns the ini that points at it (``var/<name>.ini``)."""
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(f"CREATE DATABASE {name} OWNER ckan_smartcity TEMPLATE template0 ENCODING 'UTF8'")
    os.makedirs(os.path.join(ROOT, "var"), exist_ok=True)
    ini = os.path.join(ROOT, "var", f"{name}.ini")
    with open(ini, "w", encoding="utf-8") as handle:
        handle.write(f"[app:main]\nuse = config:{os.path.abspath(ckan_ini)}\n"
                     f"sqlalchemy.url = postgresql://ckan_smartcity:ckan_smartcity@127.0.0.1/"
                     f"{name}\nckan.site_id = {site_id}\n"
                     + "".join(f"{key} = {value}\n" for key, value in (extra or {}).items()))
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "-c", ini, "db", "upgrade"], check=True, capture_output=True)
    return ini


def drop_database(name: str) -> None:
    """Drop a database made by create_database, and its ini."""
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(ROOT, "var", f"{name}.ini"))
