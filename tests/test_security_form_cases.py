"""Form and API cases of docs/security.md (F1, F2, F4, F5,
F7, F9, F10) not asserted elsewhere (schema/, test_security_cases.py,
test_portal_pages.py, quality/, categories/): hostile text escaped on every
page that shows it, vocabulary and date fields refused per field with
nothing stored, flattened form keys renumbered, CSRF on cookie sessions,
and the permission matrix of the extension's own views and actions."""
import functools
import json

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, XSD

from ckan import model
from ckan.tests import factories, helpers

from ckanext.smartcity.categories import scheme as categories
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

EU = "http://publications.europa.eu/resource/authority/"
KAT = categories.NAMESPACE
# {{7*7}} before {% raw %}: were the text ever evaluated as a template, the
# expression would run before raw could protect it
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}} {% raw %}'
PASSWORD = "correct-horse-battery"


def api(app, action, data, token=None, headers=None, **kw):
    headers = dict(headers or {}, **({"Authorization": token} if token else {}))
    return app.post(f"/api/3/action/{action}", json=data, headers=headers, **kw)


def nothing_stored():
    return helpers.call_action("package_search", include_private=True,
                               include_drafts=True)["count"] == 0


def errors(response):
    """The field errors of a refused API call (without CKAN's ``__type``)."""
    return {k: v for k, v in response.json["error"].items() if k != "__type"}


def csrf_token(html):
    return BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})["value"]


def sign_in(app, name="formuser"):
    """Log a sysadmin in through the login form: a cookie session, no token."""
    factories.Sysadmin(name=name, password=PASSWORD)
    page = app.get("/user/login")
    app.post("/user/login", data={"login": name, "password": PASSWORD,
                                  "_csrf_token": csrf_token(page.body)}, follow_redirects=True)
    assert name in app.get("/dashboard/datasets").body
    return app


@pytest.fixture
def signed_in(app, org):
    return sign_in(app)


@pytest.fixture
def csrf_exemptions():
    """CKAN exempts a view from CSRF checks for the rest of the process once
    a request without a session cookie (API token or anonymous) reached it
    (``csrf.exempt`` in ckan/config/middleware/flask_app.py). Start without
    such exemptions so a test does not depend on earlier ones, and leave the
    process as found."""
    from ckan.config.middleware import flask_app
    exempt = flask_app.csrf._exempt_views
    saved = set(exempt)
    exempt.clear()
    yield exempt
    exempt.clear()
    exempt.update(saved)


