"""What an organisation's to-do list holds (docs/steward-todo.md): five
sections, each read by one SQL query (drafts also ask the schema what they
lack), capped at ``CAP`` items with the count of the rest.

- ``drafts``: datasets in state "draft", with what publishing would still
  refuse (``schema.drafts.missing_for_publication``);
- ``quality``: what the quality package stored on save
  (``smartcity_quality``): SHACL violations, and the next steps of datasets
  rated "bad", each linked to its field;
- ``urls``: distributions whose last URL check failed (``smartcity_url_check``,
  written by ``quality.reachability``);
- ``harvest``: the harvest warnings kept with the harvest objects of the
  organisation's sources (current objects and the last job's);
- ``overdue``: datasets whose ``modified`` date (else CKAN's
  ``metadata_modified``) is older than their declared update frequency
  allows.

Private datasets are included: only the organisation's editors, admins and
sysadmins see the list (``auth.smartcity_steward_todo``). Every item carries
the link to the place where it is fixed: the field in the dataset's edit
form (``#field-<name>``), the distribution's edit form, or the harvest job
report. Links are built with ``tk.url_for`` and need a request.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema import drafts as draft_schema
from ckanext.smartcity.schema.form_links import field_url, resource_field_url
from ckanext.smartcity.schema import vocab

log = logging.getLogger(__name__)

CAP = 200  # items per section; the rest are counted ("and N more")
DRAFT_DETAILS = 50  # drafts whose missing fields are listed (one package_show each)
STEPS = 5  # next steps shown for a dataset rated "bad" (those worth most points)
# the harvest object extra the DCAT-AP.de harvester keeps its warnings in
# (harvest.harvester.WARNINGS_KEY; not imported: this page works without
# ckanext-harvest installed; tests/steward/test_todo.py checks they agree)
HARVEST_WARNINGS_KEY = "smartcity_warnings"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
# declared update frequency -> days between updates. Frequencies more often
# than daily are live feeds (their metadata does not change with each update;
# the URL check watches them), the others (CONT, UPDATE_CONT, IRREG, UNKNOWN,
# AS_NEEDED, NEVER, NOT_PLANNED, OTHER) have no due date.
YEAR = 365.25
PERIOD_DAYS = {
    "DAILY": 1, "DAILY_2": 1, "WEEKLY_5": 7 / 5, "WEEKLY_3": 7 / 3, "WEEKLY_2": 3.5,
    "WEEKLY": 7, "BIWEEKLY": 14, "MONTHLY_3": YEAR / 36, "MONTHLY_2": YEAR / 24,
    "MONTHLY": YEAR / 12, "BIMONTHLY": YEAR / 6, "QUARTERLY": YEAR / 4, "ANNUAL_3": YEAR / 3,
    "ANNUAL_2": YEAR / 2, "ANNUAL": YEAR, "BIENNIAL": 2 * YEAR, "TRIENNIAL": 3 * YEAR,
    "QUADRENNIAL": 4 * YEAR, "QUINQUENNIAL": 5 * YEAR, "SEXENNIAL": 6 * YEAR,
    "DECENNIAL": 10 * YEAR, "BIDECENNIAL": 20 * YEAR, "TRIDECENNIAL": 30 * YEAR}
GRACE = 0.25  # overdue once a quarter period past the due date (a late monthly upload is not)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
SECTIONS = ("drafts", "quality", "urls", "harvest", "overdue")


def _section(rows: list, make: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Items of the rows of a capped query (``total`` = count(*) OVER ())."""
    total = rows[0].total if rows else 0
    return {"count": total, "more": max(0, total - len(rows)),
            "items": [make(row) for row in rows]}


def _query(sql: str, params: dict[str, Any]) -> list:
    return model.Session.execute(sa.text(sql), {**params, "cap": CAP}).fetchall()


def _dataset(row) -> dict[str, Any]:
    return {"name": row.name, "title": row.title or row.name, "private": bool(row.private),
            "dataset_url": tk.url_for("dataset.read", id=row.name)}


# -- drafts ----------------------------------------------------------------------

def _missing(context: dict[str, Any], name: str) -> list[dict[str, str]]:
    """What publishing the draft would still refuse; [] when it cannot be
    told (then the draft's edit form is the link)."""
    try:
        pkg_dict = tk.get_action("package_show")(dict(context), {"id": name})
        found = draft_schema.missing_for_publication(dict(context), pkg_dict)
    except Exception:  # the list is advisory: one broken draft must not break the page
        log.warning("missing fields of draft %s not listed", name, exc_info=True)
        return []
    return [{"field": m.field_name, "label": m.label, "message": m.message,
             "url": m.url or field_url(name, m.field_name)} for m in found]


