"""Alembic environment of the smartcity plugin (shared code: ../alembic_env.py)."""
import os

from alembic import context

from ckanext.smartcity.migration.alembic_env import run

run(context, os.path.basename(os.path.dirname(os.path.abspath(__file__))))
