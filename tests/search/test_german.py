"""What the search understands of German (issue 20; docs/search.md, "What the
search understands"): compounds split by Hunspell's rules over Debian's
German dictionary, synonyms (shipped list, category altLabels, a town's own
file), ae/oe/ue/ss spellings, singular and plural, "X- und -Y" elision, and
the relaxed second search for a compound that found nothing.

Independent checks: the compound parts come from the third-party
dictionary's rules (not from our code), and every search runs through
CKAN's package_search against the real PostgreSQL index."""
import pytest

from ckan.tests import factories, helpers

from ckanext.smartcity.search import connection, german, synonyms

DICTIONARY = "/usr/share/hunspell/de_DE"


# -- pieces ----------------------------------------------------------------
@pytest.fixture(scope="module")
def split():
    found = german.splitter(DICTIONARY)
    assert found is not None, "Debian's hunspell-de-de must be installed (scripts/bootstrap.sh)"
    return found


@pytest.mark.parametrize("word, parts", [
    ("Luftqualität", ("luft", "qualität")),
    ("Müllabfuhrtermine", ("müll", "abfuhr", "termine")),
    ("Stadtbibliothek", ("stadt", "bibliothek")),
    ("Verkehrsunfälle", ("verkehrs", "unfälle")),      # Fugen-s, plural head
    ("Straßenlaternen", ("straßen", "laternen")),
    ("Strassenlaternen", ("straßen", "laternen")),     # typed without ß
    ("Laermkartierung", ("lärm", "kartierung")),       # typed without umlaut
])
def test_compounds_split_by_the_dictionary_rules(split, word, parts):
    assert split.parts(word) == parts


@pytest.mark.parametrize("word", ["Stadt", "Verwaltung", "Ergebnisse", "Dinslaken",
                                  "Abcdefghijklmnopqrstuvwxyz", "x" * 200, "NO2"])
def test_no_parts_for_plain_words_names_and_junk(split, word):
    assert split.parts(word) == ()


def test_index_terms_add_parts_and_neighbouring_pairs(split):
    extra = german.index_terms("Fahrradzählstellen im Kreis", split).split()
    assert {"fahr", "rad", "zähl", "stellen", "fahrrad", "zählstellen"} <= set(extra)
    assert "kreis" not in extra  # plain words are indexed once, as they are


def test_missing_dictionary_switches_splitting_off():
    assert german.splitter("/nonexistent/de_DE") is None
    assert german.splitter("") is None


@pytest.mark.parametrize("word, expected", [
    ("Laerm", ["Lärm"]), ("Lärm", ["Laerm"]), ("Strasse", []), ("Straße", ["Strasse"]),
    ("Bevoelkerung", ["Bevölkerung"]), ("Feuerwehr", []), ("Quelle", []),
])
def test_spellings(word, expected):
    assert german.spellings(word) == expected


def test_synonym_file_format_and_keys():
    table = synonyms.Synonyms(synonyms.parse([
        "# comment", "Müll, Abfall", "Kirmes, Rummel => Volksfest", "broken", ""], "test"))
    assert table.expand("Müll") == ("Abfall",)
    assert table.expand("muell") == ("Abfall",)           # spelling
    assert table.expand("Abfälle") == ("Müll",)           # inflection (stem of Abfall)
    assert table.expand("rummel") == ("Volksfest",)
    assert table.expand("Volksfest") == ()                # one way
    assert table.expand("broken") == ()


def test_shipped_list_parses_without_warnings(caplog):
    with open(synonyms.SHIPPED, encoding="utf-8") as handle:
        rules = synonyms.parse(handle, "shipped")
    assert len(rules) > 90
    assert not [r for r in caplog.records if "ignored" in r.getMessage()]


