"""CKAN's licence register filled from the dcat-ap.de licence list.

CKAN shows a dataset's licence (title, link, "Open Data" mark) from its
register; with the dcat-ap.de list there, ``license_id`` holds the licence
URI GovData expects, and ``license_list`` / the search facet show its
title. A site that sets ``licenses_group_url`` keeps its own register.
"""
from __future__ import annotations

import ckan.model as model
from ckan.model.license import LicenseRegister

from ckanext.smartcity.schema import vocab


def register_entries(language: str = "de") -> list[dict]:
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


def install(config) -> None:
    """Replace CKAN's default register unless the site configured its own."""
    if config.get("licenses_group_url"):
        return
    register = LicenseRegister.__new__(LicenseRegister)
    register._create_license_list(register_entries(config.get("ckan.locale_default") or "de"))
    model.Package._license_register = register