def drafts(org_id: str, context: dict[str, Any]) -> dict[str, Any]:
    rows = _query("""
        SELECT p.id, p.name, p.title, p.private, p.metadata_modified,
               count(*) OVER () AS total
        FROM package p
        WHERE p.owner_org = :org AND p.state = 'draft' AND p.type = 'dataset'
        ORDER BY p.metadata_modified DESC, p.name LIMIT :cap""", {"org": org_id})

    detailed = {row.name for row in rows[:DRAFT_DETAILS]}

    def make(row) -> dict[str, Any]:
        return {**_dataset(row), "url": field_url(row.name, None),
                "modified": row.metadata_modified.isoformat(timespec="seconds"),
                "missing": _missing(context, row.name) if row.name in detailed else []}
    return _section(rows, make)


# -- quality findings --------------------------------------------------------------

def quality(org_id: str, lang: str) -> dict[str, Any]:
    """What the quality package stored on save (quality.assessment): the
    DCAT-AP.de SHACL violations of a dataset, and for a dataset rated "bad"
    (MQA) the next steps worth most. SHACL warnings are left out: most are
    the deprecation notices of properties the portal's own export still
    writes for older consumers, which no steward can fix."""
    rows = _query("""
        SELECT p.name, p.title, p.private, q.score, q.rating, q.violations,
               q.result->'shacl'->'findings' AS findings,
               CASE WHEN q.rating = 'bad' THEN q.result->'next_steps' END AS steps,
               ARRAY(SELECT r.id FROM resource r WHERE r.package_id = p.id
                     AND r.state = 'active' ORDER BY r.position) AS resources,
               count(*) OVER () AS total
        FROM smartcity_quality q JOIN package p ON p.id = q.package_id
        WHERE p.owner_org = :org AND p.state = 'active' AND p.type = 'dataset'
          AND (q.violations > 0 OR q.rating = 'bad')
        ORDER BY q.violations DESC, q.score ASC, p.name LIMIT :cap""", {"org": org_id})

    def link(row, field: str | None, number: int | None) -> str:
        if not number:
            return field_url(row.name, field)
        resources = row.resources or []
        resource_id = resources[number - 1] if 0 < number <= len(resources) else None
        return resource_field_url(row.name, resource_id, field)

    def make(row) -> dict[str, Any]:
        findings = [{"severity": "violation", "field": f.get("field"),
                     "resource": f.get("resource"),
                     "message": f.get(f"message_{lang}") or f.get("message_en") or "",
                     "url": link(row, f.get("field"), f.get("resource"))}
                    for f in row.findings or [] if f.get("severity") == "violation"]
        findings += [{"severity": "step", "field": step.get("field"),
                      "resource": step.get("resource"), "message": step.get(lang) or "",
                      "url": link(row, step.get("field"), step.get("resource"))}
                     for step in (row.steps or [])[:STEPS]]
        return {**_dataset(row), "score": row.score, "rating": row.rating,
                "violations": row.violations, "findings": findings}
    return _section(rows, make)


# -- unreachable URLs ------------------------------------------------------------

def urls(org_id: str) -> dict[str, Any]:
    """Failed URL checks, each with the distribution naming the URL (access
    URL, download URL, or the file uploaded to this portal)."""
    rows = _query("""
        SELECT p.name, p.title, p.private, c.url, c.status, c.error, c.checked_at,
               r.id AS resource_id, r.name AS resource_name, r.field,
               count(*) OVER () AS total
        FROM smartcity_url_check c JOIN package p ON p.id = c.package_id
        LEFT JOIN LATERAL (
            SELECT r.id, r.name,
                   CASE WHEN r.url = c.url OR r.url_type = 'upload' THEN 'url'
                        ELSE 'download_url' END AS field
            FROM resource r
            WHERE r.package_id = p.id AND r.state = 'active'
              AND (r.url = c.url
                   OR (r.url_type = 'upload' AND c.url LIKE '%/resource/' || r.id || '/%')
                   OR (r.extras IS NOT NULL AND r.extras <> ''
                       AND CAST(r.extras AS jsonb)->>'download_url' = c.url))
            ORDER BY r.position LIMIT 1) r ON true
        WHERE NOT c.ok AND p.owner_org = :org AND p.state = 'active' AND p.type = 'dataset'
        ORDER BY c.checked_at DESC, p.name, c.url LIMIT :cap""", {"org": org_id})

    def make(row) -> dict[str, Any]:
        return {**_dataset(row), "checked_url": row.url, "status": row.status,
                "error": row.error, "checked_at": row.checked_at.isoformat(timespec="seconds"),
                "resource_id": row.resource_id, "resource_name": row.resource_name,
                "field": row.field,
                "url": resource_field_url(row.name, row.resource_id, row.field)}
    return _section(rows, make)


