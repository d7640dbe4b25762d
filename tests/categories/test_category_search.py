"""Categories on datasets: stored as concept URIs, refused when unknown,
counted hierarchically in the search facet (labels, not URIs), found when
filtering by a top concept, EU themes derived, and the API counts respect
who may see a private dataset."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.smartcity.categories import scheme as categories

pytestmark = pytest.mark.usefixtures("clean_db")

KAT = categories.NAMESPACE
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FACET = "vocab_smartcity_category"


@pytest.fixture
def town():
    """Three public datasets and a private one of the town's organisation."""
    admin = factories.Sysadmin()
    member = factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    make = lambda **kw: factories.Dataset(owner_org=org["id"], **kw)  # noqa: E731
    return {
        "admin": admin, "member": member, "org": org,
        "bike": make(name="radwege", title="Radwege", smartcity_category=["radverkehr"],
                     theme=["ENVI"]),
        "bus": make(name="haltestellen", title="Haltestellen",
                    smartcity_category=[KAT + "oepnv"]),
        "power": make(name="stromverbrauch", title="Stromverbrauch",
                      smartcity_category="Energieverbrauch und Energieeffizienz"),
        "counts": make(name="radzaehlung", title="Radzählung", private=True,
                       smartcity_category=["radverkehr", "verkehrslage"]),
    }


def search(user=None, **params):
    context = {"user": user["name"] if user else None, "ignore_auth": False}
    return helpers.call_action("package_search", context=context, include_private=True,
                               **params)


def test_categories_are_stored_as_concept_uris(town):
    assert town["bike"]["smartcity_category"] == [KAT + "radverkehr"]
    assert town["power"]["smartcity_category"] == [KAT + "energieeffizienz"]
    assert town["counts"]["smartcity_category"] == [KAT + "radverkehr", KAT + "verkehrslage"]
    # hand-picked themes stay as given; derived ones are not written into them
    assert town["bike"]["theme"] == [THEME + "ENVI"]


def test_unknown_category_is_a_field_error_in_german_and_english(app, town):
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_update", context={"user": town["admin"]["name"]},
                            **{**town["bike"], "smartcity_category": ["radverkehr", "Raumfahrt"]})
    assert raised.value.error_dict == {
        "smartcity_category": ["“Raumfahrt” is not in the list of allowed values."]}
    stored = helpers.call_action("package_show", id="radwege")
    assert stored["smartcity_category"] == [KAT + "radverkehr"]
    token = factories.APIToken(user=town["admin"]["name"])["token"]
    for prefix, word in (("", "zulässigen"), ("/en", "allowed")):
        response = app.post(f"{prefix}/api/3/action/package_patch",
                            json={"id": "radwege", "smartcity_category": ["Raumfahrt"]},
                            headers={"Authorization": token}, status=409)
        message = response.json["error"]["smartcity_category"][0]
        assert "Raumfahrt" in message and word in message, message


def test_facet_counts_sub_concepts_for_their_top_concept_and_shows_labels(town):
    result = search(**{"facet.field": [FACET], "facet.limit": -1})
    counts = result["facets"][FACET]
    assert counts[KAT + "mobilitaet"] == 2          # Radwege (Radverkehr) + Haltestellen (ÖPNV)
    assert counts[KAT + "radverkehr"] == 1
    assert counts[KAT + "oepnv"] == 1
    assert counts[KAT + "energie"] == counts[KAT + "energieeffizienz"] == 1
    assert KAT + "verkehrslage" not in counts       # only in the private dataset
    labels = {i["name"]: i["display_name"] for i in result["search_facets"][FACET]["items"]}
    assert labels[KAT + "mobilitaet"] == "Mobilität und Verkehr"
    assert labels[KAT + "oepnv"] == "Öffentlicher Personennahverkehr"
    assert not [label for label in labels.values() if label.startswith("http")]


def test_filtering_by_a_top_concept_finds_the_datasets_of_its_sub_concepts(town):
    result = search(fq=f'{FACET}:"{KAT}mobilitaet"')
    assert sorted(d["name"] for d in result["results"]) == ["haltestellen", "radwege"]
    result = search(fq=f'{FACET}:"{KAT}oepnv"')
    assert [d["name"] for d in result["results"]] == ["haltestellen"]


