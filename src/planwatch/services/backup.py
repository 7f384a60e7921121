"""Backup and restore: one consistent snapshot of the whole database, while the app runs.

The snapshot is logical (gzip-compressed JSON lines, one table after another in
foreign-key order) rather than a copy of the database file, for two reasons: it is taken
inside one read transaction (SQLite WAL and PostgreSQL REPEATABLE READ both give a
consistent view without stopping writers), and it restores into either database, so a
district can start on SQLite and move to PostgreSQL. Restore only fills an empty
database: it never overwrites what is stored. Text written by a version before control
characters were cleaned (a NUL, which PostgreSQL cannot store; a vertical tab, which no
report can write) is normalised on the way in and each place is reported; no row is dropped.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, LargeBinary, Table, func, insert, select, text, update

from planwatch.errors import InputError, PlanWatchError
from planwatch.services import search
from planwatch.store import Database
from planwatch.store.migrate import current_revision, head_revision
from planwatch.store.models import Base
from planwatch.text_cleaning import normalise_text

__all__ = ["FORMAT", "BackupSummary", "RestoreRefused", "backup", "restore"]

log = logging.getLogger(__name__)

FORMAT = "planwatch-backup/1"
_BATCH = 5000


class RestoreRefused(PlanWatchError):
    """The target database already holds data, or the backup is of another schema."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    schema_revision: str | None
    rows: dict[str, int]
    # Not-a-number and infinite values (stored by versions before finite checks) written as
    # null, so that the backup restores anywhere: "table#id column" each.
    not_finite: tuple[str, ...] = ()
    # Text normalised by a restore (control characters of older versions): "table#id column" each.
    cleaned: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[Table]:
    """Stored tables; derived ones (the search index) are rebuilt from them after a restore,
    transient ones (failed log-ins) only matter for minutes."""
    return [t for t in Base.metadata.sorted_tables if not t.info.get("derived") and not t.info.get("transient")]


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):  # evidence files: base64, decoded by the column's type on restore
        return base64.b64encode(value).decode("ascii")
    return value.isoformat() if isinstance(value, datetime) else value


