"""The German catalogue covers every message the extension shows, and the
shipped .mo is compiled from the current .po."""
import os
import re

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "ckanext", "smartcity")
CATALOGUE = os.path.join(PACKAGE, "i18n", "de", "LC_MESSAGES", "ckanext-smartcity")
# messages CKAN's own catalogue translates
CORE = {"State", "This dataset satisfies the Open Definition.", "Datasets", "Organizations",
        "Groups", "About"}


def used_messages():
    found = {item[2] for item in
             extract_from_dir(PACKAGE, method_map=[("**.py", "python")])
             if isinstance(item[2], str)}
    for folder, _dirs, files in os.walk(os.path.join(PACKAGE, "templates")):
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                found |= set(re.findall(r"_\('([^']+)'[,)]", handle.read()))
    return found - CORE


def test_every_message_has_a_german_translation():
    with open(CATALOGUE + ".po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string}
    used = used_messages()
    assert len(used) > 20
    assert used - translated == set()
    assert translated - used == set(), "unused entries in the .po"


def test_mo_is_compiled_from_po():
    with open(CATALOGUE + ".po", "rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id}
    with open(CATALOGUE + ".mo", "rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert mo == po, "run make translations"
