"""A non-editable wheel carries the schemas and every data file the extension
reads at run time: build it, install it into a clean virtualenv and load a
schema and a vocabulary from the installed package. And it installs into an
existing CKAN 2.12 site the way the README says: a fresh virtualenv with
only ``ckan[requirements]==2.12.0``, the wheel with its declared dependencies
(from PyPI), the README's config lines, every plugin loaded, and a saved
dataset whose quality gets assessed."""
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RUNTIME_FILES = [
    "ckanext/smartcity/schemas/dataset.yaml",
    "ckanext/smartcity/vocabularies/eu-data-theme.json",
    "ckanext/smartcity/vocabularies/smartcity-categories.ttl",
    "ckanext/smartcity/vocabularies/smartcity-category-targets.json",
    "ckanext/smartcity/vocabularies/search-synonyms-de.txt",
    "ckanext/smartcity/templates/smartcity/search/empty_help.html",
    "ckanext/smartcity/migration/smartcity_search/versions/e5b2a9c4d8f1_search_words.py",
    "ckanext/smartcity/migration/smartcity_search/versions/f7c1d3e9a2b4_narrow_index_rows.py",
    "ckanext/smartcity/harvest/aliases.json",
    "ckanext/smartcity/assets/category-picker.js",
    "ckanext/smartcity/assets/smartcity.css",
    "ckanext/smartcity/templates/smartcity/categories/index.html",
    "ckanext/smartcity/templates/smartcity/categories/concept.html",
    "ckanext/smartcity/search/config_declaration.yaml",
    "ckanext/smartcity/demo/data/town.yaml",
    "ckanext/smartcity/demo/data/files/abfuhrbezirke.csv",
    "ckanext/smartcity/migration/smartcity_search/alembic.ini",
    "ckanext/smartcity/migration/smartcity_search/env.py",
    "ckanext/smartcity/migration/smartcity_search/versions/"
    "a1c0e5d2b7f4_create_search_doc_table.py",
    "ckanext/smartcity/migration/smartcity_search/versions/c3d9f1a7e2b6_facet_value_ids.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel of a clean copy of the checkout: a build/ directory left in
    the checkout would carry modules that no longer exist into the wheel."""
    source = tmp_path_factory.mktemp("source") / "ckanext-smartcity"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__",
        ".ruff_cache", ".pytest_cache"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(out), str(source)],
                   check=True, cwd=str(out))
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(wheels) == 1
    return os.path.join(out, wheels[0])


def test_wheel_contains_runtime_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in RUNTIME_FILES if f not in names]
    assert missing == []
    # No stray top-level packages (tests, scripts) in the wheel.
    assert not any(n.startswith(("tests/", "scripts/", "schemas/")) for n in names)


def test_installed_wheel_loads_schema_and_vocabulary(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", wheel,
                    "PyYAML==6.0.3"], check=True)
    probe = (
        "import yaml\n"
        "from importlib import resources\n"
        "from ckanext.smartcity.schema.vocab import load_vocabulary\n"
        "schema = yaml.safe_load(resources.files('ckanext.smartcity.schemas')"
        ".joinpath('dataset.yaml').read_text('utf-8'))\n"
        "for name in ('organization.yaml', 'presets.yaml'):\n"
        "    yaml.safe_load(resources.files('ckanext.smartcity.schemas').joinpath(name)"
        ".read_text('utf-8'))\n"
        "names = sorted(p.name[:-5] for p in resources.files('ckanext.smartcity.vocabularies')"
        ".iterdir() if p.name.endswith('.json') and 'targets' not in p.name)\n"
        "assert all(load_vocabulary(n)['concepts'] for n in names), names\n"
        "base = resources.files('ckanext.smartcity')\n"
        "assert base.joinpath('i18n/de/LC_MESSAGES/ckanext-smartcity.mo').is_file()\n"
        "assert base.joinpath('templates/smartcity/form_groups.html').is_file()\n"
        "assert base.joinpath('assets/region-autocomplete.js').is_file()\n"
        "assert base.joinpath('assets/webassets.yml').is_file()\n"
        "assert base.joinpath('config_declaration.yaml').is_file()\n"
        "themes = load_vocabulary('eu-data-theme')\n"
        "import ckanext.smartcity.schema.vocab as v\n"
        "print(schema['dataset_type'], len(themes['concepts']), len(names), v.__file__)\n"
    )
    # Run outside the repository so the source tree cannot be imported.
    result = subprocess.run([python, "-c", probe], check=True, capture_output=True,
                            text=True, cwd=str(tmp_path))
    dataset_type, concepts, vocabularies, module_file = result.stdout.split()
    assert dataset_type == "dataset"
    assert int(concepts) == 13
    # every JSON vocabulary of the checkout (the category mapping targets
    # are no vocabulary), none lost on the way into the wheel
    assert int(vocabularies) == len([
        name for name in os.listdir(os.path.join(ROOT, "ckanext", "smartcity", "vocabularies"))
        if name.endswith(".json") and "targets" not in name])
    assert str(venv) in module_file


# --- install into an existing CKAN 2.12 site ---------------------------------

CKAN_REQUIREMENT = "ckan[requirements]==2.12.0"
SITE_DB = "ckan_smartcity_install"
SITE_REDIS = "redis://127.0.0.1:6379/13"
DB_USER = "ckan_smartcity"
# README's plugins, plus the harvester of the [harvest] extra
HARVEST_PLUGINS = ["harvest", "smartcity_harvester"]
PIP_TIMEOUT = 1800  # a fresh virtualenv downloads CKAN's ~60 pinned packages
CKAN_TIMEOUT = 600

# Runs in the site's virtualenv: the site as CKAN itself loads it (every
# plugin of its ini), then an organisation and a dataset through the actions,
# then what the quality tables hold for the dataset.
SITE_PROBE = """
import json, sys
import sqlalchemy as sa
from ckan.cli import load_config
from ckan.config.middleware import make_app

app = make_app(load_config(sys.argv[1]))
with app._wsgi_app.test_request_context():
    import ckan.model as model
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as tk
    import ckanext.smartcity.plugin

    wanted = tk.aslist(tk.config.get("ckan.plugins"))
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def context():
        return {"user": site_user, "ignore_auth": True}

    org = tk.get_action("organization_create")(context(), {
        "name": "stadt-beispiel", "title": "Stadt Beispiel"})
    dataset = tk.get_action("package_create")(context(), {
        "name": "baumkataster", "title": "Baumkataster", "owner_org": org["id"],
        "notes": "Standorte und Arten der Stadtbäume.",
        "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "resources": [{"url": "https://example.org/baumkataster.csv", "format": "CSV",
                       "name": "Baumkataster (CSV)"}]})
    row = model.Session.execute(sa.text(
        "SELECT score, rating FROM smartcity_quality WHERE package_id = :id"),
        {"id": dataset["id"]}).first()
    shown = tk.get_action("smartcity_quality_show")(context(), {"id": dataset["id"]})
    print(json.dumps({
        "wanted": wanted,
        "loaded": [name for name in wanted if plugins.plugin_loaded(name)],
        "module": ckanext.smartcity.plugin.__file__,
        "publisher": dataset.get("publisher"),
        "row": list(row) if row else None,
        "shown": {key: shown.get(key) for key in ("score", "maximum", "computed_at")},
    }))