# -- harvest warnings ------------------------------------------------------------

def _warnings(value: str | None) -> list[str]:
    """The stored list (harvest.harvester.stored_warnings reads it the same way)."""
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(w) for w in found] if isinstance(found, list) else []


def harvest(org_id: str) -> dict[str, Any]:
    """Warnings of the organisation's harvest sources: of the objects that
    made the current datasets and of the sources' last jobs (a refused
    dataset has no current object). Empty without ckanext-harvest."""
    if not plugins.plugin_loaded("harvest"):
        return {"count": 0, "more": 0, "items": []}
    rows = _query("""
        SELECT o.id, o.guid, o.harvest_job_id, o.import_finished, o.state, e.value AS warnings,
               s.name AS source_name, s.title AS source_title,
               p.name, p.title, p.private, count(*) OVER () AS total
        FROM harvest_object o
        JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :key
                                       AND e.value <> '[]'
        JOIN package s ON s.id = o.harvest_source_id
        LEFT JOIN package p ON p.id = o.package_id
        WHERE s.owner_org = :org AND s.state = 'active'
          AND (p.id IS NULL OR p.state <> 'deleted')
          AND (o.current OR o.harvest_job_id = (
                   SELECT j.id FROM harvest_job j WHERE j.source_id = o.harvest_source_id
                   ORDER BY j.created DESC LIMIT 1))
        ORDER BY o.import_finished DESC NULLS LAST, o.guid LIMIT :cap""",
        {"org": org_id, "key": HARVEST_WARNINGS_KEY})

    def make(row) -> dict[str, Any]:
        dataset = _dataset(row) if row.name else {
            "name": None, "title": row.guid, "private": False, "dataset_url": None}
        return {**dataset, "guid": row.guid, "warnings": _warnings(row.warnings),
                "source_name": row.source_name,
                "source_title": row.source_title or row.source_name,
                "imported": row.import_finished.isoformat(timespec="seconds")
                if row.import_finished else None,
                "url": tk.url_for("harvester.job_show", source=row.source_name,
                                  id=row.harvest_job_id)}
    return _section(rows, make)


# -- overdue updates ---------------------------------------------------------------

def last_day(value: str | None) -> dt.date | None:
    """The last day an xsd date value may mean (``2024`` -> 2024-12-31:
    never overdue because of the value's precision); None if unreadable."""
    match = _DATE.match((value or "").strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day:
            return dt.date(year, month, day)
        if month:
            return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(year, 12, 31)
    except ValueError:
        return None


def due_date(frequency: str | None, last: dt.date | None) -> dt.date | None:
    """When a dataset last updated on ``last`` counts as overdue; None for
    frequencies without a due date."""
    code = (frequency or "").rsplit("/", 1)[-1]
    days = PERIOD_DAYS.get(code)
    if days is None or last is None:
        return None
    return last + dt.timedelta(days=round(days * (1 + GRACE)))


def overdue(org_id: str, lang: str, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    rows = model.Session.execute(sa.text("""
        SELECT p.name, p.title, p.private, p.metadata_modified,
               p.extras->>'frequency' AS frequency, NULLIF(p.extras->>'modified', '') AS modified
        FROM package p
        WHERE p.owner_org = :org AND p.state = 'active' AND p.type = 'dataset'
          AND p.extras->>'frequency' LIKE :frequencies
        ORDER BY p.name"""), {"org": org_id, "frequencies": FREQUENCY + "%"}).fetchall()
    items = []
    for row in rows:
        last = last_day(row.modified) or row.metadata_modified.date()
        due = due_date(row.frequency, last)
        if due is None or due >= today:
            continue
        items.append({**_dataset(row), "frequency": row.frequency,
                      "frequency_label": vocab.label("eu-frequency", row.frequency, lang)
                      or row.frequency,
                      "modified": row.modified or row.metadata_modified.date().isoformat(),
                      "modified_declared": bool(row.modified), "due": due.isoformat(),
                      "days_overdue": (today - due).days,
                      "url": field_url(row.name, "modified")})
    items.sort(key=lambda item: (-item["days_overdue"], item["name"]))
    return {"count": len(items), "more": max(0, len(items) - CAP), "items": items[:CAP]}


def collect(org_id: str, context: dict[str, Any], lang: str) -> dict[str, Any]:
    """The five sections of the organisation's to-do list, and the total."""
    sections = {"drafts": drafts(org_id, context), "quality": quality(org_id, lang),
                "urls": urls(org_id), "harvest": harvest(org_id),
                "overdue": overdue(org_id, lang)}
    return {"total": sum(s["count"] for s in sections.values()), **sections}
