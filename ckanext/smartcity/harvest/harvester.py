"""DCAT-AP.de harvester for ckanext-harvest (plugin ``smartcity_harvester``,
source type ``dcat_ap_de``).

ckanext-dcat's RDF harvester, with what docs/security.md H1-H15 ask of it:

- pages are fetched by :mod:`.fetch` only (SSRF rules, caps, pinned format,
  no DOCTYPE, no remote JSON-LD contexts, hydra pages once and same-origin);
  the stock harvester's local-file branch and unchecked ``requests`` calls
  are never reached;
- datasets go through ``package_create``/``package_update`` with the schema
  the form uses; there is no laxer harvest path (H11);
- identity is scoped to the source: a harvested URI that another source (or a
  hand-made dataset) already uses never touches that dataset; ``owner_org``
  is always the source's organisation; ``id``/``private``/``state``/``type``
  never come from the RDF (H12);
- caps per job: pages (``Policy.max_pages``) and datasets
  (``ckanext.smartcity.harvest.max_datasets``); per dataset the schema's caps
  on keywords, list values and distributions apply as in the form (H9/H11);
- no mass deletion: nothing is deleted after a run with errors, nor when
  more than ``ckanext.smartcity.harvest.max_deletion_ratio`` of the source's
  datasets would go (H13);
- vocabulary values the portal does not know are dropped with a warning on
  the harvest object, and the dataset is imported without them; deprecated
  codes and http/https variants map to the current URI (H15);
- error messages name the page, the dataset URI and the field, never the
  document's content.
"""
from __future__ import annotations

import contextlib
import json
import logging
import uuid
from typing import Any

import sqlalchemy as sa
from rdflib import URIRef
import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.plugins import PluginImplementations
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import RDFParser
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values
from ckanext.smartcity.i18n_text import bilingual
from ckanext.smartcity.harvest import fetch

log = logging.getLogger(__name__)

SOURCE_TYPE = "dcat_ap_de"
# What a harvested document may never decide (H12).
PRIVILEGED = ("id", "owner_org", "private", "state", "type", "creator_user_id",
              "groups", "organization", "revision_id", "metadata_created")
DEFAULT_FORMAT = "ttl"


class HarvestConfigError(ValueError):
    pass


def source_config(text: str | None) -> dict[str, Any]:
    """The source's JSON configuration, checked (the form shows the message)."""
    if not text or not text.strip():
        return {}
    try:
        config = json.loads(text)
    except ValueError:
        raise HarvestConfigError(bilingual("configuration is not JSON")) from None
    if not isinstance(config, dict):
        raise HarvestConfigError(bilingual("configuration must be a JSON object"))
    unknown = sorted(set(config) - {"rdf_format", "max_deletion_ratio"})
    if unknown:
        raise HarvestConfigError(bilingual("unknown setting") + ": " + ", ".join(unknown))
    if config.get("rdf_format", DEFAULT_FORMAT) not in fetch.FORMATS:
        raise HarvestConfigError(bilingual("rdf_format: allowed values") + ": "
                                 + ", ".join(fetch.FORMATS))
    ratio = config.get("max_deletion_ratio")
    if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, (int, float))
                              or not 0 <= ratio <= 1):
        raise HarvestConfigError(bilingual("max_deletion_ratio must be a number from 0 to 1"))
    return config


def _vocabulary_fields() -> tuple[list[dict], list[dict]]:
    """Schema fields backed by a vocabulary: (dataset fields, resource fields),
    subfields included."""
    schema = scheming_get_dataset_schema("dataset")

    def walk(fields):
        found = []
        for field in fields:
            if field.get("vocabulary"):
                found.append(field)
            for sub in field.get("repeating_subfields") or ():
                if sub.get("vocabulary"):
                    found.append({**sub, "parent": field["field_name"]})
        return found
    return walk(schema["dataset_fields"]), walk(schema["resource_fields"])


def _known(field: dict, value: Any) -> Any:
    """The value with unknown vocabulary entries removed, and the removed ones."""
    name = field["vocabulary"]
    if isinstance(value, list) or (isinstance(value, str) and value.startswith("[")):
        items = values(value)  # a list or the profile's JSON list
        kept = [v for v in items if vocab.find(name, v)]
        return kept, [v for v in items if not vocab.find(name, v)]
    if value in (None, "") or vocab.find(name, value):
        return value, []
    return None, [value]