"""


def _run(args, timeout, **kwargs):
    """Run a command; a failure shows its output in the assertion message."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def _clean_env(**extra):
    """No trace of the project's own virtualenv or config in the site's commands."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CKAN_INI")}
    return dict(env, **extra)


def _venv_digest() -> str:
    digest = hashlib.sha256(f"{CKAN_REQUIREMENT} {sys.version}".encode())
    for name in ("setup.py", "requirements.txt"):
        with open(os.path.join(ROOT, name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def site_venv():
    """A virtualenv holding only CKAN 2.12.0 with its own pins, as on a site
    that has not heard of this extension. Kept under var/ between runs, keyed
    by setup.py and requirements.txt (a change builds a new one); built from
    nothing when absent. The base interpreter, never the project's .venv."""
    var = os.path.join(ROOT, "var")
    os.makedirs(var, exist_ok=True)
    venv = os.path.join(var, f"install-venv-{_venv_digest()}")
    complete = os.path.join(venv, ".complete")
    with open(os.path.join(var, "install-venv.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(complete):
            shutil.rmtree(venv, ignore_errors=True)
            base = getattr(sys, "_base_executable", sys.executable)
            _run([base, "-m", "venv", venv], timeout=300, env=_clean_env())
            _run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q",
                  CKAN_REQUIREMENT], timeout=PIP_TIMEOUT, env=_clean_env())
            with open(complete, "w") as handle:
                handle.write(CKAN_REQUIREMENT + "\n")
        for stale in glob.glob(os.path.join(var, "install-venv-*")):
            if stale != venv:
                shutil.rmtree(stale, ignore_errors=True)
    return venv


def _psql(sql: str) -> str:
    return _run(["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1",
                 "-qtAX", "-c", sql], timeout=120)


