"""The DCAT-AP.de profile for ckanext-dcat (entry point ``dcat_ap_de``).

Built on ckanext-dcat's ``EuropeanDCATAP3Profile``. What it adds so far:

- Smart City categories go out as ``dct:subject <concept>`` (the concept
  typed ``skos:Concept`` with its labels and scheme) and their German and
  English labels as ``dcat:keyword``; never as ``dcat:theme``, since GovData's
  shapes accept only EU data themes there;
- ``dcat:theme`` carries the effective EU data themes: the hand-picked ones
  plus those the categories imply;
- the catalogue names both the category scheme and the EU data-theme
  vocabulary in ``dcat:themeTaxonomy``;
- parsing reads categories back from ``dct:subject`` (URIs of the scheme) and
  keeps in ``theme`` only the themes the categories do not already imply.
"""
from __future__ import annotations

import json

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

from ckanext.smartcity import categories, facets

EU_THEME_SCHEME_TITLES = {"de": "Datenthemen der EU", "en": "EU data themes"}


class DCATAPDEProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de 3.0 on top of DCAT-AP 3 (see module docstring)."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        super().graph_from_dataset(dataset_dict, dataset_ref)
        self._categories_to_graph(dataset_dict, dataset_ref)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        scheme = categories.current()
        for uri, titles in ((scheme.uri, scheme.titles),
                            (categories.EU_THEME_SCHEME, EU_THEME_SCHEME_TITLES)):
            ref = URIRef(uri)
            self.g.add((catalog_ref, DCAT.themeTaxonomy, ref))
            self.g.add((ref, RDF.type, SKOS.ConceptScheme))
            for lang, title in titles.items():
                self.g.add((ref, DCTERMS.title, Literal(title, lang=lang)))

    def parse_dataset(self, dataset_dict, dataset_ref):
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        scheme = categories.current()
        found = []
        for subject in self.g.objects(dataset_ref, DCTERMS.subject):
            concept = scheme.concepts.get(str(subject))
            if concept is not None and concept.uri not in found:
                found.append(concept.uri)
        if found:
            dataset_dict[facets.CATEGORY_FIELD] = found
            implied = set(scheme.derived_themes(found))
            self._drop_implied_themes(dataset_dict, implied)
        return dataset_dict

    # ------------------------------------------------------------ helpers

    def _categories_to_graph(self, dataset_dict, dataset_ref):
        scheme = categories.current()
        for uri in facets.values(dataset_dict.get(facets.CATEGORY_FIELD)):
            concept = scheme.concepts.get(uri)
            if concept is None:
                continue
            ref = URIRef(concept.uri)
            self.g.add((dataset_ref, DCTERMS.subject, ref))
            self.g.add((ref, RDF.type, SKOS.Concept))
            self.g.add((ref, SKOS.inScheme, URIRef(scheme.uri)))
            for lang, label in concept.labels.items():
                self.g.add((ref, SKOS.prefLabel, Literal(label, lang=lang)))
                self.g.add((dataset_ref, DCAT.keyword, Literal(label, lang=lang)))
        for theme in facets.effective_themes(dataset_dict):
            self.g.add((dataset_ref, DCAT.theme, URIRef(theme)))

    @staticmethod
    def _drop_implied_themes(dataset_dict, implied):
        """Themes the categories imply are derived again on output; keep only
        the hand-picked rest (in ``theme`` or, before scheming moved it, in
        the extras)."""
        if dataset_dict.get(facets.THEME_FIELD):
            dataset_dict[facets.THEME_FIELD] = [
                t for t in facets.values(dataset_dict[facets.THEME_FIELD]) if t not in implied]
        for extra in dataset_dict.get("extras", []):
            if extra.get("key") == facets.THEME_FIELD:
                kept = [t for t in facets.values(extra.get("value")) if t not in implied]
                extra["value"] = json.dumps(kept)
