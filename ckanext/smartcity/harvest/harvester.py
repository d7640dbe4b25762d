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
- no mass deletion: nothing is deleted after a run with errors (gather
  errors or datasets refused at import), nor when more than
  ``ckanext.smartcity.harvest.max_deletion_ratio`` of the source's datasets
  would go (H13; the rule: :meth:`DCATAPDEHarvester._deletions`);
- vocabulary values the portal does not know are dropped with a warning,
  and the dataset is imported without them; deprecated codes and http/https
  variants map to the current URI (H15);
- warnings are not errors: they are kept per harvest object in the extra
  ``smartcity_warnings`` (a JSON list of "Deutsch / English" texts), so
  ckanext-harvest's error counts stay errors; the job's stats add
  ``warnings`` and ``refused``, the job report ``object_warnings``, and the
  dataset's editors see them on its page;
- mandatory gaps (licence, contributor ID, publisher, contact) are filled
  from the source's configured ``defaults``, then from the organisation's
  (schema/defaults.py), each with a warning; a dataset still lacking a
  licence or publisher is refused, with the fields named;
- a dataset without ``dct:identifier`` keeps its source URI as
  ``identifier``; a dataset deleted because it left the source is restored
  (same id and name) when it comes back;
- error messages name the page, the dataset URI and the field, never the
  document's content.
"""
from __future__ import annotations

import contextlib
import copy
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
from ckanext.smartcity.schema.defaults import is_blank, organization_defaults
from ckanext.smartcity.schema.values import values
from ckanext.smartcity.i18n_text import bilingual
from ckanext.smartcity.harvest import fetch, mend

log = logging.getLogger(__name__)

SOURCE_TYPE = "dcat_ap_de"
# What a harvested document may never decide (H12).
PRIVILEGED = ("id", "owner_org", "private", "state", "type", "creator_user_id",
              "groups", "organization", "revision_id", "metadata_created")
DEFAULT_FORMAT = "ttl"
# harvest object extra: the object's warnings, a JSON list of bilingual texts
WARNINGS_KEY = "smartcity_warnings"
# what a source's "defaults" (then the organisation) may fill, in this order
DEFAULTABLE = ("license_id", "contributor_id", "publisher", "contact")
MANDATORY = ("license_id", "publisher")  # of those: refused when still missing
_DEFAULT_VOCABULARIES = {"license_id": "dcatde-license", "contributor_id": "dcatde-contributor"}
_DEFAULT_SUBFIELDS = {"publisher": ("name", "uri", "type", "email", "url"),
                      "contact": ("name", "email", "url", "phone")}


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
    unknown = sorted(set(config) - {"rdf_format", "max_deletion_ratio", "defaults"})
    if unknown:
        raise HarvestConfigError(bilingual("unknown setting") + ": " + ", ".join(unknown))
    if config.get("rdf_format", DEFAULT_FORMAT) not in fetch.FORMATS:
        raise HarvestConfigError(bilingual("rdf_format: allowed values") + ": "
                                 + ", ".join(fetch.FORMATS))
    ratio = config.get("max_deletion_ratio")
    if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, (int, float))
                              or not 0 <= ratio <= 1):
        raise HarvestConfigError(bilingual("max_deletion_ratio must be a number from 0 to 1"))
    if "defaults" in config:
        config["defaults"] = _source_defaults(config["defaults"])
    return config


def _source_defaults(given: Any) -> dict[str, Any]:
    """A source's ``defaults``, checked, in dataset form: ``license_id`` and
    ``contributor_id`` a value of their vocabulary (URI, code or alias;
    stored as the URI), ``publisher`` and ``contact`` one object of text
    subfields each (stored as a one-row list; a publisher needs a name)."""
    if not isinstance(given, dict):
        raise HarvestConfigError("defaults: " + bilingual("configuration must be a JSON object"))
    unknown = sorted(set(given) - set(DEFAULTABLE))
    if unknown:
        raise HarvestConfigError(bilingual("unknown setting") + ": "
                                 + ", ".join(f"defaults.{key}" for key in unknown))
    checked: dict[str, Any] = {}
    for field, value in given.items():
        if field in _DEFAULT_VOCABULARIES:
            name = _DEFAULT_VOCABULARIES[field]
            checked[field] = vocab.canonical(name, value) if isinstance(value, str) else None
            if not checked[field]:
                raise HarvestConfigError(f"defaults.{field}: " + bilingual(
                    "not in the vocabulary %(vocabulary)s", vocabulary=name))
        else:
            checked[field] = [_default_row(field, value)]
    return checked


def _default_row(field: str, value: Any) -> dict[str, str]:
    allowed = _DEFAULT_SUBFIELDS[field]
    if (not isinstance(value, dict) or set(value) - set(allowed)
            or not all(isinstance(v, str) for v in value.values())
            or is_blank({k: v.strip() for k, v in value.items()})
            or (field == "publisher" and not value.get("name", "").strip())):
        raise HarvestConfigError(f"defaults.{field}: " + bilingual(
            "a JSON object of texts (%(fields)s; a publisher needs a name)",
            fields=", ".join(allowed)))
    return {k: v.strip() for k, v in value.items() if v.strip()}


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


def _gap(dataset: dict, field: str) -> bool:
    """Whether ``field`` is empty; a publisher also when no row has a name."""
    value = dataset.get(field)
    if field == "publisher":
        rows = value if isinstance(value, list) else []
        return not any(isinstance(row, dict) and not is_blank(row.get("name")) for row in rows)
    return is_blank(value)


def _shown(value: Any) -> str:
    """A default as the warning names it: a URI, or the row's name or address."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        row = value[0]
        return str(row.get("name") or row.get("email") or row.get("url") or row.get("phone"))
    return str(value)


