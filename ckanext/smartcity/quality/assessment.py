"""The assessment of one dataset: ``assess(id)`` runs the offline checks (the
dataset's RDF through the portal's profiles, SHACL, for a high-value dataset
the HVD shapes too, MQA with the last URL check results of this very
dataset) and stores the result in ``smartcity_quality``; the URL checks
themselves run as a background job (:mod:`.reachability`), queued by
:mod:`.events` when a dataset is saved."""
from __future__ import annotations

import json
import threading
from typing import Any

import sqlalchemy as sa
from rdflib import Graph

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import CleanedURIRef

from ckanext.smartcity.quality import mqa, shacl

_local = threading.local()


def _graph(dataset: dict):
    """The dataset's RDF through the configured profiles (one serializer per
    thread: ckanext-dcat reads its entry points on every construction)."""
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = RDFSerializer()
    serializer.g = Graph()
    ref = serializer.graph_from_dataset(dataset)
    return serializer.g, ref


def dataset_urls(dataset: dict) -> list[str]:
    urls = []
    for resource in dataset.get("resources") or ():
        for key in ("url", "download_url"):
            value = (resource.get(key) or "").strip()
            if value.startswith(("http://", "https://")) and value not in urls:
                urls.append(value)
    return urls


def url_checks(dataset: dict) -> dict[str, dict[str, Any]]:
    """The last results of this dataset's own URL checks, by URL. Results
    belong to the dataset whose check made them: the same URL in another
    organisation's private dataset must not tell an editor when and how it
    was checked (docs/security.md F15)."""
    urls = dataset_urls(dataset)
    if not urls or not dataset.get("id"):
        return {}
    rows = model.Session.execute(sa.text(
        "SELECT url, ok, status, error, checked_at FROM smartcity_url_check "
        "WHERE package_id = :id AND url = ANY(:urls)"), {"id": dataset["id"], "urls": urls})
    found = {row.url: {"ok": row.ok, "status": row.status, "error": row.error,
                       "checked_at": row.checked_at.isoformat(timespec="seconds")}
             for row in rows}
    return found


def _graph_keys(checks: dict[str, dict]) -> dict[str, dict]:
    """The checks also under the URL as the RDF writes it (ckanext-dcat
    percent-encodes , ; ( ) ! ' * in URIs)."""
    keyed = dict(checks)
    for url, check in checks.items():
        keyed.setdefault(str(CleanedURIRef(url)), check)
    return keyed


def _report(findings: list[shacl.Finding]) -> dict[str, Any]:
    return {"violations": sum(1 for f in findings if f.severity == "violation"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "findings": [f.as_dict() for f in findings]}


def is_hvd(dataset: dict) -> bool:
    """Whether the dataset claims an HVD category (a JSON list or a list)."""
    value = dataset.get("hvd_category")
    return bool(value) and value not in ("[]", [""])


def evaluate(dataset: dict) -> dict[str, Any]:
    """Score and findings of a dataset dict (package_show form). ``hvd`` is
    the DCAT-AP HVD report of a high-value dataset, else None; it does not
    change the MQA score (data.europa.eu's metrics know no HVD)."""
    graph, ref = _graph(dataset)
    findings = shacl.validate(graph, ref)
    violations = sum(1 for f in findings if f.severity == "violation")
    checks = url_checks(dataset)
    result = mqa.score(graph, ref, dataset, violations, _graph_keys(checks))
    result["shacl"] = _report(findings)
    result["hvd"] = _report(shacl.validate_hvd(graph, ref)) if is_hvd(dataset) else None
    result["urls"] = {url: checks.get(url) for url in dataset_urls(dataset)}
    return result


def assess(package_id: str) -> dict[str, Any]:
    """Evaluate the stored dataset and keep the result (in the caller's transaction)."""
    dataset = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                            {"id": package_id})
    result = evaluate(dataset)
    model.Session.execute(sa.text("""
        INSERT INTO smartcity_quality (package_id, owner_org, score, rating, violations,
                                       result, computed_at)
        VALUES (:id, :org, :score, :rating, :violations, CAST(:result AS jsonb), now())
        ON CONFLICT (package_id) DO UPDATE SET owner_org = EXCLUDED.owner_org,
            score = EXCLUDED.score, rating = EXCLUDED.rating,
            violations = EXCLUDED.violations, result = EXCLUDED.result,
            computed_at = EXCLUDED.computed_at"""),
        {"id": dataset["id"], "org": dataset.get("owner_org"), "score": result["score"],
         "rating": result["rating"]["code"], "violations": result["shacl"]["violations"],
         "result": json.dumps(result, ensure_ascii=False)})
    return result


def stored(package_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.text(
        "SELECT result, computed_at FROM smartcity_quality WHERE package_id = :id"),
        {"id": package_id}).first()
    if row is None:
        return None
    result = dict(row.result)
    result["computed_at"] = row.computed_at.isoformat(timespec="seconds")
    return result