def stage_one(**fields):
    return dict({"_ckan_phase": "dataset_new_1", "save": "", "title": "Formular",
                 "name": "formular", "notes": "Über das Formular.",
                 "owner_org": "stadt-dinslaken",
                 "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}, **fields)


# --- F1: hostile text on every page that shows it ---------------------------

def assert_escaped(body, where):
    assert "<script>alert(1)" not in body, where
    assert "<img src=x onerror" not in body, where
    assert "{{7*7}}" in body, where  # shown as typed, not evaluated to 49
    page = BeautifulSoup(body, "html.parser")
    assert not page.find_all(attrs={"onerror": True}), where
    assert not [s for s in page.find_all("script") if "alert(1)" in (s.string or "")
                and s.get("type") != "application/ld+json"], where


@pytest.fixture
def hostile_dataset(app, steward, org):
    """Created harmless, then every text field changed to HOSTILE, so the
    activity stream holds a change too."""
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    dataset = helpers.call_action("package_show", id="ladesaeulen")
    dataset.update(title=HOSTILE, notes=HOSTILE, provenance=HOSTILE,
                   contact=[{"name": HOSTILE, "email": "mobil@dinslaken.de"}],
                   publisher=[{"name": HOSTILE, "uri": "https://www.dinslaken.de"}])
    dataset["resources"][0].update(name=HOSTILE, description=HOSTILE)
    api(app, "package_update", dataset, steward["token"], status=200)
    stored = helpers.call_action("package_show", id="ladesaeulen")
    assert stored["title"] == stored["contact"][0]["name"] == stored["publisher"][0]["name"] \
        == HOSTILE
    return stored


def test_f1_hostile_text_is_escaped_on_html_pages(app, steward, hostile_dataset):
    """F1: the dataset page (title, notes, contact, publisher, provenance,
    distribution) in German and English, the search list, the organisation
    page, the activity stream and, for an editor, each version and change."""
    for url in ("/dataset/ladesaeulen", "/en/dataset/ladesaeulen"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.body, url)
        soup = BeautifulSoup(response.body, "html.parser")
        assert soup.select_one("h1").get_text(strip=True).startswith(HOSTILE.strip()), url
        # title, contact, publisher, provenance at least; notes go through markdown
        assert soup.get_text(" ").count(HOSTILE) >= 4, url
    for url in ("/dataset/", "/dataset/?q=alert", "/organization/stadt-dinslaken"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.body, url)
        headings = [a.get_text(strip=True) for a in
                    BeautifulSoup(response.body, "html.parser").select(".dataset-heading a")]
        assert headings == [HOSTILE.strip()], (url, headings)
    response = app.get("/dataset/activity/ladesaeulen")
    assert response.status_code == 200
    assert_escaped(response.body, "activity")
    editor = {"Authorization": steward["token"]}
    soup = BeautifulSoup(app.get("/dataset/activity/ladesaeulen", headers=editor).body,
                         "html.parser")
    links = [a["href"] for a in soup.select("a[href*='/history/'], a[href*='/changes/']")]
    assert len(links) >= 3, links  # two versions, at least one change
    for url in links:
        response = app.get(url, headers=editor)
        assert response.status_code == 200, url
        assert "<script>alert(1)" not in response.body, url
        assert "<img src=x onerror" not in response.body, url
        assert "{{7*7}}" in response.body, url


def test_f1_hostile_text_is_plain_text_in_feeds_and_rdf(app, hostile_dataset):
    """F1: /feeds/dataset.atom and /feeds/organization/<name>.atom carry the
    text as type "text" (feed readers do not render it); the Turtle has it
    as a plain literal."""
    from xml.etree import ElementTree
    atom = "{http://www.w3.org/2005/Atom}"
    for url in ("/feeds/dataset.atom", "/feeds/organization/stadt-dinslaken.atom"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert "<script>alert(1)" not in response.body, url
        [entry] = ElementTree.fromstring(response.body.encode()).findall(f"{atom}entry")
        shown = [entry.find(f"{atom}{tag}") for tag in ("title", "summary", "content")]
        shown = [element for element in shown if element is not None]
        assert len(shown) >= 2, url  # title and summary
        for element in shown:
            assert element.get("type", "text") == "text", (url, element.tag, element.attrib)
            assert element.text.strip() == HOSTILE.strip(), (url, element.tag, element.text)
    graph = Graph().parse(data=app.get("/dataset/ladesaeulen.ttl").body, format="turtle")
    [dataset] = graph.subjects(DCAT.distribution, None, unique=True)
    assert [str(t) for t in graph.objects(dataset, DCTERMS.title)] == [HOSTILE]
    assert [str(t) for t in graph.objects(dataset, DCTERMS.description)] == [HOSTILE]


def test_f1_hostile_keywords_are_refused_or_escaped(signed_in, steward, org):
    """F1: each hostile keyword is either refused naming the tag field with
    nothing stored, or stored and shown escaped (dataset page, search list);
    through the web form, the form shown again with the error escapes it."""
    app = signed_in
    token = csrf_token(app.get("/dataset/new").body)
    for keyword in ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}",
                    "{% raw %}"):
        response = api(app, "package_create",
                       full_dataset(org, tag_string=f"Mobilität,{keyword}"), steward["token"])
        assert response.status_code in (200, 409), (keyword, response.body[:300])
        if response.status_code == 409:
            assert {"tags", "tag_string"} & set(errors(response)), (keyword, errors(response))
            assert nothing_stored(), keyword
        else:
            for url in ("/dataset/ladesaeulen", "/dataset/"):
                body = app.get(url).body
                assert "<script>alert(1)" not in body and "<img src=x onerror" not in body, url
                assert "49" not in BeautifulSoup(body, "html.parser").get_text(), url
            helpers.call_action("dataset_purge", id="ladesaeulen")
        response = app.post("/dataset/new", data=dict(stage_one(
            tag_string=f"Mobilität,{keyword}"), _csrf_token=token), follow_redirects=True)
        assert response.status_code == 200, (keyword, response.status_code)
        assert "<script>alert(1)" not in response.body, keyword
        assert "<img src=x onerror" not in response.body, keyword
        if "{" in keyword:  # shown as typed, not evaluated
            assert keyword in response.body, keyword
        if model.Package.get("formular") is not None:
            helpers.call_action("dataset_purge", id="formular")


# --- F2: markdown description -------------------------------------------------

def test_f2_markdown_cannot_carry_script_links_or_event_handlers(app, steward, org):
    """F2: javascript: links, onclick and onmouseover in the description are
    gone on the dataset page, the search list and the organisation page."""
    notes = ("[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))\n\n"
             "<p onclick=alert(1)>hi</p>\n\n<img src=x onmouseover=alert(1)>\n\n"
             '<a href="javascript:alert(3)">z</a>')
    api(app, "package_create", full_dataset(org, notes=notes), steward["token"], status=200)
    for url in ("/dataset/ladesaeulen", "/dataset/", "/organization/stadt-dinslaken"):
        response = app.get(url)
        assert response.status_code == 200, url
        soup = BeautifulSoup(response.body, "html.parser")
        hrefs = [tag.get("href", "") for tag in soup.find_all(href=True)]
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], url
        handlers = [(tag.name, attr) for tag in soup.find_all(True) for attr in tag.attrs
                    if attr.lower() in ("onclick", "onmouseover", "onerror")]
        assert handlers == [], (url, handlers)
    # the harmless text survives
    notes = BeautifulSoup(app.get("/dataset/ladesaeulen").body, "html.parser").select_one(".notes")
    assert "hi" in notes.get_text()


