"""The shipped vocabulary files are reproducible from the reference lists."""
import filecmp
import os
import subprocess
import sys

from ckanext.smartcity import vocab

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "scripts", "reference")


def test_regenerating_gives_identical_files(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "build_vocabularies.py"),
                    "--reference", REFERENCE, "--out", str(tmp_path)], check=True)
    shipped = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")
    for name in os.listdir(tmp_path):
        assert filecmp.cmp(tmp_path / name, os.path.join(shipped, name), shallow=False), name


def test_eu_themes_have_german_and_english_labels():
    themes = vocab.load_vocabulary("eu-data-theme")["concepts"]
    assert len(themes) == 14
    assert vocab.label("eu-data-theme",
                       "http://publications.europa.eu/resource/authority/data-theme/TRAN",
                       "de") == "Verkehr"
    assert vocab.label("eu-data-theme",
                       "http://publications.europa.eu/resource/authority/data-theme/TRAN",
                       "en") == "Transport"
    for theme in themes:
        assert theme["labels"]["de"] and theme["labels"]["en"]