# -- through package_search ---------------------------------------------------
@pytest.fixture
def town(clean_db, clean_index):
    org = factories.Organization()
    made = {}
    for name, title, notes in [
        ("radzaehlstellen", "Fahrradzählstellen", "Zählungen an fünf Messquerschnitten"),
        ("luftqualitaet", "Luftqualität: Messstationen", "Stickstoffdioxid und Feinstaub"),
        ("abfuhrkalender", "Abfuhrkalender", "Termine der Abfallabfuhr je Straße"),
        ("laermkartierung", "Lärmkartierung Straßenverkehr", "Lärmkarten nach EU-Richtlinie"),
        ("unfaelle", "Verkehrsunfälle nach Kommunen", "Unfallstatistik der Polizei"),
        ("gewerbe", "Gewerbean- und -abmeldungen", "Meldungen nach Wirtschaftszweigen"),
        ("schulen", "Schulen", "Standorte und Schülerzahlen"),
        ("kitas", "Kindertagesbetreuung", "Plätze in Einrichtungen"),
        ("haushalt", "Haushaltsplan 2026", "Erträge und Aufwendungen"),
        ("carsharing", "Carsharing Standorte", "Stationen der Anbieter"),
        ("ausleihen", "Ausleihen der Stadtbibliothek", "Medien nach Art und Monat"),
    ]:
        made[name] = factories.Dataset(owner_org=org["id"], name=name, title=title, notes=notes)
    return made


def names(q, page=False):
    """What package_search finds for a typed query; ``page``: as on the
    dataset search page, where an empty search is retried relaxed."""
    with connection.relaxed_search(page):
        result = helpers.call_action("package_search", q=q, rows=20)
    return [d["name"] for d in result["results"]]


@pytest.mark.parametrize("q, wanted", [
    ("Fahrrad", "radzaehlstellen"),        # modifier of a compound
    ("Zählstellen", "radzaehlstellen"),    # head of a compound
    ("Luft", "luftqualitaet"),
    ("Müllabfuhr", "abfuhrkalender"),      # the query is the compound
    ("Abfuhrtermine", "abfuhrkalender"),   # "Termine der ...abfuhr"
    ("Kartierung", "laermkartierung"),
])
def test_compound_parts_find_the_compound(town, q, wanted):
    assert names(q)[:1] == [wanted]


def test_compound_splitting_keeps_precision(town):
    assert "luftqualitaet" not in names("Fahrrad")
    assert names("Haushaltsplan 2026") == ["haushalt"]


@pytest.mark.parametrize("q, wanted", [
    ("Müll", "abfuhrkalender"),            # shipped list: Müll = Abfall
    ("Kindergarten", "kitas"),
    ("Laerm", "laermkartierung"),          # ae for ä
    ("Verkehrsunfaelle", "unfaelle"),
    ("Unfall", "unfaelle"),                # singular finds plural
    ("Strassenverkehr", "laermkartierung"),  # ss for ß
    ("Gewerbean- und -abmeldungen", "gewerbe"),  # elision, not "NOT abmeldungen"
])
def test_synonyms_spellings_inflection_and_elision(town, q, wanted):
    assert names(q)[:1] == [wanted]


def test_a_compound_that_finds_nothing_falls_back_to_its_tail(town):
    # no dataset mentions "Abend" (nor has the list a synonym): the relaxed
    # search finds the schools
    assert names("Abendschulen", page=True) == ["schulen"]
    # the API answers as Solr would (a client testing for a title)
    assert names("Abendschulen") == []
    # a query that finds something is never relaxed
    assert names("Schulen", page=True) == ["schulen"]
    assert names("Xyzschulenquatsch", page=True) == []  # no compound of the dictionary


def test_the_search_page_relaxes_the_api_does_not(town, app):
    body = app.get("/dataset/", query_string={"q": "Bücher ausleihen"}).get_data(as_text=True)
    assert 'href="/dataset/ausleihen"' in body
    # and says that the hits match only part of the query
    assert "Nichts passt genau zu Ihrer Suche" in body
    exact = app.get("/dataset/", query_string={"q": "Stadtbibliothek"}).get_data(as_text=True)
    assert 'href="/dataset/ausleihen"' in exact and "Nichts passt genau" not in exact
    english = app.get("/en/dataset/", query_string={"q": "Bücher ausleihen"}).get_data(
        as_text=True)
    assert "Nothing matched your search exactly" in english
    api = app.get("/api/3/action/package_search", query_string={"q": "Bücher ausleihen"})
    assert api.json["result"]["count"] == 0
    # the flag does not outlive the page's request
    assert names("Bücher ausleihen") == []


