"""The schema files themselves: every field explains itself in German and
English, sits in a form group, and names a vocabulary that exists."""
import json
import os

import yaml

from ckanext.smartcity.schema import vocab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(name):
    with open(os.path.join(ROOT, "schemas", name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def all_fields():
    dataset = load("dataset.yaml")
    org = load("organization.yaml")
    for section, fields in (("dataset", dataset["dataset_fields"]),
                            ("resource", dataset["resource_fields"]),
                            ("organization", org["fields"])):
        for field in fields:
            yield section, field["field_name"], field, True
            for sub in field.get("repeating_subfields", []):
                yield section, f"{field['field_name']}.{sub['field_name']}", sub, False


FIELDS = list(all_fields())


def test_every_field_has_german_and_english_label_and_help():
    problems = []
    for section, name, field, top in FIELDS:
        for key in ("label", "help_text"):
            text = field.get(key)
            if not (isinstance(text, dict) and text.get("de") and text.get("en")):
                problems.append(f"{section}:{name} {key}")
        if top and section != "organization" and field.get("form_group") not in (
                "mandatory", "recommended", "optional"):
            problems.append(f"{section}:{name} form_group")
        if "vocabulary" in field and not vocab.concepts(field["vocabulary"]):
            problems.append(f"{section}:{name} vocabulary")
    assert problems == []
    assert len(FIELDS) > 80


def test_dcat_ap_de_mandatory_properties_are_in_the_mandatory_group():
    dataset = load("dataset.yaml")
    groups = {f["field_name"]: f["form_group"] for f in dataset["dataset_fields"]}
    assert {groups[n] for n in ("title", "notes", "publisher")} == {"mandatory"}
    resource = {f["field_name"]: f["form_group"] for f in dataset["resource_fields"]}
    assert resource["url"] == resource["license"] == "mandatory"


def test_readme_field_reference_matches_the_schema():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "field_reference", os.path.join(ROOT, "scripts", "field_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert module.updated_readme(readme) == readme, "run make field-reference"
    for name, _field, _x, _y in [(n, f, s, t) for s, n, f, t in FIELDS]:
        assert f"`{name}`" in readme, name


def test_groups_follow_the_dcat_ap_de_obligations():
    """Each field's group is the obligation DCAT-AP.de 3.0 gives its property
    (reference/spec/v3.0_properties_table.derived.json, copied to tests/data)."""
    with open(os.path.join(ROOT, "tests", "data", "v3.0_properties_table.derived.json"),
              encoding="utf-8") as handle:
        table = json.load(handle)
    obligation = {"Pflicht": "mandatory", "Empfohlen": "recommended", "Optional": "optional"}
    expected = {(cls, prop.replace("dcterms:", "dct:")): obligation[level]
                for cls, prop, _range, level, *_rest in table
                if cls in ("Datensatz", "Distribution")}
    dataset = load("dataset.yaml")
    checked = 0
    for cls, fields in (("Datensatz", dataset["dataset_fields"]),
                        ("Distribution", dataset["resource_fields"])):
        for field in fields:
            prop = (field.get("dcat") or "").split(",")[0].strip()
            if (cls, prop) in expected:
                assert field["form_group"] == expected[(cls, prop)], (cls, field["field_name"])
                checked += 1
    assert checked >= 40
    # every mandatory and recommended property has a field
    have = {(cls, (f.get("dcat") or "").split(",")[0].strip())
            for cls, key in (("Datensatz", "dataset_fields"), ("Distribution", "resource_fields"))
            for f in dataset[key]}
    spatial_from_geocoding = {("Datensatz", "dct:spatial"), ("Datensatz", "dcat:distribution"),
                              ("Datensatz", "dcatde:politicalGeocodingURI")}
    missing = {k for k, v in expected.items() if v != "optional"} - have - spatial_from_geocoding
    assert missing == set()