def drop_unknown_vocabulary_values(dataset: dict) -> list[str]:
    """H15: remove values not in the field's vocabulary, in place; one
    warning (German / English) per field that lost values."""
    dataset_fields, resource_fields = _vocabulary_fields()
    warnings = []

    def clean(record: dict, fields: list[dict], where: str):
        for field in fields:
            parent = field.get("parent")
            rows = record.get(parent) if parent else [record]
            if not isinstance(rows, list):
                continue
            for row in rows:
                if not isinstance(row, dict) or field["field_name"] not in row:
                    continue
                kept, dropped = _known(field, row[field["field_name"]])
                if dropped:
                    row[field["field_name"]] = kept
                if dropped:  # the values themselves are not repeated (document content)
                    label = f"{parent}.{field['field_name']}" if parent else field["field_name"]
                    warnings.append(
                        f"{where}{label}: " + bilingual("%(count)s unknown value(s) dropped",
                                                        count=len(dropped)))
    clean(dataset, dataset_fields, "")
    for number, resource in enumerate(dataset.get("resources") or (), 1):
        if isinstance(resource, dict):
            clean(resource, resource_fields,
                  bilingual("resource %(number)s", number=number) + ": ")
    return warnings


class _Stopped(Exception):
    """An IDCATRDFHarvester hook ended the gather stage."""


class _GatherHooks:
    """ckanext-dcat's IDCATRDFHarvester gather hooks, called as its
    DCATRDFHarvester calls them: per page ``before_download`` (the URL),
    ``after_download`` (the text) and ``after_parsing`` (an ``RDFParser``
    holding the page's graph); each plugin gets what the previous one
    returned, the messages they return become gather errors, and a falsy
    result ends the gather stage with no objects. ``update_session`` is not
    called: pages are fetched by net.py over connections pinned to checked
    addresses (docs/security.md), there is no requests session to give."""

    def __init__(self, harvest_job, report):
        self.plugins = list(PluginImplementations(IDCATRDFHarvester))
        self.job = harvest_job
        self.report = report  # saves a gather error
        self.had_errors = False

    def _call(self, hook: str, value):
        for plugin in self.plugins:
            value, errors = getattr(plugin, hook)(value, self.job)
            for message in errors or ():
                self.report(message, self.job)
                self.had_errors = True  # like any gather error: no deletions (H13)
            if not value:
                raise _Stopped(hook)
        return value

    def before_download(self, url: str) -> str:
        return self._call("before_download", url)

    def after_download(self, content: str) -> str:
        return self._call("after_download", content)

    def after_parsing(self, parser: RDFParser) -> RDFParser:
        return self._call("after_parsing", parser)

    def page_callbacks(self) -> tuple:
        """``fetch.pages``' callbacks; none without plugins (no re-encoding)."""
        if not self.plugins:
            return None, None
        return self.before_download, self.after_download


def _package_schema(hooks: list, action: str) -> dict:
    """The schema package_create/package_update would use by default, as the
    IDCATRDFHarvester hooks change it (``update_package_schema_for_*``)."""
    plugin = lib_plugins.lookup_package_plugin("dataset")
    if action == "create":
        schema = plugin.create_package_schema()
        for hook in hooks:
            schema = hook.update_package_schema_for_create(schema)
    else:
        schema = plugin.update_package_schema()
        for hook in hooks:
            schema = hook.update_package_schema_for_update(schema)
    return schema


def _after_write(hooks: list, action: str, harvest_object, dataset: dict,
                 temp: dict) -> str | None:
    """The first error an ``after_create``/``after_update`` hook reports (the
    later hooks are not called, as in ckanext-dcat). The dataset is stored
    by then; a hook that raises counts as reporting its exception's name."""
    for hook in hooks:
        after = hook.after_create if action == "create" else hook.after_update
        try:
            error = after(harvest_object, dataset, temp)
        except Exception as exc:  # another extension's bug: this object fails
            log.exception("IDCATRDFHarvester.after_%s of %r failed", action, hook)
            error = type(exc).__name__
        if error:
            return str(error)[:300]
    return None


