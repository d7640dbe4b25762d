"""package_search answered by PostgreSQL, tested through CKAN's public API;
``make test`` runs these again on stock CKAN search with Solr and SolrCloud
(tests/conftest.py EVERY_BACKEND), except those marked postgresql_only.

Each test builds a small catalogue through the action API and asks the same
questions the UI, the API and ckanext-dcat ask.
"""
import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")

SEARCH_URL = "/api/3/action/package_search"


def search(**params):
    return helpers.call_action("package_search", **params)


def as_sysadmin(action, **params):
    """Write actions need a real user (the activity stream records it)."""
    sysadmin = factories.Sysadmin()
    return helpers.call_action(action, context={"user": sysadmin["name"]}, **params)


def names(result):
    return [d["name"] for d in result["results"]]


def dataset(org, name, title, notes="Testdatensatz.", tags=(), resources=(), **extra):
    return factories.Dataset(
        owner_org=org["id"], name=name, title=title, notes=notes,
        tag_string=",".join(tags), resources=list(resources), **extra)


@pytest.fixture
def town():
    """A small municipal catalogue."""
    verwaltung = factories.Organization(name="stadtverwaltung", title="Stadtverwaltung Dinslaken")
    stadtwerke = factories.Organization(name="stadtwerke", title="Stadtwerke Dinslaken")
    dataset(verwaltung, "baumkataster", "Bäume im Stadtgebiet",
            "Standorte und Arten der Straßenbäume.", ["Umwelt", "Bäume"],
            [{"url": "http://example.org/baeume.csv", "format": "CSV", "name": "Baumliste"}])
    dataset(verwaltung, "parken-innenstadt", "Parken Innenstadt",
            "Belegung der Parkhäuser in der Innenstadt.", ["Mobilität", "Parken"],
            [{"url": "http://example.org/parken.json", "format": "JSON", "name": "Belegung"}])
    dataset(verwaltung, "innenstadt-parken-radwege", "Radwege",
            "Radwege; Innenstadt ohne Parken-Angebot.", ["Mobilität", "Rad"],
            [{"url": "http://example.org/rad.geojson", "format": "GeoJSON", "name": "Netz"}])
    dataset(stadtwerke, "ladesaeulen", "Ladesäulen für Elektroautos",
            "Standorte der öffentlichen Ladesäulen.", ["Mobilität", "Energie"],
            [{"url": "http://example.org/lade.csv", "format": "CSV", "name": "Liste"}])
    dataset(stadtwerke, "stromverbrauch", "Stromverbrauch städtischer Gebäude",
            "Jährlicher Verbrauch in kWh.", ["Energie"],
            [{"url": "http://example.org/strom.csv", "format": "CSV", "name": "Verbrauch"},
             {"url": "http://example.org/strom.xlsx", "format": "XLSX", "name": "Tabelle"}])
    return {"verwaltung": verwaltung, "stadtwerke": stadtwerke}


