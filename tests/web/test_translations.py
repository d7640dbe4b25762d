"""The German catalogue covers every message the extension shows, and the
shipped .mo is compiled from the current .po."""
import os
import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = os.path.join(ROOT, "ckanext", "smartcity")
CATALOGUE = os.path.join(PACKAGE, "i18n", "de", "LC_MESSAGES", "ckanext-smartcity")
CKAN_CATALOGUE = os.path.join(os.path.dirname(__import__("ckan").__file__),
                              "i18n", "de", "LC_MESSAGES", "ckan.mo")
# messages stored for later are rendered in both languages (i18n_text.py)
KEYWORDS = {**DEFAULT_KEYWORDS, "bilingual": None}
# _('...') and _("...") in templates
TEMPLATE_MESSAGE = re.compile(r"""_\(\s*(?:'([^']+)'|"([^"]+)")\s*[,)]""")


def ckan_translated():
    """Messages CKAN's own German catalogue translates (used as they are)."""
    with open(CKAN_CATALOGUE, "rb") as handle:
        return {m.id for m in read_mo(handle) if isinstance(m.id, str) and m.string}


def used_messages():
    # a plural message (ngettext) is the pair (singular, plural), as in the .po
    found = {item[2] if isinstance(item[2], str) else tuple(item[2][:2]) for item in
             extract_from_dir(PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS)}
    for folder, _dirs, files in os.walk(os.path.join(PACKAGE, "templates")):
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                found |= {a or b for a, b in TEMPLATE_MESSAGE.findall(handle.read())}
    return found


def test_every_message_has_a_german_translation():
    with open(CATALOGUE + ".po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else tuple(m.id)
                  for m in catalogue if m.id and m.string}
    used = used_messages()
    assert len(used) > 20
    assert {"Spatial coverage", "Demonstration data", "Search"} <= used  # both quote styles
    assert used - translated - ckan_translated() == set()
    assert translated - used == set(), "unused entries in the .po"


def _entries(messages):
    """{id: translation}; a plural's id and translations as tuples."""
    def frozen(value):
        return value if isinstance(value, str) else tuple(value)
    return {frozen(m.id): frozen(m.string) for m in messages if m.id}


def test_mo_is_compiled_from_po():
    with open(CATALOGUE + ".po", "rb") as handle:
        po = _entries(read_po(handle))
    with open(CATALOGUE + ".mo", "rb") as handle:
        mo = _entries(read_mo(handle))
    assert mo == po, "run make translations"
