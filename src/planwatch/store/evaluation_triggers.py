"""The triggers that keep evaluation data versions (see :mod:`planwatch.store.models.evaluation`).

In the database rather than in the services, so that no write is missed: bulk inserts, a
restore, an Excel upload and SQL typed by hand raise the versions as the web forms do.

What evaluation reads, and so what raises a version (everything else, a clerk's draft
among it, does not):

=====================  ==========================================  ===========================
table                  rows that count                             indicator, data year
=====================  ==========================================  ===========================
observations           totals of yearly periods, in a state other  the row's indicator and its
                       than draft before or after the write         period's year
indicators             any insert, update or delete                the indicator, all years
targets, assignments   any insert, update or delete                the indicator, all years
org_units              a new name or kind                          each indicator assigned to it
plans                  new settings, title or start year           every indicator, all years
=====================  ==========================================  ===========================

SQLite has one writer at a time, so its row triggers give the versions at once. PostgreSQL
commits concurrently: there statement triggers note the changes in ``evaluation_pending``
and a deferred trigger gives the versions at commit, under a lock per plan taken after
every row lock of the transaction (so it cannot deadlock with them). A reader that sees
version V of a plan therefore sees every change up to V.

A new table that evaluation reads needs its line in :data:`SOURCES` (the tests check that
every table evaluation queries has triggers here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, text

__all__ = ["SOURCES", "ddl", "ensure_triggers", "trigger_names"]

# pg_advisory_xact_lock(class, plan_id): the class number keeps these locks apart from any other.
_LOCK_CLASS: Final = 23019


@dataclass(frozen=True, slots=True)
class Source:
    """How one table's changed rows name (plan_id, indicator_id, year).

    ``select`` reads one row ``r`` (NEW or OLD in SQLite, a transition table in PostgreSQL);
    ``counts`` is the condition on the row for it to matter at all; ``changed`` (updates
    only) compares the new row ``n`` with the old ``o``.
    """

    table: str
    select: str
    counts: str = "true"
    changed: str = "true"
    events: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


_TOTAL = "r.sex = '' AND r.area = '' AND r.age_group = ''"
SOURCES: Final = (
    Source("observations",
           "SELECT p.plan_id AS plan_id, r.indicator_id AS indicator_id, p.year AS year FROM {rows} "
           "JOIN reporting_periods p ON p.id = r.period_id WHERE p.quarter IS NULL AND p.month IS NULL AND {counts}",
           counts=f"r.state <> 'draft' AND {_TOTAL}",
           changed="n.state IS DISTINCT FROM o.state OR n.current_revision IS DISTINCT FROM o.current_revision "
                   "OR n.indicator_id IS DISTINCT FROM o.indicator_id OR n.org_unit_id IS DISTINCT FROM o.org_unit_id "
                   "OR n.period_id IS DISTINCT FROM o.period_id",
           events=("INSERT", "UPDATE")),  # observations are never deleted
    Source("indicators", "SELECT r.plan_id AS plan_id, r.id AS indicator_id, 0 AS year FROM {rows} WHERE {counts}"),
    Source("targets", "SELECT i.plan_id AS plan_id, i.id AS indicator_id, 0 AS year FROM {rows} "
                      "JOIN indicators i ON i.id = r.indicator_id WHERE {counts}"),
    Source("assignments", "SELECT i.plan_id AS plan_id, i.id AS indicator_id, 0 AS year FROM {rows} "
                          "JOIN indicators i ON i.id = r.indicator_id WHERE {counts}"),
    Source("org_units", "SELECT i.plan_id AS plan_id, i.id AS indicator_id, 0 AS year FROM {rows} "
                        "JOIN assignments a ON a.org_unit_id = r.id JOIN indicators i ON i.id = a.indicator_id "
                        "WHERE {counts}",
           changed="n.name IS DISTINCT FROM o.name OR n.kind IS DISTINCT FROM o.kind", events=("UPDATE",)),
    Source("plans", "SELECT r.id AS plan_id, 0 AS indicator_id, 0 AS year FROM {rows} WHERE {counts}",
           changed="CAST(n.settings AS TEXT) IS DISTINCT FROM CAST(o.settings AS TEXT) "
                   "OR n.title IS DISTINCT FROM o.title OR n.start_year IS DISTINCT FROM o.start_year",
           events=("UPDATE",)),
)


def trigger_names(dialect: str) -> list[tuple[str, str]]:
    """(table, trigger) of every trigger :func:`ddl` creates."""
    names = [(s.table, f"{s.table}_evaluation_{e.lower()}") for s in SOURCES for e in s.events]
    if dialect == "postgresql":
        names.append(("evaluation_pending", "evaluation_pending_commit"))
    return names


def ddl(dialect: str) -> list[str]:
    """The statements creating (or replacing) the triggers on ``dialect``."""
    if dialect == "sqlite":
        return [_sqlite_trigger(source, event) for source in SOURCES for event in source.events]
    if dialect == "postgresql":
        statements = [_PG_COMMIT_FUNCTION, _PG_COMMIT_TRIGGER]
        for source in SOURCES:
            statements.append(_pg_function(source))
            statements.extend(_pg_trigger(source, event) for event in source.events)
        return statements
    return []


def ensure_triggers(connection: Connection) -> int:
    """Create the triggers that are missing (SQLite drops a table's triggers when a migration
    rebuilds the table); returns how many were made."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        present = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    elif dialect == "postgresql":
        present = set(connection.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))
    else:
        return 0
    if all(name in present for _, name in trigger_names(dialect)):
        return 0
    statements = ddl(dialect)
    for statement in statements:
        connection.exec_driver_sql(statement)
    return len(statements)


