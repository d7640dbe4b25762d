"""Previews (docs/previews.md): the ``smartcity_map`` view draws GeoJSON the
portal serves itself and never points the browser at another host unless a
town configures its tile server; the table preview is CKAN's
``datatables_view``; the dataset page embeds the first previews compactly."""
import configparser
import io
import json
import os
import re
from urllib.parse import urlsplit

import pytest
import ckan.plugins.toolkit as tk
from ckan.lib import datapreview
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.smartcity.preview import geojson
from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _plugins() -> str:
    """test.ini's plugins, with smartcity_preview (until test.ini has it)."""
    ini = configparser.RawConfigParser(strict=False)
    ini.read(os.path.join(ROOT, "test.ini"))
    names = ini.get("app:main", "ckan.plugins").split()
    return " ".join(names if "smartcity_preview" in names else [*names, "smartcity_preview"])


pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    pytest.mark.ckan_config("ckan.plugins", _plugins()),
    pytest.mark.ckan_config("ckan.views.default_views", "datatables_view smartcity_map"),
]

GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Ladesäule Altmarkt", "note": "<b>frei</b>"},
     "geometry": {"type": "Point", "coordinates": [6.7345, 51.5623]}},
    {"type": "Feature", "properties": {"name": "Neutor"},
     "geometry": {"type": "LineString", "coordinates": [[6.73, 51.56], [6.74, 51.57]]}},
]}).encode()
URL_ATTRIBUTES = re.compile(r'\s(?:src|href|data-module-url)="([^"]*)"')


def dataset(steward, org, name="ladesaeulen"):
    return helpers.call_action(
        "package_create", context=dict(steward["context"]), name=name,
        title="Ladesäulen", owner_org=org["id"], notes="Öffentliche Ladesäulen.",
        license_id="dl-de-by-2.0", publisher=[{"name": "Stadtwerke Dinslaken"}])


def upload(steward, package, body=GEOJSON, filename="ladesaeulen.geojson", fmt="GeoJSON"):
    return helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Ladesäulen (Karte)", url=filename, format=fmt,
        upload=FileStorage(stream=io.BytesIO(body), filename=filename))


def link(steward, package, url, fmt="GeoJSON"):
    return helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Verlinkte Karte", url=url, format=fmt)


def view_types(resource):
    return [v["view_type"] for v in helpers.call_action("resource_view_list", id=resource["id"])]


def map_view(resource):
    return next(v for v in helpers.call_action("resource_view_list", id=resource["id"])
                if v["view_type"] == "smartcity_map")


def view_page(app, package, resource, view):
    return app.get(f"/dataset/{package['name']}/resource/{resource['id']}/view/{view['id']}").body


def foreign_urls(html):
    """Absolute URLs in src/href attributes whose host is not the portal's."""
    site = urlsplit(tk.config["ckan.site_url"]).netloc
    found = []
    for url in URL_ATTRIBUTES.findall(html):
        parts = urlsplit(url.replace("&amp;", "&"))
        if url.startswith("//") or (parts.scheme in ("http", "https") and parts.netloc != site):
            found.append(url)
    return found


def test_the_map_view_is_registered():
    plugin = datapreview.get_view_plugin("smartcity_map")
    assert plugin is not None
    info = plugin.info()
    assert info["iframed"] is True
    assert info["title"]


@pytest.mark.parametrize(("resource", "expected"), [
    ({"format": "GEOJSON", "url_type": "upload", "url": "http://test.ckan.net/dataset/x/"
      "resource/1/download/a.geojson"}, True),
    ({"format": "GeoJSON", "url": "http://test.ckan.net/files/a.geojson"}, True),
    ({"format": "GeoJSON", "url": "/files/a.geojson"}, True),
    ({"format": "GeoJSON", "url": "https://example.org/a.geojson"}, False),
    ({"format": "GeoJSON", "url": "//example.org/a.geojson"}, False),
    ({"format": "GeoJSON", "url": "https://test.ckan.net.example.org/a.geojson"}, False),
    ({"format": "GeoJSON", "url": "http://test.ckan.net:8080/a.geojson"}, False),
    ({"format": "CSV", "url_type": "upload", "url": "http://test.ckan.net/a.csv"}, False),
    ({"format": "", "mimetype": "application/geo+json", "url": "/a"}, True),
    ({"format": "", "url": "/daten/a.geojson"}, True),
])
def test_can_view_only_geojson_the_portal_serves(resource, expected):
    plugin = datapreview.get_view_plugin("smartcity_map")
    assert plugin.can_view({"resource": resource, "package": {}}) is expected


def test_an_uploaded_geojson_gets_a_map_view_that_stays_in_the_portal(app, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package)
    assert "smartcity_map" in view_types(resource)
    html = view_page(app, package, resource, map_view(resource))
    assert 'data-module="smartcity-map"' in html
    data_url = re.search(r'data-module-url="([^"]*)"', html)[1]
    assert data_url == (f"/dataset/{package['id']}/resource/{resource['id']}"
                        "/download/ladesaeulen.geojson")
    assert app.get(data_url).body.startswith('{"type": "FeatureCollection"')
    assert "data-module-tile-url" not in html                  # no base map
    assert "smartcity_preview" in html and "leaflet" in html.lower()   # the portal's own Leaflet
    assert foreign_urls(html) == []