# --- F4: vocabulary fields ----------------------------------------------------

MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
DINSLAKEN = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05170008"
# field: (another vocabulary's URI, a 10,000-item list, stored after null:
# None = no value)
VOCABULARY_FIELDS = {
    "smartcity_category": ([EU + "data-theme/TRAN"], ["radverkehr"] * 10000, None),
    "theme": ([KAT + "mobilitaet"], ["TRAN", "ENER"] * 5000, None),
    "frequency": (EU + "language/DEU", ["MONTHLY"] * 10000, None),
    "license_id": (EU + "frequency/MONTHLY", ["dl-de-by-2.0"] * 10000, "refused"),
    # empty geocoding fields take the organisation's values
    "political_geocoding_level": (DINSLAKEN, ["municipality"] * 10000, MUNICIPALITY),
    "political_geocoding": ([MUNICIPALITY], ["05170008"] * 10000, [DINSLAKEN]),
}


@pytest.mark.parametrize("field", sorted(VOCABULARY_FIELDS))
def test_f4_vocabulary_fields_refuse_wrong_values_per_field(app, steward, org, field):
    """F4: another vocabulary's URI, a dict, a number, a boolean, a list of
    dicts and a 10,000-item list are a 409 naming only the field, nothing
    stored; null is no value (the mandatory licence: missing)."""
    other, many, after_null = VOCABULARY_FIELDS[field]
    for value in (other, {"uri": other}, 42, 1.5, True, [{"uri": "x"}], many):
        response = api(app, "package_create", full_dataset(org, **{field: value}),
                       steward["token"])
        shown = repr(value)[:60]
        assert response.status_code == 409, (shown, response.status_code, response.body[:300])
        assert list(errors(response)) == [field], (shown, errors(response))
        assert nothing_stored(), shown
    response = api(app, "package_create", full_dataset(org, **{field: None}), steward["token"])
    if after_null == "refused":
        assert response.status_code == 409
        assert list(errors(response)) == [field]
        assert nothing_stored()
    else:
        assert response.status_code == 200, response.body[:300]
        assert helpers.call_action("package_show", id="ladesaeulen").get(field) == after_null


# --- F5: flattened keys and many rows ---------------------------------------

