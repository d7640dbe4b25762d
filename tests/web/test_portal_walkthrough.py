"""The foundation's acceptance path, through the web pages as a browser
session would go (cookie login, CSRF tokens, forms): a sysadmin logs in,
creates an organisation and a dataset in the web form, and finds the dataset
by free text and by facet."""
import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db")


def csrf_token(html):
    field = BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})
    assert field is not None, "form without CSRF token"
    return field["value"]


def post_form(app, url, data):
    token = csrf_token(app.get(url).body)
    return app.post(url, data=dict(data, _csrf_token=token), follow_redirects=True)


def test_steward_creates_organisation_and_dataset_and_citizen_finds_it(app):
    factories.Sysadmin(name="steward", password="correct-horse-battery")
    page = post_form(app, "/user/login",
                     {"login": "steward", "password": "correct-horse-battery"})
    assert page.status_code == 200

    page = post_form(app, "/organization/new", {
        "title": "Stadt Moers", "name": "stadt-moers",
        "description": "Stadtverwaltung", "save": ""})
    assert page.status_code == 200
    assert "Stadt Moers" in page.body

    # Stage 1: dataset metadata; stage 2: the first resource.
    token = csrf_token(app.get("/dataset/new").body)
    page = app.post("/dataset/new", data={
        "_csrf_token": token, "_ckan_phase": "dataset_new_1", "save": "",
        "title": "Haltestellen des Nahverkehrs", "name": "haltestellen",
        "notes": "Alle Bushaltestellen mit Linien.", "tag_string": "Mobilität,ÖPNV",
        "owner_org": "stadt-moers", "license_id": "cc-by"}, follow_redirects=True)
    assert page.status_code == 200
    token = csrf_token(page.body)
    page = app.post("/dataset/haltestellen/resource/new", data={
        "_csrf_token": token, "id": "", "save": "go-metadata",
        "url": "https://example.org/haltestellen.csv", "name": "Haltestellen",
        "format": "CSV"}, follow_redirects=True)
    assert page.status_code == 200
    assert "Haltestellen des Nahverkehrs" in page.body

    app.get("/user/_logout", follow_redirects=True)

    # A citizen, not logged in, finds it by free text (stemmed) ...
    results = app.get("/dataset/", query_string={"q": "Haltestelle"}).body
    assert "Haltestellen des Nahverkehrs" in results
    # ... and by the facet the list page offers.
    soup = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    facet_links = [a.get("href", "") for a in soup.select("a") if "tags=" in a.get("href", "")]
    assert any("tags=%C3%96PNV" in href or "tags=ÖPNV" in href for href in facet_links)
    results = app.get("/dataset/", query_string={"tags": "ÖPNV"}).body
    assert "Haltestellen des Nahverkehrs" in results
    results = app.get("/dataset/", query_string={"res_format": "CSV",
                                                 "organization": "stadt-moers"}).body
    assert "Haltestellen des Nahverkehrs" in results
