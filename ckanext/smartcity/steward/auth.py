"""Who may see an organisation's to-do list."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def smartcity_steward_todo(context, data_dict):
    # editors and admins of the organisation (those who may create its datasets)
    try:
        tk.check_access("package_create", dict(context), {"owner_org": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": tk._("Only editors of the organisation may see its to-do list")}
    return {"success": True}


def get_auth_functions():
    return {"smartcity_steward_todo": smartcity_steward_todo}
