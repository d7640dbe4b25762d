"""The parallel run keeps the files that share the browser portal (one
database, port 58232) in one worker: two workers serving it at once empty
each other's database (CI at 9de3551: "port 58232 is taken", 9 errors and a
browser test that lost its data)."""
import types

from xdist.remote import Producer

from tests import conftest


def scheduler():
    # what xdist reads from ``-n 2 --dist loadfile``
    values = {"dist": "loadfile", "tx": ["2*popen"]}
    config = types.SimpleNamespace(getvalue=values.get,
                                   option=types.SimpleNamespace(maxschedchunk=None,
                                                                loadscopereorder=True))
    made = conftest.pytest_xdist_make_scheduler(config, log=Producer("test", enabled=False))
    assert made is not None, "make test runs --dist loadfile: our scheduler must take over"
    return made


def test_every_browser_file_is_one_unit_of_work():
    split = scheduler()._split_scope
    scopes = {split(f"tests/browser/{name}::test_x[390]")
              for name in ("test_browser.py", "test_previews.py", "test_faults.py")}
    assert scopes == {"tests/browser/"}


def test_other_files_stay_units_of_their_own():
    split = scheduler()._split_scope
    assert split("tests/web/test_layout.py::test_a") == "tests/web/test_layout.py"
    assert split("tests/web/test_layout.py::test_b[x]") == "tests/web/test_layout.py"
    assert split("tests/harvest/test_harvest.py::test_c") == "tests/harvest/test_harvest.py"


def test_other_modes_keep_xdist_schedulers():
    config = types.SimpleNamespace(getvalue=lambda name: {"dist": "load"}.get(name))
    assert conftest.pytest_xdist_make_scheduler(config, log=None) is None
