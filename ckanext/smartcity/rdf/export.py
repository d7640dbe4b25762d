"""Whole-catalogue RDF export in linear time, streamed (``ckan smartcity export``).

ckanext-dcat builds one graph for the whole catalogue; its DCAT-AP 3 profile
then scans every ``dcat:byteSize`` triple of that graph once per dataset,
which makes a catalogue export quadratic (docs/architecture.md: 5,000 datasets in
238 s as Turtle). Here every dataset goes through the same profiles into a
graph of its own (:class:`.builder.GraphBuilder`), and :mod:`.builder` streams the triples to
the file page by page with pyoxigraph, so time grows linearly and memory
stays flat. The triples are the ones the profiles give for the whole
catalogue (a test compares them in every format).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import ckan.plugins.toolkit as tk

from ckanext.smartcity.rdf import builder, formats

FORMATS = tuple(formats.FORMATS)  # the suffixes of rdf/formats.py


class ExportError(RuntimeError):
    pass


def pages(page_size: int | None = None) -> Iterator[list[dict]]:
    """Every public, active dataset (validated dicts), in pages no larger
    than ``ckan.search.rows_max``, ordered by id and paged by the last id
    seen (keyset), so a dataset added, renamed or deleted during the export
    neither shifts the others nor appears twice."""
    rows_max = tk.asint(tk.config.get("ckan.search.rows_max"))
    size = min(page_size or rows_max, rows_max)
    last = None
    while True:
        fq = "+dataset_type:dataset"  # as ckanext-dcat: no harvest sources, showcases...
        if last is not None:
            fq += f' +id:{{"{last}" TO *]'
        result = tk.get_action("package_search")(
            {"ignore_auth": True, "user": None},
            {"q": "*:*", "fq": fq, "rows": size, "sort": "id asc"})
        if not result["results"]:
            break
        yield result["results"]
        last = result["results"][-1]["id"]
        if len(result["results"]) < size:
            break


def write(out: IO[bytes], fmt: str = "ttl", profiles: list[str] | None = None,
          page_size: int | None = None, workers: int | None = None) -> int:
    """Write the whole catalogue to the binary stream ``out``; returns the
    number of datasets. Datasets not in the RDF cache are built by
    ``workers`` processes (default: one per core)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return builder.write_catalogue(out, fmt, pages(page_size), profiles, workers)
