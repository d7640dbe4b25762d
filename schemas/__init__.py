"""Scheming YAML schemas, installed as ckanext.smartcity.schemas."""
