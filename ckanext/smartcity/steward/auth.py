"""Who may see an organisation's to-do list."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema.auth import organisation_editor


def smartcity_steward_todo(context, data_dict):
    return organisation_editor(
        context, data_dict.get("id"),
        lambda: tk._("Only editors of the organisation may see its to-do list"))


def get_auth_functions():
    return {"smartcity_steward_todo": smartcity_steward_todo}
