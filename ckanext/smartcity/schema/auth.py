"""The region search of the form is public reference data."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def smartcity_region_autocomplete(context, data_dict):
    # Public reference data (official key lists): anyone may search it.
    return {"success": True}


def get_auth_functions():
    return {"smartcity_region_autocomplete": smartcity_region_autocomplete}
