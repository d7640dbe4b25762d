"""The sheet in the browser (sheet/pages.py), through CKAN's test app: who
may use it, download → change one cell → check (nothing stored) → confirm
(stored once), and safe refusals for broken, oversized, foreign and
replayed uploads. The XLSX is read and changed with openpyxl, as a
spreadsheet application would, not with our own importer."""
import io
from urllib.parse import urlsplit

import openpyxl
import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")

ORG = "stadt-dinslaken"
PAGE = f"/organization/{ORG}/tabelle"


def csrf_token(html):
    return BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})["value"]


def log_in(app, name):
    page = app.get("/user/login")
    app.post("/user/login", data={"login": name, "password": "correct-horse-battery",
                                  "_csrf_token": csrf_token(page.body)}, follow_redirects=True)
    return app


@pytest.fixture
def town():
    admin = factories.Sysadmin(password="correct-horse-battery")
    editor = factories.User(name="redakteurin", password="correct-horse-battery")
    factories.User(name="nachbarin", password="correct-horse-battery")
    org = helpers.call_action(
        "organization_create", context={"user": admin["name"]}, name=ORG,
        title="Stadt Dinslaken", political_geocoding_level="municipality",
        political_geocoding="05170008", contact_email="opendata@dinslaken.de",
        contributor_id="http://dcat-ap.de/def/contributors/openNRW",
        users=[{"name": editor["name"], "capacity": "editor"}])
    for name, title in (("ladesaeulen", "Ladesäulen"), ("baumkataster", "Baumkataster")):
        helpers.call_action(
            "package_create", context={"user": admin["name"]}, name=name, title=title,
            owner_org=org["id"], notes=f"{title} im Stadtgebiet.",
            license_id="http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            resources=[{"url": f"https://www.dinslaken.de/{name}.csv", "format": "CSV",
                        "name": title}])
    return org


def download(app):
    response = app.get(PAGE + ".xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def retitle(book, name, title) -> bytes:
    sheet = book["Datensätze"]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("URL")].value == name:
            row[headers.index("Titel")].value = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(app, data, filename="tabelle.xlsx", status=200):
    token = csrf_token(app.get(PAGE).body)
    return app.post(PAGE + "/pruefen", data={"_csrf_token": token,
                                             "sheet": (io.BytesIO(data), filename)},
                    content_type="multipart/form-data", status=status,
                    follow_redirects=False)


def confirm(app, page_html, status=200):
    """Press "Änderungen übernehmen" (redirects are not followed)."""
    soup = BeautifulSoup(page_html, "html.parser")
    form = soup.select_one("form.smartcity-sheet-confirm")
    return app.post(form["action"], data={
        "_csrf_token": form.find("input", {"name": "_csrf_token"})["value"],
        "token": form.find("input", {"name": "token"})["value"]}, status=status,
        follow_redirects=False)


def title_of(name):
    return helpers.call_action("package_show", id=name)["title"]


class TestWhoMayUseIt:
    def test_anonymous_is_sent_to_log_in(self, app, town):
        response = app.get(PAGE, follow_redirects=False)
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]
        assert app.get(PAGE + ".xlsx", follow_redirects=False).status_code == 302

    def test_a_user_outside_the_organisation_is_refused(self, app, town):
        log_in(app, "nachbarin")
        assert app.get(PAGE, status=403).status_code == 403
        assert app.get(PAGE + ".xlsx", status=403).status_code == 403
        org_page = BeautifulSoup(app.get(f"/organization/{ORG}").body, "html.parser")
        assert org_page.find("a", href=PAGE) is None

    def test_an_editor_sees_the_tab_and_the_page_in_german(self, app, town):
        log_in(app, "redakteurin")
        org_page = BeautifulSoup(app.get(f"/organization/{ORG}").body, "html.parser")
        tab = org_page.find("a", href=PAGE)
        assert tab is not None and "Tabelle" in tab.get_text()
        soup = BeautifulSoup(app.get(PAGE).body, "html.parser")
        assert soup.h1.get_text(strip=True) == "Datensätze als Tabelle"
        links = [a["href"] for a in soup.select(".smartcity-sheet-downloads a")]
        assert links == [PAGE + ".xlsx", PAGE + ".csv", PAGE + "/vorlage.xlsx"]

    def test_an_unknown_organisation_is_not_found(self, app, town):
        log_in(app, "redakteurin")
        assert app.get("/organization/gibt-es-nicht/tabelle", status=404).status_code == 404