class DCATAPDEHarvester(DCATRDFHarvester):
    """The harvester (IHarvester, through ckanext-dcat's RDF harvester); the
    plugin that CKAN loads is :class:`.plugin.SmartcityHarvesterPlugin`."""

    def info(self):
        return {
            "name": SOURCE_TYPE,
            "title": "DCAT-AP.de (Smart City)",
            "description": tk._("DCAT-AP.de 3.0/2.0 catalogue (Turtle, RDF/XML, JSON-LD, "
                                "N-Triples), paged with hydra, fetched with SSRF and size "
                                "limits, validated like the form"),
        }

    def validate_config(self, config):
        try:
            source_config(config)
        except HarvestConfigError as exc:
            raise ValueError(str(exc)) from None
        return config

    # -- gather ---------------------------------------------------------------

    def gather_stage(self, harvest_job):
        source = harvest_job.source
        try:
            config = source_config(source.config)
        except HarvestConfigError as exc:
            self._save_gather_error(str(exc), harvest_job)
            return []
        source_package = model.Package.get(source.id)
        if not source_package or not source_package.owner_org:
            self._save_gather_error(bilingual("the harvest source has no organisation"),
                                    harvest_job)
            return []
        fmt = config.get("rdf_format", DEFAULT_FORMAT)
        policy = fetch.Policy.from_config(tk.config)
        max_datasets = int(tk.config.get("ckanext.smartcity.harvest.max_datasets"))
        guids: list[str] = []
        seen: set[str] = set()
        object_ids: list[str] = []
        had_errors = False
        names_taken: set[str] = set()
        page_number = 0
        hooks = _GatherHooks(harvest_job, self._save_gather_error)
        try:
            for graph in fetch.pages(source.url, fmt, policy, *hooks.page_callbacks()):
                page_number += 1
                parser = RDFParser()
                parser.g = graph
                parser = hooks.after_parsing(parser)
                for position, ref in enumerate(parser._datasets(), 1):
                    try:
                        dataset = self._parse(parser, ref)
                    except Exception as exc:  # a profile error: this dataset only
                        log.warning("harvest %s: page %s dataset %s: %r", source.id,
                                    page_number, position, exc)
                        self._save_gather_error(
                            bilingual("page %(page)s, dataset %(position)s: could not be read "
                                      "(%(error)s)", page=page_number, position=position,
                                      error=type(exc).__name__), harvest_job)
                        had_errors = True
                        continue
                    guid = self._guid(ref, dataset)
                    if not guid:
                        self._save_gather_error(
                            bilingual("page %(page)s, dataset %(position)s: skipped, no URI "
                                      "or dct:identifier", page=page_number, position=position),
                            harvest_job)
                        had_errors = True
                        continue
                    if guid in seen:
                        self._save_gather_error(
                            f"{guid[:300]}: "
                            + bilingual("appears more than once, the first one is kept"),
                            harvest_job)
                        continue
                    if len(guids) >= max_datasets:
                        raise fetch.FetchError(
                            bilingual("more than %(count)s datasets, the rest was skipped "
                                      "(ckanext.smartcity.harvest.max_datasets)",
                                      count=max_datasets))
                    guids.append(guid)
                    seen.add(guid)
                    for key in PRIVILEGED:
                        dataset.pop(key, None)
                    dataset["name"] = self._new_name(dataset.get("title"), names_taken)
                    obj = HarvestObject(guid=guid, job=harvest_job,
                                        content=json.dumps(dataset))
                    obj.save()
                    object_ids.append(obj.id)
        except fetch.FetchError as exc:
            self._save_gather_error(bilingual("fetch stopped") + f": {exc}", harvest_job)
            had_errors = True
        except _Stopped:  # as in ckanext-dcat: the run imports and deletes nothing
            return []
        object_ids.extend(self._deletions(harvest_job, guids, had_errors or hooks.had_errors,
                                          config))
        return object_ids

    @staticmethod
    def _parse(parser: RDFParser, ref) -> dict:
        """One dataset node through every profile (what ``parser.datasets()``
        does, one node at a time, so one broken dataset costs only itself)."""
        dataset: dict = {}
        for profile_class in parser._profiles:
            profile_class(parser.g, dataset_type=parser.dataset_type,
                          compatibility_mode=parser.compatibility_mode
                          ).parse_dataset(dataset, ref)
        return dataset

    @staticmethod
    def _guid(ref, dataset: dict) -> str | None:
        """The dataset's URI, else its dct:identifier (blank nodes have no
        identity between runs)."""
        if isinstance(ref, URIRef):
            return str(ref)[:2000]
        guid = str(dataset.get("identifier") or "").strip()[:2000]
        return guid or None

    def _new_name(self, title: Any, taken: set[str]) -> str:
        base = self._gen_new_name(str(title or "datensatz")[:500]) or "datensatz"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base[:95]}-{number}"
        taken.add(name)
        return name

    def _deletions(self, harvest_job, guids_in_source, had_errors, config) -> list[str]:
        """H13: harvest objects that delete what the source no longer has, or
        none (with a report) after errors or above the threshold."""
        current = dict(model.Session.query(HarvestObject.guid, HarvestObject.package_id)
                       .filter(HarvestObject.current == True)  # noqa: E712
                       .filter(HarvestObject.harvest_source_id == harvest_job.source.id))
        gone = sorted(set(current) - set(guids_in_source))
        if not gone:
            return []
        if had_errors:
            self._save_gather_error(
                bilingual("no deletion after errors; %(count)s datasets missing from the "
                          "source are kept", count=len(gone)), harvest_job)
            return []
        ratio = config.get("max_deletion_ratio")
        if ratio is None:
            ratio = tk.config.get("ckanext.smartcity.harvest.max_deletion_ratio")
        if len(gone) > float(ratio) * len(current):
            self._save_gather_error(
                bilingual("no deletion: %(count)s of %(total)s datasets are missing from the "
                          "source, more than the allowed share %(share)s", count=len(gone),
                          total=len(current), share=f"{float(ratio):.0%}"), harvest_job)
            return []
        ids = []
        for guid in gone:
            model.Session.query(HarvestObject).filter_by(
                guid=guid, harvest_source_id=harvest_job.source.id).update(
                {"current": False}, False)
            obj = HarvestObject(guid=guid, job=harvest_job, package_id=current[guid],
                                extras=[HarvestObjectExtra(key="status", value="delete")])
            obj.save()
            ids.append(obj.id)
        return ids

    # -- import ---------------------------------------------------------------

    def fetch_stage(self, harvest_object):
        return True

    def import_stage(self, harvest_object):
        context = {"user": self._get_user_name(), "ignore_auth": True}
        if self._get_object_extra(harvest_object, "status") == "delete":
            with contextlib.suppress(tk.ObjectNotFound):  # deleted already
                tk.get_action("package_delete")(dict(context), {"id": harvest_object.package_id})
            return True
        try:
            dataset = json.loads(harvest_object.content or "")
            assert isinstance(dataset, dict)
        except (ValueError, AssertionError):
            self._save_object_error(bilingual("content could not be read"),
                                    harvest_object, "Import")
            return False
        source = harvest_object.source or harvest_object.job.source
        for key in PRIVILEGED:
            dataset.pop(key, None)
        dataset["owner_org"] = model.Package.get(source.id).owner_org
        dataset["type"] = "dataset"
        for warning in drop_unknown_vocabulary_values(dataset):
            self._save_object_error(bilingual("warning") + f": {warning}", harvest_object,
                                    "Import")

        previous = (model.Session.query(HarvestObject)
                    .filter(HarvestObject.guid == harvest_object.guid)
                    .filter(HarvestObject.harvest_source_id == source.id)
                    .filter(HarvestObject.current == True)  # noqa: E712
                    .filter(HarvestObject.id != harvest_object.id)
                    .first())
        existing = None
        if previous and previous.package_id:
            try:
                existing = tk.get_action("package_show")(
                    dict(context), {"id": previous.package_id})
            except tk.ObjectNotFound:
                existing = None
            if existing and existing.get("state") == "deleted":
                existing = None
        # ckanext-dcat's IDCATRDFHarvester import hooks, called where its
        # DCATRDFHarvester calls them; extensions are trusted code, so what
        # their before_* hooks change is kept. A hook that empties the dict
        # has the dataset ignored ("unchanged").
        hooks = list(PluginImplementations(IDCATRDFHarvester))
        action = "update" if existing else "create"
        temp: dict = {}  # shared by the hooks of this object
        try:
            write_context = {**context, "schema": _package_schema(hooks, action)}
            if existing:
                dataset["id"], dataset["name"] = existing["id"], existing["name"]
                _keep_resource_ids(existing, dataset)
                for hook in hooks:
                    hook.before_update(harvest_object, dataset, temp)
                if not dataset:
                    return "unchanged"
                harvest_object.package_id = dataset["id"]
                tk.get_action("package_update")(write_context, dataset)
            else:
                dataset["id"] = str(uuid.uuid4())
                for hook in hooks:
                    hook.before_create(harvest_object, dataset, temp)
                if not dataset:
                    return "unchanged"
                harvest_object.package_id = dataset["id"]
                harvest_object.add()
                # the dataset row comes after the harvest object in this session
                model.Session.execute(sa.text(
                    "SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
                model.Session.flush()
                tk.get_action("package_create")(write_context, dataset)
        except tk.ValidationError as exc:
            model.Session.rollback()
            self._save_object_error(
                bilingual("not imported, validation failed") + ": "
                + _error_summary(exc.error_dict, _strings(dataset)), harvest_object, "Import")
            return False
        except Exception as exc:  # index, database: this object fails, the consumer goes on
            model.Session.rollback()
            log.exception("harvest import of %s failed", harvest_object.id)
            self._save_object_error(bilingual("not imported") + f" ({type(exc).__name__})",
                                    harvest_object, "Import")
            return False
        if previous:
            previous.current = False
            previous.add()
        harvest_object.current = True
        harvest_object.add()
        error = _after_write(hooks, action, harvest_object, dataset, temp)
        model.Session.commit()  # with what the after_* hooks wrote
        if error:
            self._save_object_error(bilingual("extension error") + f": {error}",
                                    harvest_object, "Import")
            return False
        return True


def _keep_resource_ids(existing: dict, dataset: dict) -> None:
    """Distributions keep their resource ids between runs (links, previews
    and DataStore tables depend on them): matched by access URL, in order."""
    by_url: dict[str, list[str]] = {}
    for resource in existing.get("resources") or ():
        by_url.setdefault(resource.get("url") or "", []).append(resource["id"])
    for resource in dataset.get("resources") or ():
        if isinstance(resource, dict) and by_url.get(resource.get("url") or ""):
            resource["id"] = by_url[resource.get("url") or ""].pop(0)


def _strings(value, found=None, limit=20000) -> set[str]:
    """The document's own strings (to keep them out of messages)."""
    found = set() if found is None else found
    if len(found) >= limit:
        return found
    if isinstance(value, dict):
        for item in value.values():
            _strings(item, found, limit)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found, limit)
    elif isinstance(value, str) and len(value.strip()) >= 3:
        found.add(value.strip()[:40])
    return found


def _message(text: str, document: set[str]) -> str:
    text = str(text)[:300]
    if any(value in text for value in document):
        return bilingual("invalid value")
    return text


def _error_summary(errors: dict, document: set[str], prefix: str = "") -> str:
    """Field names and messages of a ValidationError; a message that repeats
    a value of the document (CKAN's tag and email messages do) is replaced."""
    parts = []
    for field, messages in sorted(errors.items()):
        if isinstance(messages, list):
            for number, item in enumerate(messages, 1):
                if isinstance(item, dict):
                    parts.append(_error_summary(item, document, f"{prefix}{field}[{number}]."))
                else:
                    parts.append(f"{prefix}{field}: {_message(item, document)}")
        elif isinstance(messages, dict):
            parts.append(_error_summary(messages, document, f"{prefix}{field}."))
        else:
            parts.append(f"{prefix}{field}: {_message(messages, document)}")
    return "; ".join(p for p in parts if p)
