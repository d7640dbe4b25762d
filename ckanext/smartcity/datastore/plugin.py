"""The ``smartcity_datastore`` plugin: the portal's limits on what
ckanext-xloader loads (:mod:`.limits`) and the steward's status notice on
the resource page (:mod:`.status`). Enable it together with ``datastore``
and ``xloader``; sites without a DataStore leave all three out
(docs/datastore.md)."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckanext.xloader.interfaces import IXloader

from ckanext.smartcity.datastore import limits, status, submit


class SmartcityDatastorePlugin(plugins.SingletonPlugin):
    plugins.implements(IXloader, inherit=True)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IResourceController, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IActions)

    # IActions: xloader's typed loads act as the site user (submit.py)
    def get_actions(self):
        return {"datastore_create": submit.datastore_create}

    # IXloader: called by xloader_submit before a job is queued
    def can_upload(self, resource_id):
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
        error = limits.refusal(resource)
        if error is None:
            return True
        limits.record_refusal(resource_id, error)
        return False

    # IResourceController: xloader stores the file's MD5 in ``hash``; our
    # schema wants the algorithm with it (DCAT-AP.de spdx:checksum)
    def before_resource_update(self, context, current, resource):
        limits.name_checksum_algorithm(context, current, resource)

    # IResourceController: xloader's job metadata stays out of what is shown
    # and exported (status.XLOADER_JOB_KEYS)
    def before_resource_show(self, resource_dict):
        return status.hide_job_metadata(resource_dict)

    # IPackageController: tables saved with their dataset (see submit.py)
    def after_dataset_create(self, context, pkg_dict):
        submit.submit_unseen(pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        submit.submit_unseen(pkg_dict)

    def get_helpers(self):
        return status.get_helpers()
