"""A non-editable wheel carries the schemas and every data file the extension
reads at run time: build it, install it into a clean virtualenv and load a
schema and a vocabulary from the installed package."""
import os
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
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(out), ROOT],
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
    assert int(vocabularies) == len(os.listdir(os.path.join(
        ROOT, "ckanext", "smartcity", "vocabularies"))) - 3  # minus __init__.py and the
    # category scheme (.ttl) with its mapping targets
    assert str(venv) in module_file
