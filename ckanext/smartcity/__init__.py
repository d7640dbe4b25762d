"""ckanext-smartcity: a DCAT-AP.de 3.0 Smart City data catalogue for CKAN 2.12."""
