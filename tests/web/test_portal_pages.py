"""What citizens see on the home and dataset pages (HTML level; the real
browser runs in tests/browser/): the facts of a dataset in plain German or
English, the downloads, escaped structured data, and counts that never
include datasets the visitor may not see."""
import json

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")


def soup(app, url, **kw):
    response = app.get(url, **kw)
    assert response.status_code == 200, url
    return BeautifulSoup(response.body, "html.parser")


def facts(page):
    dl = page.select_one("dl.smartcity-facts")
    assert dl is not None
    return {dt.get_text(strip=True): " ".join(dt.find_next_sibling("dd").get_text(" ").split())
            for dt in dl.find_all("dt")}


def test_dataset_page_shows_the_facts_in_german_and_english(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, smartcity_category=["radverkehr"]))
    shown = facts(soup(app, "/dataset/ladesaeulen"))
    assert shown["Lizenz"].startswith("Datenlizenz Deutschland Namensnennung 2.0")
    assert "Namensnennung:" in shown["Lizenz"]
    assert shown["Herausgeber"]
    assert "@" in shown["Kontakt"]
    assert shown["Zeitraum"] == "2020 – 31.12.2024"
    assert shown["Aktualisierungsfrequenz"] == "monatlich"
    assert shown["Smart-City-Kategorien"] == "Radverkehr"
    assert "Verkehr" in shown["EU-Themen"]
    english = facts(soup(app, "/en/dataset/ladesaeulen"))
    assert {"Licence", "Publisher", "Contact", "Time period", "Update frequency",
            "Smart City categories", "EU themes"} <= set(english)
    assert english["Smart City categories"] == "Cycling"


def test_downloads_have_format_badges_and_named_links(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    page = soup(app, "/dataset/ladesaeulen")
    items = page.select(".smartcity-downloads li")
    assert items
    first = items[0]
    assert first.select_one(".smartcity-format").get_text(strip=True) == "CSV"
    button = first.select_one("a.btn")
    assert button["href"] == "https://example.org/ladesaeulen.csv"
    assert button["aria-label"] == "Ladesäulen (CSV) herunterladen"


def test_the_organisation_box_does_not_search_the_organisations_datasets(app, steward, org,
                                                                      monkeypatch):
    """The box shows the organisation (title, description, link) without
    CKAN's full organization_show, which searched the organisation's datasets
    and listed its members on every dataset page (O4: no organisation
    look-up per page that costs a search)."""
    helpers.call_action("organization_patch", context=dict(steward["context"]), id=org["id"],
                        description="Die Stadtverwaltung Dinslaken.")
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    # the search connection of either backend: ours, or pysolr's on Solr
    import pysolr
    from ckanext.smartcity.search.connection import PostgresSearchConnection
    searches = []
    for connection in (PostgresSearchConnection, pysolr.Solr):
        original = connection.search

        def recording(self, q=None, *args, _original=original, **kwargs):
            searches.append(f"{q} {kwargs.get('fq')}")
            return _original(self, q, *args, **kwargs)
        monkeypatch.setattr(connection, "search", recording)
    page = soup(app, "/dataset/ladesaeulen")
    assert page.find("a", href="/organization/stadt-dinslaken")
    assert "Die Stadtverwaltung Dinslaken." in page.get_text()
    assert searches, "the spy saw no search at all"
    assert not [s for s in searches if "owner_org" in s or "groups:" in s], searches


def test_repeating_fields_show_only_filled_subfields(app, steward, org):
    dataset = full_dataset(org)
    dataset["contact"] = [{"name": "Open-Data-Team", "email": "opendata@example.org"}]
    helpers.call_action("package_create", context=dict(steward["context"]), **dataset)
    table = soup(app, "/dataset/ladesaeulen").select_one("table")
    contact = [row for row in table.select("tr") if "Ansprechpartner" in row.get_text()][0]
    labels = [dt.get_text(strip=True) for dt in contact.select("dt")]
    assert labels == ["Name", "E-Mail"]
    assert "Ansprechpartner 1" not in contact.get_text()


def test_structured_data_cannot_end_its_script_element(app, steward, org):
    """docs/security.md O2: ckanext-dcat writes its JSON-LD unescaped."""
    hostile = "</script><script>alert(1)</script> & <b>"
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, title=hostile))
    body = app.get("/dataset/ladesaeulen").body
    assert "<script>alert(1)" not in body
    [script] = BeautifulSoup(body, "html.parser").select("script[type='application/ld+json']")
    data = json.loads(script.string)
    [dataset] = [n for n in data["@graph"] if n.get("@type") == "schema:Dataset"]
    name = dataset["schema:name"]
    assert hostile in (name if isinstance(name, list) else [name]), name


def test_home_page_counts_only_what_the_visitor_may_see(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, smartcity_category=["radverkehr"]))
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="geheim", title="Geheimer Entwurf",
                                       private=True, smartcity_category=["radverkehr"]))
    page = soup(app, "/")
    assert "Datensätze: 1 · Herausgeber: 1" in " ".join(page.get_text(" ").split())
    newest = page.select_one("section[aria-labelledby=smartcity-home-newest]").get_text(" ")
    assert "Ladesäulen" in newest and "Geheimer Entwurf" not in newest
    orgs = page.select(".smartcity-home-organizations li")
    assert [" ".join(li.get_text(" ").split()) for li in orgs] == [f"{org['title']} 1 Datensatz"]
    tile = [t for t in page.select(".smartcity-category-tile") if "Mobilität" in t.get_text()][0]
    assert tile.select_one(".smartcity-category-tile-count").get_text(strip=True) == "1 Datensatz"

    # someone who may see the private dataset counts it
    insider = soup(app, "/", headers={"Authorization": steward["token"]})
    assert "Datensätze: 2" in " ".join(insider.get_text(" ").split())
    orgs = insider.select(".smartcity-home-organizations li")
    assert " ".join(orgs[0].get_text(" ").split()) == f"{org['title']} 2 Datensätze"


def test_demo_notice_only_where_configured(app):
    assert soup(app, "/").select_one(".smartcity-demo-notice") is None
    with helpers.changed_config("ckanext.smartcity.demo_notice", True):
        notice = soup(app, "/").select_one(".smartcity-demo-notice")
    assert notice is not None and "Demonstrationsdaten" in notice.get_text()


def test_no_avatar_is_fetched_from_a_third_party(app):
    sysadmin = factories.SysadminWithToken()
    body = app.get("/dataset/", headers={"Authorization": sysadmin["token"]}).body
    assert "gravatar.com" not in body
