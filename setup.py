"""ckanext-smartcity: DCAT-AP.de 3.0 Smart City catalogue for CKAN 2.12."""
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent

setup(
    name="ckanext-smartcity",
    version="0.1.0",
    description=(
        "Smart City data catalogue for German municipalities: DCAT-AP.de 3.0, "
        "Smart City categories and a PostgreSQL search backend for CKAN 2.12"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    # ckanext is a PEP 420 namespace package (no __init__.py), as in CKAN.
    packages=find_namespace_packages(include=["ckanext.smartcity*"])
    + ["ckanext.smartcity.schemas"],
    # The repository keeps the scheming YAML at the top level (schemas/);
    # the wheel installs it inside the package so that a non-editable
    # install can load it as "ckanext.smartcity.schemas:dataset.yaml".
    package_dir={"ckanext.smartcity.schemas": "schemas"},
    package_data={
        "ckanext.smartcity": [
            "config_declaration.yaml", "templates/**/*.html", "assets/*.js",
            "assets/*.yml", "assets/*.css",
            "i18n/*/LC_MESSAGES/*.po", "i18n/*/LC_MESSAGES/*.mo"],
        "ckanext.smartcity.search": ["config_declaration.yaml"],
        "ckanext.smartcity.harvest": ["*.json"],
        "ckanext.smartcity.schemas": ["*.yaml"],
        "ckanext.smartcity.vocabularies": ["*.json", "*.ttl", "*.txt"],
        "ckanext.smartcity.demo.data": ["*.yaml", "files/*"],
        "ckanext.smartcity.migration.smartcity_search": [
            "alembic.ini", "README", "script.py.mako"],
        "ckanext.smartcity.migration.smartcity": [
            "alembic.ini", "README", "script.py.mako"],
        "ckanext.smartcity.quality": ["shapes/*.ttl", "mqa/*.rdf"],
        "ckanext.smartcity.preview": [
            "assets/*.yml", "assets/*.js", "assets/*.css", "assets/vendor/leaflet/*.js",
            "assets/vendor/leaflet/*.css", "assets/vendor/leaflet/LICENSE",
            "assets/vendor/leaflet/*.md", "assets/vendor/leaflet/images/*.png"],
    },
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        "ckan>=2.12,<2.13",
        "ckanext-scheming>=3.1,<4",
        "ckanext-dcat>=2.4.4,<3",
        "pyyaml>=6",
        "rdflib>=7",
        # writes catalogue pages and exports ~80x faster than rdflib's Turtle serialiser
        "pyoxigraph>=0.5,<0.6",
        # A real Lucene query parser: CKAN and ckanext-dcat send Solr syntax
        # (fq/q) that the PostgreSQL backend must understand exactly.
        "luqum>=1.0,<2",
        # SHACL validation of every saved dataset (quality/shacl.py); without it
        # quality would never be assessed.
        "pyshacl>=0.40,<0.41",
        # German compounds split by Hunspell's own rules (pure Python, reads
        # Debian's hunspell-de-de) and Snowball stems for synonym keys:
        # the search finds "Fahrradzählstellen" for "Fahrrad", "Abfall" for "Müll".
        "spylls>=0.1.7,<0.2",
        "snowballstemmer>=2.2,<4",
        # the sheet round trip (sheet/): XLSX read and written by the library
        # every spreadsheet tool in Python uses; defusedxml makes openpyxl
        # refuse XML entity tricks in uploaded files (docs/security.md)
        "openpyxl>=3.1,<3.2",
        "defusedxml>=0.7,<0.8",
    ],
    # The DCAT-AP.de harvester plugin (smartcity_harvester) builds on
    # ckanext-harvest; the smartcity and smartcity_search plugins do not.
    extras_require={
        "harvest": ["ckanext-harvest>=1.6,<2"],
        # the smartcity_datastore plugin (datastore/, docs/datastore.md); the
        # demo installs xloader 2.6.0 --no-deps (requirements-xloader.txt)
        "datastore": ["ckanext-xloader>=2.6,<2.7"],
    },
    entry_points={
        "ckan.plugins": [
            "smartcity = ckanext.smartcity.plugin:SmartcityPlugin",
            "smartcity_search = ckanext.smartcity.plugin:SmartcitySearchPlugin",
            "smartcity_harvester = ckanext.smartcity.harvest.plugin:SmartcityHarvesterPlugin",
            "smartcity_datastore = ckanext.smartcity.datastore.plugin:SmartcityDatastorePlugin",
            "smartcity_preview = ckanext.smartcity.preview.plugin:SmartcityMapViewPlugin",
        ],
        "ckan.rdf.profiles": [
            "dcat_ap_de = ckanext.smartcity.rdf.profile:DCATAPDEProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
