"""The generated part of the differential test's corpus (docs/search.md,
"Compared with Solr"): German municipal datasets drawn from a seeded random
generator, so every run creates the same records.

``datasets()`` returns package_create payloads (organisations by name,
categories by id, licences by short id, as the demo town writes them);
``dates()`` the metadata dates the loader writes into the database
afterwards, spread over ten years and unique to the second, so that a sort
by ``metadata_modified`` or ``metadata_created`` is total.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

SEED = 17
COUNT = 1000
PREFIX = "gen-"
KAT = "https://w3id.org/ckanext-smartcity/kategorien/"
ORGANIZATIONS = [
    {"name": "gen-stadt-voerde", "title": "Stadt Voerde"},
    {"name": "gen-stadt-huenxe", "title": "Gemeinde Hünxe"},
    {"name": "gen-verkehrsbetrieb", "title": "Verkehrsbetrieb Niederrhein"},
]
DEMO_ORGANIZATIONS = ["stadt-dinslaken", "stadtwerke-dinslaken", "kreis-wesel"]
LICENSES = ["dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-zero"]
FORMATS = ["CSV", "GeoJSON", "JSON", "XLSX", "PDF", "WMS", "XML", "ZIP"]
FREQUENCIES = ["ANNUAL", "MONTHLY", "QUARTERLY", "DAILY", "HOURLY", "IRREG"]
PLACES = ["Voerde", "Hünxe", "Dinslaken", "Wesel", "Hiesfeld", "Lohberg", "Eppinghoven",
          "Kreis Wesel", "Innenstadt", "Stadtgebiet"]
# category id -> nouns for titles and tags (German, some compounds)
TOPICS: dict[str, list[str]] = {
    "oepnv": ["Haltestellen", "Buslinien", "Fahrplan", "Fahrgastzahlen", "Bahnhof"],
    "radverkehr": ["Radwege", "Fahrradzählstellen", "Fahrradständer", "Radrouten"],
    "parken": ["Parkplätze", "Parkhäuser", "Parkscheinautomaten", "Anwohnerparken"],
    "ladeinfrastruktur": ["Ladesäulen", "Ladepunkte", "Elektromobilität"],
    "baustellen": ["Baustellen", "Straßensperrungen", "Umleitungen"],
    "verkehrssicherheit": ["Verkehrsunfälle", "Unfallstatistik", "Schulwege"],
    "energieversorgung": ["Stromverbrauch", "Fernwärme", "Gasnetz", "Energieverbrauch"],
    "erneuerbare-energien": ["Photovoltaikanlagen", "Solarpotenzial", "Windkraft"],
    "luft-laerm": ["Luftqualität", "Feinstaub", "Lärmkartierung", "Stickstoffdioxid"],
    "stadtgruen-natur": ["Bäume", "Baumkataster", "Grünflächen", "Spielplätze", "Parks"],
    "wasser": ["Gewässer", "Hochwasser", "Pegelstände", "Trinkwasser"],
    "wetter": ["Wetterdaten", "Niederschlag", "Temperatur"],
    "abfall-ressourcen": ["Abfallkalender", "Müllabfuhr", "Wertstoffhöfe", "Altglascontainer"],
    "stadtplanung": ["Bebauungspläne", "Flächennutzungsplan", "Baugebiete"],
    "wohnen": ["Mietspiegel", "Wohnungsbau", "Bodenrichtwerte"],
    "bevoelkerung": ["Einwohner", "Bevölkerung", "Altersstruktur", "Geburten"],
    "haushalt-finanzen": ["Haushaltsplan", "Steuereinnahmen", "Zuwendungen"],
    "politik-beteiligung": ["Ratsbeschlüsse", "Wahlergebnisse", "Bürgerhaushalt"],
    "schulen": ["Schulen", "Schülerzahlen", "Grundschulen"],
    "kinderbetreuung": ["Kitas", "Kindertageseinrichtungen", "Betreuungsplätze"],
    "gesundheit": ["Apotheken", "Krankenhäuser", "Arztpraxen"],
    "kultur": ["Museen", "Veranstaltungen", "Denkmäler"],
    "freizeit-sport": ["Sportstätten", "Schwimmbäder", "Hallenbad"],
    "tourismus": ["Übernachtungen", "Sehenswürdigkeiten", "Hotels"],
    "feuerwehr-rettung": ["Feuerwachen", "Rettungseinsätze", "Hydranten"],
    "wirtschaftsfoerderung": ["Gewerbeflächen", "Gewerbeanmeldungen", "Unternehmen"],
    "strassenbeleuchtung": ["Straßenbeleuchtung", "Straßenlaternen"],
    "digitale-infrastruktur": ["Breitbandausbau", "WLAN-Hotspots", "Mobilfunk"],
}
QUALIFIERS = ["Standorte", "Statistik", "Zählung", "Übersicht", "Messwerte", "Verzeichnis",
              "Karte", "Jahresbericht", "Prognose", "Auswertung"]
SENTENCES = [
    "Die Daten werden {freq} von der Verwaltung aktualisiert.",
    "Enthält {noun} im Gebiet {place} mit Koordinaten und Adressen.",
    "Grundlage sind Erhebungen aus dem Jahr {year}.",
    "Die Tabelle listet {noun} nach Stadtteil und Monat.",
    "Open Data für Bürgerinnen und Bürger, Wirtschaft und Wissenschaft.",
    "Hinweis: Einzelne Werte sind geschätzt.",
    "Mit Angaben zur Barrierefreiheit und zu Öffnungszeiten.",
    "Ergänzt die Daten zu {other}.",
]
FREQ_WORDS = {"ANNUAL": "jährlich", "MONTHLY": "monatlich", "QUARTERLY": "vierteljährlich",
              "DAILY": "täglich", "HOURLY": "stündlich", "IRREG": "unregelmäßig"}
# every dataset's metadata dates fall between these
FIRST_DAY = dt.datetime(2016, 1, 1)
SPAN_SECONDS = 10 * 365 * 86400


def _dataset(rng: random.Random, number: int) -> dict[str, Any]:
    categories = rng.sample(sorted(TOPICS), rng.choice([1, 1, 1, 2, 2, 3]))
    noun = rng.choice(TOPICS[categories[0]])
    place = rng.choice(PLACES)
    year = rng.randint(2010, 2026)
    freq = rng.choice(FREQUENCIES)
    other = rng.choice(TOPICS[rng.choice(sorted(TOPICS))])
    title = f"{noun} {rng.choice(QUALIFIERS)} {place}"
    if rng.random() < 0.4:
        title += f" {year}"
    words = {"freq": FREQ_WORDS[freq], "noun": noun, "place": place, "year": year,
             "other": other}
    notes = " ".join(s.format(**words) for s in rng.sample(SENTENCES, rng.randint(1, 4)))
    tags = sorted({rng.choice(TOPICS[c]) for c in categories}
                  | set(rng.sample(["Open Data", "Statistik", "Geodaten", "Umwelt",
                                    "Mobilität", "Verwaltung", "Karte"], rng.randint(0, 2))))
    org = rng.choice(DEMO_ORGANIZATIONS + [o["name"] for o in ORGANIZATIONS] * 2)
    formats = rng.sample(FORMATS, rng.randint(1, 3))
    data: dict[str, Any] = {
        "name": f"{PREFIX}{number:04d}", "title": title, "notes": notes,
        "owner_org": org, "license_id": rng.choice(LICENSES), "frequency": freq,
        "smartcity_category": categories, "tag_string": ",".join(tags),
        "publisher": [{"name": "Generierte Stadt"}],
        "resources": [{"url": f"https://example.org/{PREFIX}{number:04d}/{i}.{f.lower()}",
                       "name": f"{noun} ({f})", "format": f}
                      for i, f in enumerate(formats)],
    }
    roll = rng.random()
    if roll < 0.08:
        data["private"] = True
    elif roll < 0.12:
        data["state"] = "draft"
    return data


def datasets(count: int = COUNT, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` package_create payloads, the same for the same seed."""
    rng = random.Random(seed)
    return [_dataset(rng, number) for number in range(count)]


def dates(names: list[str], seed: int = SEED) -> dict[str, tuple[str, str]]:
    """name -> (metadata_created, metadata_modified), ISO without zone (UTC),
    whole seconds, each distinct, created <= modified."""
    rng = random.Random(seed + 1)
    seconds = rng.sample(range(SPAN_SECONDS), 2 * len(names))
    out = {}
    for i, name in enumerate(sorted(names)):
        first, second = sorted(seconds[2 * i:2 * i + 2])
        if rng.random() < 0.3:
            second = first  # never modified since creation: created == modified
        out[name] = tuple((FIRST_DAY + dt.timedelta(seconds=s)).isoformat()
                          for s in (first, second))
    return out


def words() -> list[str]:
    """Words of the corpus, for the queries the test draws."""
    found = {w for nouns in TOPICS.values() for w in nouns}
    found |= set(QUALIFIERS) | set(PLACES) | {"Daten", "Open", "Bürger", "jährlich",
                                               "Stadtteil", "Koordinaten", "Demonstrationsdaten"}
    return sorted(w for w in found if " " not in w)
