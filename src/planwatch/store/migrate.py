"""Alembic, driven from code: the migrations ship inside the package, so ``planwatch``
upgrades any database it is pointed at without an ``alembic.ini`` in the working folder."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from planwatch.store.evaluation_triggers import ensure_triggers

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "head_revision", "include_name", "upgrade"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Schema comparison skips the full-text structures SQLAlchemy cannot model: SQLite's
    FTS5 table with its shadow tables (search_fts_data…) and PostgreSQL's GIN expression index."""
    if type_ == "table":
        return not (name or "").startswith("search_fts")
    return not (type_ == "index" and name == "ix_search_entries_tsv")


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)
    if revision == "head":
        with engine.begin() as connection:
            ensure_triggers(connection)  # a migration that rebuilt a table on SQLite dropped its triggers


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
