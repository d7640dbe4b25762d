"""Every table an API: uploaded and linked CSV files load into the
DataStore through ckanext-xloader's job on the RQ queue, datastore_search
answers as the dataset's visibility allows, the table preview exists, and a
file that cannot be loaded tells the steward why on the resource page.

The jobs run here with CKAN's worker in burst mode, as ``ckan jobs
worker`` does. xloader fetches uploads and reports back over HTTP: the test
app is served on 127.0.0.1 (an ephemeral port) and
``ckanext.xloader.site_url`` points there; linked files come from a local
server. Nothing leaves 127.0.0.1."""
import io
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import openpyxl
import pytest
import ckan.plugins.toolkit as tk
from ckan.lib import jobs
from ckan.tests import helpers
from ckanext.datastore.backend import postgres as datastore_backend
from ckanext.xloader import db as xloader_db
from werkzeug.datastructures import FileStorage

from ckanext.smartcity.datastore import cli as datastore_cli
from tests.harvest.local_server import Source
from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

CSV = b"Stadtteil,Einwohner\nAltstadt,4210\nHiesfeld,15873\nLohberg,6004\n"


def broken_csv():
    """A spreadsheet saved as ``.csv`` by mistake (an XLSX file, a ZIP
    archive): neither PostgreSQL's COPY nor xloader's second attempt
    (tabulator) reads it."""
    book = openpyxl.Workbook()
    book.active.append(["Stadtteil", "Einwohner"])
    book.active.append(["Altstadt", 4210])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def portal(app, monkeypatch):
    """The test app on 127.0.0.1; xloader fetches uploads from it and posts
    its job states back to it, with a token of the site user."""
    server = make_server("127.0.0.1", 0, app.app, server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setitem(tk.config, "ckanext.xloader.site_url", base)
    monkeypatch.setitem(tk.config, "ckanext.xloader.api_token", datastore_cli.site_user_token())
    jobs.get_queue().empty()
    yield base
    server.shutdown()


def dataset(steward, org, name="einwohner", **extra):
    return helpers.call_action(
        "package_create", context=dict(steward["context"]), name=name,
        title="Einwohner nach Stadtteil", owner_org=org["id"], notes="Einwohnerzahlen.",
        license_id="dl-de-by-2.0", publisher=[{"name": "Stadt Dinslaken"}], **extra)


def upload(steward, package, body, filename="einwohner.csv", fmt="CSV"):
    return helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Einwohner", url=filename, format=fmt,
        upload=FileStorage(stream=io.BytesIO(body), filename=filename))


def run_jobs():
    """As ``ckan jobs worker``. The jobs run in a forked process: this
    process's connections (xloader's job log, the DataStore), opened while
    serving pages, are closed first so the child does not share them."""
    if xloader_db.ENGINE is not None:
        xloader_db.ENGINE.dispose()
    for engine in datastore_backend._engines.values():
        engine.dispose()
    jobs.Worker(["default"]).work(burst=True)


def queued_loads():
    return [job for job in jobs.get_queue().jobs if "xloader" in (job.description or "")]


def notice(app, steward, package, resource, lang="de"):
    """The DataStore notice of the resource page, as the steward sees it."""
    prefix = "" if lang == "de" else f"/{lang}"
    page = app.get(f"{prefix}/dataset/{package['name']}/resource/{resource['id']}",
                   headers={"Authorization": steward["token"]}).body
    start = page.find("smartcity-datastore-status")
    return " ".join(page[start:page.find("</div>", start)].split()) if start >= 0 else ""


