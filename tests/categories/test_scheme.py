"""The Smart City concept scheme: what ships (10 top concepts, 47 below,
German and English labels and definitions, council-motion terms, mappings
that resolve), the EU data themes it implies, a town's own SKOS file, and
the validation that keeps a broken file from replacing a working vocabulary."""
import filecmp
import json
import os
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

import ckan.plugins.toolkit as tk

from ckanext.smartcity.categories import scheme as categories

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")
KAT = categories.NAMESPACE
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
PREFIXES = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix kat: <{KAT}> .
@prefix sc: <https://w3id.org/ckanext-smartcity/ns#> .
"""


@pytest.fixture(autouse=True)
def fresh_registry():
    categories.reset()
    yield
    categories.reset()


def test_regenerating_gives_identical_files(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "build_categories.py"),
                    "--out", str(tmp_path)], check=True)
    for name in ("smartcity-categories.ttl", "smartcity-category-targets.json"):
        assert filecmp.cmp(tmp_path / name, os.path.join(SHIPPED, name), shallow=False), name


def test_shipped_scheme_has_ten_fields_of_action_with_labels_and_definitions():
    scheme = categories.load()
    assert [scheme.concepts[u].labels["de"] for u in scheme.top] == [
        "Mobilität und Verkehr", "Energie", "Umwelt, Klima und Ressourcen",
        "Stadtentwicklung, Bauen und Wohnen", "Verwaltung, Beteiligung und Digitalisierung",
        "Wirtschaft, Arbeit und Tourismus", "Bildung und Wissenschaft",
        "Bevölkerung, Soziales und Gesundheit", "Kultur, Freizeit und Sport",
        "Sicherheit, Ordnung und Bevölkerungsschutz"]
    assert len(scheme.concepts) == 57
    for concept in scheme.concepts.values():
        assert concept.uri.startswith(KAT), concept.uri
        assert concept.labels["de"] and concept.labels["en"], concept.id
        assert len(concept.definitions["de"]) >= 60 and len(concept.definitions["en"]) >= 60
        assert concept.notation
        assert (concept.icon is not None) == (concept.broader is None), concept.id
    assert scheme.find("radverkehr").broader == KAT + "mobilitaet"
    assert scheme.find("Cycling").id == "radverkehr"  # English label
    assert scheme.find(KAT + "RADVERKEHR") is scheme.find(KAT + "radverkehr")


def test_council_motion_terms_are_alternative_labels():
    scheme = categories.load()
    alt: dict[str, set] = {}
    for c in scheme.concepts.values():
        for a in c.alt_labels.get("de", ()):
            alt.setdefault(a, set()).add(c.id)
    for term, concept in [("Mobilität und Infrastruktur", "mobilitaet"),
                          ("Energieeffizienz", "energieeffizienz"),
                          ("Umwelt- und Ressourcenschonung", "umwelt-klima"),
                          ("bürgerfreundliche Verwaltung", "verwaltung-digital"),
                          ("Schulen/Bildung", "bildung"),
                          ("Wirtschaftsförderung", "wirtschaftsfoerderung"),
                          ("wirtschaftliche Attraktivität", "wirtschaft")]:
        assert concept in alt[term], term


def test_every_mapping_resolves_to_a_labelled_concept():
    scheme = categories.load()
    schemes = set()
    for concept in scheme.concepts.values():
        for _relation, target in concept.mappings:
            described = categories.target_label(target, "de")
            assert described is not None, (concept.id, target)
            schemes.add(described[0])
    assert schemes == {"EU-Datenthema", "HVD-Kategorie", "Musterdatenkatalog V4",
                       "mobilityDCAT-AP"}


@pytest.mark.parametrize("ids, themes", [
    (["radverkehr"], ["TRAN"]),
    (["ladeinfrastruktur"], ["TRAN"]),            # related:ENER does not imply ENER
    (["haushalt-finanzen"], ["ECON"]),            # broad:ECON; related:GOVE does not
    (["gesundheit", "wohnen"], ["HEAL", "REGI"]),
    (["soziales-gesundheit"], ["SOCI"]),
    (["radverkehr", "oepnv"], ["TRAN"]),          # no duplicates
    ([], []),
])
def test_eu_themes_derived_from_categories(ids, themes):
    scheme = categories.load()
    assert scheme.derived_themes([KAT + i for i in ids]) == [THEME + t for t in themes]


def test_a_dataset_in_a_sub_concept_belongs_to_its_top_concept():
    scheme = categories.load()
    assert scheme.with_ancestors([KAT + "radverkehr", KAT + "oepnv"]) == [
        KAT + "radverkehr", KAT + "mobilitaet", KAT + "oepnv"]


def test_town_file_adds_and_relabels_concepts(tmp_path):
    town = tmp_path / "moers.ttl"
    town.write_text(PREFIXES + """