class TestCheckThenConfirm:
    def test_one_changed_cell_is_shown_then_stored_on_confirmation(self, app, town):
        log_in(app, "redakteurin")
        data = retitle(download(app), "ladesaeulen", "Ladesäulen für E-Autos")
        check = upload(app, data)
        soup = BeautifulSoup(check.body, "html.parser")
        rows = soup.select(".smartcity-sheet-report .smartcity-sheet-row")
        assert len(rows) == 1
        assert "würde aktualisiert" in rows[0].get_text()
        changes = rows[0].select(".smartcity-sheet-changes li")
        assert len(changes) == 1 and changes[0].strong.get_text() == "Titel:"
        assert "Ladesäulen für E-Autos" in changes[0].get_text()
        # the other dataset and both distributions (sheet "Distributionen")
        assert "3 unverändert" in soup.select_one(".smartcity-sheet-counts").get_text()
        # the dry run stored nothing
        assert title_of("ladesaeulen") == "Ladesäulen"

        done = confirm(app, check.body)
        assert "1 aktualisiert" in BeautifulSoup(done.body, "html.parser").select_one(
            ".smartcity-sheet-counts").get_text()
        assert title_of("ladesaeulen") == "Ladesäulen für E-Autos"
        assert title_of("baumkataster") == "Baumkataster"

        # the same confirmation again writes nothing and says why
        again = confirm(app, check.body, status=409)
        assert "abgelaufen" in again.body or "bereits" in again.body

    def test_another_users_confirmation_token_is_refused(self, app, town):
        admin = factories.Sysadmin(name="zweite", password="correct-horse-battery")
        log_in(app, "redakteurin")
        check = upload(app, retitle(download(app), "ladesaeulen", "Geändert"))
        app.client = app.test_client()  # a new browser: no cookies
        log_in(app, admin["name"])
        soup = BeautifulSoup(check.body, "html.parser")
        form = soup.select_one("form.smartcity-sheet-confirm")
        app.post(form["action"], data={"_csrf_token": csrf_token(app.get(PAGE).body),
                                       "token": form.find("input", {"name": "token"})["value"]},
                 status=409)
        assert title_of("ladesaeulen") == "Ladesäulen"

    def test_an_unchanged_sheet_offers_nothing_to_confirm(self, app, town):
        log_in(app, "redakteurin")
        out = io.BytesIO()
        download(app).save(out)
        soup = BeautifulSoup(upload(app, out.getvalue()).body, "html.parser")
        assert soup.select_one("form.smartcity-sheet-confirm") is None
        assert "4 unverändert" in soup.select_one(".smartcity-sheet-counts").get_text()


