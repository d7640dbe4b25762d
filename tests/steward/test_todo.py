"""The steward's to-do list (/organization/<id>/aufgaben): drafts, quality
findings, unreachable URLs, harvest warnings and overdue updates of one
organisation, each linked to the field or form to fix it; only for the
organisation's editors, admins and sysadmins; never another organisation's
items."""
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from rdflib.namespace import DCTERMS

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.smartcity.harvest import harvester
from ckanext.smartcity.quality import assessment, reachability
from ckanext.smartcity.steward import todo
from tests.quality.test_quality import minimal
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
PAGE = "/organization/stadt-dinslaken/aufgaben"
UNREACHABLE = "http://10.1.2.3/intern.csv"  # refused by the SSRF rules: no request leaves
WARNING = "Lizenz aus den Voreinstellungen ergänzt / licence filled from the defaults"


def days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def create(steward, data):
    return helpers.call_action("package_create", context=dict(steward["context"]), **data)


def member(org, capacity: str) -> dict:
    user = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=user["name"],
                        role=capacity)
    return {"user": user, "token": factories.APIToken(user=user["name"])["token"]}


def page(app, token, url=PAGE, status=200):
    response = app.get(url, headers={"Authorization": token}, status=status)
    return BeautifulSoup(response.body, "html.parser")


def section(soup, name):
    found = soup.select_one(f'section[data-section="{name}"]')
    assert found is not None, name
    return found


def hrefs(soup, name):
    return [a["href"] for a in section(soup, name).select("a.smartcity-todo-fix")]


def count(soup, name):
    return int(section(soup, name).select_one(".smartcity-todo-count").get_text())


def harvested(steward, org, dataset, warnings):
    """``dataset`` owned by a current harvest object of a source of
    ``org``, its warnings stored the way the harvester keeps them."""
    site = {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}
    source = tk.get_action("harvest_source_create")(dict(site), {
        "name": f"quelle-{dataset['name']}", "title": "Nachbarportal",
        "url": f"http://127.0.0.1:9/{dataset['name']}.ttl", "source_type": "dcat_ap_de",
        "owner_org": org["id"], "config": "{}", "frequency": "MANUAL"})
    job = HarvestJob(source_id=source["id"])
    job.save()
    obj = HarvestObject(guid=f"https://nachbar.example/{dataset['name']}", job=job,
                        package_id=dataset["id"], current=True,
                        harvest_source_id=source["id"], import_finished=dt.datetime.utcnow())
    obj.save()
    harvester._store_warnings(obj, warnings)
    return source, job


@pytest.fixture
def other_org(steward):
    return helpers.call_action(
        "organization_create", context=dict(steward["context"]), name="stadt-voerde",
        title="Stadt Voerde", publisher_uri="https://www.voerde.de",
        contributor_id="http://dcat-ap.de/def/contributors/openNRW",
        political_geocoding_level="municipality", political_geocoding="05170048",
        contact_name="Open Data", contact_email="opendata@voerde.de")


def good(org, name, **overrides):
    """A complete dataset (rated "good": no quality finding), named ``name``."""
    return full_dataset(org, **{"name": name, "title": name.capitalize(), "identifier": name,
                                "frequency": "IRREG", **overrides})


def items_of_every_kind(steward, org, prefix=""):
    """One item per section in ``org``: a draft, a dataset rated "bad"
    (the minimal one, URL not yet checked), an unreachable URL, a harvest
    warning, an overdue update; and an annual dataset not yet due."""
    draft = create(steward, minimal(org, name=f"{prefix}entwurf", title="Entwurf",
                                    state="draft"))
    bad = create(steward, minimal(org, name=f"{prefix}mangelhaft", private=True))
    resource = full_dataset(org)["resources"][0]
    unreachable = create(steward, good(org, f"{prefix}weg", resources=[
        {**resource, "url": UNREACHABLE, "name": "Intern"}]))
    reachability.check_urls(unreachable["id"], [UNREACHABLE])   # as the background job does
    monthly = create(steward, good(org, f"{prefix}monatlich", frequency="MONTHLY",
                                   modified=days_ago(92)))
    annual = create(steward, good(org, f"{prefix}jaehrlich", frequency="ANNUAL",
                                  modified=days_ago(31)))
    imported = create(steward, good(org, f"{prefix}geerntet"))
    source, job = harvested(steward, org, imported, [WARNING])
    return {"draft": draft, "bad": bad, "unreachable": unreachable, "monthly": monthly,
            "annual": annual, "imported": imported, "source": source, "job": job}


