"""Tables saved together with their dataset (package_create and
package_update with new resources: the API, the spreadsheet import, the
harvester) go to xloader too. xloader itself only reacts to
``resource_create`` and to a changed URL of an existing resource; a
resource it has never seen has no ``xloader`` task status yet."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.xloader.utils import XLoaderFormats

log = logging.getLogger(__name__)

# resources whose URL is the DataStore itself are never loaded from it
_DATASTORE_URL_TYPES = ("datastore", "datapusher", "xloader")


def _seen(resource_id: str) -> bool:
    context = {"session": model.meta.create_local_session(), "ignore_auth": True}
    try:
        tk.get_action("task_status_show")(
            context, {"entity_id": resource_id, "task_type": "xloader", "key": "xloader"})
    except tk.ObjectNotFound:
        return False
    return True


def submit_unseen(pkg_dict: dict[str, Any]) -> None:
    """Queue a load for each table resource of the dataset xloader has not
    seen. Without a token (``ckanext.xloader.api_token``) nothing is
    queued, as in xloader's own hooks."""
    if tk.config.get("ckanext.xloader.api_token") in (None, "", "NOT_SET"):
        return
    for resource in pkg_dict.get("resources") or []:
        if (not resource.get("id") or resource.get("url_type") in _DATASTORE_URL_TYPES
                or not XLoaderFormats.is_it_an_xloader_format(resource.get("format"))
                or _seen(resource["id"])):
            continue
        try:
            tk.get_action("xloader_submit")({"ignore_auth": True, "defer_commit": True},
                                            {"resource_id": resource["id"]})
        except tk.ValidationError as error:
            log.warning("DataStore: resource %s not submitted: %s", resource["id"], error)


@tk.chained_action
def datastore_create(original_action, context, data_dict):
    """xloader 2.6.0's typed load (``use_type_guessing``) writes its rows
    with ``ignore_auth`` and no user; CKAN 2.12's activity plugin then
    refuses the resource change that marks the table active ("User not
    found") and the load falls back to untyped text. Such a call acts as the
    site user, as xloader's other calls do (docs/datastore.md)."""
    if context.get("ignore_auth") and not context.get("user"):
        context["user"] = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return original_action(context, data_dict)
