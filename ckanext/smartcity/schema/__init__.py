"""The DCAT-AP.de dataset schema at work: validators, vocabularies, the one
list parser, organisation defaults, the licence register, the write guards,
the region search, form helpers and the migration of core-schema datasets."""