# ---- SQLite: row triggers, versions at once ---------------------------------------------

def _sqlite_trigger(source: Source, event: str) -> str:
    name = f"{source.table}_evaluation_{event.lower()}"
    sides = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}[event]
    when = ""
    if event == "UPDATE" and source.changed != "true":
        changed = re.sub(r"\bo\.", "OLD.", re.sub(r"\bn\.", "NEW.", source.changed))
        when = f" WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')}"
    body = []
    for side in sides:
        # "(SELECT 1) AS one" gives the row's columns a FROM clause to join the others to
        select = re.sub(r"\br\.", f"{side}.", source.select.replace("{rows}", "(SELECT 1) AS one")
                        .replace("{counts}", source.counts))
        body.append(
            "INSERT INTO evaluation_versions (plan_id, year, version) "
            "SELECT DISTINCT s.plan_id, s.year, (SELECT coalesce(max(v.version), 0) + 1 FROM evaluation_versions v "
            f"WHERE v.plan_id = s.plan_id) FROM ({select}) AS s WHERE true "
            "ON CONFLICT (plan_id, year) DO UPDATE SET version = excluded.version;")
        body.append(
            "INSERT INTO evaluation_changes (plan_id, indicator_id, year, version) "
            "SELECT DISTINCT s.plan_id, s.indicator_id, s.year, (SELECT max(v.version) FROM evaluation_versions v "
            f"WHERE v.plan_id = s.plan_id) FROM ({select}) AS s WHERE true "
            "ON CONFLICT (plan_id, indicator_id, year) DO UPDATE SET version = excluded.version;")
    return (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {source.table} FOR EACH ROW{when} "
            f"BEGIN {' '.join(body)} END")


# ---- PostgreSQL: statement triggers note the changes, versions at commit -----------------

def _pg_function(source: Source) -> str:
    """One function per table; each event's trigger passes its transition tables."""
    def noted(rows: str) -> str:
        select = source.select.replace("{rows}", f"{rows} r").replace("{counts}", source.counts)
        return f"INSERT INTO evaluation_pending (plan_id, indicator_id, year) SELECT DISTINCT * FROM ({select}) s;"

    def changed(side: str) -> str:  # updated rows whose evaluated columns changed, as they were or are
        return f"(SELECT {side}.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {source.changed})"

    return f"""CREATE OR REPLACE FUNCTION planwatch_evaluation_{source.table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN {noted('new_rows')}
  ELSIF TG_OP = 'DELETE' THEN {noted('old_rows')}
  ELSE {noted(changed('n'))} {noted(changed('o'))}
  END IF;
  RETURN NULL;
END $$"""


def _pg_trigger(source: Source, event: str) -> str:
    name = f"{source.table}_evaluation_{event.lower()}"
    tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
              "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows"}[event]
    return (f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {source.table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION planwatch_evaluation_{source.table}()")


# The first firing at commit gives every plan the transaction changed one new version; the
# others of the same commit find the work done (a transaction-local setting says so).
_PG_COMMIT_FUNCTION: Final = f"""CREATE OR REPLACE FUNCTION planwatch_evaluation_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed_plan integer;
  next_version integer;
BEGIN
  IF current_setting('planwatch.evaluation_versioned', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('planwatch.evaluation_versioned', 'on', true);
  FOR changed_plan IN SELECT DISTINCT plan_id FROM evaluation_pending ORDER BY plan_id LOOP
    PERFORM pg_advisory_xact_lock({_LOCK_CLASS}, changed_plan);
    SELECT coalesce(max(version), 0) + 1 INTO next_version FROM evaluation_versions WHERE plan_id = changed_plan;
    INSERT INTO evaluation_versions (plan_id, year, version)
      SELECT DISTINCT changed_plan, year, next_version FROM evaluation_pending WHERE plan_id = changed_plan
      ON CONFLICT (plan_id, year) DO UPDATE SET version = excluded.version;
    INSERT INTO evaluation_changes (plan_id, indicator_id, year, version)
      SELECT DISTINCT changed_plan, indicator_id, year, next_version FROM evaluation_pending
      WHERE plan_id = changed_plan
      ON CONFLICT (plan_id, indicator_id, year) DO UPDATE SET version = excluded.version;
  END LOOP;
  DELETE FROM evaluation_pending;
  RETURN NULL;
END $$"""
_PG_COMMIT_TRIGGER: Final = (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'evaluation_pending_commit') THEN "
    "CREATE CONSTRAINT TRIGGER evaluation_pending_commit AFTER INSERT ON evaluation_pending "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION planwatch_evaluation_commit(); END IF; END $$")