def test_uploaded_csv_becomes_an_api_with_a_table_preview(app, portal, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package, CSV)
    run_jobs()
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True
    answer = app.get("/api/3/action/datastore_search",
                     query_string={"resource_id": resource["id"]}).json["result"]
    assert answer["total"] == 3
    assert [r["Stadtteil"] for r in answer["records"]] == ["Altstadt", "Hiesfeld", "Lohberg"]
    assert {f["id"] for f in answer["fields"]} >= {"Stadtteil", "Einwohner"}
    views = helpers.call_action("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    page = app.get(f"/dataset/{package['name']}/resource/{resource['id']}").body
    assert "datatables" in page.lower()                    # the preview, for everyone
    assert "smartcity-datastore-status" not in page        # the notice is for stewards
    assert 'data-datastore-state="loaded"' in notice(app, steward, package, resource)


def test_a_private_dataset_s_table_is_not_public(app, portal, steward, org):
    package = dataset(steward, org, private=True)
    resource = upload(steward, package, CSV)
    run_jobs()
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is True
    app.get("/api/3/action/datastore_search", query_string={"resource_id": resource["id"]},
            status=403)
    mine = app.get("/api/3/action/datastore_search", query_string={"resource_id": resource["id"]},
                   headers={"Authorization": steward["token"]}).json["result"]
    assert mine["total"] == 3


def test_a_broken_csv_gives_the_steward_a_plain_reason(app, portal, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package, broken_csv())
    run_jobs()                                             # no exception: nothing breaks
    assert not helpers.call_action("resource_show", id=resource["id"]).get("datastore_active")
    text = notice(app, steward, package, resource)
    assert 'data-datastore-state="failed"' in text
    assert "nicht in den DataStore geladen" in text
    assert "nicht als Tabelle gelesen werden" in text
    assert "Traceback" not in text and "psycopg2" not in text
    english = notice(app, steward, package, resource, lang="en")
    assert "could not be read as a table" in english
    # the dataset page and the download still work
    app.get(f"/dataset/{package['name']}")
    app.get(f"/dataset/{package['name']}/resource/{resource['id']}/download/einwohner.csv")


@pytest.mark.ckan_config("ckanext.xloader.max_content_length", "60")
def test_a_file_above_the_size_cap_is_not_loaded_and_says_why(app, portal, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package, CSV)              # 71 bytes
    run_jobs()
    assert not helpers.call_action("resource_show", id=resource["id"]).get("datastore_active")
    text = notice(app, steward, package, resource)
    assert "zu groß für den DataStore" in text and "62 Byte" in text and "60 Byte" in text
    assert "too large for the DataStore" in notice(app, steward, package, resource, lang="en")


@pytest.mark.ckan_config("ckanext.smartcity.datastore.max_rows", "2")
def test_a_file_above_the_row_cap_is_refused_before_any_job(app, portal, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package, CSV)              # 3 rows
    assert queued_loads() == []
    run_jobs()
    assert not helpers.call_action("resource_show", id=resource["id"]).get("datastore_active")
    text = notice(app, steward, package, resource)
    assert "3 Zeilen" in text and "höchstens 2" in text


@pytest.fixture
def files():
    server = Source()
    server.add("/einwohner.csv", CSV, media="text/csv")
    yield server
    server.server.shutdown()


@pytest.mark.ckan_config("ckanext.smartcity.datastore.allowed_networks", "127.0.0.1/32")
def test_a_linked_csv_loads_from_an_allowed_network(app, portal, steward, org, files):
    package = dataset(steward, org, resources=[
        {"url": files.base + "/einwohner.csv", "name": "Einwohner", "format": "CSV"}])
    run_jobs()
    resource = helpers.call_action("package_show", id=package["id"])["resources"][0]
    assert resource["datastore_active"] is True
    assert "/einwohner.csv" in files.requests
    answer = app.get("/api/3/action/datastore_search",
                     query_string={"resource_id": resource["id"]}).json["result"]
    assert answer["total"] == 3


def test_a_linked_csv_in_a_private_network_is_not_fetched(app, portal, steward, org, files):
    package = dataset(steward, org, resources=[
        {"url": files.base + "/einwohner.csv", "name": "Einwohner", "format": "CSV"}])
    assert queued_loads() == []
    run_jobs()
    resource = helpers.call_action("package_show", id=package["id"])["resources"][0]
    assert not resource.get("datastore_active")
    assert "privates Netz" in notice(app, steward, package, resource)


def test_a_steward_s_upload_without_a_format_loads_typed_and_clean(app, portal, steward, org):
    """The review's steward path: a CSV uploaded without choosing a format
    gets CSV from its file name and loads; its numbers are numbers (sorting
    by them works); the resource shows none of xloader's bookkeeping and
    links the table's API page."""
    package = dataset(steward, org)
    resource = upload(steward, package, CSV, fmt="")
    assert resource["format"] == "CSV"
    run_jobs()
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True
    assert not set(shown) & {"ckan_url", "original_url", "queue_name", "task_created",
                             "set_url_type", "ignore_hash", "resource_id"}
    answer = app.get("/api/3/action/datastore_search",
                     query_string={"resource_id": resource["id"], "sort": "Einwohner desc"}
                     ).json["result"]
    types = {f["id"]: f["type"] for f in answer["fields"]}
    assert types["Einwohner"] in ("int", "int4", "int8", "numeric", "float8"), types
    assert [r["Stadtteil"] for r in answer["records"]] == ["Hiesfeld", "Lohberg", "Altstadt"]
    page = app.get(f"/dataset/{package['name']}/resource/{resource['id']}").body
    assert f'href="/schnittstelle/{resource["id"]}"' in page
    for raw in ("Ckan url", "Original url", "Queue name", "Datastore active"):
        assert raw not in page
