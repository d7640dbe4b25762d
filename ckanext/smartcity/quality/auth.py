"""Who may see the quality reports."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def smartcity_quality_show(context, data_dict):
    # the full report: whoever may edit the dataset (its organisation's
    # editors and admins, sysadmins)
    try:
        tk.check_access("package_update", dict(context), {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Only editors of the dataset may see its "
                                              "quality report")}
    return {"success": True}


def smartcity_quality_list(context, data_dict):
    # logged-in users; the action narrows the rows to the organisations they administer
    return {"success": bool(context.get("user"))}


def get_auth_functions():
    return {"smartcity_quality_show": smartcity_quality_show,
            "smartcity_quality_list": smartcity_quality_list}
