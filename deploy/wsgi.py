"""WSGI entry point for gunicorn: ``CKAN_INI=var/ckan.ini gunicorn deploy.wsgi:application``."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_config_path = os.environ["CKAN_INI"]
fileConfig(_config_path, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(_config_path).get_config())