@pytest.fixture
def site_database():
    """A database of its own, created empty and dropped afterwards."""
    _psql(f"DROP DATABASE IF EXISTS {SITE_DB} WITH (FORCE)")
    _psql(f"CREATE DATABASE {SITE_DB} OWNER {DB_USER} ENCODING 'UTF8' TEMPLATE template0")
    yield f"postgresql://{DB_USER}:{DB_USER}@127.0.0.1/{SITE_DB}"
    _psql(f"DROP DATABASE IF EXISTS {SITE_DB} WITH (FORCE)")
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(["redis-cli", "-u", SITE_REDIS, "FLUSHDB"], capture_output=True,
                       timeout=30)


def readme_config_lines() -> list[str]:
    """The ``key = value`` lines of the README's ini block for existing sites."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    section = readme.split("## Adding the extension to an existing CKAN", 1)[1]
    block = re.search(r"```ini\n(.*?)```", section, re.S)
    assert block, "README: no ```ini block under 'Adding the extension to an existing CKAN'"
    lines = [line.strip() for line in block.group(1).splitlines()
             if "=" in line and not line.lstrip().startswith(("#", ";"))]
    assert any(line.startswith("ckan.plugins") for line in lines), lines
    return lines


def test_wheel_installs_into_an_existing_ckan_site(wheel, site_venv, site_database, tmp_path):
    python = os.path.join(site_venv, "bin", "python")
    ckan = os.path.join(site_venv, "bin", "ckan")
    env = _clean_env()
    # The wheel with its declared dependencies, resolved by pip (scheming, dcat,
    # pyshacl, luqum, pyoxigraph, and ckanext-harvest through the extra).
    subprocess.run([python, "-m", "pip", "uninstall", "-y", "-q", "ckanext-smartcity"],
                   capture_output=True, env=env, timeout=300)
    _run([python, "-m", "pip", "install", "-q", f"{wheel}[harvest]"],
         timeout=PIP_TIMEOUT, env=env, cwd=str(tmp_path))
    _run([python, "-m", "pip", "check"], timeout=300, env=env)

    # An existing site: CKAN's own generated config and database ...
    ini = str(tmp_path / "ckan.ini")
    _run([ckan, "generate", "config", ini], timeout=CKAN_TIMEOUT, env=env, cwd=str(tmp_path))
    _run([ckan, "config-tool", ini, f"sqlalchemy.url = {site_database}",
          f"ckan.redis.url = {SITE_REDIS}", "ckan.site_url = http://127.0.0.1:5000",
          f"ckan.storage_path = {tmp_path / 'storage'}"],
         timeout=CKAN_TIMEOUT, env=env)
    _run([ckan, "-c", ini, "db", "init"], timeout=CKAN_TIMEOUT, env=env, cwd=str(tmp_path))
    # ... then the README's lines for this extension, and the harvester.
    lines = readme_config_lines()
    options = tmp_path / "smartcity.ini"
    options.write_text("[app:main]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    _run([ckan, "config-tool", ini, "-f", str(options)], timeout=CKAN_TIMEOUT, env=env)
    plugins = next(line for line in lines if line.startswith("ckan.plugins"))
    _run([ckan, "config-tool", ini, f"{plugins} {' '.join(HARVEST_PLUGINS)}"],
         timeout=CKAN_TIMEOUT, env=env)
    _run([ckan, "-c", ini, "db", "upgrade"], timeout=CKAN_TIMEOUT, env=env, cwd=str(tmp_path))

    probe = tmp_path / "probe.py"
    probe.write_text(SITE_PROBE, encoding="utf-8")
    output = _run([python, str(probe), ini], timeout=CKAN_TIMEOUT, env=env, cwd=str(tmp_path))
    report = json.loads(output.strip().splitlines()[-1])

    wanted = plugins.split("=", 1)[1].split() + HARVEST_PLUGINS
    assert report["wanted"] == wanted, "the ini does not hold the README's plugins"
    assert report["loaded"] == wanted, f"plugins not loaded: {set(wanted) - set(report['loaded'])}"
    assert report["module"].startswith(site_venv), (
        f"ckanext.smartcity came from {report['module']}, not from the installed wheel")
    assert report["publisher"], "the organisation's defaults did not fill the publisher"
    assert report["row"] is not None, (
        "saving the dataset left no row in smartcity_quality: quality was not assessed "
        "(a missing dependency such as pyshacl is only logged as a warning)")
    score, rating = report["row"]
    assert isinstance(score, int) and score > 0, f"stored quality score {score!r}"
    assert rating, "stored quality rating is empty"
    assert report["shown"]["score"] == score, report["shown"]
    assert report["shown"]["maximum"] >= score, report["shown"]
    assert report["shown"]["computed_at"], "smartcity_quality_show did not read the stored row"