def _finite(value: Any) -> tuple[Any, bool]:
    """``value`` with every NaN or infinity (also inside JSON columns) replaced by None, and
    whether there was one: JSON has no such numbers and PostgreSQL refuses them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None, True
    if isinstance(value, dict):
        pairs = {k: _finite(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(bad for _, bad in pairs.values())
    if isinstance(value, list):
        items = [_finite(v) for v in value]
        return [v for v, _ in items], any(bad for _, bad in items)
    return value, False


def _clean_text(value: Any) -> tuple[Any, bool]:
    """``value`` with its strings normalised (also inside JSON columns), and whether one changed."""
    if isinstance(value, str):
        cleaned = normalise_text(value)
        return cleaned, cleaned != value
    if isinstance(value, dict):
        pairs = {normalise_text(k): _clean_text(v) for k, v in value.items()}
        changed = any(bad for _, bad in pairs.values()) or list(pairs) != list(value)
        return {k: v for k, (v, _) in pairs.items()}, changed
    if isinstance(value, list):
        items = [_clean_text(v) for v in value]
        return [v for v, _ in items], any(bad for _, bad in items)
    return value, False


def backup(database: Database, path: Path) -> BackupSummary:
    """Write a snapshot of every table to ``path`` (.jsonl.gz); writers are not blocked."""
    revision = current_revision(database.engine)
    counts: dict[str, int] = {}
    not_finite: list[str] = []
    tmp = path.with_name(path.name + ".part")
    with _snapshot(database) as connection, gzip.open(tmp, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT, "schema_revision": revision}) + "\n")
        for table in _tables():
            counts[table.name] = 0
            columns = [c.name for c in table.columns]
            out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
            result = connection.execute(select(table).order_by(*table.primary_key.columns))
            for row in result:
                values = []
                for column, value in zip(columns, row, strict=True):
                    kept, replaced = _finite(_encode(value))
                    if replaced:
                        not_finite.append(f"{table.name}#{row[0]} {column}")
                    values.append(kept)
                out.write(json.dumps(values, ensure_ascii=False, allow_nan=False) + "\n")
                counts[table.name] += 1
    tmp.replace(path)
    log.info("backup written at schema %s: %d rows of %d tables, %d not finite values left empty", revision,
             sum(counts.values()), len(counts), len(not_finite))
    return BackupSummary(path, revision, counts, tuple(not_finite))


@contextmanager
def _snapshot(database: Database) -> Iterator[Connection]:
    """A connection inside one read transaction that sees a single point in time."""
    if database.dialect == "sqlite":
        with database.read_engine.connect() as connection:
            # pysqlite does not open a transaction for SELECTs: open one so that every
            # table is read from the same WAL snapshot.
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.exec_driver_sql("COMMIT")
    else:
        with database.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.execute(text("SET TRANSACTION READ ONLY"))
            yield connection
            connection.rollback()


def _lines(path: Path) -> Iterator[Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    yield json.loads(line, parse_constant=_not_finite)
                except json.JSONDecodeError:
                    raise InputError(path, f"第 {number} 行不是有效的 JSON：备份文件已损坏") from None
                except ValueError as exc:  # NaN or Infinity, written by versions that stored them
                    raise InputError(path, f"第 {number} 行含 {exc}（不是有限数值），目标数据库未作任何改动；"
                                     "请先在原数据库中更正该数值再备份") from None
    except (OSError, EOFError) as exc:
        raise InputError(path, f"不是 PlanWatch 备份文件（应为 .jsonl.gz）：{exc}") from None


def _not_finite(constant: str) -> Any:
    raise ValueError(constant)


def restore(database: Database, path: Path) -> BackupSummary:
    """Load a snapshot into an empty database (migrated to the backup's schema revision)."""
    lines = _lines(path)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(path, f"不是 PlanWatch 备份文件（缺少 {FORMAT} 文件头）")
    if header.get("schema_revision") != head_revision():
        log.warning("restore refused: the backup is of schema %s, this version's is %s",
                    header.get("schema_revision"), head_revision())
        raise RestoreRefused(f"{path}: 备份的数据库结构版本为 {header.get('schema_revision')}，"
                             f"本程序为 {head_revision()}；请用对应版本的 PlanWatch 恢复")
    database.upgrade()
    tables = {t.name: t for t in _tables()}
    counts: dict[str, int] = {}
    cleaned: list[str] = []
    with database.engine.begin() as connection:
        for table in tables.values():
            if connection.scalar(select(func.count()).select_from(table)):
                log.warning("restore refused: table %s of the target database holds data", table.name)
                raise RestoreRefused(f"目标数据库的表 {table.name} 已有数据；恢复只写入空数据库，现有数据未作任何改动")
        current: Table | None = None
        columns: list[str] = []
        batch: list[dict[str, Any]] = []
        for item in lines:
            if isinstance(item, dict):
                if current is not None:
                    _flush(connection, current, batch)
                current = tables.get(str(item.get("table")))
                if current is None:
                    raise InputError(path, f"未知的表 {item.get('table')!r}")
                columns = list(item.get("columns", []))
                counts[current.name] = 0
                continue
            if current is None:
                raise InputError(path, "数据行出现在表头之前：备份文件已损坏")
            batch.append(_decode(current, columns, item, cleaned))
            counts[current.name] += 1
            if len(batch) >= _BATCH:
                _flush(connection, current, batch)
        if current is not None:
            _flush(connection, current, batch)
        if database.dialect == "postgresql":
            _reset_sequences(connection, tables.values())
    with database.session() as session:
        search.index_pending(session)  # the derived index is left out of backups
    log.info("backup restored at schema %s: %d rows of %d tables, %d texts cleaned", header.get("schema_revision"),
             sum(counts.values()), len(counts), len(cleaned))
    return BackupSummary(path, header.get("schema_revision"), counts, cleaned=tuple(cleaned))


def _decode(table: Table, columns: list[str], values: list[Any], cleaned: list[str]) -> dict[str, Any]:
    """A stored row from its backup line; each text normalised is added to ``cleaned``."""
    row = dict(zip(columns, values, strict=True))
    for name, value in row.items():
        row[name], changed = _clean_text(value)
        if changed:
            cleaned.append(f"{table.name}#{row.get('id', '?')} {name}")
    for column in table.columns:
        if isinstance(column.type, DateTime) and isinstance(row.get(column.name), str):
            row[column.name] = datetime.fromisoformat(row[column.name])
        elif isinstance(column.type, LargeBinary) and isinstance(row.get(column.name), str):
            row[column.name] = base64.b64decode(row[column.name])
    return row


def _flush(connection: Connection, table: Table, batch: list[dict[str, Any]]) -> None:
    """Insert a batch; columns referring to the same table (a unit's parent) are set after
    the rows exist, since a parent may have a higher id than its child."""
    if not batch:
        return
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    links = [(row["id"], {c: row[c] for c in own}) for row in batch if any(row.get(c) is not None for c in own)]
    connection.execute(insert(table), [{**row, **dict.fromkeys(own)} for row in batch] if own else batch)
    for row_id, values in links:
        connection.execute(update(table).where(table.c.id == row_id).values(**values))
    batch.clear()


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Restored rows keep their ids; the id sequences must continue after them."""
    for table in tables:
        if "id" in table.columns:
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
