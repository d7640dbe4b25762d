"""Actions of the metadata quality report (``smartcity_quality_show``,
``smartcity_quality_list``)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.smartcity.quality import assessment, mqa

CONFIG_PUBLIC = "ckanext.smartcity.quality.public_summary"


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {"score": result["score"], "maximum": result["maximum"],
            "rating": result["rating"]}


@tk.side_effect_free
def smartcity_quality_show(context, data_dict):
    """The dataset's MQA score, points per dimension, next steps and SHACL
    findings, for editors of its organisation and sysadmins; with
    ``ckanext.smartcity.quality.public_summary`` anyone who may see the
    dataset gets score and rating."""
    package_id = tk.get_or_bust(data_dict, "id")
    dataset = tk.get_action("package_show")(dict(context), {"id": package_id})
    try:
        tk.check_access("smartcity_quality_show", dict(context), {"id": dataset["id"]})
        full = True
    except tk.NotAuthorized:
        if not tk.asbool(tk.config.get(CONFIG_PUBLIC)):
            raise
        full = False
    result = assessment.stored(dataset["id"])
    if result is None:  # saved before the quality tables existed
        result = assessment.evaluate(dataset)
    result = dict(result, id=dataset["id"], name=dataset["name"])
    return result if full else dict(_summary(result), id=dataset["id"], name=dataset["name"])


def _organisations(context) -> list[str] | None:
    """Organisation ids whose report the caller may see; None = all (sysadmin)."""
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is not None and user.sysadmin:
        return None
    organisations = tk.get_action("organization_list_for_user")(
        dict(context), {"permission": "admin"})
    return [o["id"] for o in organisations]


@tk.side_effect_free
def smartcity_quality_list(context, data_dict):
    """Every dataset's score the caller administers (sysadmins: all; an
    organisation's admins: its datasets), worst first, with per-rating
    counts and per-organisation averages. ``org`` (id or name) narrows it."""
    tk.check_access("smartcity_quality_list", dict(context), data_dict)
    allowed = _organisations(context)
    where, params = ["p.state = 'active'", "p.type = 'dataset'"], {}
    if allowed is not None:
        where.append("p.owner_org = ANY(:allowed)")
        params["allowed"] = allowed
    if data_dict.get("org"):
        name = str(data_dict["org"])
        org = model.Group.get(name) if name.isprintable() and len(name) <= 200 else None
        if org is None:
            raise tk.ObjectNotFound(tk._("Organization not found"))  # CKAN's own msgid
        where.append("p.owner_org = :org")
        params["org"] = org.id
    rows = model.Session.execute(sa.text(f"""
        SELECT p.id, p.name, p.title, p.private, g.name AS org_name, g.title AS org_title,
               q.score, q.rating, q.violations, q.computed_at,
               jsonb_array_length(q.result->'next_steps') AS open_steps
        FROM smartcity_quality q JOIN package p ON p.id = q.package_id
        LEFT JOIN "group" g ON g.id = p.owner_org
        WHERE {' AND '.join(where)}
        ORDER BY q.score ASC, p.name ASC"""), params).fetchall()
    datasets = [{"id": r.id, "name": r.name, "title": r.title, "private": r.private,
                 "organization": r.org_name, "organization_title": r.org_title,
                 "score": r.score, "rating": r.rating, "violations": r.violations,
                 "open_steps": r.open_steps,
                 "computed_at": r.computed_at.isoformat(timespec="seconds")} for r in rows]
    ratings = {code: 0 for _minimum, code, _de, _en in mqa.RATINGS}
    by_org: dict[str, list[int]] = {}
    for row in datasets:
        ratings[row["rating"]] += 1
        by_org.setdefault(row["organization_title"] or row["organization"] or "–",
                          []).append(row["score"])
    return {"count": len(datasets), "maximum": mqa.MAXIMUM, "ratings": ratings,
            "average": round(sum(r["score"] for r in datasets) / len(datasets), 1)
            if datasets else None,
            "organizations": [{"title": title, "count": len(scores),
                               "average": round(sum(scores) / len(scores), 1)}
                              for title, scores in sorted(by_org.items())],
            "datasets": datasets}


def get_actions() -> dict[str, Any]:
    return {"smartcity_quality_show": smartcity_quality_show,
            "smartcity_quality_list": smartcity_quality_list}
