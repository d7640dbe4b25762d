"""A dataset saved several times in a row is URL-checked once while its
check waits in the queue (the demo loader patched each dataset several
times and queued up to eight checks each, ahead of DataStore loads)."""
import pytest

from ckan.lib import jobs
from ckan.tests import helpers

from ckanext.smartcity.quality import reachability
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")


def url_checks():
    return [job.meta.get("title", "") for job in jobs.get_queue().jobs
            if job.meta.get("title", "").startswith("URL-Prüfung")]


def test_a_waiting_check_is_not_queued_twice(steward, org):
    jobs.get_queue().empty()
    dataset = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org))
    for title in ("Zweiter Titel", "Dritter Titel"):
        helpers.call_action("package_patch", context=dict(steward["context"]),
                            id=dataset["id"], title=title)
    assert reachability.enqueue(dataset["id"]) is True
    assert url_checks() == [f"URL-Prüfung {dataset['id']}"]
    jobs.get_queue().empty()
    assert reachability.enqueue(dataset["id"]) is True      # none waiting: queued again
    assert url_checks() == [f"URL-Prüfung {dataset['id']}"]