class TestFreeText:
    @pytest.mark.postgresql_only
    def test_german_stemming_finds_inflected_forms(self, town):
        # "Baum" finds "Bäume", "Ladesäule" finds "Ladesäulen".
        assert names(search(q="Baum")) == ["baumkataster"]
        assert names(search(q="Ladesäule")) == ["ladesaeulen"]
        assert names(search(q="Gebäude")) == ["stromverbrauch"]

    def test_all_words_are_required_for_short_queries(self, town):
        # "Standorte" alone also finds the trees; both words only the chargers
        assert names(search(q="Standorte Ladesäulen")) == ["ladesaeulen"]
        # no dataset has both: nothing (the search page alone retries with
        # one word less, tests/search/test_german.py)
        assert search(q="Ladesäulen Bäume")["count"] == 0

    def test_unknown_word_finds_nothing(self, town):
        assert search(q="Hochseeschifffahrt")["count"] == 0

    def test_phrase_query_respects_word_order(self, town):
        found = names(search(q='"Parken Innenstadt"'))
        assert found == ["parken-innenstadt"]
        # Without quotes both datasets that mention both words match.
        assert sorted(names(search(q="Parken Innenstadt"))) == [
            "innenstadt-parken-radwege", "parken-innenstadt"]

    def test_ranking_title_above_tags_above_the_rest(self):
        """What CKAN's Solr ranking promises too (qf ``name^4 title^4 tags^2
        text``): description and resources both sit in ``text`` there."""
        org = factories.Organization()
        dataset(org, "in-description", "Datensatz B", "Eine Verkehrszählung.", ["Sonstiges"])
        dataset(org, "in-tags", "Datensatz C", "Nichts.", ["Verkehrszählung"])
        dataset(org, "in-title", "Verkehrszählung", "Nichts.", ["Sonstiges"])
        assert names(search(q="Verkehrszählung")) == ["in-title", "in-tags", "in-description"]

    @pytest.mark.postgresql_only  # our weights: description (C) above resources (D)
    def test_ranking_title_above_tags_above_description_above_resources(self):
        org = factories.Organization()
        dataset(org, "in-resource", "Datensatz A", "Nichts.", ["Sonstiges"],
                [{"url": "http://example.org/a.csv", "name": "Verkehrszählung"}])
        dataset(org, "in-description", "Datensatz B", "Eine Verkehrszählung.", ["Sonstiges"])
        dataset(org, "in-tags", "Datensatz C", "Nichts.", ["Verkehrszählung"])
        dataset(org, "in-title", "Verkehrszählung", "Nichts.", ["Sonstiges"])
        assert names(search(q="Verkehrszählung")) == [
            "in-title", "in-tags", "in-description", "in-resource"]

    def test_extras_and_resources_are_searchable(self, town):
        assert names(search(q="Tabelle")) == ["stromverbrauch"]

    def test_trailing_wildcard(self, town):
        assert sorted(names(search(q="name:lade*"))) == ["ladesaeulen"]
        assert sorted(names(search(q="text:Strom*"))) == ["stromverbrauch"]

    @pytest.mark.postgresql_only
    def test_stopwords_only_query_finds_what_an_empty_search_finds(self, town):
        """A query of stopwords only has no words to look for; the backend
        drops such a clause, as Lucene does (search/query.py), so the user
        sees the whole catalogue, as for an empty search box, not an error
        and not an empty page. (Solr set-ups differ here: with a field that
        keeps stopwords, "und" would find only the datasets containing it;
        this backend's answer is the dropped clause.)"""
        everything = search(sort="name asc")
        assert everything["count"] == 5
        for q in ("und", "und der"):
            found = search(q=q, sort="name asc")
            assert names(found) == names(everything), q