@pytest.mark.ckan_config("ckanext.smartcity.map.tile_url",
                         "https://tiles.stadt.example/{z}/{x}/{y}.png")
@pytest.mark.ckan_config("ckanext.smartcity.map.attribution", "© Stadt <Dinslaken>")
def test_a_configured_tile_server_reaches_the_map(app, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package)
    html = view_page(app, package, resource, map_view(resource))
    assert 'data-module-tile-url="https://tiles.stadt.example/{z}/{x}/{y}.png"' in html
    assert 'data-module-attribution="© Stadt &lt;Dinslaken&gt;"' in html


def test_an_external_geojson_gets_a_notice_and_no_fetch(app, steward, org):
    package = dataset(steward, org)
    resource = link(steward, package, "https://geodaten.example.org/ladesaeulen.geojson")
    assert "smartcity_map" not in view_types(resource)
    # a view created by hand (or before the file moved away) shows the link only
    view = helpers.call_action("resource_view_create", context=dict(steward["context"]),
                               resource_id=resource["id"], view_type="smartcity_map",
                               title="Karte")
    html = view_page(app, package, resource, view)
    assert 'data-module="smartcity-map"' not in html
    assert "smartcity-map-notice" in html
    assert 'href="https://geodaten.example.org/ladesaeulen.geojson"' in html
    assert "smartcity_preview/map-view.js" not in html and "_map-view.js" not in html


@pytest.mark.ckan_config("ckanext.smartcity.map.max_bytes", "100")
def test_a_file_above_the_cap_is_offered_for_download(app, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package)
    html = view_page(app, package, resource, map_view(resource))
    assert 'data-module="smartcity-map"' not in html
    assert "smartcity-map-notice" in html
    assert f"/resource/{resource['id']}/download/ladesaeulen.geojson" in html


def test_a_csv_gets_no_map_view(steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package, b"a,b\n1,2\n", "tabelle.csv", "CSV")
    assert "smartcity_map" not in view_types(resource)


def test_the_dataset_page_shows_a_compact_preview(app, steward, org):
    package = dataset(steward, org)
    resource = upload(steward, package)
    view = map_view(resource)
    html = app.get(f"/dataset/{package['name']}").body
    section = html[html.index('class="smartcity-previews"'):]
    section = section[:section.index("</section>")]
    frame = re.search(r"<iframe[^>]*>", section)[0]
    assert f'src="/dataset/{package["name"]}/resource/{resource["id"]}/view/{view["id"]}"' in frame
    assert 'loading="lazy"' in frame and 'title="' in frame
    assert f'href="/dataset/{package["name"]}/resource/{resource["id"]}?view_id={view["id"]}"' \
        in section
    assert 'class="smartcity-preview-full"' in section
    assert foreign_urls(section) == []


def test_the_dataset_page_embeds_at_most_two_previews(app, steward, org):
    package = dataset(steward, org)
    for number in range(3):
        upload(steward, package, filename=f"karte-{number}.geojson")
    html = app.get(f"/dataset/{package['name']}").body
    assert html.count('class="smartcity-preview smartcity-preview-smartcity_map"') == 2


def test_no_compact_preview_without_a_view(app, steward, org):
    package = dataset(steward, org)
    link(steward, package, "https://geodaten.example.org/ladesaeulen.geojson")
    assert 'class="smartcity-previews"' not in app.get(f"/dataset/{package['name']}").body


def test_the_table_preview_is_german_and_stays_in_the_portal(app, steward, org):
    """CKAN's datatables_view: its assets and translation come from the
    portal (no CDN), its labels are German."""
    package = dataset(steward, org, name="einwohner")
    resource = upload(steward, package, b"Stadtteil,Einwohner\nAltstadt,4210\n",
                      "einwohner.csv", "CSV")
    helpers.call_action("datastore_create", context=dict(steward["context"]),
                        resource_id=resource["id"], force=True,
                        fields=[{"id": "Stadtteil", "type": "text"},
                                {"id": "Einwohner", "type": "int"}],
                        records=[{"Stadtteil": "Altstadt", "Einwohner": 4210}])
    helpers.call_action("resource_create_default_resource_views", context=dict(
        steward["context"]), resource=helpers.call_action("resource_show", id=resource["id"]),
        package=helpers.call_action("package_show", id=package["id"]),
        create_datastore_views=True)
    view = next(v for v in helpers.call_action("resource_view_list", id=resource["id"])
                if v["view_type"] == "datatables_view")
    html = view_page(app, package, resource, view)
    assert 'data-module="datatables_view"' in html
    assert 'data-languagefile="/datatablesview/i18n/de.json"' in html
    assert app.get("/datatablesview/i18n/de.json").json["info"].startswith("_START_ bis _END_")
    assert "Metadaten zuletzt aktualisiert" in html            # "Metadata last updated"
    assert 'title="Wieder anpassen"' in html                   # "Refit"
    assert foreign_urls(html) == []
    compact = app.get(f"/dataset/{package['name']}").body
    assert f"/resource/{resource['id']}/view/{view['id']}" in compact


def test_data_path_never_leaves_the_portal():
    assert geojson.data_path({"url": "https://example.org/a.geojson"}) is None
    assert geojson.data_path({"url": "http://test.ckan.net/a.geojson?x=1"}) == "/a.geojson?x=1"