class TestLargeSheetsInTheBackground:
    def test_a_large_sheet_is_checked_and_written_by_the_worker(self, app, town, monkeypatch):
        """More rows than a request may take (sheet/jobs.py): the check and
        then the import run on the RQ worker (as `ckan jobs worker`); the
        page says "running" until the report is there; the page "Tabelle"
        lists them; nobody else sees them."""
        from ckan.lib import jobs as ckan_jobs

        from ckanext.smartcity.sheet import jobs

        monkeypatch.setattr(jobs, "INLINE_ROWS", 0)
        monkeypatch.setattr(jobs, "INLINE_WRITES", 0)
        ckan_jobs.get_queue().empty()
        log_in(app, "redakteurin")
        queued = upload(app, retitle(download(app), "baumkataster", "Baumkataster 2026"),
                        status=302)
        check_page = queued.headers["Location"]
        assert "/tabelle/ergebnis/" in check_page
        running = BeautifulSoup(app.get(check_page).body, "html.parser")
        assert running.select_one(".smartcity-sheet-running") is not None
        assert running.find("meta", attrs={"http-equiv": "refresh"}) is not None

        ckan_jobs.Worker(["default"]).work(burst=True)
        checked = app.get(check_page)
        rows = BeautifulSoup(checked.body, "html.parser").select(".smartcity-sheet-row")
        assert len(rows) == 1 and "würde aktualisiert" in rows[0].get_text()
        assert title_of("baumkataster") == "Baumkataster"  # a check writes nothing

        import_page = confirm(app, checked.body, status=302).headers["Location"]
        assert import_page != check_page
        assert title_of("baumkataster") == "Baumkataster"
        confirm(app, checked.body, status=409)  # once only, even while queued
        ckan_jobs.Worker(["default"]).work(burst=True)
        done = BeautifulSoup(app.get(import_page).body, "html.parser")
        assert "1 aktualisiert" in done.select_one(".smartcity-sheet-counts").get_text()
        assert "Baumkataster 2026" in done.select_one(".smartcity-sheet-changes").get_text()
        assert title_of("baumkataster") == "Baumkataster 2026"
        recent = BeautifulSoup(app.get(PAGE).body, "html.parser").select(
            ".smartcity-sheet-recent a")
        assert {a["href"] for a in recent} == {urlsplit(check_page).path,
                                               urlsplit(import_page).path}

        app.client = app.test_client()
        factories.Sysadmin(name="andere", password="correct-horse-battery")
        log_in(app, "andere")
        assert app.get(import_page, status=404).status_code == 404
        assert not BeautifulSoup(app.get(PAGE).body, "html.parser").select(
            ".smartcity-sheet-recent a")

    def test_a_small_sheet_with_many_writes_is_checked_here_written_there(
            self, app, town, monkeypatch):
        from ckan.lib import jobs as ckan_jobs

        from ckanext.smartcity.sheet import jobs

        monkeypatch.setattr(jobs, "INLINE_WRITES", 0)  # "many": more than 0
        ckan_jobs.get_queue().empty()
        log_in(app, "redakteurin")
        check = upload(app, retitle(download(app), "ladesaeulen", "Ladepunkte"))
        assert check.status_code == 200  # checked in the request
        queued = confirm(app, check.body, status=302)
        assert "/tabelle/ergebnis/" in queued.headers["Location"]
        ckan_jobs.Worker(["default"]).work(burst=True)
        assert title_of("ladesaeulen") == "Ladepunkte"

    def test_a_job_the_worker_lost_is_reported_as_stopped(self, app, town, monkeypatch):
        from ckan.lib import jobs as ckan_jobs

        from ckanext.smartcity.sheet import jobs

        monkeypatch.setattr(jobs, "INLINE_ROWS", 0)
        ckan_jobs.get_queue().empty()
        log_in(app, "redakteurin")
        queued = upload(app, retitle(download(app), "baumkataster", "Weg"), status=302)
        ckan_jobs.get_queue().empty()  # the job vanishes from Redis, never run
        page = BeautifulSoup(app.get(queued.headers["Location"]).body, "html.parser")
        assert page.select_one(".smartcity-sheet-error") is not None
        assert page.find("meta", attrs={"http-equiv": "refresh"}) is None


class TestSafeRefusals:
    def test_a_file_that_is_no_spreadsheet_gets_a_message_not_a_500(self, app, town):
        log_in(app, "redakteurin")
        response = upload(app, b"PK\x03\x04" + b"\x00" * 200, status=400)
        error = BeautifulSoup(response.body, "html.parser").select_one(".smartcity-sheet-error")
        assert error is not None and error.get_text(strip=True)
        assert title_of("ladesaeulen") == "Ladesäulen"

    @pytest.mark.ckan_config("ckanext.smartcity.sheet.max_bytes", str(1024 * 1024))
    def test_an_oversized_upload_is_refused_before_it_is_read(self, app, town, monkeypatch):
        log_in(app, "redakteurin")
        response = upload(app, b"a;b\n" * 400_000, filename="gross.csv", status=413)
        assert "größer als 1 MB" in response.body
        # refused before the CSRF checks parse (and spool) the body: a post
        # without the form token gets the same 413, and no form is read
        from werkzeug import formparser

        parsed = []
        real = formparser.FormDataParser.parse
        monkeypatch.setattr(formparser.FormDataParser, "parse",
                            lambda *args, **kwargs: parsed.append(1) or real(*args, **kwargs))
        response = app.post(PAGE + "/pruefen",
                            data={"sheet": (io.BytesIO(b"x" * 1_200_000), "a.csv")},
                            content_type="multipart/form-data", status=413)
        assert "größer als 1 MB" in response.body
        assert parsed == []

    def test_a_check_without_the_form_token_is_refused(self, app, town):
        log_in(app, "redakteurin")
        response = app.post(PAGE + "/pruefen", data={"sheet": (io.BytesIO(b"x"), "a.csv")},
                            content_type="multipart/form-data")
        assert response.status_code in (400, 403)

    def test_the_empty_template_has_headers_and_help_but_no_rows(self, app, town):
        log_in(app, "redakteurin")
        response = app.get(PAGE + "/vorlage.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        assert "Hilfe" in book.sheetnames
        datasets = book["Datensätze"]
        assert "Titel" in [cell.value for cell in datasets[1]]
        assert datasets.max_row == 1