def test_the_member_sees_and_counts_the_private_dataset(town):
    result = search(town["member"], fq=f'{FACET}:"{KAT}mobilitaet"')
    assert sorted(d["name"] for d in result["results"]) == ["haltestellen", "radwege",
                                                               "radzaehlung"]


def test_eu_themes_are_derived_from_categories_in_the_index(town):
    result = search(**{"facet.field": ["vocab_eu_theme"]})
    counts = result["facets"]["vocab_eu_theme"]
    assert counts == {THEME + "TRAN": 2, THEME + "ENVI": 1, THEME + "ENER": 1}
    labels = {i["name"]: i["display_name"]
              for i in result["search_facets"]["vocab_eu_theme"]["items"]}
    assert labels[THEME + "TRAN"] == "Verkehr"
    assert search(fq=f'vocab_eu_theme:"{THEME}TRAN"')["count"] == 2


def test_full_text_search_finds_datasets_by_category_labels(town):
    assert [d["name"] for d in search(q="ÖPNV")["results"]] == ["haltestellen"]
    assert sorted(d["name"] for d in search(q="Mobilität")["results"]) == [
        "haltestellen", "radwege"]


def test_category_list_counts_respect_visibility(town):
    def counts(user):
        context = {"user": user["name"] if user else None}
        data = helpers.call_action("smartcity_category_list", context=context)
        return {c["id"]: c["package_count"] for c in data["categories"]}

    anonymous, member, admin = counts(None), counts(town["member"]), counts(town["admin"])
    assert (anonymous["mobilitaet"], member["mobilitaet"], admin["mobilitaet"]) == (2, 3, 3)
    assert (anonymous["radverkehr"], member["radverkehr"]) == (1, 2)
    assert (anonymous["verkehrslage"], member["verkehrslage"]) == (0, 1)
    assert anonymous["kultur-freizeit"] == 0
    outsider = counts(factories.User())
    assert outsider == anonymous


def test_category_list_over_http_with_top_only_and_language(app, town):
    data = app.get("/api/3/action/smartcity_category_list?top_only=true&lang=en").json["result"]
    assert data["scheme"] == "https://w3id.org/ckanext-smartcity/kategorien"
    assert data["title"] == "Smart City categories"
    assert len(data["categories"]) == 10
    mobility = data["categories"][0]
    assert mobility["label"] == "Mobility and transport"
    assert mobility["package_count"] == 2
    assert mobility["themes"] == [THEME + "TRAN"]
    assert mobility["icon"] == "bus"
    assert len(mobility["narrower"]) == 10
    assert mobility["page_url"].endswith("/kategorien/mobilitaet")


def test_category_show_gives_mappings_hierarchy_and_counts(app, town):
    data = app.get("/api/3/action/smartcity_category_show?id=radverkehr").json["result"]
    assert data["uri"] == KAT + "radverkehr"
    assert data["label"] == "Radverkehr"
    assert data["package_count"] == 1
    assert [a["id"] for a in data["ancestors"]] == ["mobilitaet"]
    relations = {(m["relation"], m["scheme"], m["label"]) for m in data["mappings"]}
    assert ("skos:broadMatch", "EU-Datenthema", "Verkehr") in relations
    assert {s for r, s, _l in relations if r == "skos:narrowMatch"} == {"Musterdatenkatalog V4"}
    assert len([m for m in data["mappings"] if m["relation"] == "skos:narrowMatch"]) == 5
    assert [(s, bool(label)) for r, s, label in relations if r == "skos:closeMatch"] == [
        ("mobilityDCAT-AP", True)]
    top = app.get("/api/3/action/smartcity_category_show?id=Mobilität und Verkehr").json["result"]
    assert [n["id"] for n in top["narrower"]][:2] == ["oepnv", "radverkehr"]
    assert top["narrower"][1]["package_count"] == 1
    app.get("/api/3/action/smartcity_category_show?id=raumfahrt", status=404)
