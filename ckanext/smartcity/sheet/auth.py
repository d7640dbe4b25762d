"""Who may download and upload an organisation's sheet."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema.auth import organisation_editor


def smartcity_sheet_import(context, data_dict):
    return organisation_editor(
        context, data_dict.get("id"),
        lambda: tk._("Only editors of the organisation may use its sheet"))


def get_auth_functions():
    return {"smartcity_sheet_import": smartcity_sheet_import}
