"""``ckan smartcity migrate``: core-schema datasets, as an older CKAN (or
ckanext-dcatde) left them in the database, become DCAT-AP.de datasets; dry
run first, idempotent, and what cannot be mapped is reported, not lost."""
import pytest

from ckan import model
from ckan.lib.search import rebuild
from ckan.tests import factories, helpers

from ckanext.smartcity.schema import migrate as migration

pytestmark = pytest.mark.usefixtures("clean_db")

EU = "http://publications.europa.eu/resource/authority/"


def legacy_dataset(org, name, license_id="cc-by", extras=None, groups=(), formats=("csv",),
                   **columns):
    """A dataset row written the way CKAN's core schema stored it, bypassing
    today's validation (which would refuse it)."""
    pkg = model.Package(name=name, title=name.title(), notes="Alt.", license_id=license_id,
                        owner_org=org["id"], type="dataset", state="active", **columns)
    pkg.extras = dict(extras or {})
    model.Session.add(pkg)
    model.Session.flush()
    for position, fmt in enumerate(formats):
        resource = model.Resource(package_id=pkg.id, url=f"https://example.org/{name}.{position}",
                                  format=fmt, name=f"Teil {position}")
        resource.position = position
        model.Session.add(resource)
    for group_name in groups:
        group = model.Group.get(group_name)
        model.Session.add(model.Member(group=group, table_id=pkg.id, table_name="package",
                                       capacity="public", state="active"))
    model.Session.commit()
    rebuild(pkg.id)
    return pkg


@pytest.fixture
def old_portal():
    org = factories.Organization(name="stadt-herten", title="Stadt Herten")
    factories.Group(name="transport_verkehr", title="Transport und Verkehr")
    factories.Group(name="envi", title="Umwelt")
    factories.Group(name="lieblingsdaten", title="Lieblingsdaten")
    legacy_dataset(org, "parkplaetze", license_id="dl-de-by-2.0",
                   groups=["transport_verkehr", "envi"], formats=("CSV", "text/csv"),
                   maintainer="Tiefbauamt", maintainer_email="tiefbau@herten.de",
                   extras={"contributorID": '["http://dcat-ap.de/def/contributors/openNRW"]',
                           "politicalGeocodingURI": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05562020",
                           "politicalGeocodingLevelURI": "http://dcat-ap.de/def/politicalGeocoding/Level/municipality",
                           "plannedAvailability": "http://dcat-ap.de/def/plannedAvailability/stable",
                           "temporal_start": "2019-01-01", "temporal_end": "2023-12-31",
                           "language": "de", "frequency": "MONTHLY",
                           "qualityProcessURI": "https://example.org/qualitaet"})
    legacy_dataset(org, "altlasten", license_id="notspecified", groups=["lieblingsdaten"],
                   formats=("Excel 97",))
    return org


def test_dry_run_reports_and_writes_nothing(old_portal):
    plans = {p.name: p for p in migration.run()}
    assert plans["parkplaetze"].status == "change"
    assert "license_id" in plans["parkplaetze"].changes
    assert "extras.qualityProcessURI" in plans["parkplaetze"].unmapped
    assert plans["altlasten"].status == "blocked"
    assert "license_id=notspecified" in plans["altlasten"].unmapped
    assert "group=lieblingsdaten" in plans["altlasten"].unmapped
    assert any("format=Excel 97" in u for u in plans["altlasten"].unmapped)
    assert model.Package.get("parkplaetze").license_id == "dl-de-by-2.0"


