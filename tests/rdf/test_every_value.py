"""Every value of every vocabulary the schema offers, written through the
dcat_ap_de profile, passes GovData's DCAT-AP.de 3.0 shapes: generated
datasets cycle through the single-valued lists (frequency, availability,
access rights, contributor IDs, geocoding levels, licences, publisher
types), carry all themes, HVD categories and languages, and one dataset has a
distribution per EU file type (cycling status, availability, checksum
algorithm, licence, language). Validated as one catalogue graph."""
import itertools

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from ckan.tests import factories, helpers

from ckanext.smartcity.schema import vocab
from tests.shacl import violations

pytestmark = pytest.mark.usefixtures("clean_db")

HASHES = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
          "md2": 32, "md4": 32, "md6": 128}


def uris(name):
    return [c["uri"] for c in vocab.concepts(name)]


def cycle(name, n):
    return list(itertools.islice(itertools.cycle(uris(name)), n))


def chunks(values, size=100):
    return [values[i:i + size] for i in range(0, len(values), size)] or [[]]


def hash_for(algorithm_uri):
    code = vocab.find("checksum-algorithm", algorithm_uri)["code"]
    length = HASHES.get(code.lower().replace("-", "").replace("checksumalgorithm_", ""), 64)
    return "a" * length


@pytest.fixture
def catalogue(app):
    admin = factories.Sysadmin()
    context = {"user": admin["name"]}
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    single = {
        "frequency": uris("eu-frequency"), "availability": uris("eu-planned-availability"),
        "access_rights": uris("eu-access-right"), "contributor_id": uris("dcatde-contributor"),
        "political_geocoding_level": uris("political-geocoding-level"),
        "license_id": uris("dcatde-license"),
    }
    count = max(len(v) for v in single.values())
    languages = chunks(uris("eu-language"))
    hvd = chunks(uris("eu-hvd-category"))
    regions = uris("german-region")[::97]  # spread over states, districts, municipalities
    publisher_types = uris("adms-publisher-type")
    for i in range(count):
        data = {field: values[i % len(values)] for field, values in single.items()}
        data.update({
            "name": f"generated-{i:03d}", "title": f"Generierter Datensatz {i}",
            "notes": "Erzeugt für die SHACL-Prüfung.", "owner_org": org["id"],
            "publisher": [{"name": f"Stelle {i}", "type": publisher_types[i % len(publisher_types)]}],
            "theme": uris("eu-data-theme") if i == 0 else [],
            "language": languages[i % len(languages)],
            "hvd_category": hvd[i % len(hvd)],
            "political_geocoding": regions[i * 2:(i + 1) * 2],
            "resources": [{"url": f"https://example.org/{i}.csv", "format": "CSV"}],
        })
        helpers.call_action("package_create", context=dict(context), **data)
    file_types = [c["code"] for c in vocab.concepts("eu-file-type")]
    n = len(file_types)
    resources = [{
        "url": f"https://example.org/file-{j}", "name": f"Datei {code}", "format": code,
        "status": status, "availability": availability, "license": licence,
        "language": language, "hash_algorithm": algorithm, "hash": hash_for(algorithm),
    } for j, (code, status, availability, licence, language, algorithm) in enumerate(zip(
        file_types, cycle("eu-distribution-status", n), cycle("eu-planned-availability", n),
        cycle("dcatde-license", n), cycle("eu-language", n), cycle("checksum-algorithm", n)))]
    helpers.call_action("package_create", context=dict(context), name="every-file-type",
                        title="Alle Dateiformate", notes="Je ein Format.", owner_org=org["id"],
                        publisher=[{"name": "Stadt"}], license_id=uris("dcatde-license")[0],
                        resources=resources)
    return count + 1


def test_every_vocabulary_value_conforms(app, catalogue):
    graph = Graph().parse(
        data=app.get("/catalog.ttl", query_string={"page": 1}).body, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == catalogue
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == catalogue - 1 + 212
    assert violations(graph) == []
    assert violations(graph, "eu-dcat-ap-3.0.1") == []
