"""PostgreSQL search backend: answers CKAN's Solr calls from PostgreSQL.

``install()`` swaps the connection factory CKAN's search modules use
(``make_connection``) for one returning ``PostgresSearchConnection``; all of
CKAN's query building and permission filtering stays in place.
"""
