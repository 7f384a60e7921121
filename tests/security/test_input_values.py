"""Values (issue 14 item 7, issue 15): only finite decimals written with accepted digits are stored,
magnitudes follow the indicator's unit, shares are range-checked before saving, the audit JSON
is always standard JSON. Property tests over the number reader, database tests on both dialects.
"""

from __future__ import annotations

import gzip
import json
import math
import string
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.numerals import NumberRefused, parse_number, read_decimal, to_float
from planwatch.services import observation_bulk, observation_values
from planwatch.services import observations as obs
from planwatch.store import Database
from planwatch.store.models import Assignment, AuditEvent, Indicator, Observation
from tests.conftest import DIALECTS, District, count, database_url, migrated_sqlite_url, seeded, user

_ACCEPTED = set(string.digits + "０１２３４５６７８９〇零○一二三四五六七八九两十百千万亿半")
_FOREIGN_DIGITS = [ch for ch in map(chr, range(0x30000)) if unicodedata.numeric(ch, None) is not None
                   and ch not in _ACCEPTED]


# --- the number reader, property-tested ------------------------------------------------

@given(st.text(max_size=30))
def test_any_text_reads_as_a_finite_number_or_none(text: str) -> None:
    value = parse_number(text)
    assert value is None or math.isfinite(value)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12, max_value=10**12, places=4))
def test_a_written_decimal_reads_back_exactly_in_ascii_and_full_width(value: Decimal) -> None:
    text = f"{value:f}"
    full_width = text.translate(str.maketrans("0123456789.-", "０１２３４５６７８９．－"))
    assert read_decimal(text) == value == read_decimal(full_width)


@given(st.integers(min_value=1000, max_value=10**15))
def test_grouped_thousands_read_as_one_number(value: int) -> None:
    assert read_decimal(f"{value:,}") == value


@given(st.sampled_from(_FOREIGN_DIGITS), st.sampled_from(["", "1", "12."]))
def test_digits_of_other_scripts_are_refused(digit: str, prefix: str) -> None:
    with pytest.raises(NumberRefused, match="不是阿拉伯数字或汉字数字"):
        read_decimal(prefix + digit)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_comma_that_is_not_a_thousands_group_is_refused(whole: int, fraction: int) -> None:
    with pytest.raises(NumberRefused, match="逗号有歧义"):
        read_decimal(f"{whole},{fraction}")


@pytest.mark.parametrize(("text", "reason"), [
    ("NaN", "不是有限数值"), ("inf", "不是有限数值"), ("-Infinity", "不是有限数值"), ("1e309", "超出可存储的数值范围"),
    ("-1e309", "超出可存储的数值范围"), ("1e-400", "太接近 0"), ("²", "不是阿拉伯数字"), ("٥", "不是阿拉伯数字"),
    ("१२", "不是阿拉伯数字"), ("49,9", "逗号有歧义"),
])
def test_numbers_that_must_not_be_stored_say_why(text: str, reason: str) -> None:
    with pytest.raises(NumberRefused, match=reason):
        value = read_decimal(text)
        assert value is not None
        to_float(value)
    assert parse_number(text) is None


# --- entering values on a real database -------------------------------------------------

@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District, int]]:
    with seeded(request.param, tmp_path) as (session, district):
        population = Indicator(plan_id=district.plan_id, name="常住人口", unit="万人", key="常住人口|万人", code="I101",
                               kind="table", file="children.txt", line=101)
        session.add(population)
        session.flush()
        session.add(Assignment(indicator_id=population.id, org_unit_id=district.civil, role="牵头"))
        session.commit()
        yield session, district, population.id


def _enter(session: Session, d: District, indicator: int, unit: int, text: str) -> obs.ObservationView:
    return obs.enter_value(session, user(session, d, "li_jc"), d.open_period,
                           obs.ObservationInput(indicator_id=indicator, org_unit_id=unit, value_text=text))


@pytest.mark.parametrize(("text", "reason"), [
    ("NaN", "不是有限数值"), ("inf", "不是有限数值"), ("1e309", "超出可存储的数值范围"), ("1e-400", "太接近 0"),
    ("²", "不是阿拉伯数字"), ("٥", "不是阿拉伯数字"), ("१२", "不是阿拉伯数字"), ("49,9", "逗号有歧义"),
    ("120%", "0–100"), ("5万%", "数量级「万」不能用于单位 %"),
])
def test_a_refused_value_is_not_even_saved_as_a_draft(db: tuple[Session, District, int], text: str,
                                                      reason: str) -> None:
    session, d, _ = db
    with pytest.raises(obs.ValueRejected, match=reason):
        _enter(session, d, d.enrolment, d.education, text)
    session.rollback()
    assert count(session, Observation) == 0


