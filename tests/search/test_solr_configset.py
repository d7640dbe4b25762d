"""The German Solr configset (deploy/solr/configset-de, docs/solr-configset.md)
is checked without a Solr: it keeps everything CKAN's schema declares, its
text analysis is the German chain, every file it names is shipped, its
synonyms are the PostgreSQL search's, and it is what
``scripts/solr_configset.py`` generates today."""
import filecmp
import os
import subprocess
import sys
import xml.etree.ElementTree as ET


import ckan
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONF = os.path.join(ROOT, "deploy", "solr", "configset-de", "conf")
SCRIPT = os.path.join(ROOT, "scripts", "solr_configset.py")
VOCABULARY = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies", "search-synonyms-de.txt")
CKAN_SCHEMA = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")
HUNSPELL = "/usr/share/hunspell/de_DE"
GENERATED = ("schema.xml", "synonyms_de.txt", "synonyms_de_ascii.txt", "compound_de.txt")

INDEX_CHAIN = [
    "solr.StandardTokenizerFactory",
    "solr.LowerCaseFilterFactory",
    "solr.DictionaryCompoundWordTokenFilterFactory",
    "solr.StopFilterFactory",
    "solr.GermanNormalizationFilterFactory",
    "solr.ASCIIFoldingFilterFactory",
    "solr.GermanLightStemFilterFactory",
]
# synonyms instead of compound splitting: the index holds the parts already
QUERY_CHAIN = INDEX_CHAIN[:2] + ["solr.SynonymGraphFilterFactory"] + INDEX_CHAIN[3:]


def _root(path):
    return ET.parse(path).getroot()


def _ours():
    return _root(os.path.join(CONF, "schema.xml"))


def _types(root):
    # CKAN's schema spells one element "fieldtype"
    return {t.get("name"): t for t in root.iter() if t.tag in ("fieldType", "fieldtype")}


def _chain(analyzer):
    return [el.get("class") for el in analyzer if el.tag in ("tokenizer", "filter")]


def _analyzer(field_type, kind):
    return next(a for a in field_type.iter("analyzer") if a.get("type") == kind)


def _words(name):
    with open(os.path.join(CONF, name), encoding="utf-8") as handle:
        return [line for line in handle.read().splitlines()
                if line and not line.startswith("#")]


def test_every_field_and_copy_field_of_ckans_schema_is_kept():
    ckan_root, ours = _root(CKAN_SCHEMA), _ours()
    assert ours.get("name") == ckan_root.get("name")  # CKAN checks "ckan-2.12"
    assert ours.find("uniqueKey").text == ckan_root.find("uniqueKey").text
    for tag in ("field", "dynamicField"):
        theirs = {el.get("name"): el.attrib for el in ckan_root.iter(tag)}
        kept = {el.get("name"): el.attrib for el in ours.iter(tag)}
        for name, attrib in theirs.items():
            assert name in kept, f"{tag} {name} is missing"
            for key in ("type", "multiValued", "indexed", "stored", "required"):
                assert kept[name].get(key) == attrib.get(key), (tag, name, key)
    copies = {(c.get("source"), c.get("dest")) for c in ours.iter("copyField")}
    assert {(c.get("source"), c.get("dest")) for c in ckan_root.iter("copyField")} <= copies
    their_types, our_types = _types(ckan_root), _types(ours)
    for name, field_type in their_types.items():
        assert our_types[name].get("class") == field_type.get("class"), name
        assert our_types[name].get("multiValued") == field_type.get("multiValued"), name


def test_text_is_german_with_compound_parts_indexed_and_synonyms_at_query_time():
    text = _types(_ours())["text"]
    index, query = _analyzer(text, "index"), _analyzer(text, "query")
    assert _chain(index) == INDEX_CHAIN
    assert _chain(query) == QUERY_CHAIN
    compound = index.find("filter[@class='solr.DictionaryCompoundWordTokenFilterFactory']")
    assert compound.get("dictionary") == "compound_de.txt"
    assert compound.get("minSubwordSize") == "3"
    assert compound.get("onlyLongestMatch") == "true"
    synonyms = query.find("filter[@class='solr.SynonymGraphFilterFactory']")
    assert synonyms.get("synonyms").split(",")[0] == "synonyms_de.txt"
    assert synonyms.get("ignoreCase") == synonyms.get("expand") == "true"
    # English analysis is gone; no graph filter at index time, so no FlattenGraph needed
    assert all("Snowball" not in c and "Graph" not in c for c in _chain(index))


