"""The Alembic environment shared by this extension's plugins' migrations
(``smartcity_search/``, ``smartcity/``); each ``env.py`` calls ``run``.

CKAN fills ``sqlalchemy.url`` from the site's config when it runs
``ckan db upgrade -p <plugin>``; each plugin's version table is kept apart
from CKAN core's (``<plugin>_alembic_version``).
"""
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool


def run(context, plugin: str) -> None:
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)
    version_table = f"{plugin}_alembic_version"
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"),
                          target_metadata=None, literal_binds=True,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
