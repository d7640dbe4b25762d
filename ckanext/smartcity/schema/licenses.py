"""CKAN's licence register filled from the dcat-ap.de licence list.

CKAN shows a dataset's licence (title, link, "Open Data" mark) from its
register; with the dcat-ap.de list there, ``license_id`` holds the licence
URI GovData expects, and ``license_list`` / the search facet show its
title. The list reaches CKAN the public way, through ``licenses_group_url``:
at start-up the entries of ``vocabularies/dcatde-license.json`` (the one
source) are written, titled in the site language, to a file this process
owns, and the option points at it. A site that sets ``licenses_group_url``
itself keeps its own register.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import tempfile

import ckan.model as model

from ckanext.smartcity.schema import vocab

# language -> file:// URL of the register this process wrote
_written: dict[str, str] = {}


def register_entries(language: str = "de") -> list[dict]:
    """The licence list in the shape CKAN's ``licenses_group_url`` expects."""
    entries = []
    for concept in vocab.concepts("dcatde-license"):
        labels = concept["labels"]
        entries.append({
            "id": concept["uri"],
            "title": labels.get(language) or labels["en"],
            "url": concept.get("homepage") or concept["uri"],
            "od_conformance": "approved" if concept["open"] else "not reviewed",
            "osd_conformance": "not reviewed",
            "status": "active",
        })
    return entries


def register_url(language: str) -> str:
    """``file://`` URL of the register titled in ``language``, written once per
    process to a fresh file of its own (``mkstemp``: no name another user
    could have prepared) and removed when the process ends."""
    if language not in _written:
        fd, path = tempfile.mkstemp(prefix="ckanext-smartcity-licenses-",
                                    suffix=f".{language}.json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(register_entries(language), out, ensure_ascii=False)
        atexit.register(_remove, path, os.getpid())
        _written[language] = "file://" + path
    return _written[language]


def _remove(path: str, owner: int) -> None:
    if os.getpid() == owner:  # a forked worker leaves its parent's file alone
        with contextlib.suppress(OSError):
            os.remove(path)


def install(config) -> None:
    """Point ``licenses_group_url`` at the dcat-ap.de list unless the site
    configured its own, and load it into CKAN's register."""
    configured = config.get("licenses_group_url")
    if configured and configured not in _written.values():
        return
    language = config.get("ckan.locale_default")
    url = register_url(language)
    config["licenses_group_url"] = url
    # CKAN builds the register from the option on first use; one built
    # earlier in this process (a plugin reload, another site language) is
    # reloaded through its public load_licenses.
    register = model.Package.get_license_register()
    wanted = [(entry["id"], entry["title"]) for entry in register_entries(language)]
    if [(licence.id, licence.title) for licence in register.values()] != wanted:
        register.load_licenses(url)
