"""What the dcat_ap_de profile writes for a dataset using every field: the
GovData conventions (contributor ID, geocoding level and region also as
dct:spatial, licence and EU file type and IANA media type as URIs, typed
nodes) and the deprecated dcatde terms GovData's parser still reads."""
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckan.tests import helpers

from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
GEODCATAP = Namespace("http://data.europa.eu/930/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
DINSLAKEN = URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05170008")


@pytest.fixture
def rdf(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    graph = Graph().parse(data=app.get("/dataset/ladesaeulen.ttl").body, format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    distribution = next(graph.objects(dataset, DCAT.distribution))
    return graph, dataset, distribution


def test_govdata_conventions_on_the_dataset(rdf):
    g, ds, _dist = rdf
    assert list(g.objects(ds, DCATDE.contributorID)) == [
        URIRef("http://dcat-ap.de/def/contributors/openNRW")]
    assert g.value(ds, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    assert DINSLAKEN in set(g.objects(ds, DCTERMS.spatial))
    assert (DINSLAKEN, RDF.type, DCTERMS.Location) in g
    # deprecated, GovData reads it
    assert DINSLAKEN in set(g.objects(ds, DCATDE.politicalGeocodingURI))
    assert g.value(ds, DCATAP.availability) == URIRef(EU + "planned-availability/STABLE")
    assert g.value(ds, DCATDE.plannedAvailability) == URIRef(EU + "planned-availability/STABLE")
    assert g.value(ds, DCTERMS.identifier) == Literal("dinslaken-ladesaeulen")
    assert g.value(ds, DCTERMS.modified) is not None
    assert list(g.objects(ds, DCTERMS.references)) == [URIRef(
        "https://musterdatenkatalog.de/def/musterdatensatz/Energie/Ladesaeulen")]
    contact = g.value(ds, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in g
    assert g.value(contact, VCARD.hasTelephone) == URIRef("tel:+49%202064%2066-0")  # as typed
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:mobil@dinslaken.de")
    publisher = g.value(ds, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert g.value(publisher, FOAF.name) == Literal("Stadtwerke Dinslaken")
    assert g.value(publisher, DCTERMS.type) == URIRef("http://purl.org/adms/publishertype/Company")
    for new, old, name in ((GEODCATAP.custodian, DCATDE.maintainer, "Stadt Dinslaken"),
                           (GEODCATAP.originator, DCATDE.originator, "Stadtwerke Dinslaken")):
        for predicate in (new, old):
            agent = g.value(ds, predicate)
            assert (agent, RDF.type, FOAF.Agent) in g and g.value(agent, FOAF.name) == Literal(name)


def test_govdata_conventions_on_the_distribution(rdf):
    g, ds, dist = rdf
    assert g.value(dist, DCTERMS["format"]) == URIRef(EU + "file-type/CSV")
    assert g.value(dist, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv")
    licence = g.value(dist, DCTERMS.license)
    assert licence == URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in g
    assert g.value(dist, DCATDE.licenseAttributionByText) == Literal(
        "© Stadtwerke Dinslaken (2025)")
    assert g.value(dist, DCATDE.plannedAvailability) == URIRef(
        EU + "planned-availability/AVAILABLE")
    service = g.value(dist, DCAT.accessService)
    assert g.value(service, DCTERMS.publisher) == g.value(ds, DCTERMS.publisher)


def test_catalogue_has_publisher_description_language_homepage(app, rdf):
    g = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    catalog = next(g.subjects(RDF.type, DCAT.Catalog))
    publisher = g.value(catalog, DCTERMS.publisher)
    assert publisher == URIRef("https://www.dinslaken.de")
    assert Literal("Stadt Dinslaken (Test)") in set(g.objects(publisher, FOAF.name))
    assert g.value(catalog, DCTERMS.description) is not None
    assert g.value(catalog, DCTERMS.language) == URIRef(EU + "language/DEU")
    assert g.value(catalog, FOAF.homepage) is not None
