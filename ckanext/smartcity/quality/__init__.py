"""Metadata quality for stewards: the MQA score (``mqa``), the DCAT-AP.de
SHACL report (``shacl``) and URL reachability (``reachability``), assessed
per dataset (``assessment``) when it is saved (``events``), shown on the
dataset page and the dashboard (``pages``, ``helpers``) and through the API
(``actions``, ``auth``) and the CLI (``cli``)."""