def test_bulk_entry_refuses_non_finite_values_too(db: tuple[Session, District, int]) -> None:
    session, d, _ = db
    rows = [obs.ObservationInput(indicator_id=d.shelters, org_unit_id=d.civil, value_text=text)
            for text in ("NaN", "1e309")]
    with pytest.raises(observation_bulk.BulkRejected, match="不是有限数值") as info:
        observation_bulk.enter_values_bulk(session, user(session, d, "li_jc"), d.open_period, rows[:1])
    assert "不是有限数值" in str(info.value)
    with pytest.raises(observation_bulk.BulkRejected, match="超出可存储的数值范围"):
        observation_bulk.enter_values_bulk(session, user(session, d, "li_jc"), d.open_period, rows[1:], submit=True)
    session.rollback()
    assert count(session, Observation) == 0


@pytest.mark.parametrize(("text", "value"), [("1.2亿", 12000.0), ("12000万", 12000.0), ("1.2万", 1.2),
                                             ("1.2万人", 1.2), ("3.5", 3.5)])
def test_magnitudes_are_converted_to_the_indicators_unit(db: tuple[Session, District, int], text: str,
                                                         value: float) -> None:
    session, d, population = db
    view = _enter(session, d, population, d.civil, text)
    assert (view.value, view.unit) == (value, "万人")
    assert observation_values.check_value(session.get_one(Indicator, population), text) is None


def test_the_instant_check_refuses_an_ambiguous_comma(db: tuple[Session, District, int]) -> None:
    session, d, _ = db
    problem = observation_values.check_value(session.get_one(Indicator, d.enrolment), "49,9")
    assert problem is not None and "逗号有歧义" in problem
    assert observation_values.check_value(session.get_one(Indicator, d.enrolment), "49.9") is None


def test_the_audit_json_refuses_nan(db: tuple[Session, District, int]) -> None:
    session, d, _ = db
    session.add(AuditEvent.of(user(session, d, "li_jc"), "enter", "observation", 1, new={"value": math.nan}))
    with pytest.raises((StatementError, ValueError), match="Out of range float values are not JSON compliant"):
        session.flush()
    session.rollback()
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "enter")).all() == []


@pytest.mark.parametrize("target_dialect", DIALECTS)
def test_a_database_holding_nan_backs_up_as_null_and_restores(tmp_path: Path, target_dialect: str) -> None:
    """A database written by a version that stored NaN (in an audit entry's JSON and in an
    observation's number): the backup writes null there, says where, and restores into
    SQLite and PostgreSQL alike."""
    source = migrated_sqlite_url(tmp_path / "old.db")
    database = Database(source)
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO audit_events (at, actor_login, action, entity, entity_id, new) "
            "VALUES ('2025-01-01 00:00:00', 'old', 'enter', 'observation', '1', '{\"value\": NaN, \"ok\": 2}')")
    database.dispose()
    snapshot = tmp_path / "old.jsonl.gz"
    runner = CliRunner()
    made = runner.invoke(app, ["backup", str(snapshot), "--db", source])
    assert made.exit_code == 0, made.output
    assert "1 处非有限数值" in made.output and "audit_events#1 new" in made.output
    urls = database_url(target_dialect, tmp_path / "target")
    target = next(urls)
    try:
        result = runner.invoke(app, ["restore", str(snapshot), "--db", target])
        assert result.exit_code == 0, result.output
        restored = Database(target)
        with restored.session(readonly=True) as session:
            entry = session.scalars(select(AuditEvent).where(AuditEvent.actor_login == "old")).one()
            assert entry.new == {"value": None, "ok": 2}
        restored.dispose()
    finally:
        urls.close()


def test_a_backup_file_holding_nan_is_refused_in_one_line_and_the_target_stays_empty(tmp_path: Path) -> None:
    """A snapshot edited by hand (or written by an old version) with NaN: the restore names
    the line and leaves the target empty, without a traceback."""
    source = migrated_sqlite_url(tmp_path / "source.db")
    snapshot = tmp_path / "clean.jsonl.gz"
    runner = CliRunner()
    assert runner.invoke(app, ["backup", str(snapshot), "--db", source]).exit_code == 0
    with gzip.open(snapshot, "rt", encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    header = next(n for n, line in enumerate(lines) if '"table": "audit_events"' in line)
    columns = json.loads(lines[header])["columns"]
    row = ["NaN" if c == "new" else None for c in columns]
    row[columns.index("id")], row[columns.index("at")] = 1, "2025-01-01T00:00:00"
    row[columns.index("actor_login")], row[columns.index("action")] = "old", "enter"
    row[columns.index("entity")], row[columns.index("entity_id")] = "observation", "1"
    lines.insert(header + 1, json.dumps(row).replace('"NaN"', "NaN"))
    edited = tmp_path / "edited.jsonl.gz"
    with gzip.open(edited, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
    target = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["restore", str(edited), "--db", target])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "NaN（不是有限数值）" in result.output and "Traceback" not in result.output
    restored = Database(target)
    with restored.session(readonly=True) as session:
        assert session.scalars(select(AuditEvent)).all() == []
    restored.dispose()