def fill_mandatory_gaps(dataset: dict, source_defaults: dict,
                        org_defaults: dict) -> list[str]:
    """Fill licence, contributor ID, publisher and contact where the source
    left them empty, in place: from the harvest source's ``defaults``, else
    from the organisation's (schema/defaults.py); one warning per filled
    field, naming the field, where the value came from and the value."""
    warnings = []
    for field in DEFAULTABLE:
        if not _gap(dataset, field):
            continue
        if not is_blank(source_defaults.get(field)):
            value = source_defaults[field]
            text = bilingual("missing in the source, the harvest source's default was used "
                             "(%(value)s)", value=_shown(value))
        elif not is_blank(org_defaults.get(field)):
            value = org_defaults[field]
            text = bilingual("missing in the source, the organisation's default was used "
                             "(%(value)s)", value=_shown(value))
        else:
            continue
        dataset[field] = copy.deepcopy(value)
        warnings.append(f"{field}: {text}")
    return warnings


def fill_description(dataset: dict) -> list[str]:
    """The description is mandatory (dct:description, DCAT-AP.de 3.0) but
    some Länder portals leave it out (Brandenburg's address directories,
    tests/data/realworld/): the title stands in, with a warning, so that
    the dataset is imported rather than refused (issue 15: every dataset of
    the corpus is imported)."""
    title = dataset.get("title")
    if not is_blank(dataset.get("notes")) or is_blank(title):
        return []
    dataset["notes"] = str(title)
    return ["notes: " + bilingual("missing in the source, the title was used")]


def drop_resources_without_url(dataset: dict) -> list[str]:
    """A distribution without any access, download or endpoint URL (Bremen's
    empty ``#distribution_`` nodes, tests/data/realworld/) would refuse the
    whole dataset in the form (the URL is mandatory): it is dropped, with a
    warning. The dataset's licence was derived from the distributions before
    (rdf/profile.py), so a licence it carried is not lost."""
    resources = dataset.get("resources")
    if not isinstance(resources, list):
        return []
    kept, warnings = [], []
    for number, resource in enumerate(resources, 1):
        if isinstance(resource, dict) and is_blank(resource.get("url")):
            warnings.append(bilingual("resource %(number)s", number=number) + ": "
                            + bilingual("dropped, no access URL"))
        else:
            kept.append(resource)
    dataset["resources"] = kept
    return warnings


def _organization_defaults(org_id: str) -> dict[str, Any]:
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": org_id, "include_datasets": False,
                                    "include_users": False, "include_extras": True})
    except tk.ObjectNotFound:
        return {}
    return organization_defaults(org)


