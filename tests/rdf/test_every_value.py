"""Every value of every vocabulary the schema offers, written through the
dcat_ap_de profile, passes GovData's DCAT-AP.de 3.0 shapes: generated
datasets cycle through the single-valued lists (frequency, availability,
access rights, contributor IDs, geocoding levels, licences, publisher
types), carry all themes, HVD categories and languages, and one dataset has a
distribution per EU file type (cycling status, availability, checksum
algorithm, licence, language). Validated as one catalogue graph."""
import itertools
import os

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckan.tests import factories, helpers

from ckanext.smartcity.schema import vocab
from tests.shacl import REFERENCE, violations

pytestmark = pytest.mark.usefixtures("clean_db")

# The EU file-type table the vocabulary is built from (scripts/reference/).
FILE_TYPES = os.path.join(REFERENCE, "nal", "eu_file-type_20250319-0.rdf")
FILE_TYPE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/file-type")
AUTHORITY = Namespace("http://publications.europa.eu/ontology/authority/")

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
            "publisher": [{"name": f"Stelle {i}",
                           "type": publisher_types[i % len(publisher_types)]}],
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
        cycle("dcatde-license", n), cycle("eu-language", n), cycle("checksum-algorithm", n),
        strict=True))]
    helpers.call_action("package_create", context=dict(context), name="every-file-type",
                        title="Alle Dateiformate", notes="Je ein Format.", owner_org=org["id"],
                        publisher=[{"name": "Stadt"}], license_id=uris("dcatde-license")[0],
                        resources=resources)
    return count


def current_file_types() -> set[str]:
    """The file types of the official EU table that are in use: 217 concepts
    in the 2025-03-19 edition, less the 4 marked at:deprecated (AKN4EU_ZIP,
    FMX2, FMX3, LEG) and OP_DATPRO, the placeholder every EU table carries
    for "provisional data": 217 - 4 - 1 = 212."""
    table = Graph().parse(FILE_TYPES, format="xml")
    return {str(c) for c in table.subjects(SKOS.inScheme, FILE_TYPE_SCHEME)
            if str(table.value(c, AUTHORITY.deprecated)).lower() != "true"
            and not str(c).endswith("/OP_DATPRO")}


def test_every_vocabulary_value_conforms(app, catalogue):
    graph = Graph().parse(
        data=app.get("/catalog.ttl", query_string={"page": 1}).body, format="turtle")
    generated = catalogue  # one per value of the longest single-valued list
    # the generated datasets and "every-file-type"
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == generated + 1
    # one distribution per generated dataset, and one per file type in use in
    # "every-file-type", each with its own file type as dct:format
    file_types = current_file_types()
    assert len(file_types) == 212
    [every] = [d for d in datasets if str(graph.value(d, DCTERMS.title)) == "Alle Dateiformate"]
    formats = [str(graph.value(d, DCTERMS["format"]))
               for d in graph.objects(every, DCAT.distribution)]
    assert sorted(formats) == sorted(file_types)
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == generated + len(file_types)
    assert violations(graph) == []
    assert violations(graph, "eu-dcat-ap-3.0.1") == []
