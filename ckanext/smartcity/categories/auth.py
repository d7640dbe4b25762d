"""The category actions are public: the scheme is reference data."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def smartcity_category_list(context, data_dict):
    # The scheme is public; counts come from a search run as the caller.
    return {"success": True}


@tk.auth_allow_anonymous_access
def smartcity_category_show(context, data_dict):
    return {"success": True}


def get_auth_functions():
    return {"smartcity_category_list": smartcity_category_list,
            "smartcity_category_show": smartcity_category_show}
