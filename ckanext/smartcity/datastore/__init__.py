"""Every table an API: CKAN's DataStore filled by ckanext-xloader, with the
portal's limits (rows, addresses of linked files) and a German status
notice for stewards on the resource page (docs/datastore.md).

The ``smartcity_datastore`` plugin (:mod:`.plugin`) needs the ``datastore``
and ``xloader`` plugins; the main plugin does not, and a site without them
simply has no DataStore."""