class TestFilters:
    def test_field_value(self, town):
        assert sorted(names(search(fq="tags:Energie"))) == ["ladesaeulen", "stromverbrauch"]
        assert names(search(fq="organization:stadtverwaltung", q="Bäume")) == ["baumkataster"]

    def test_quoted_value_with_spaces(self):
        org = factories.Organization()
        dataset(org, "oepnv", "A", tags=["Öffentlicher Nahverkehr"])
        dataset(org, "nahverkehr", "B", tags=["Nahverkehr"])
        assert names(search(fq='tags:"Öffentlicher Nahverkehr"')) == ["oepnv"]

    def test_or_list(self, town):
        found = names(search(fq="res_format:(XLSX OR GeoJSON)", sort="name asc"))
        assert found == ["innenstadt-parken-radwege", "stromverbrauch"]
        # in parentheses: CKAN adds "+capacity:public ... +state:(active)" to
        # the fq string, which makes a bare top-level OR optional on Solr
        # (docs/solr.md)
        found = names(search(fq='(tags:"Bäume" OR tags:Rad)', sort="name asc"))
        assert found == ["baumkataster", "innenstadt-parken-radwege"]

    def test_negation(self, town):
        found = names(search(fq="-tags:Mobilität", sort="name asc"))
        assert found == ["baumkataster", "stromverbrauch"]
        found = names(search(fq="tags:Mobilität AND NOT organization:stadtwerke",
                             sort="name asc"))
        assert found == ["innenstadt-parken-radwege", "parken-innenstadt"]

    def test_match_all(self, town):
        assert search(q="*:*")["count"] == 5
        assert search(fq="*:*")["count"] == 5

    def test_field_exists(self, town):
        assert search(fq="res_format:*")["count"] == 5
        assert search(fq="-author:*")["count"] == 5

    def test_date_ranges_with_now(self, town):
        assert search(fq="metadata_modified:[NOW-1DAY TO NOW]")["count"] == 5
        assert search(fq="metadata_modified:[NOW/DAY-1YEAR TO NOW/DAY+1DAY]")["count"] == 5
        assert search(fq="metadata_modified:[* TO NOW-1DAY]")["count"] == 0
        assert search(fq="metadata_created:[NOW+1HOUR TO *]")["count"] == 0

    def test_explicit_date_range_as_ckanext_dcat_sends_it(self, town):
        yesterday = (dt.datetime.utcnow() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        tomorrow = (dt.datetime.utcnow() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert search(fq=f"metadata_modified:[{yesterday} TO *]")["count"] == 5
        assert search(fq=f"metadata_modified:[{tomorrow} TO *]")["count"] == 0
        assert search(fq=f"metadata_modified:{{* TO {yesterday}}}")["count"] == 0

    @pytest.mark.postgresql_only
    def test_fielded_text_query_is_stemmed(self, town):
        assert names(search(q="title:Baum")) == ["baumkataster"]
        assert names(search(q="notes:Parkhaus")) == ["parken-innenstadt"]

    def test_filters_combine_with_free_text(self, town):
        assert names(search(q="Standorte", fq="organization:stadtwerke")) == ["ladesaeulen"]


class TestFacets:
    def test_counts_for_single_and_multi_valued_fields(self, town):
        result = search(**{"facet.field": '["tags", "organization", "res_format"]'})
        facets = result["facets"]
        assert facets["tags"] == {"Mobilität": 3, "Energie": 2, "Umwelt": 1, "Bäume": 1,
                                  "Parken": 1, "Rad": 1}
        assert facets["organization"] == {"stadtverwaltung": 3, "stadtwerke": 2}
        # A dataset with two CSV resources counts once per value.
        assert facets["res_format"]["CSV"] == 3
        assert facets["res_format"]["XLSX"] == 1

    def test_facets_follow_the_filters(self, town):
        result = search(fq="organization:stadtwerke", **{"facet.field": '["tags"]'})
        assert result["facets"]["tags"] == {"Energie": 2, "Mobilität": 1}

    def test_limit_keeps_the_most_frequent(self, town):
        result = search(**{"facet.field": '["tags"]', "facet.limit": 2})
        assert result["facets"]["tags"] == {"Mobilität": 3, "Energie": 2}
        items = result["search_facets"]["tags"]["items"]
        assert {i["name"]: i["count"] for i in items} == {"Mobilität": 3, "Energie": 2}

    def test_mincount(self, town):
        result = search(**{"facet.field": '["tags"]', "facet.mincount": 2})
        assert result["facets"]["tags"] == {"Mobilität": 3, "Energie": 2}
        result = search(fq="organization:stadtwerke",
                        **{"facet.field": '["organization"]', "facet.mincount": 0})
        organisations = result["facets"]["organization"]
        assert organisations["stadtwerke"] == 2 and organisations["stadtverwaltung"] == 0
        # Solr lists every term of the core at mincount 0, also those of
        # other sites sharing it (make test's workers share one core)
        others = [count for name, count in organisations.items()
                  if name not in ("stadtwerke", "stadtverwaltung")]
        assert set(others) <= {0}, organisations

    def test_organisation_titles_shown_in_facets(self, town):
        result = search(**{"facet.field": '["organization"]'})
        items = {i["name"]: i["display_name"] for i in
                 result["search_facets"]["organization"]["items"]}
        assert items["stadtwerke"] == "Stadtwerke Dinslaken"

    def test_dataset_list_page_shows_facet_counts(self, app, town):
        page = app.get("/dataset/", query_string={"tags": "Energie"})
        assert page.status_code == 200
        body = page.body
        assert "Ladesäulen für Elektroautos" in body
        assert "Bäume im Stadtgebiet" not in body
        assert "Stadtwerke Dinslaken" in body

    def test_organisation_page_lists_its_datasets(self, app, town):
        body = app.get("/organization/stadtwerke").body
        assert "Stromverbrauch städtischer Gebäude" in body
        assert "Parken Innenstadt" not in body

    def test_group_page_lists_its_datasets(self, app):
        group = factories.Group(name="klima", title="Klima")
        org = factories.Organization()
        factories.Dataset(owner_org=org["id"], title="Hitzeplan", groups=[{"name": "klima"}])
        factories.Dataset(owner_org=org["id"], title="Haushalt")
        assert search(fq="groups:klima")["count"] == 1
        body = app.get(f"/group/{group['name']}").body
        assert "Hitzeplan" in body
        assert "Haushalt" not in body


class TestSortingAndPaging:
    def test_sort_by_name_and_title(self, town):
        assert names(search(sort="name asc")) == [
            "baumkataster", "innenstadt-parken-radwege", "ladesaeulen",
            "parken-innenstadt", "stromverbrauch"]
        assert names(search(sort="name desc"))[0] == "stromverbrauch"
        titles = [d["title"] for d in search(sort="title_string asc")["results"]]
        assert titles == sorted(titles, key=str.lower)

    def test_sort_by_metadata_modified(self, town):
        as_sysadmin("package_patch", id="baumkataster", notes="Neu")
        assert names(search(sort="metadata_modified desc"))[0] == "baumkataster"
        assert names(search(sort="metadata_modified asc"))[-1] == "baumkataster"

    def test_relevance_is_the_default_sort(self, town):
        assert search(q="Ladesäulen")["sort"] == "score desc, metadata_modified desc"

    def test_paging_with_rows_and_start(self, town):
        everything = names(search(sort="name asc", rows=10))
        pages = [names(search(sort="name asc", rows=2, start=start)) for start in (0, 2, 4)]
        assert pages == [everything[0:2], everything[2:4], everything[4:5]]
        beyond = search(sort="name asc", rows=2, start=10)
        assert beyond["results"] == [] and beyond["count"] == 5

    def test_fl_returns_the_requested_fields(self, town):
        result = search(q="Bäume", fl="name,title")
        assert result["results"] == [{"name": "baumkataster", "title": "Bäume im Stadtgebiet"}]


class TestVisibility:
    @pytest.fixture
    def catalogue(self):
        factories.User(name="member")
        factories.User(name="outsider")
        factories.Sysadmin(name="admin")
        org = factories.Organization(users=[{"name": "member", "capacity": "editor"}])
        other = factories.Organization(users=[{"name": "outsider", "capacity": "admin"}])
        factories.Dataset(owner_org=org["id"], name="public-one", title="Öffentlich")
        factories.Dataset(owner_org=org["id"], name="private-one", title="Intern", private=True)
        factories.Dataset(owner_org=org["id"], name="draft-one", title="Entwurf", state="draft")
        factories.Dataset(owner_org=other["id"], name="other-public", title="Anderes")
        tokens = {name: factories.APIToken(user=name)["token"]
                  for name in ("member", "outsider", "admin")}
        return tokens

    @staticmethod
    def visible(app, token=None, **params):
        headers = {"Authorization": token} if token else {}
        params.setdefault("include_private", "true")
        params.setdefault("rows", 100)
        response = app.get(SEARCH_URL, query_string=params, headers=headers)
        assert response.status_code == 200
        return sorted(d["name"] for d in response.json["result"]["results"])

    def test_anonymous_sees_public_only(self, app, catalogue):
        assert self.visible(app) == ["other-public", "public-one"]

    def test_member_sees_private_of_own_organisation(self, app, catalogue):
        assert self.visible(app, catalogue["member"]) == [
            "other-public", "private-one", "public-one"]

    def test_user_of_other_organisation_does_not_see_it(self, app, catalogue):
        assert self.visible(app, catalogue["outsider"]) == ["other-public", "public-one"]

    def test_sysadmin_sees_everything_but_drafts(self, app, catalogue):
        assert self.visible(app, catalogue["admin"]) == [
            "other-public", "private-one", "public-one"]

    def test_drafts_only_with_include_drafts_and_permission(self, app, catalogue):
        assert "draft-one" in self.visible(app, catalogue["admin"], include_drafts="true")
        assert "draft-one" not in self.visible(app, include_drafts="true")
        assert "draft-one" not in self.visible(app, catalogue["outsider"], include_drafts="true")

    def test_incomplete_draft_only_for_its_editors(self, app, catalogue):
        """A draft saved with only a title (docs/drafts.md): found by its
        organisation's editors with include_drafts, by nobody else, and not
        counted in the public facets."""
        org = model.Package.get("public-one").owner_org
        created = app.post("/api/3/action/package_create", json={
            "title": "Nur ein Titel", "owner_org": org, "state": "draft"},
            headers={"Authorization": catalogue["member"]})
        assert created.json["result"]["state"] == "draft"
        assert "nur-ein-titel" in self.visible(app, catalogue["member"], include_drafts="true")
        assert "nur-ein-titel" not in self.visible(app, catalogue["member"])
        assert "nur-ein-titel" not in self.visible(app, include_drafts="true", q="Titel")
        assert "nur-ein-titel" not in self.visible(app, catalogue["outsider"],
                                                   include_drafts="true")
        response = app.get(SEARCH_URL, query_string={"facet.field": '["organization"]'})
        assert sum(response.json["result"]["facets"]["organization"].values()) == 2

    def test_facet_counts_exclude_invisible_datasets(self, app, catalogue):
        response = app.get(SEARCH_URL, query_string={
            "include_private": "true", "facet.field": '["organization"]'})
        counts = response.json["result"]["facets"]["organization"]
        assert sum(counts.values()) == 2

    def test_private_dataset_not_found_by_free_text_for_anonymous(self, app, catalogue):
        assert self.visible(app, q="Intern") == []
        assert self.visible(app, catalogue["member"], q="Intern") == ["private-one"]


@pytest.mark.postgresql_only  # the index row lives in CKAN's own transaction
class TestTransactions:
    def _index_rows(self, name):
        return model.Session.execute(sa.text(
            "SELECT count(*) FROM smartcity_search_doc WHERE fields->'name'->>0 = :n"),
            {"n": name}).scalar()

    def test_index_row_commits_with_the_dataset(self):
        org = factories.Organization()
        factories.Dataset(owner_org=org["id"], name="committed")
        model.Session.remove()
        assert self._index_rows("committed") == 1

    def test_failed_create_leaves_neither_dataset_nor_index_row(self, monkeypatch):
        org = factories.Organization()
        original_commit = model.repo.commit

        def failing_commit():
            # The index row has been written in this transaction already.
            assert self._index_rows("doomed") == 1
            raise RuntimeError("database went away")

        monkeypatch.setattr(model.repo, "commit", failing_commit)
        with pytest.raises(RuntimeError):
            helpers.call_action("package_create", name="doomed", title="Doomed",
                                notes="Wird nie gespeichert.", owner_org=org["id"],
                                license_id="dl-by-de/2.0")
        model.Session.rollback()
        monkeypatch.setattr(model.repo, "commit", original_commit)
        model.Session.remove()
        assert model.Package.get("doomed") is None
        assert self._index_rows("doomed") == 0
        assert search(q="name:doomed")["count"] == 0

    def test_failed_index_write_stores_no_dataset(self, monkeypatch):
        org = factories.Organization()
        from ckanext.smartcity.search import connection

        def broken_add(self, docs, commit=True, **kwargs):
            raise connection.SearchError("disk full")

        monkeypatch.setattr(connection.PostgresSearchConnection, "add", broken_add)
        # a valid dataset: the write fails at the index, not at validation
        with pytest.raises(connection.SearchError, match="disk full"):
            helpers.call_action("package_create", name="unindexed", title="Unindexed",
                                notes="Wird nie indexiert.", owner_org=org["id"],
                                license_id="dl-by-de/2.0")
        model.Session.rollback()
        model.Session.remove()
        assert model.Package.get("unindexed") is None

    def test_deleted_dataset_leaves_the_index(self):
        org = factories.Organization()
        factories.Dataset(owner_org=org["id"], name="gone", title="Weg")
        as_sysadmin("package_delete", id="gone")
        model.Session.remove()
        assert search(q="Weg")["count"] == 0
        assert self._index_rows("gone") == 0

    def test_purged_dataset_leaves_the_index(self):
        org = factories.Organization()
        factories.Dataset(owner_org=org["id"], name="purged", title="Gelöscht")
        as_sysadmin("dataset_purge", id="purged")
        model.Session.remove()
        assert self._index_rows("purged") == 0


class TestCommands:
    @pytest.mark.postgresql_only
    def test_rebuild_restores_a_lost_index(self, cli, town):
        from ckan.cli.cli import ckan
        model.Session.execute(sa.text("DELETE FROM smartcity_search_doc"))
        model.Session.commit()
        assert search(q="Baum")["count"] == 0
        result = cli.invoke(ckan, ["search-index", "rebuild"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
        assert names(search(q="Baum")) == ["baumkataster"]
        assert search()["count"] == 5

    def test_clear_empties_the_index(self, cli, town):
        from ckan.cli.cli import ckan
        result = cli.invoke(ckan, ["search-index", "clear"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
        assert search()["count"] == 0

    def test_clear_one_dataset(self, cli, town):
        from ckan.cli.cli import ckan
        result = cli.invoke(ckan, ["search-index", "clear", "baumkataster"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
        assert search()["count"] == 4
        assert search(q="Baum")["count"] == 0

    def test_show_and_check(self, cli, town):
        from ckan.cli.cli import ckan
        result = cli.invoke(ckan, ["search-index", "show", "baumkataster"])
        assert result.exit_code == 0, result.output
        assert "Bäume im Stadtgebiet" in result.output
        result = cli.invoke(ckan, ["search-index", "check"])
        assert result.exit_code == 0, result.output
        assert "Packages not indexed = 0 out of 5" in result.output