def test_f5_flattened_form_keys_are_refused_or_renumbered(signed_in):
    """F5: the web form with odd row indexes (CKAN's ``__`` keys and the
    scheming form's ``-`` keys): a 4xx, the form again with an error, or a
    dataset whose one contact row is renumbered; never a 500."""
    app = signed_in
    token = csrf_token(app.get("/dataset/new").body)
    for number, prefix in enumerate(("contact__999999999__", "contact__-1__", "contact__x__",
                                     "contact-999999999-", "contact--1-", "contact-x-")):
        name = f"formular-{number}"
        response = app.post("/dataset/new", data=dict(stage_one(name=name, **{
            prefix + "name": "Team Formular", prefix + "email": "formular@dinslaken.de"}),
            _csrf_token=token), follow_redirects=False)
        assert response.status_code in (200, 302, 400), (prefix, response.status_code)
        if response.status_code == 302:
            contacts = helpers.call_action("package_show", id=name)["contact"]
            assert contacts == [{"name": "Team Formular", "email": "formular@dinslaken.de"}], \
                (prefix, contacts)
            continue
        if response.status_code == 200:  # shown again with the error
            page = BeautifulSoup(response.body, "html.parser")
            assert page.select_one(".error-explanation") is not None, prefix
        assert model.Package.get(name) is None, prefix


def test_f5_ten_thousand_contact_rows_are_refused(app, steward, org):
    """F5: 10,000 repeating rows through the API: a 409 on ``contact``,
    nothing stored."""
    rows = [{"name": f"Team {i}", "email": f"t{i}@dinslaken.de"} for i in range(10000)]
    response = api(app, "package_create", full_dataset(org, contact=rows), steward["token"])
    assert response.status_code == 409, response.body[:300]
    assert list(errors(response)) == ["contact"]
    assert "100" in json.dumps(errors(response)["contact"], ensure_ascii=False)
    assert nothing_stored()


# --- F7: dates --------------------------------------------------------------

def with_date(org, value):
    data = full_dataset(org, issued=value, modified=value,
                        temporal_coverage=[{"start": value, "end": value}])
    data["resources"][0].update(issued=value, modified=value)
    return data


def test_f7_impossible_dates_are_field_errors(app, steward, org):
    """F7: 2024-02-30, 2024-13, year 0, a five-digit year, 10 kB of garbage,
    hour 25 and offset +15:00 in issued, modified, the period's start and end
    and the distribution's dates: a 409 naming each field, nothing stored."""
    for value in ("2024-02-30", "2024-13", "0000-01-01", "99999-01-01", "x" * 10240,
                  "2024-05-01T25:00:00Z", "2024-05-01T10:00:00+15:00"):
        response = api(app, "package_create", with_date(org, value), steward["token"])
        assert response.status_code == 409, (value[:20], response.status_code)
        error = errors(response)
        assert set(error) == {"issued", "modified", "temporal_coverage", "resources"}, \
            (value[:20], error)
        assert set(error["temporal_coverage"][0]) == {"start", "end"}
        assert set(error["resources"][0]) == {"issued", "modified"}
        assert len(json.dumps(error)) < 5000  # the garbage is not echoed back
        assert nothing_stored()