<https://daten.moers.de/kategorie/rheinpromenade> a skos:Concept ;
    skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
    skos:broader kat:freizeit-sport ;
    skos:prefLabel "Rheinpromenade"@de, "Rhine promenade"@en ;
    skos:broadMatch <http://publications.europa.eu/resource/authority/data-theme/EDUC> .
kat:radverkehr skos:prefLabel "Fahrradstadt Moers"@de ;
    skos:altLabel "Velo"@de .
""", encoding="utf-8")
    scheme = categories.load(str(town))
    added = scheme.find("rheinpromenade")
    assert added.uri == "https://daten.moers.de/kategorie/rheinpromenade"
    assert added.broader == KAT + "freizeit-sport"
    assert added.uri in scheme.concepts[KAT + "freizeit-sport"].narrower
    assert scheme.with_ancestors([added.uri])[-1] == KAT + "kultur-freizeit"
    assert scheme.derived_themes([added.uri]) == [THEME + "EDUC"]
    cycling = scheme.find("radverkehr")
    assert cycling.labels == {"de": "Fahrradstadt Moers", "en": "Cycling"}
    assert "Velo" in cycling.alt_labels["de"]
    # the published graph carries the town's concept and exactly one German label
    graph = scheme.graph
    assert (URIRef(added.uri), SKOS.broader, URIRef(KAT + "freizeit-sport")) in graph
    assert len([o for o in graph.objects(URIRef(KAT + "radverkehr"), SKOS.prefLabel)
                if o.language == "de"]) == 1


@pytest.mark.parametrize("body, problem", [
    ("kat:mobilitaet skos:broader kat:radverkehr .",
     "Zyklus in skos:broader / broader cycle: mobilitaet → radverkehr → mobilitaet"),
    ("""<https://daten.moers.de/k/x> a skos:Concept ;
        skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
        skos:prefLabel "Only English"@en .""",
     "<https://daten.moers.de/k/x>: keine deutsche Bezeichnung (skos:prefLabel@de)"
     " / no German label"),
    ("kat:radverkehr skos:closeMatch"
     " <http://publications.europa.eu/resource/authority/data-theme/BIKE> .",
     f"<{KAT}radverkehr>: Abbildung skos:closeMatch auf unbekanntes Konzept "
     "<http://publications.europa.eu/resource/authority/data-theme/BIKE>"),
    ("""<https://daten.moers.de/k/y> a skos:Concept ;
        skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
        skos:prefLabel "Y"@de ; skos:broader kat:gibt-es-nicht .""",
     "<https://daten.moers.de/k/y>: übergeordnetes Konzept "
     f"<{KAT}gibt-es-nicht> unbekannt / unknown broader concept"),
    ("""<https://daten.moers.de/k/z> a skos:Concept ; skos:prefLabel "Z"@de .""",
     "<https://daten.moers.de/k/z>: nicht im Schema / not in the scheme"),
    ("""<https://daten.moers.de/k/radverkehr> a skos:Concept ;
        skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
        skos:prefLabel "Noch einmal"@de .""",
     "duplicate id"),
    ("kat:radverkehr skos:prefLabel \"kaputt .", "kein gültiges Turtle / not valid Turtle"),
    ("kat:parken skos:notation \"01.02\" .", "duplicate notation"),
    ("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", "not valid Turtle"),
])
def test_invalid_town_file_is_refused_with_the_problem_named(tmp_path, body, problem):
    town = tmp_path / "town.ttl"
    town.write_text(PREFIXES + body, encoding="utf-8")
    with pytest.raises(categories.CategoryError) as raised:
        categories.load(str(town))
    assert problem in str(raised.value)
    assert str(town) in str(raised.value)


def test_portal_keeps_the_last_good_vocabulary_when_the_town_file_breaks(tmp_path, monkeypatch):
    town = tmp_path / "town.ttl"
    monkeypatch.setitem(tk.config, categories.CONFIG_EXTRA, str(town))
    good = PREFIXES + """<https://daten.herten.de/k/wasserstoff> a skos:Concept ;
        skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
        skos:broader kat:erneuerbare-energien ; skos:prefLabel "Wasserstoff"@de .\n"""
    town.write_text(good, encoding="utf-8")
    assert categories.current().find("wasserstoff") is not None
    assert categories.last_error() is None

    town.write_text(good + "kat:energie skos:broader kat:energieeffizienz .\n", encoding="utf-8")
    os.utime(town, ns=(1, 1))  # a different mtime even on coarse file systems
    scheme = categories.current()
    assert scheme.find("wasserstoff") is not None          # still the last good one
    assert scheme.find("energie").broader is None
    assert "broader cycle: energie → energieeffizienz → energie" in str(categories.last_error())

    town.write_text(good.replace("Wasserstoff", "Wasserstoff und Brennstoffzellen"),
                    encoding="utf-8")
    os.utime(town, ns=(2, 2))
    assert categories.current().find("wasserstoff").labels["de"] == \
        "Wasserstoff und Brennstoffzellen"
    assert categories.last_error() is None


