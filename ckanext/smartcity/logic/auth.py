"""Auth functions, one per action of the same name."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def smartcity_region_autocomplete(context, data_dict):
    # Public reference data (official key lists): anyone may search it.
    return {"success": True}


@tk.auth_allow_anonymous_access
def smartcity_category_list(context, data_dict):
    # The scheme is public; counts come from a search run as the caller.
    return {"success": True}


@tk.auth_allow_anonymous_access
def smartcity_category_show(context, data_dict):
    return {"success": True}


def get_auth_functions():
    return {"smartcity_region_autocomplete": smartcity_region_autocomplete,
            "smartcity_category_list": smartcity_category_list,
            "smartcity_category_show": smartcity_category_show}