def test_every_section_links_to_the_place_to_fix_it(app, steward, org):
    made = items_of_every_kind(steward, org)
    soup = page(app, steward["token"])
    assert [count(soup, name) for name in todo.SECTIONS] == [1, 1, 1, 1, 1]
    # the draft: its edit form
    assert hrefs(soup, "drafts") == ["/dataset/edit/entwurf"]
    # the private dataset rated "bad": its next steps at the distribution's
    # field (URL not answering yet) and at the dataset's fields
    [resource] = made["bad"]["resources"]
    fixes = hrefs(soup, "quality")
    assert fixes[0] == f"/dataset/mangelhaft/resource/{resource['id']}/edit#field-resource-url"
    assert "/dataset/edit/mangelhaft#field-tag_string" in fixes
    assert "Schlagwörter angeben: +30 Punkte" in section(soup, "quality").get_text()
    # the failed URL check: the distribution's URL field, with what the check found
    [resource] = made["unreachable"]["resources"]
    assert hrefs(soup, "urls") == [
        f"/dataset/weg/resource/{resource['id']}/edit#field-resource-url"]
    assert "private or local address" in section(soup, "urls").get_text()
    # the harvest warning: the job report
    assert hrefs(soup, "harvest") == [
        f"/harvest/{made['source']['name']}/job/{made['job'].id}"]
    assert WARNING in section(soup, "harvest").get_text()
    # monthly, modified three months ago: overdue; annual, modified last month: not
    assert hrefs(soup, "overdue") == ["/dataset/edit/monatlich#field-modified"]
    assert "jaehrlich" not in str(section(soup, "overdue"))
    # every link to a field lands on that field of the form (an empty
    # repeating field, here the temporal coverage, has no input to land on)
    for href in hrefs(soup, "quality") + hrefs(soup, "urls") + hrefs(soup, "overdue"):
        if "temporal_coverage" in href:
            continue
        form, anchor = href.split("#")
        assert page(app, steward["token"], url=form).find(id=anchor) is not None, href


def test_the_json_view_has_the_same_items(app, steward, org):
    items_of_every_kind(steward, org)
    answer = json.loads(app.get(PAGE + ".json", headers={"Authorization": steward["token"]},
                                status=200).body)
    assert answer["organization"] == "stadt-dinslaken"
    assert answer["total"] == 5
    assert [answer[name]["items"][0]["name"] for name in todo.SECTIONS] == [
        "entwurf", "mangelhaft", "weg", "geerntet", "monatlich"]
    assert answer["overdue"]["items"][0]["url"] == "/dataset/edit/monatlich#field-modified"


def test_another_organisations_items_never_appear(app, steward, org, other_org):
    items_of_every_kind(steward, other_org, prefix="voerde-")
    soup = page(app, steward["token"])
    assert [count(soup, name) for name in todo.SECTIONS] == [0, 0, 0, 0, 0]
    assert "voerde-" not in str(soup.select_one(".smartcity-todo"))
    assert len(soup.select(".smartcity-todo-empty")) == 5
    theirs = page(app, steward["token"], url="/organization/stadt-voerde/aufgaben")
    assert [count(theirs, name) for name in todo.SECTIONS] == [1, 1, 1, 1, 1]


def test_only_editors_admins_and_sysadmins_see_the_list(app, steward, org):
    items_of_every_kind(steward, org)
    anonymous = app.get(PAGE, status=302, follow_redirects=False)
    assert "/user/login" in anonymous.headers["Location"]
    app.get(PAGE + ".json", status=302, follow_redirects=False)
    outsider = factories.APIToken(user=factories.User()["name"])["token"]
    app.get(PAGE, headers={"Authorization": outsider}, status=403)
    app.get(PAGE + ".json", headers={"Authorization": outsider}, status=403)
    app.get(PAGE, headers={"Authorization": member(org, "member")["token"]}, status=403)
    for capacity in ("editor", "admin"):
        soup = page(app, member(org, capacity)["token"])
        # private datasets and drafts of the organisation included
        assert hrefs(soup, "drafts") == ["/dataset/edit/entwurf"]
        assert count(soup, "quality") == 1
    app.get("/organization/gibt-es-nicht/aufgaben", headers={"Authorization": steward["token"]},
            status=404)


def test_the_organisation_page_has_the_tab_for_editors_only(app, steward, org):
    editor = member(org, "editor")
    tab = BeautifulSoup(app.get("/organization/stadt-dinslaken",
                                headers={"Authorization": editor["token"]}).body,
                        "html.parser").select(f'a[href="{PAGE}"]')
    assert tab
    visitor = BeautifulSoup(app.get("/organization/stadt-dinslaken").body, "html.parser")
    assert not visitor.select(f'a[href="{PAGE}"]')


