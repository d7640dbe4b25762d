"""Sites with Solr do not enable smartcity_search: every field of the index
document must then fit CKAN's shipped Solr schema, with the right
multi-valuedness. The schema is parsed here independently of the backend."""
import os
import xml.etree.ElementTree as ET
from fnmatch import fnmatchcase

import pytest
import sqlalchemy as sa

import ckan
import ckan.model as model
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db")


def solr_fields():
    path = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")
    root = ET.parse(path).getroot()
    multi_types = {t.get("name") for t in root.iter("fieldType")
                   if t.get("multiValued") == "true"}

    def multi(el):
        if el.get("multiValued") is not None:
            return el.get("multiValued") == "true"
        return el.get("type") in multi_types

    fields = {el.get("name"): multi(el) for el in root.iter("field")}
    dynamic = sorted(((el.get("name"), multi(el)) for el in root.iter("dynamicField")),
                     key=lambda item: -len(item[0]))
    return fields, dynamic


def test_every_index_field_fits_the_stock_solr_schema():
    org = factories.Organization()
    group = factories.Group()
    factories.Dataset(
        owner_org=org["id"], title="Vollständig", notes="Alles", tag_string="aa,bb",
        groups=[{"id": group["id"]}], url="http://example.org", version="1.0",
        author="Stadt", maintainer="Amt", license_id="cc-by",
        resources=[{"url": "http://example.org/a.csv", "format": "CSV", "name": "A"},
                   {"url": "http://example.org/b.json", "format": "JSON", "name": "B"}])
    doc = model.Session.execute(sa.text(
        "SELECT doc FROM smartcity_search_stored")).scalar()
    fields, dynamic = solr_fields()
    problems = []
    for key, value in doc.items():
        if key in fields:
            multi = fields[key]
        else:
            match = next((m for pattern, m in dynamic if fnmatchcase(key, pattern)), None)
            if match is None:
                problems.append(f"{key}: no field in schema.xml")
                continue
            multi = match
        if isinstance(value, list) and not multi:
            problems.append(f"{key}: list value for a single-valued Solr field")
    assert problems == []
    # The multi-valued fields really are lists in the document.
    assert sorted(doc["tags"]) == ["aa", "bb"]
    assert sorted(doc["res_format"]) == ["CSV", "JSON"]