def test_apply_converts_and_second_run_changes_nothing(old_portal):
    migration.run(apply=True)
    ds = helpers.call_action("package_show", id="parkplaetze")
    assert ds["license_id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert ds["theme"] == [EU + "data-theme/TRAN", EU + "data-theme/ENVI"]
    assert ds["contributor_id"] == "http://dcat-ap.de/def/contributors/openNRW"
    assert ds["political_geocoding"] == [
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05562020"]
    assert ds["political_geocoding_level"].endswith("/Level/municipality")
    # deprecated dcatde:plannedAvailability stored under dcatap:availability
    assert ds["availability"] == EU + "planned-availability/STABLE"
    assert ds["temporal_coverage"] == [{"start": "2019-01-01", "end": "2023-12-31"}]
    assert ds["language"] == [EU + "language/DEU"]
    assert ds["frequency"] == EU + "frequency/MONTHLY"
    assert ds["contact"] == [{"name": "Tiefbauamt", "email": "tiefbau@herten.de"}]
    assert ds["custodian"] == [{"name": "Tiefbauamt", "email": "tiefbau@herten.de"}]
    assert [r["format"] for r in ds["resources"]] == ["CSV", "CSV"]
    # what had no home stays, nothing is lost
    assert {e["key"]: e["value"] for e in ds["extras"]} == {
        "qualityProcessURI": "https://example.org/qualitaet"}
    # blocked dataset untouched
    assert model.Package.get("altlasten").license_id == "notspecified"

    again = {p.name: p.status for p in migration.run(apply=True)}
    assert again == {"parkplaetze": "unchanged", "altlasten": "blocked"}


def test_cli_dry_run_then_apply(cli, old_portal):
    from ckan.cli.cli import ckan
    result = cli.invoke(ckan, ["smartcity", "migrate"])
    assert result.exit_code == 0, result.output
    assert "parkplaetze: would change" in result.output
    assert "altlasten: BLOCKED" in result.output
    assert "cannot be mapped: license_id=notspecified" in result.output
    assert "dry run, nothing written" in result.output
    result = cli.invoke(ckan, ["smartcity", "migrate", "--apply", "parkplaetze"])
    assert "1 datasets: 1 migrated" in result.output
    result = cli.invoke(ckan, ["smartcity", "migrate", "parkplaetze"])
    assert "1 datasets: 0 to migrate, 1 unchanged" in result.output


def test_nothing_is_dropped_silently(old_portal):
    legacy_dataset(old_portal, "baustellen", license_id="dl-de-zero-2.0", extras={
        "language": "de", "identifier": "herten-baustellen", "guid": "alt-42",
        "contributorID": '["http://dcat-ap.de/def/contributors/openNRW", "https://herten.de/ich"]',
        "politicalGeocodingURI": '["05562020", "99999999"]'})
    plans = {p.name: p for p in migration.run(["baustellen"], apply=True)}
    ds = helpers.call_action("package_show", id="baustellen")
    extras = {e["key"]: e["value"] for e in ds["extras"]}
    # an extra shown as the schema field is stored canonically
    assert ds["language"] == [EU + "language/DEU"]
    # two extras for one field: one wins, the other stays and is reported
    assert {ds["identifier"], extras.get("guid") or extras.get("identifier")} == {
        "herten-baustellen", "alt-42"}
    assert any("already holds another value" in u or "conflicts with" in u
               for u in plans["baustellen"].unmapped)
    # a second contributor ID and an unknown region stay in the extras
    assert ds["contributor_id"] == "http://dcat-ap.de/def/contributors/openNRW"
    assert "https://herten.de/ich" in extras["contributorID"]
    assert ds["political_geocoding"] == [
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05562020"]
    assert "99999999" in extras["politicalGeocodingURI"]
    # the organisation's defaults fill what the old dataset never had
    assert ds["publisher"] == [{"name": "Stadt Herten",
                                "type": "http://purl.org/adms/publishertype/LocalAuthority"}]
    assert [p.status for p in migration.run(["baustellen"])] == ["unchanged"]


def test_a_dataset_made_with_the_schema_is_left_unchanged():
    """A dataset without extras (package_show then has no "extras" key) must
    not be reported as "would change" on every run (seen on the demo)."""
    org = factories.Organization(contributor_id="http://dcat-ap.de/def/contributors/openNRW")
    factories.Dataset(name="radwege", owner_org=org["id"], smartcity_category=["radverkehr"])
    assert "extras" not in helpers.call_action("package_show", id="radwege")
    assert [(p.name, p.status, p.changes) for p in migration.run(["radwege"])] == [
        ("radwege", "unchanged", {})]
