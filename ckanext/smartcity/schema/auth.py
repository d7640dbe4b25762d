"""The region search of the form is public reference data; the steward's
pages (sheet, to-do list) belong to an organisation's editors."""
from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def smartcity_region_autocomplete(context, data_dict):
    # Public reference data (official key lists): anyone may search it.
    return {"success": True}


def organisation_editor(context, org_id, refusal: Callable[[], str]) -> dict:
    """An auth result: may the user create datasets in the organisation
    (its editors and admins, sysadmins)? ``refusal()`` gives the message
    else (translated only when needed)."""
    try:
        tk.check_access("package_create", dict(context), {"owner_org": org_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": refusal()}
    return {"success": True}


def get_auth_functions():
    return {"smartcity_region_autocomplete": smartcity_region_autocomplete}