def stored_warnings(harvest_object) -> list[str]:
    """The warnings kept with a harvest object (extra ``smartcity_warnings``)."""
    for extra in harvest_object.extras:
        if extra.key == WARNINGS_KEY:
            with contextlib.suppress(ValueError):
                found = json.loads(extra.value or "[]")
                return [str(w) for w in found] if isinstance(found, list) else []
    return []


def _warning_extras(warnings: list[str]) -> list[HarvestObjectExtra]:
    """The extras a new harvest object carries its warnings in (none without)."""
    return [HarvestObjectExtra(key=WARNINGS_KEY, value=json.dumps(warnings))] if warnings else []


def _store_warnings(harvest_object, warnings: list[str]) -> None:
    """Keep ``warnings`` with the object (replacing what it had) and commit."""
    for extra in harvest_object.extras:
        if extra.key == WARNINGS_KEY:
            extra.value = json.dumps(warnings)
            break
    else:
        if not warnings:
            return
        harvest_object.extras.append(
            HarvestObjectExtra(key=WARNINGS_KEY, value=json.dumps(warnings)))
    harvest_object.add()
    model.Session.commit()


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
                # wild spellings mended before anything reads the page
                graph_warnings = self._graph_warnings(graph, graph.base or source.url)
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
                    if is_blank(dataset.get("identifier")):
                        # the source's identity travels on (issue 15); a
                        # dct:identifier of the source is never replaced
                        dataset["identifier"] = guid
                    # a graph step's warnings go with the dataset into import_stage
                    obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(dataset),
                                        extras=_warning_extras(graph_warnings.get(ref, [])))
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
    def _graph_warnings(graph, page_url: str) -> dict[Any, list[str]]:
        """Mend what real portals write (``mend.mend_graph``, README
        "Harvesting") and return its warnings per dataset node. They travel
        with the harvest object (extra ``smartcity_warnings``) into
        import_stage, which adds its own and keeps them as warnings, not
        errors. Warnings of no dataset (the catalogue's own values) are
        logged."""
        warnings = mend.mend_graph(graph, page_url)
        for text in warnings.pop(None, []):
            log.info("harvest page %s: %s", page_url, text)
        return warnings

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
        none (with a report) after errors or above the threshold.

        The deletion rule. A dataset this source harvested earlier and no
        longer lists is deleted only when all of these hold:

        1. the gather stage had no error (every page fetched and parsed,
           every dataset read, no hook error, ``max_datasets`` not hit);
        2. at most ``max_deletion_ratio`` (source, else portal) of the
           source's current datasets are missing;
        3. when its delete object is imported, every other object of the same
           job has been imported successfully: none was refused (validation,
           missing mandatory value, extension error) and none is still
           waiting. The delete objects are queued after the job's datasets,
           so one fetch consumer always sees the job's imports done; with
           several consumers a delete that overtakes an import is not done.

        1 and 2 are checked here; 3 in :meth:`_import_deletion`. A dataset
        kept by 3 stays current and the job lists it with the reason; the
        next job decides again."""
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
            return self._import_deletion(harvest_object, context)
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
        warnings = stored_warnings(harvest_object) + drop_unknown_vocabulary_values(dataset)
        warnings += fill_mandatory_gaps(dataset, _config_defaults(source),
                                        _organization_defaults(dataset["owner_org"]))
        warnings += fill_description(dataset) + drop_resources_without_url(dataset)
        missing = [field for field in MANDATORY if _gap(dataset, field)]
        if missing:
            _store_warnings(harvest_object, warnings)
            self._save_object_error(
                bilingual("not imported: mandatory values missing in the source, and no "
                          "default in the harvest source or the organisation") + ": "
                + ", ".join(missing), harvest_object, "Import")
            return False
        outcome = self._write(harvest_object, source, dataset, context)
        _store_warnings(harvest_object, warnings)
        return outcome

    def _write(self, harvest_object, source, dataset: dict, context: dict):
        """Create, update or restore the dataset; True, "unchanged" or False."""
        previous, existing = _existing(harvest_object, source.id, context)
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
                if existing.get("state") == "deleted":
                    dataset["state"] = "active"  # back in the source: restored
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
                # current before the dataset is indexed, so that the index
                # (ckanext-harvest's before_dataset_index) marks it harvested
                # and its RDF invents no dates; a failed write rolls it back
                harvest_object.current = True
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

    def _import_deletion(self, harvest_object, context: dict):
        """Delete the dataset the source no longer lists, unless rule 3 of
        :meth:`_deletions` keeps it ("unchanged", with the reason as the
        object's warning)."""
        reason = _deletion_blocker(harvest_object)
        if reason:
            _store_warnings(harvest_object, [reason])
            return "unchanged"
        model.Session.query(HarvestObject).filter_by(
            guid=harvest_object.guid, harvest_source_id=harvest_object.harvest_source_id
        ).update({"current": False}, False)
        with contextlib.suppress(tk.ObjectNotFound):  # deleted already
            tk.get_action("package_delete")(dict(context), {"id": harvest_object.package_id})
        model.Session.commit()
        return True


def _config_defaults(source) -> dict[str, Any]:
    """The source's checked ``defaults`` (none if its configuration broke
    since the gather stage read it)."""
    try:
        return source_config(source.config).get("defaults") or {}
    except HarvestConfigError:
        return {}


def _existing(harvest_object, source_id: str, context: dict) -> tuple[Any, dict | None]:
    """The source's current object for this guid, and the dataset to update:
    the current object's, else the newest dataset an earlier object of the
    guid had, also a deleted one (a dataset that left the source and came
    back is restored with its id and name). Only this source's objects are
    looked at (H12)."""
    objects = (model.Session.query(HarvestObject)
               .filter(HarvestObject.guid == harvest_object.guid)
               .filter(HarvestObject.harvest_source_id == source_id)
               .filter(HarvestObject.id != harvest_object.id))
    previous = objects.filter(HarvestObject.current == True).first()  # noqa: E712
    package_id = previous.package_id if previous else None
    if not package_id:
        earlier = (objects.filter(HarvestObject.package_id.isnot(None))
                   .order_by(HarvestObject.gathered.desc()).first())
        package_id = earlier.package_id if earlier else None
    if not package_id:
        return previous, None
    try:
        return previous, tk.get_action("package_show")(dict(context), {"id": package_id})
    except tk.ObjectNotFound:  # purged
        return previous, None


def _deletion_blocker(harvest_object) -> str | None:
    """Why a delete object of a job must not delete (rule 3 of
    ``_deletions``): datasets of the same job refused, or not yet imported."""
    deletes = sa.select(HarvestObjectExtra.harvest_object_id).where(
        HarvestObjectExtra.key == "status", HarvestObjectExtra.value == "delete")
    states = dict(model.Session.query(HarvestObject.state, sa.func.count(HarvestObject.id))
                  .filter(HarvestObject.harvest_job_id == harvest_object.harvest_job_id)
                  .filter(HarvestObject.id.notin_(deletes))
                  .group_by(HarvestObject.state).all())
    refused = states.get("ERROR", 0)
    pending = sum(count for state, count in states.items() if state not in ("COMPLETE", "ERROR"))
    if refused:
        return bilingual("not deleted: %(count)s dataset(s) of this job were refused; a dataset "
                         "missing from the source is deleted only by a job without refusals",
                         count=refused)
    if pending:
        return bilingual("not deleted: %(count)s dataset(s) of this job were not yet imported; "
                         "a later job decides", count=pending)
    return None


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


# -- job statistics, job report, dataset page -----------------------------------

def _delete_object_ids():
    return sa.select(HarvestObjectExtra.harvest_object_id).where(
        HarvestObjectExtra.key == "status", HarvestObjectExtra.value == "delete")


def job_counts(job_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per job: ``warnings`` (datasets with warnings) and ``refused``
    (datasets not imported), next to ckanext-harvest's ``errored`` (objects
    with errors plus gather errors)."""
    counts = {job_id: {"warnings": 0, "refused": 0} for job_id in job_ids}
    if not job_ids:
        return counts
    warned = (model.Session.query(HarvestObject.harvest_job_id,
                                  sa.func.count(sa.distinct(HarvestObject.id)))
              .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
              .filter(HarvestObjectExtra.key == WARNINGS_KEY,
                      HarvestObjectExtra.value != "[]",
                      HarvestObject.harvest_job_id.in_(job_ids))
              .group_by(HarvestObject.harvest_job_id))
    refused = (model.Session.query(HarvestObject.harvest_job_id, sa.func.count(HarvestObject.id))
               .filter(HarvestObject.harvest_job_id.in_(job_ids),
                       HarvestObject.state == "ERROR",
                       HarvestObject.id.notin_(_delete_object_ids()))
               .group_by(HarvestObject.harvest_job_id))
    for key, query in (("warnings", warned), ("refused", refused)):
        for job_id, count in query.all():
            counts[job_id][key] = count
    return counts


def _add_counts(jobs: list[dict | None]) -> None:
    jobs = [job for job in jobs if job and isinstance(job.get("stats"), dict)]
    counts = job_counts([job["id"] for job in jobs])
    for job in jobs:
        job["stats"].update(counts[job["id"]])


@tk.side_effect_free
@tk.chained_action
def harvest_job_show(original_action, context, data_dict):
    """ckanext-harvest's job, its ``stats`` with ``warnings`` and ``refused``."""
    job = original_action(context, data_dict)
    _add_counts([job])
    return job


@tk.side_effect_free
@tk.chained_action
def harvest_job_list(original_action, context, data_dict):
    """ckanext-harvest's jobs, their ``stats`` with ``warnings`` and ``refused``."""
    jobs = original_action(context, data_dict)
    _add_counts(jobs)
    return jobs


@tk.side_effect_free
@tk.chained_action
def harvest_source_show_status(original_action, context, data_dict):
    """ckanext-harvest's source status, the last job's ``stats`` with
    ``warnings`` and ``refused``."""
    status = original_action(context, data_dict)
    _add_counts([status.get("last_job")])
    return status


@tk.side_effect_free
@tk.chained_action
def harvest_job_report(original_action, context, data_dict):
    """ckanext-harvest's job report plus ``object_warnings``: per harvest
    object with warnings its ``guid``, ``package_id`` and ``warnings``."""
    report = original_action(context, data_dict)
    objects = (model.Session.query(HarvestObject)
               .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
               .filter(HarvestObject.harvest_job_id == data_dict.get("id"),
                       HarvestObjectExtra.key == WARNINGS_KEY)
               .order_by(HarvestObject.guid))
    report["object_warnings"] = {}
    for obj in objects:
        if warnings := stored_warnings(obj):
            report["object_warnings"][obj.id] = {"guid": obj.guid, "package_id": obj.package_id,
                                                 "warnings": warnings}
    return report


# the original checks harvest_job_show's auth, not one of its own name (CKAN
# exempts a plugin's own actions from this audit, not a chained one)
harvest_job_report.auth_audit_exempt = True


def get_report_actions() -> dict[str, Any]:
    return {"harvest_job_show": harvest_job_show, "harvest_job_list": harvest_job_list,
            "harvest_source_show_status": harvest_source_show_status,
            "harvest_job_report": harvest_job_report}


def dataset_warnings(package_id: str) -> dict[str, Any] | None:
    """The warnings of the import that made a harvested dataset what it is
    (its current harvest object), with the job and source to link to; None
    for a dataset without any. The template asks only for its editors."""
    obj = (model.Session.query(HarvestObject)
           .filter(HarvestObject.package_id == package_id,
                   HarvestObject.current == True)  # noqa: E712
           .order_by(HarvestObject.import_finished.desc()).first())
    warnings = stored_warnings(obj) if obj else []
    source = model.Package.get(obj.harvest_source_id) if warnings else None
    if not source:
        return None
    return {"warnings": warnings, "job_id": obj.harvest_job_id, "source_name": source.name,
            "source_title": source.title, "imported": obj.import_finished}


def get_helpers() -> dict[str, Any]:
    return {"smartcity_harvest_warnings": dataset_warnings}