def test_field_queries_and_exclusions_keep_their_lucene_meaning(town):
    assert names("Müll")[:1] == ["abfuhrkalender"]  # free text: synonyms
    assert names("title:Müll") == []                  # a field: as typed
    # text: is CKAN's default field, the free text itself (docs/search.md)
    assert names("text:Müll")[:1] == ["abfuhrkalender"]
    assert "abfuhrkalender" in names("Abfuhrkalender -Müll")  # excludes Müll, not Abfall


def test_decomposed_umlauts_are_read_as_umlauts(town):
    assert names("Mu\u0308ll")[:1] == ["abfuhrkalender"]
    assert names("La\u0308rmkartierung") == ["laermkartierung"]


def test_a_pathological_word_stops_at_its_budget(split):
    before = split.over_budget
    # Hunspell tries thousands of part combinations for this (1.2 s unbounded)
    assert split.parts("Teeteeteeteeteeteeteeteet") == ()
    assert split.over_budget == before + 1
    assert split.parts("Fahrradzählstellen") == ("fahr", "rad", "zähl", "stellen")
    assert split.over_budget == before + 1


def test_a_hyphenated_word_finds_it_written_as_one(town):
    assert names("Car-Sharing") == ["carsharing"]


def test_a_query_of_several_words_that_finds_nothing_needs_one_word_less(town):
    # no dataset has both "Bücher" and "ausleihen"; one word less finds it
    assert names("Bücher ausleihen", page=True) == ["ausleihen"]
    # a query whose words all match is not relaxed: only the full match
    assert names("Schulen Standorte", page=True) == ["schulen"]
    # a long query is never retried (a second pass over 1,000 words)
    assert names("Bücher ausleihen " + " ".join(["Quatsch"] * 8), page=True) == []


def test_category_alt_labels_are_synonyms(town, ckan_config, monkeypatch):
    # without the shipped list, "Kita" finds "Kindertagesbetreuung" through
    # the category scheme (skos:altLabel "Kita" of that concept)
    monkeypatch.setitem(ckan_config, "ckanext.smartcity.search.shipped_synonyms", "false")
    assert names("Kita") == ["kitas"]


def test_a_town_adds_synonyms_by_config_without_restart(town, ckan_config, monkeypatch,
                                                         tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# Dinslaken\nEtat, Stadtkasse => Haushaltsplan\n", encoding="utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.smartcity.search.synonyms_file", str(path))
    assert names("Stadtkasse") == ["haushalt"]
    # an edited file is read again on the next search
    path.write_text("Schulwesen, Schulen\n", encoding="utf-8")
    import os
    os.utime(path, (1, 1))
    assert names("Stadtkasse") == []
    assert names("Schulwesen") == ["schulen"]


def test_switched_off_splitting_finds_only_whole_words(town, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.smartcity.search.compound_dictionary", "")
    # the index still holds the parts (added when indexing); a query is
    # matched as typed, so the whole word still finds its dataset
    assert names("Fahrradzählstellen") == ["radzaehlstellen"]


def test_many_new_words_in_one_query_are_bounded(town):
    # 300 words the dictionary never saw: at most MAX_SPLITS_PER_QUERY are
    # analysed, the search answers (an empty page), never an error
    q = " ".join(f"Quatschwort{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(300))
    assert names(q) == []


def test_registered_groups_are_read_again_when_their_source_changes():
    groups, version = [("Kirmes", "Volksfest")], [1]

    def source():
        return list(groups)

    def current_version():
        return version[0]
    synonyms.register(source, current_version)
    try:
        assert synonyms.current().expand("Kirmes") == ("Volksfest",)
        groups[:] = [("Kirmes", "Rummel")]
        assert synonyms.current().expand("Kirmes") == ("Volksfest",)  # same version: cached
        version[0] = 2  # e.g. the category scheme was reloaded
        assert synonyms.current().expand("Kirmes") == ("Rummel",)
    finally:
        synonyms._sources.remove(source)
        synonyms._versions.remove(current_version)
        synonyms._cache.clear()


def test_stopwords_do_not_count_for_minimum_should_match(town):
    # three words, one a stopword: both nouns are needed (Solr drops "und"
    # before applying CKAN's mm "2<-1 5<80%"); it counted as matched before
    assert names("Kartierung und Fahrrad") == []
    assert names("Lärmkartierung und Straßenverkehr") == ["laermkartierung"]
    # stopwords only: no error (the clause is dropped, as before)
    assert len(names("und der die")) == len(names("*:*"))
