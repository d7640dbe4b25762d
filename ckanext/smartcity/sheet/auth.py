"""Who may download and upload an organisation's sheet."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def smartcity_sheet_import(context, data_dict):
    # editors and admins of the organisation (those who may create its datasets)
    try:
        tk.check_access("package_create", dict(context), {"owner_org": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": tk._("Only editors of the organisation may use its sheet")}
    return {"success": True}


def get_auth_functions():
    return {"smartcity_sheet_import": smartcity_sheet_import}
