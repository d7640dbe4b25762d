"""URL check results belong to the dataset whose check produced them
(docs/security.md F15): an editor of one organisation who names a URL of
another organisation's private dataset learns nothing about it (no check
time, no status, no error) until their own dataset's check ran; the
migration keeps what each dataset's report already showed."""
import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.smartcity.quality import assessment as quality
from ckanext.smartcity.quality import reachability
from tests.quality.test_quality import minimal
from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

# refused by the SSRF rules before any connection: a check result (with its
# time and error) without a server in the test
SECRET = "http://10.9.8.7/intern/haushalt-entwurf.csv"


@pytest.fixture
def other_org(steward):
    return helpers.call_action("organization_create", context=dict(steward["context"]),
                               name="stadt-voerde", title="Stadt Voerde")


@pytest.fixture
def editor_b(other_org):
    """An editor of the other organisation, the one that guesses URLs."""
    user = factories.User()
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=user["name"], role="editor")
    return {"user": user, "context": {"user": user["name"], "ignore_auth": False},
            "token": factories.APIToken(user=user["name"])["token"]}


def private_with_checked_url(steward, org):
    """Organisation A's private dataset naming SECRET, checked."""
    jobs.get_queue().empty()
    dataset = helpers.call_action(
        "package_create", context=dict(steward["context"]),
        **minimal(org, name="haushalt", private=True,
                  resources=[{"url": SECRET, "name": "Entwurf"}]))
    reachability.check_package(dataset["id"])
    assert quality.stored(dataset["id"])["urls"][SECRET]["checked_at"]
    jobs.get_queue().empty()
    return dataset


def test_another_organisations_check_is_not_shown_before_the_own(
        app, steward, org, other_org, editor_b):
    private_with_checked_url(steward, org)
    guess = helpers.call_action(
        "package_create", context=dict(editor_b["context"]),
        **minimal(other_org, name="geraten", resources=[{"url": SECRET, "name": "Geraten"}]))
    report = helpers.call_action("smartcity_quality_show", context=dict(editor_b["context"]),
                                 id=guess["id"])
    assert report["urls"] == {SECRET: None}
    assert "private or local address" not in str(report)
    # nor through the dataset page's quality panel or the API over HTTP
    page = app.get(f"/dataset/{guess['name']}",
                   headers={"Authorization": editor_b["token"]}).body
    assert "Metadatenqualität" in page and "private or local address" not in page
    shown = app.get(f"/api/3/action/smartcity_quality_show?id={guess['id']}",
                    headers={"Authorization": editor_b["token"]}).json["result"]
    assert shown["urls"] == {SECRET: None}
    # after the dataset's own check: its own result
    reachability.check_package(guess["id"])
    own = helpers.call_action("smartcity_quality_show", context=dict(editor_b["context"]),
                              id=guess["id"])["urls"][SECRET]
    assert own["ok"] is False and "private or local address" in own["error"]


def test_a_later_check_of_the_other_dataset_does_not_move_the_own(
        steward, org, other_org, editor_b):
    """Check times do not travel either: the private dataset being checked
    again (its organisation saving it) is invisible to the other."""
    private = private_with_checked_url(steward, org)
    guess = helpers.call_action(
        "package_create", context=dict(editor_b["context"]),
        **minimal(other_org, name="geraten", resources=[{"url": SECRET, "name": "Geraten"}]))
    reachability.check_package(guess["id"])
    before = quality.stored(guess["id"])["urls"][SECRET]["checked_at"]
    model.Session.execute(sa.text(
        "UPDATE smartcity_url_check SET checked_at = checked_at - interval '1 day' "
        "WHERE url = :url"), {"url": SECRET})
    model.Session.commit()
    reachability.check_package(private["id"])
    helpers.call_action("package_patch", context=dict(editor_b["context"]), id=guess["id"],
                        notes="Neu beschrieben.")
    assert quality.stored(guess["id"])["urls"][SECRET]["checked_at"] < before


def test_a_deleted_dataset_leaves_no_url_checks(steward, org):
    private = private_with_checked_url(steward, org)
    helpers.call_action("package_delete", context=dict(steward["context"]), id=private["id"])
    assert model.Session.execute(sa.text(
        "SELECT count(*) FROM smartcity_url_check WHERE package_id = :id"),
        {"id": private["id"]}).scalar() == 0


def test_the_migration_keeps_what_each_report_showed(
        migrate_db_for, steward, org, other_org, editor_b):
    """Down to the global table and up again: a dataset keeps the results its
    stored report showed; a dataset whose report showed none gets none."""
    private = private_with_checked_url(steward, org)
    guess = helpers.call_action(
        "package_create", context=dict(editor_b["context"]),
        **minimal(other_org, name="geraten", resources=[{"url": SECRET, "name": "Geraten"}]))
    shown = quality.stored(private["id"])["urls"][SECRET]
    model.Session.commit()
    model.Session.remove()
    migrate_db_for("smartcity", "b7e2c9a41d05", False)
    columns = {row[0] for row in model.Session.execute(sa.text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'smartcity_url_check'"))}
    assert "package_id" not in columns  # the global table of the first release
    model.Session.remove()
    migrate_db_for("smartcity")
    rows = model.Session.execute(sa.text(
        "SELECT package_id, url, ok, error, checked_at FROM smartcity_url_check "
        "WHERE package_id = ANY(:ids)"), {"ids": [private["id"], guess["id"]]}).fetchall()
    assert [(r.package_id, r.url, r.ok) for r in rows] == [(private["id"], SECRET, False)]
    assert rows[0].checked_at.isoformat(timespec="seconds") == shown["checked_at"]
    assert rows[0].error == shown["error"]
    assert quality.url_checks(helpers.call_action("package_show", id=guess["id"])) == {}
