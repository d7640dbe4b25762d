"""Quality on save: the offline checks when a dataset is created or
updated, the URL checks queued once the save is committed, the stored
result removed when the dataset is deleted (IPackageController hooks of
the plugin)."""
from __future__ import annotations

import logging

import sqlalchemy as sa

import ckan.model as model

from ckanext.smartcity.quality import assessment, reachability

log = logging.getLogger(__name__)


PENDING = "smartcity_url_checks"


def on_save(package_id: str) -> None:
    """After create/update: offline checks now, URL checks in the background
    once the save is committed (a job queued earlier would read the old
    dataset). Neither may fail the save (the quality report is advisory)."""
    try:
        with model.Session.begin_nested():
            assessment.assess(package_id)
    except Exception:
        log.warning("quality of %s not assessed", package_id, exc_info=True)
    _listen()
    model.Session().info.setdefault(PENDING, set()).add(package_id)


def on_delete(package_id: str) -> None:
    """A deleted dataset leaves the dashboard, the scheduled checks and the
    URL check results (saved again, it is checked again)."""
    for table in ("smartcity_quality", "smartcity_url_check"):
        model.Session.execute(sa.text(f"DELETE FROM {table} WHERE package_id = :id"),
                              {"id": package_id})


def _queue_pending(session) -> None:
    for package_id in sorted(session.info.pop(PENDING, ())):
        reachability.enqueue(package_id)


def _drop_pending(session, *args) -> None:
    session.info.pop(PENDING, None)


_listening: list[bool] = []


def _listen() -> None:
    if not _listening:
        sa.event.listen(model.Session, "after_commit", _queue_pending)
        sa.event.listen(model.Session, "after_rollback", _drop_pending)
        _listening.append(True)