def test_f7_dates_with_time_zones_give_valid_xsd_literals(app, steward, org):
    """F7: 2024-05-01T10:00:00+02:00 is kept with its offset, and the
    dataset's Turtle carries only valid xsd literals for all six dates."""
    value = "2024-05-01T10:00:00+02:00"
    data = with_date(org, value)
    data["temporal_coverage"] = [{"start": "2024-05", "end": value}]
    api(app, "package_create", data, steward["token"], status=200)
    stored = helpers.call_action("package_show", id="ladesaeulen")
    assert stored["issued"] == stored["modified"] == value
    assert stored["temporal_coverage"] == [{"start": "2024-05", "end": value}]
    response = app.get("/dataset/ladesaeulen.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.body, format="turtle")
    [dataset] = graph.subjects(DCAT.distribution, None, unique=True)
    [period] = graph.objects(dataset, DCTERMS.temporal)
    [distribution] = graph.objects(dataset, DCAT.distribution)
    literals = [o for s, p in ((dataset, DCTERMS.issued), (dataset, DCTERMS.modified),
                               (period, DCAT.startDate), (period, DCAT.endDate),
                               (distribution, DCTERMS.issued),
                               (distribution, DCTERMS.modified))
                for o in graph.objects(s, p)]
    assert len(literals) == 6, literals
    for literal in literals:
        assert isinstance(literal, Literal) and not literal.ill_typed, repr(literal)
    assert [lit.datatype for lit in literals].count(XSD.gYearMonth) == 1
    times = [lit for lit in literals if lit.datatype == XSD.dateTime]
    assert len(times) == 5
    assert all(lit.toPython().utcoffset().total_seconds() == 7200 for lit in times)


# --- F9: CSRF -----------------------------------------------------------------

def test_f9_form_posts_without_csrf_token_are_refused(csrf_exemptions, signed_in, steward):
    """F9: a cookie session posting the dataset, edit, resource and
    organisation forms or the action API without a CSRF token, with a forged
    one or with another user's gets a 400 and nothing changes; with an API
    token no CSRF token is needed."""
    app = signed_in
    other = sign_in(app.test_client(), name="andere")
    others_token = csrf_token(other.get("/dataset/new").body)
    helpers.call_action("package_create", context=dict(steward["context"]), name="bestand",
                        title="Bestand", notes="Vorhanden.", owner_org="stadt-dinslaken",
                        license_id="dl-by-de/2.0")
    before = helpers.call_action("package_show", id="bestand")
    forms = [("/dataset/new", stage_one()),
             ("/dataset/edit/bestand", {"title": "Geändert", "name": "bestand",
                                        "notes": "Neu.", "save": ""}),
             ("/dataset/bestand/resource/new", {"url": "https://example.org/x.csv",
                                                "save": "go-metadata", "id": ""}),
             ("/organization/new", {"name": "neue-stadt", "title": "Neue Stadt", "save": ""})]
    for url, data in forms:
        for token in ({}, {"_csrf_token": "forged"}, {"_csrf_token": others_token}):
            response = app.post(url, data=dict(data, **token), follow_redirects=False)
            assert response.status_code == 400, (url, token, response.status_code)
    for headers in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": others_token}):
        response = api(app, "package_create", full_dataset({"id": "stadt-dinslaken"},
                                                           name="per-cookie"), headers=headers)
        assert response.status_code == 400, (headers, response.status_code)
    assert model.Package.get("formular") is None and model.Package.get("per-cookie") is None
    assert helpers.call_action("package_show", id="bestand") == before
    assert model.Group.get("neue-stadt") is None
    # each session with its own token succeeds: the refusal was the token
    token = csrf_token(app.get("/dataset/new").body)
    app.post("/dataset/new", data=dict(stage_one(), _csrf_token=token), follow_redirects=True)
    assert model.Package.get("formular") is not None
    other.post("/organization/new", data={"name": "neue-stadt", "title": "Neue Stadt",
                                          "save": "", "_csrf_token": others_token})
    assert model.Group.get("neue-stadt") is not None
    response = api(app, "package_create", full_dataset({"id": "stadt-dinslaken"},
                                                       name="per-api"), steward["token"])
    assert response.status_code == 200, response.body[:300]


@pytest.mark.parametrize("first", ["anonymous visitor", "api token"])
@pytest.mark.parametrize("url", ["/dataset/new", "/api/3/action/package_create"])
def test_f9_other_callers_do_not_lift_csrf_for_cookie_sessions(csrf_exemptions, app, org,
                                                               steward, first, url):
    """F9: after an anonymous visitor or an API-token client reached a view
    (CKAN then lets that request skip the CSRF check), a cookie session
    posting to it without a token is still refused."""
    data = full_dataset(org, name="vorher")
    if first == "api token":
        headers = {"Authorization": steward["token"]}
        if url.startswith("/api/"):
            app.post(url, json=data, headers=headers)
        else:
            app.post(url, data=stage_one(name="vorher"), headers=headers)
    else:
        app.get(url, follow_redirects=False)
    sign_in(app)
    if url.startswith("/api/"):
        response = app.post(url, json=full_dataset(org, name="ohne-token"))
    else:
        response = app.post(url, data=stage_one(name="ohne-token"), follow_redirects=False)
    assert response.status_code == 400, (first, url, response.status_code)
    assert model.Package.get("ohne-token") is None


# --- F10: permission matrix of the extension's views and actions ------------

ROLES = ["anonymous", "user", "other_member", "other_admin", "member", "editor", "admin",
         "sysadmin"]
# rows of the quality dashboard: sysadmins all, organisation admins their
# organisations', any other signed-in user none (quality/auth.py and
# quality/actions.py: "the action narrows the rows to the organisations they
# administer")
DASHBOARD = {"user": [], "other_member": [], "other_admin": ["parken-b"], "member": [],
             "editor": [], "admin": ["radwege-a", "radzaehlung-a"],
             "sysadmin": ["parken-b", "radwege-a", "radzaehlung-a"]}
# the full quality report: whoever may edit the dataset
EDITS_A = {"editor", "admin", "sysadmin"}
# private datasets of organisation A are visible (and counted) to its members
READS_A = {"member", "editor", "admin", "sysadmin"}


@pytest.fixture
def towns():
    """Organisation A (member, editor, admin; a public and a private dataset
    in Radverkehr), organisation B (member, admin; one dataset), a user
    without organisation, a sysadmin. Returns an API token per role."""
    users = {role: factories.User() for role in ROLES[1:-1]}
    users["sysadmin"] = factories.Sysadmin()
    a = factories.Organization(name="stadt-a", users=[
        {"name": users[r]["name"], "capacity": r} for r in ("member", "editor", "admin")])
    b = factories.Organization(name="stadt-b", users=[
        {"name": users["other_member"]["name"], "capacity": "member"},
        {"name": users["other_admin"]["name"], "capacity": "admin"}])
    factories.Dataset(owner_org=a["id"], name="radwege-a", smartcity_category=["radverkehr"])
    factories.Dataset(owner_org=a["id"], name="radzaehlung-a", private=True,
                      smartcity_category=["radverkehr"])
    factories.Dataset(owner_org=b["id"], name="parken-b")
    return {role: factories.APIToken(user=user["name"])["token"]
            for role, user in users.items()}


def test_f10_permission_matrix(app, towns):
    """F10, per role: /qualitaet(.csv|.json) and smartcity_quality_list (the
    login for anonymous visitors, then each caller's rows),
    smartcity_quality_show (editors of the dataset only, public or private),
    smartcity_category_list/_show, /kategorien and the region search (public,
    counting only what the caller may see). The extension registers no
    sysadmin-only page."""
    for role in ROLES:
        headers = {"Authorization": towns[role]} if role in towns else {}
        get = functools.partial(app.get, headers=headers, follow_redirects=False)
        for url in ("/qualitaet", "/qualitaet.csv", "/qualitaet.json"):
            response = get(url)
            if role == "anonymous":
                assert response.status_code == 302, (role, url)
                assert "/user/login" in response.headers["Location"]
                continue
            assert response.status_code == 200, (role, url, response.status_code)
            for name in ("radwege-a", "radzaehlung-a", "parken-b"):
                assert (name in response.body) == (name in DASHBOARD[role]), (role, url, name)
        response = get("/api/3/action/smartcity_quality_list")
        if role == "anonymous":
            assert response.status_code == 403
        else:
            assert response.status_code == 200, role
            names = sorted(d["name"] for d in response.json["result"]["datasets"])
            assert names == DASHBOARD[role], role

        for name in ("radwege-a", "radzaehlung-a"):
            response = get(f"/api/3/action/smartcity_quality_show?id={name}")
            expected = 200 if role in EDITS_A else 403
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 200:
                assert response.json["result"]["name"] == name
                assert "dimensions" in response.json["result"]

        count = 2 if role in READS_A else 1
        result = get("/api/3/action/smartcity_category_show?id=radverkehr").json["result"]
        assert result["package_count"] == count, role
        result = get("/api/3/action/smartcity_category_list").json["result"]
        counts = {c["id"]: c["package_count"] for c in result["categories"]}
        assert counts["radverkehr"] == count, role
        assert get("/kategorien").status_code == 200
        assert get("/kategorien/radverkehr").status_code == 200
        assert get("/smartcity/regions/autocomplete?q=Dinslaken").json["ResultSet"]["Result"]
