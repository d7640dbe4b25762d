"""A catalogue page size above ckan.search.rows_max must not drop datasets:
following the hydra pages of /catalog.ttl yields every dataset once."""
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, RDF

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db")

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "5")
@pytest.mark.ckan_config("ckan.search.rows_max", "3")
def test_every_dataset_is_on_some_page(app):
    org = factories.Organization()
    ids = {factories.Dataset(owner_org=org["id"])["id"] for _ in range(7)}
    seen, url, pages = [], "/catalog.ttl?page=1", 0
    while url and pages < 10:
        graph = Graph().parse(data=app.get(url).body, format="turtle")
        seen += [str(ref).rsplit("/", 1)[-1] for ref in graph.subjects(RDF.type, DCAT.Dataset)]
        following = next(graph.objects(None, HYDRA.nextPage), None)
        url = "/catalog.ttl?" + str(following).split("?", 1)[1] if following else None
        pages += 1
    assert pages == 3                      # 3 + 3 + 1, paged by rows_max
    assert len(seen) == len(set(seen)) == 7 and set(seen) == ids
