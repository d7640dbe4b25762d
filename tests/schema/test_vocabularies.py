"""The shipped vocabulary files are reproducible from the reference lists,
complete in German and English, and hold what GovData checks against."""
import filecmp
import os
import subprocess
import sys

import pytest

from ckanext.smartcity.schema import vocab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(ROOT, "scripts", "reference")
SHIPPED = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")
# JSON vocabularies of build_vocabularies.py; the Smart City categories (SKOS)
# and their mapping targets come from build_categories.py (tests/categories).
CATEGORY_FILES = ("smartcity-category-targets.json",)
NAMES = sorted(n[:-5] for n in os.listdir(SHIPPED)
               if n.endswith(".json") and n not in CATEGORY_FILES)


def test_regenerating_gives_identical_files(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "build_vocabularies.py"),
                    "--reference", REFERENCE, "--out", str(tmp_path)], check=True)
    assert sorted(os.listdir(tmp_path)) == sorted(f"{n}.json" for n in NAMES)
    for name in os.listdir(tmp_path):
        assert filecmp.cmp(tmp_path / name, os.path.join(SHIPPED, name), shallow=False), name


@pytest.mark.parametrize("name", NAMES)
def test_every_concept_has_german_and_english_label(name):
    concepts = vocab.concepts(name)
    assert concepts
    for concept in concepts:
        assert concept["labels"]["de"].strip() and concept["labels"]["en"].strip(), concept
        assert not concept["uri"].endswith("OP_DATPRO")


def test_the_lists_the_issue_names_have_the_official_sizes():
    sizes = {name: len(vocab.concepts(name)) for name in NAMES}
    assert sizes["dcatde-license"] == 34
    assert sizes["eu-data-theme"] == 13
    assert sizes["political-geocoding-level"] == 6
    assert sizes["adms-publisher-type"] == 11
    assert sizes["dcatde-contributor"] == 69
    # 2022 table (31 incl. OP_DATPRO) + the 10 codes of the 2026 table
    assert sizes["eu-frequency"] == 40


def test_licences_carry_govdata_open_flag_and_aliases():
    dl_by = vocab.find("dcatde-license", "dl-de-by-2.0")
    assert dl_by["uri"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert dl_by["open"] is True
    assert vocab.find("dcatde-license", "cc-nc")["open"] is False
    assert vocab.label("dcatde-license", dl_by["uri"], "en").startswith("Data licence Germany")


def test_labels_in_both_languages():
    tran = "http://publications.europa.eu/resource/authority/data-theme/TRAN"
    assert vocab.label("eu-data-theme", tran, "de") == "Verkehr"
    assert vocab.label("eu-data-theme", tran, "en") == "Transport"
    local = "http://purl.org/adms/publishertype/LocalAuthority"
    assert vocab.label("adms-publisher-type", local, "de") == "Kommunalverwaltung"
    assert vocab.label("adms-publisher-type", local, "en") == "Local Authority"


def test_ruhr_towns_are_in_the_region_list_under_dcat_ap_de_keys():
    for key, name in (("05170008", "Dinslaken"), ("05562020", "Herten"),
                      ("05170024", "Moers")):
        concept = vocab.find("german-region", key)
        assert concept["labels"]["de"] == name
        assert concept["uri"] == (
            f"http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{key}")
    assert vocab.find("german-region", "05170")["labels"]["de"].startswith("Wesel")
    assert vocab.find("german-region", "05")["labels"]["de"] == "Nordrhein-Westfalen"


def test_deprecated_checksum_uris_map_to_their_spdx_successor():
    assert vocab.canonical("checksum-algorithm", "http://dcat-ap.de/def/hashAlgorithms/md/5/") \
        == "http://spdx.org/rdf/terms#checksumAlgorithm_md5"


def test_file_types_store_the_code_and_know_media_types():
    csv = vocab.find("eu-file-type", "csv")
    assert csv["code"] == "CSV" and "text/csv" in csv["media_types"]