def test_a_draft_lists_what_publishing_still_needs(app, steward, org):
    """A draft with only a title, saved by an editor: each missing field
    (schema.drafts.missing_for_publication) linked to its place."""
    editor = member(org, "editor")
    helpers.call_action("package_create", context={"user": editor["user"]["name"]},
                        title="Ladesäulen 2024", owner_org=org["id"], state="draft")
    soup = page(app, editor["token"])
    fixes = hrefs(soup, "drafts")
    assert fixes[0] == "/dataset/edit/ladesaulen-2024"
    assert "/dataset/edit/ladesaulen-2024#field-notes" in fixes
    assert "/dataset/ladesaulen-2024/resource/new" in fixes
    assert "Beschreibung" in section(soup, "drafts").get_text()


def test_headings_in_english_under_en(app, steward, org):
    english = page(app, steward["token"], url="/en" + PAGE)
    assert english.h1.get_text(strip=True) == "To-do list"
    assert [h.contents[0].strip() for h in english.select(".smartcity-todo h2")] == [
        "Drafts", "Quality findings", "Unreachable URLs", "Harvest warnings",
        "Overdue updates"]
    assert english.select_one(".smartcity-todo-empty").get_text(strip=True) == "Nothing to do"
    assert english.select_one("a.smartcity-todo-fix") is None


def test_headings_in_german(app, steward, org):
    """German by default (needs the German catalogue with this page's messages)."""
    german = page(app, steward["token"])
    assert german.h1.get_text(strip=True) == "Aufgaben"
    assert [h.contents[0].strip() for h in german.select(".smartcity-todo h2")] == [
        "Entwürfe", "Befunde der Qualitätsprüfung", "Nicht erreichbare URLs",
        "Hinweise aus dem Harvesting", "Überfällige Aktualisierungen"]
    assert german.select_one(".smartcity-todo-empty").get_text(strip=True) == "Nichts zu tun"


def test_due_dates_follow_the_declared_frequency():
    eu = "http://publications.europa.eu/resource/authority/frequency/"
    today = dt.date.today()
    assert todo.due_date(eu + "MONTHLY", today - dt.timedelta(days=92)) < today
    assert todo.due_date(eu + "ANNUAL", today - dt.timedelta(days=31)) > today
    assert todo.due_date(eu + "WEEKLY", dt.date(2024, 1, 1)) == dt.date(2024, 1, 10)
    for free in ("IRREG", "UNKNOWN", "CONT", "UPDATE_CONT", "AS_NEEDED", "15MIN", "HOURLY"):
        assert todo.due_date(eu + free, dt.date(2000, 1, 1)) is None
    # a year or a month alone means its last day: never overdue for its precision
    assert todo.last_day("2024") == dt.date(2024, 12, 31)
    assert todo.last_day("2024-02") == dt.date(2024, 2, 29)
    assert todo.last_day("2024-05-31T12:00:00Z") == dt.date(2024, 5, 31)
    assert todo.last_day("unbekannt") is None


def test_the_harvest_warnings_key_is_the_harvesters():
    assert todo.HARVEST_WARNINGS_KEY == harvester.WARNINGS_KEY


def test_shacl_violations_are_listed_at_their_fields(app, steward, org):
    """A dataset stored before a rule of the schema existed can carry a
    DCAT-AP.de violation: its stored finding (quality.assessment's form)
    links to the dataset field or the distribution's field it names."""
    dataset = create(steward, good(org, "altbestand"))
    stored = assessment.stored(dataset["id"])
    assert stored["rating"]["code"] == "good"
    stored["shacl"]["findings"] = [
        {"severity": "violation", "field": "title", "resource": None, "label_de": "Titel",
         "label_en": "Title", "message_de": "Pflichtangabe fehlt: Titel",
         "message_en": "Required value missing: Title", "path": str(DCTERMS.title),
         "shape_message": ""},
        {"severity": "violation", "field": "format", "resource": 1, "label_de": "Format",
         "label_en": "Format", "message_de": "Ressource 1: Wert nicht aus der Liste: Format",
         "message_en": "Distribution 1: value not from the list: Format",
         "path": str(DCTERMS.format), "shape_message": ""},
        {"severity": "warning", "field": "political_geocoding", "resource": None,
         "label_de": "", "label_en": "", "message_de": "Zu viele Werte", "message_en": "",
         "path": "", "shape_message": ""}]
    model.Session.execute(sa.text(
        "UPDATE smartcity_quality SET result = CAST(:result AS jsonb), violations = 2 "
        "WHERE package_id = :id"), {"result": json.dumps(stored), "id": dataset["id"]})
    model.Session.commit()
    soup = page(app, steward["token"])
    [resource] = dataset["resources"]
    assert hrefs(soup, "quality") == [
        "/dataset/edit/altbestand#field-title",
        f"/dataset/altbestand/resource/{resource['id']}/edit#field-format"]
    assert "Pflichtangabe fehlt: Titel" in section(soup, "quality").get_text()
    assert "Zu viele Werte" not in section(soup, "quality").get_text()