def test_spellcheck_reads_unstemmed_titles_and_tags():
    ours = _ours()
    spell = next(f for f in ours.iter("field") if f.get("name") == "spell")
    assert _chain(_types(ours)[spell.get("type")].find("analyzer")) == [
        "solr.StandardTokenizerFactory", "solr.LowerCaseFilterFactory"]
    copies = {(c.get("source"), c.get("dest")) for c in ours.iter("copyField")}
    assert {("title", "spell"), ("tags", "spell")} <= copies

    config = _root(os.path.join(CONF, "solrconfig.xml"))
    component = config.find("searchComponent[@name='spellcheck']")
    assert component.get("class") == "solr.SpellCheckComponent"
    checker = component.find("lst[@name='spellchecker']")
    assert checker.find("str[@name='classname']").text == "solr.DirectSolrSpellChecker"
    assert checker.find("str[@name='field']").text == "spell"
    assert component.find("str[@name='queryAnalyzerFieldType']").text in _types(ours)
    select = config.find("requestHandler[@name='/select']")
    assert "spellcheck" in [s.text for s in select.find("arr[@name='last-components']")]
    # off unless asked: CKAN's own requests are answered as before
    assert select.find("lst[@name='defaults']/str[@name='spellcheck']").text == "false"


def test_solrconfig_is_a_solr_9_core_with_the_classic_schema():
    config = _root(os.path.join(CONF, "solrconfig.xml"))
    assert config.find("luceneMatchVersion").text.startswith("9.")
    assert config.find("schemaFactory").get("class") == "ClassicIndexSchemaFactory"


@pytest.mark.parametrize("configset", ["configset", "configset-de"])
def test_both_configsets_are_ready_for_solrcloud(configset):
    """What the SolrCloud stage of make test needed (docs/solr.md): the
    collection's term statistics for relevance, and reads from the shard
    leaders so a search right after a save sees it."""
    config = _root(os.path.join(ROOT, "deploy", "solr", configset, "conf", "solrconfig.xml"))
    assert config.find("statsCache").get("class") == \
        "org.apache.solr.search.stats.ExactStatsCache"
    select = config.find("requestHandler[@name='/select']/lst[@name='defaults']")
    assert select.find("str[@name='shards.preference']").text == "replica.leader:true"


def test_every_file_the_configset_names_is_shipped():
    named = set()
    for el in _ours().iter():
        for attr in ("synonyms", "words", "dictionary", "protected"):
            if el.get(attr):
                named.update(el.get(attr).split(","))
    assert named == {"synonyms_de.txt", "synonyms_de_ascii.txt", "stopwords_de.txt",
                     "compound_de.txt"}
    for name in named | {"solrconfig.xml", "schema.xml"}:
        assert os.path.isfile(os.path.join(CONF, name)), name


def test_synonyms_are_the_postgresql_searchs_list_byte_for_byte():
    assert filecmp.cmp(os.path.join(CONF, "synonyms_de.txt"), VOCABULARY, shallow=False), \
        "run: .venv/bin/python scripts/solr_configset.py"


def test_umlaut_free_spellings_find_the_same_synonyms():
    rules = dict(line.split(" => ") for line in _words("synonyms_de_ascii.txt"))
    assert rules["Muell, Abfaelle"] == "Müll, Abfall, Abfälle, Kehricht"
    assert "Bücherei" in rules["Buecherei, Stadtbuecherei"].split(", ")


def test_compound_list_holds_the_stems_of_german_compounds():
    words = _words("compound_de.txt")
    assert len(words) > 20_000
    assert {"fahrrad", "luft", "müll", "muell", "bibliothek", "stadt", "zähl", "qualität"} \
        <= set(words)
    assert all(w.isalpha() and w == w.lower() and len(w) >= 3 for w in words)
    assert words == sorted(set(words))


def test_stopwords_are_the_snowball_german_list():
    with open(os.path.join(CONF, "stopwords_de.txt"), encoding="utf-8") as handle:
        words = {line.split("|")[0].strip() for line in handle} - {""}
    assert {"und", "der", "für", "über", "daß"} <= words
    assert len(words) > 200


def test_generated_files_are_up_to_date(tmp_path):
    # needs Debian's hunspell-de-de, which scripts/bootstrap.sh installs
    subprocess.run([sys.executable, SCRIPT, "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for name in GENERATED:
        assert filecmp.cmp(tmp_path / name, os.path.join(CONF, name), shallow=False), \
            f"{name} is stale: run .venv/bin/python scripts/solr_configset.py"
