"""Background checks of access and download URLs (CKAN's job queue, RQ on
Redis), with the harvester's SSRF rules and time limits
(``ckanext.smartcity.harvest.*``); results in ``smartcity_url_check`` per
dataset and URL with their time (a result is never shown to another
dataset naming the same URL: docs/security.md F15), re-checked by
``ckan smartcity quality --recheck-older-than``."""
from __future__ import annotations

import logging
import os

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import jobs, uploader

from ckanext.smartcity import net
from ckanext.smartcity.i18n_text import bilingual
from ckanext.smartcity.quality import assessment

log = logging.getLogger(__name__)
MAX_URLS = 100  # per dataset and job


def _job_id(package_id: str) -> str:
    return f"{tk.config.get('ckan.site_id') or 'ckan'}-url-check-{package_id}"


def _waiting(job_id: str) -> bool:
    """True when the dataset's URL check is queued and not yet started: a
    dataset saved several times in a row (the demo loader, a spreadsheet
    import, a harvest) is checked once, and DataStore loads on the same
    queue do not wait behind copies."""
    try:
        return jobs.job_from_id(job_id).get_status() == "queued"
    except KeyError:
        return False


def enqueue(package_id: str) -> bool:
    """Queue the URL check of a dataset (once while one waits); False
    (logged) when Redis is down: saving a dataset never depends on the queue."""
    try:
        job_id = _job_id(package_id)
        if not _waiting(job_id):
            tk.enqueue_job(check_package, [package_id], title=f"URL-Prüfung {package_id}",
                           rq_kwargs={"timeout": 600, "job_id": job_id})
        return True
    except Exception as exc:
        log.warning("URL check of %s not queued (%s)", package_id, type(exc).__name__)
        return False


def check_url(url: str, policy: net.Policy) -> tuple[bool, int | None, str | None]:
    try:
        status = net.probe(url, policy)
    except net.FetchError as exc:
        return False, None, str(exc)[:500]
    return 200 <= status < 400, status, None if 200 <= status < 400 else f"HTTP {status}"


def uploaded_files(dataset: dict) -> dict[str, str]:
    """{download URL: path in the file store} of the files uploaded to this
    portal: checked on disk, not fetched (the portal's own address is
    usually loopback, which the SSRF rules refuse)."""
    files = {}
    for resource in dataset.get("resources") or []:
        if resource.get("url_type") == "upload" and resource.get("url"):
            files[resource["url"]] = uploader.get_resource_uploader(
                dict(resource)).get_path(resource["id"])
    return files


def check_file(path: str) -> tuple[bool, int | None, str | None]:
    if os.path.isfile(path):
        return True, None, None
    # stored, and shown later in either language
    return False, None, bilingual("uploaded file missing")


def check_urls(package_id: str, urls: list[str],
               uploads: dict[str, str] | None = None) -> None:
    """Check the dataset's URLs and keep the results under the dataset;
    results of URLs it no longer names are removed."""
    uploads = uploads or {}
    policy = net.Policy.from_config(tk.config)
    policy = net.Policy(allowed_networks=policy.allowed_networks, connect_timeout=5,
                          read_timeout=10, deadline=min(policy.deadline, 30),
                          max_bytes=policy.max_bytes)
    checked = sorted(urls)[:MAX_URLS]
    model.Session.execute(sa.text(
        "DELETE FROM smartcity_url_check WHERE package_id = :id AND NOT url = ANY(:urls)"),
        {"id": package_id, "urls": checked})
    model.Session.commit()
    for url in checked:
        ok, status, error = (check_file(uploads[url]) if url in uploads
                             else check_url(url, policy))
        model.Session.execute(sa.text("""
            INSERT INTO smartcity_url_check (package_id, url, ok, status, error, checked_at)
            VALUES (:id, :url, :ok, :status, :error, now())
            ON CONFLICT (package_id, url) DO UPDATE SET ok = EXCLUDED.ok,
                status = EXCLUDED.status, error = EXCLUDED.error,
                checked_at = EXCLUDED.checked_at"""),
            {"id": package_id, "url": url, "ok": ok, "status": status, "error": error})
        model.Session.commit()  # one at a time: no lock held over the next probe


def check_package(package_id: str) -> None:
    """The job: check the dataset's URLs, then score it again."""
    try:
        dataset = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                {"id": package_id})
    except tk.ObjectNotFound:
        return
    check_urls(dataset["id"], assessment.dataset_urls(dataset), uploaded_files(dataset))
    assessment.assess(package_id)
    model.Session.commit()


def recheck(older_than_seconds: int) -> int:
    """Check again every dataset with a URL result older than the limit (or
    none); returns how many datasets were checked."""
    rows = model.Session.execute(sa.text("""
        SELECT q.package_id FROM smartcity_quality q JOIN package p ON p.id = q.package_id
        WHERE p.state = 'active' AND EXISTS (SELECT 1 FROM jsonb_each(q.result->'urls') u
                      WHERE u.value = 'null'::jsonb
                         OR (u.value->>'checked_at')::timestamp
                            < now() - make_interval(secs => :age))"""),
        {"age": older_than_seconds}).fetchall()
    for (package_id,) in rows:
        try:
            check_package(package_id)
        except Exception:  # one dataset must not stop the scheduled run
            model.Session.rollback()
            log.warning("URL check of %s failed", package_id, exc_info=True)
    return len(rows)