def test_a_broken_town_file_at_start_up_leaves_the_shipped_scheme(tmp_path, monkeypatch):
    town = tmp_path / "town.ttl"
    town.write_text("this is not turtle", encoding="utf-8")
    monkeypatch.setitem(tk.config, categories.CONFIG_EXTRA, str(town))
    assert len(categories.current().concepts) == 57
    assert "not valid Turtle" in str(categories.last_error())
    monkeypatch.setitem(tk.config, categories.CONFIG_EXTRA, str(tmp_path / "missing.ttl"))
    assert len(categories.current().concepts) == 57
    assert "not readable" in str(categories.last_error())


def test_check_command_lists_the_problems_of_a_town_file(cli, tmp_path):
    from ckan.cli.cli import ckan
    town = tmp_path / "town.ttl"
    town.write_text(PREFIXES + "kat:energie skos:broader kat:energie .\n"
                    "kat:parken skos:prefLabel \"Parken\"@de, \"Parkraum\"@de .\n",
                    encoding="utf-8")
    result = cli.invoke(ckan, ["smartcity", "check-categories", str(town)])
    assert result.exit_code == 1
    assert "broader cycle: energie → energie" in result.output
    assert f"<{KAT}parken>: mehr als eine deutsche Bezeichnung / more than one German label" \
        in result.output
    town.write_text(PREFIXES + "kat:parken skos:altLabel \"Parkhaus\"@de .\n", encoding="utf-8")
    result = cli.invoke(ckan, ["smartcity", "check-categories", str(town)])
    assert result.exit_code == 0, result.output
    assert "OK, 57 categories, 10 top categories" in result.output


def test_oversized_town_file_is_refused_without_reading_it_all(tmp_path):
    town = tmp_path / "huge.ttl"
    town.write_bytes(PREFIXES.encode() + b"# " + b"x" * categories.MAX_FILE_BYTES)
    with pytest.raises(categories.CategoryError) as raised:
        categories.load(str(town))
    assert "larger than" in str(raised.value)


def test_too_many_concepts_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(categories, "MAX_CONCEPTS", 60)
    town = tmp_path / "many.ttl"
    town.write_text(PREFIXES + "".join(
        f"<https://daten.moers.de/k/c{i}> a skos:Concept ; skos:inScheme "
        f"<https://w3id.org/ckanext-smartcity/kategorien> ; skos:broader kat:energie ; "
        f"skos:prefLabel \"K {i}\"@de .\n" for i in range(5)), encoding="utf-8")
    with pytest.raises(categories.CategoryError) as raised:
        categories.load(str(town))
    assert "62 concepts, at most 60" in str(raised.value)


def test_untagged_town_label_replaces_the_german_one(tmp_path):
    town = tmp_path / "town.ttl"
    town.write_text(PREFIXES + 'kat:radverkehr skos:prefLabel "Fahrradverkehr" .\n',
                    encoding="utf-8")
    assert categories.load(str(town)).find("radverkehr").labels["de"] == "Fahrradverkehr"


def test_a_deep_broader_chain_loads(tmp_path):
    town = tmp_path / "deep.ttl"
    chain = ["kat:energie"] + [f"<https://daten.moers.de/k/c{i}>" for i in range(1500)]
    town.write_text(PREFIXES + "".join(
        f"{chain[i + 1]} a skos:Concept ;"
        " skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;"
        f" skos:broader {chain[i]} ; skos:prefLabel \"K {i}\"@de .\n" for i in range(1500)),
        encoding="utf-8")
    scheme = categories.load(str(town))
    assert len(scheme.ancestors("https://daten.moers.de/k/c1499")) == 1500  # c1498..c0, energie


def test_markup_in_a_town_label_is_shown_as_text(tmp_path, monkeypatch, app):
    """H14: a label with HTML from a town's file is shown escaped on the
    category pages and stays a plain literal in the scheme's RDF."""
    hostile = '<script>alert(1)</script> Hafen "><img src=x onerror=alert(1)>'
    town = tmp_path / "town.ttl"
    town.write_text(PREFIXES + f"""<https://daten.moers.de/k/hafen> a skos:Concept ;
        skos:inScheme <https://w3id.org/ckanext-smartcity/kategorien> ;
        skos:broader kat:kultur-freizeit ; skos:prefLabel {json.dumps(hostile)}@de .\n""",
                    encoding="utf-8")
    monkeypatch.setitem(tk.config, categories.CONFIG_EXTRA, str(town))
    assert categories.current().find("hafen") is not None
    for url in ("/kategorien", "/kategorien/hafen", "/kategorien/kultur-freizeit"):
        body = app.get(url).body
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Hafen" in body, url
        assert "<script>alert(1)" not in body and "<img src=x" not in body, url
    graph = Graph().parse(data=app.get("/kategorien/hafen.ttl").body, format="turtle")
    assert str(next(graph.objects(URIRef("https://daten.moers.de/k/hafen"),
                                  SKOS.prefLabel))) == hostile
