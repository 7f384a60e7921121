"""Evaluation follows the data: data versions move on exactly the writes evaluation reads, a
dashboard is never stale after a write that changes it, the stored snapshot serves another
process as it is, and incremental updates give what a whole evaluation gives."""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.engine import Connection

from planwatch.evaluate import Status
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import (
    corrections,
    evaluation,
    evaluation_snapshot,
    kept,
    observation_bulk,
    observations,
    periods,
    review,
)
from planwatch.services.evaluation import changed_since, data_version, evaluate_stored_plan
from planwatch.services.evaluation_snapshot import headline
from planwatch.store import Database
from planwatch.store.evaluation_triggers import SOURCES, ensure_triggers, trigger_names
from planwatch.store.models import (
    Assignment,
    EvaluationResultRow,
    EvaluationSnapshot,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    Target,
    User,
)
from tests.conftest import DIALECTS, District, seeded_database, user


def _forget_in_memory() -> None:
    """What another process (or a restarted one) knows: only the database."""
    kept.forget_all()


@pytest.fixture(params=DIALECTS)
def district(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, District]]:
    """The seeded district, its indicators given baselines (2020) and targets (2030)."""
    with seeded_database(request.param, tmp_path) as (url, seeded):
        database = Database(url)
        with database.session() as session:
            for indicator_id, baseline, target in ((seeded.enrolment, 85.0, 95.0), (seeded.births, 98.0, 99.5),
                                                   (seeded.shelters, 10.0, 30.0), (seeded.growth, 5.0, 6.0)):
                indicator = session.get_one(Indicator, indicator_id)
                indicator.baseline_year, indicator.baseline = 2020, baseline
                indicator.targets = [Target(year=2030, text=f"≥{target:g}", value=target, comparator=">=")]
        _forget_in_memory()
        try:
            yield database, seeded
        finally:
            database.dispose()
            _forget_in_memory()


def _versions(database: Database, plan_id: int) -> tuple[int, int]:
    with database.session(readonly=True) as session:
        return data_version(session, plan_id, 2024), data_version(session, plan_id, 2025)


def _enter(database: Database, district: District, login: str, indicator: int, unit: int, value: str, *,
           period: int | None = None, submit: bool = False) -> int:
    with database.session() as session:
        view = observations.enter_value(session, user(session, district, login), period or district.open_period,
                                        observations.ObservationInput(indicator, unit, value))
        if submit:
            observations.submit(session, user(session, district, login), view.id)
        return view.id


def _approve(database: Database, district: District, observation_id: int) -> None:
    with database.session() as session:
        review.approve(session, user(session, district, "li_jc"), observation_id)


def test_drafts_leave_the_version_alone_and_a_year_moves_only_itself_and_later_years(
        district: tuple[Database, District]) -> None:
    database, d = district
    v2024, v2025 = _versions(database, d.plan_id)
    observation = _enter(database, d, "zhang_jy", d.enrolment, d.education, "95.5")  # a draft of 2025
    assert _versions(database, d.plan_id) == (v2024, v2025)
    _enter(database, d, "zhang_jy", d.enrolment, d.education, "96")  # the draft saved again
    assert _versions(database, d.plan_id) == (v2024, v2025)
    with database.session() as session:
        observations.submit(session, user(session, d, "zhang_jy"), observation)
    submitted = _versions(database, d.plan_id)
    assert submitted[0] == v2024 and submitted[1] > v2025  # completeness of 2025 counts a submission
    _approve(database, d, observation)
    approved = _versions(database, d.plan_id)
    assert approved[0] == v2024 and approved[1] > submitted[1]
    with database.session(readonly=True) as session:
        assert changed_since(session, d.plan_id, 2025, v2025) == {d.enrolment}
        assert changed_since(session, d.plan_id, 2024, v2024) == set()
    with database.session() as session:  # a target: every year of that indicator
        corrections.correct_indicator(session, user(session, d, "wang_pg"), d.births,
                                      corrections.IndicatorFix(target="≥99", target_year=2030), reason="调整")
    targeted = _versions(database, d.plan_id)
    assert targeted[0] > v2024 and targeted[1] > approved[1]
    with database.session(readonly=True) as session:
        assert changed_since(session, d.plan_id, 2024, v2024) == {d.births}
    with database.session() as session:  # settings: every indicator
        session.get_one(Plan, d.plan_id).settings = {"about_tolerance": 0.1}
    with database.session(readonly=True) as session:
        assert changed_since(session, d.plan_id, 2024, targeted[0]) is None
    with database.session() as session:  # flags and an unchanged state write nothing evaluated
        before = _versions(database, d.plan_id)
        session.execute(update(Observation).where(Observation.id == observation).values(flags=["outlier"]))
    assert _versions(database, d.plan_id) == before


def test_no_stale_dashboard_after_an_approval_in_this_or_another_process(
        district: tuple[Database, District]) -> None:
    database, d = district
    with database.session(readonly=True) as session:
        viewer = user(session, d, "zhao_ck")
        plan = session.get_one(Plan, d.plan_id)
        before = headline(session, viewer, plan, 2025)
    assert before.summary.total == 4 and before.summary.counts.get(Status.NO_DATA) == 4
    assert {c.org_unit: c.reported for c in before.completeness} == {
        "青川区教育局": 0, "青川区卫生健康委员会": 0, "青川区民政局": 0}
    observation = _enter(database, d, "chen_wj", d.births, d.health, "99.2", submit=True)
    with database.session(readonly=True) as session:
        submitted = headline(session, viewer, session.get_one(Plan, d.plan_id), 2025)
    assert submitted.version > before.version and submitted.summary == before.summary
    assert {c.org_unit: c.reported for c in submitted.completeness}["青川区卫生健康委员会"] == 1
    _approve(database, d, observation)
    with database.session(readonly=True) as session:  # the next view, in the same process
        after = headline(session, viewer, session.get_one(Plan, d.plan_id), 2025)
    assert after.summary.counts.get(Status.NO_DATA) == 3
    assert str(d.births) not in {w.indicator_id for w in after.warnings} and after.warning_count == 3
    _forget_in_memory()
    other_host = Database(database.url)
    try:
        with other_host.session(readonly=True) as session:
            stored = headline(session, viewer, session.get_one(Plan, d.plan_id), 2025)
            whole = evaluate_stored_plan(session, viewer, session.get_one(Plan, d.plan_id), 2025)
    finally:
        other_host.dispose()
    assert stored == after
    assert stored.summary == whole.summary and stored.warnings == whole.warnings
    assert [(c.org_unit, c.expected, c.reported) for c in stored.completeness] == sorted(
        (c.org_unit, c.expected, c.reported) for c in whole.completeness)


def test_a_refresh_reads_and_evaluates_before_it_takes_the_write_lock(district: tuple[Database, District]) -> None:
    """A dashboard's refresh writes the snapshot in a transaction of upserts alone: on SQLite
    the write lock it takes is every clerk's, and evaluating inside it kept saves waiting."""
    database, d = district
    with database.session(readonly=True) as session:
        headline(session, None, session.get_one(Plan, d.plan_id), 2025)
    _approve(database, d, _enter(database, d, "zhang_jy", d.enrolment, d.education, "88", submit=True))
    _enter(database, d, "chen_wj", d.births, d.health, "99.2", submit=True)
    written: list[str] = []

    def note(_connection: Connection, _cursor: object, statement: str, *_args: object) -> None:
        written.append(statement.split(None, 1)[0].upper())

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.session(readonly=True) as session:
            refreshed = headline(session, None, session.get_one(Plan, d.plan_id), 2025)
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert refreshed.summary.counts.get(Status.NO_DATA) == 3
    assert written and set(written) <= {"INSERT", "DELETE", "BEGIN", "SELECT"}, written
    assert "SELECT" not in written or database.dialect == "postgresql", written  # PostgreSQL pings its pool


def test_a_restart_reads_the_stored_snapshot_instead_of_evaluating(district: tuple[Database, District],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    database, d = district
    _approve(database, d, _enter(database, d, "zhang_jy", d.enrolment, d.education, "88", submit=True))
    with database.session(readonly=True) as session:
        first = headline(session, None, session.get_one(Plan, d.plan_id), 2025)
    _forget_in_memory()
    evaluated: list[object] = []
    monkeypatch.setattr(evaluation, "_evaluate", lambda *args: evaluated.append(args))
    with database.session(readonly=True) as session:
        assert headline(session, None, session.get_one(Plan, d.plan_id), 2025) == first
    assert evaluated == []


def test_many_dashboards_at_once_after_a_write_evaluate_once(district: tuple[Database, District],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    database, d = district
    with database.session(readonly=True) as session:
        headline(session, None, session.get_one(Plan, d.plan_id), 2025)
    _approve(database, d, _enter(database, d, "zhang_jy", d.enrolment, d.education, "91", submit=True))
    runs: list[set[int] | None] = []
    real = evaluation._evaluate

    def counted(*args: Any) -> Any:
        runs.append(args[5])
        return real(*args)

    monkeypatch.setattr(evaluation, "_evaluate", counted)
    start = threading.Barrier(6)

    def dashboard() -> evaluation_snapshot.Headline:
        with database.session(readonly=True) as session:
            start.wait()
            return headline(session, None, session.get_one(Plan, d.plan_id), 2025)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: dashboard(), range(6)))
    assert runs == [{d.enrolment}]  # one evaluation, of the one indicator that changed
    assert all(r == results[0] for r in results)


# ---- incremental = whole ---------------------------------------------------------------------

def _grow(database: Database, d: District, rng: random.Random) -> list[int]:
    """Thirty more indicators with targets, units and four years of approved figures."""
    with database.session() as session:
        plan = session.get_one(Plan, d.plan_id)
        units = [d.education, d.health, d.civil]
        made = []
        for n in range(30):
            indicator = Indicator(plan_id=plan.id, key=f"g{n}", code=f"G{n:03d}", name=f"监测指标{n:03d}", unit="%",
                                  domain=f"领域{n % 3}", attribute="约束性" if n % 4 == 0 else "预期性",
                                  baseline_year=2020, baseline=50.0, kind="table", file="children.txt", line=100 + n)
            indicator.targets = [Target(year=2030, text="≥80", value=80.0, comparator=">=")]
            session.add(indicator)
            made.append(indicator)
        session.flush()
        session.add_all(Assignment(indicator_id=i.id, org_unit_id=units[n % 3], role="牵头")
                        for n, i in enumerate(made))
        session.flush()
        monitoring = session.get_one(User, d.users["li_jc"])
        for year in (2021, 2022, 2023):
            period = periods.create_period(session, monitoring, plan.id, year,
                                           opens_at=datetime.now(UTC) - timedelta(days=400),
                                           closes_at=datetime.now(UTC) - timedelta(days=300))
            items = [observations.ObservationInput(i.id, units[n % 3], f"{50 + (year - 2020) * rng.uniform(0, 8):.2f}")
                     for n, i in enumerate(made) if rng.random() < 0.9]
            result = observation_bulk.enter_values_bulk(session, monitoring, period.id, items, submit=True)
            review.approve_many(session, session.get_one(User, d.users["sun_jc"]), result.observation_ids)
        return [i.id for i in made]


def _change_something(database: Database, d: District, ids: list[int], rng: random.Random) -> None:
    with database.session() as session:
        chosen = rng.choice(ids)
        kind = rng.choice(["value", "state", "target", "baseline", "retire", "unit", "assignment", "restore"])
        if kind == "value":
            obs = session.scalars(select(Observation).where(Observation.indicator_id == chosen)).first()
            if obs is not None:
                revision = session.get_one(ObservationRevision, session.scalar(
                    select(ObservationRevision.id).where(ObservationRevision.observation_id == obs.id,
                                                         ObservationRevision.revision == obs.current_revision)))
                value = round(rng.uniform(40, 95), 2)
                session.add(ObservationRevision(observation_id=obs.id, revision=obs.current_revision + 1,
                                                value_text=str(value), value=value, unit="%",
                                                entered_by_id=revision.entered_by_id, entered_at=revision.entered_at))
                session.flush()
                obs.current_revision += 1
        elif kind == "state":
            obs = session.scalars(select(Observation).where(Observation.indicator_id == chosen)).first()
            if obs is not None:
                obs.state = "submitted" if obs.state == "approved" else "approved"
        elif kind == "target":
            session.execute(update(Target).where(Target.indicator_id == chosen).values(
                value=rng.choice([60.0, 80.0, 95.0]), text="≥x"))
        elif kind == "baseline":
            session.execute(update(Indicator).where(Indicator.id == chosen).values(baseline=rng.uniform(30, 60)))
        elif kind in ("retire", "restore"):
            session.execute(update(Indicator).where(Indicator.id == chosen).values(
                retired_at=datetime.now(UTC) if kind == "retire" else None))
        elif kind == "unit":
            unit = session.get_one(OrgUnit, rng.choice([d.education, d.health, d.civil]))
            unit.name = unit.name.removesuffix("（新）") + ("" if unit.name.endswith("（新）") else "（新）")
        else:
            session.execute(update(Assignment).where(Assignment.indicator_id == chosen).values(
                role=rng.choice(["牵头", "责任", "配合"])))


def _fields(result: Any) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def test_incremental_updates_give_what_a_whole_evaluation_gives(district: tuple[Database, District]) -> None:
    database, d = district
    rng = random.Random(23)
    ids = _grow(database, d, rng)
    for _round in range(12):
        with database.session(readonly=True) as session:  # the process and the snapshot follow along
            plan = session.get_one(Plan, d.plan_id)
            followed = headline(session, None, plan, 2023)
            spliced = evaluate_stored_plan(session, None, plan, 2023)
        for _ in range(rng.randint(1, 3)):
            _change_something(database, d, ids, rng)
        with database.session(readonly=True) as session:
            plan = session.get_one(Plan, d.plan_id)
            followed = headline(session, None, plan, 2023)
            spliced = evaluate_stored_plan(session, None, plan, 2023)
        _forget_in_memory()
        with database.session() as session:
            session.execute(delete(EvaluationSnapshot))
            session.execute(delete(EvaluationResultRow))
        with database.session(readonly=True) as session:
            plan = session.get_one(Plan, d.plan_id)
            whole = evaluate_stored_plan(session, None, plan, 2023)
            assert followed == headline(session, None, plan, 2023)
        for mine, theirs in zip(spliced.results, whole.results, strict=True):
            assert {k: v for k, v in _fields(mine).items() if _fields(theirs)[k] != v} == {}, mine.indicator_id
        assert spliced.specs == whole.specs and spliced.values == whole.values
        assert spliced.completeness == whole.completeness
        assert followed.summary == whole.summary and followed.warning_count == len(whole.warnings)
        assert followed.warnings == whole.warnings[:evaluation_snapshot.WARNINGS_KEPT]
        with database.session(readonly=True) as session:  # next round starts from this state
            headline(session, None, session.get_one(Plan, d.plan_id), 2023)
            evaluate_stored_plan(session, None, session.get_one(Plan, d.plan_id), 2023)


def test_a_dashboards_warning_sentences_follow_every_change(district: tuple[Database, District]) -> None:
    """The results behind the warnings' sentences are kept and only those changed evaluated
    again: after each change they are what an evaluation of the listed indicators gives."""
    database, d = district
    rng = random.Random(29)
    ids = _grow(database, d, rng)
    for _round in range(10):
        for _ in range(rng.randint(1, 3)):
            _change_something(database, d, ids, rng)
        with database.session(readonly=True) as session:
            plan = session.get_one(Plan, d.plan_id)
            figures = headline(session, None, plan, 2023)
            kept_results = evaluation_snapshot.warning_results(session, None, plan, figures)
            fresh = {r.indicator_id: r for r in evaluate_stored_plan(
                session, None, plan, 2023, indicator_ids=[int(w.indicator_id) for w in figures.warnings]).results}
        assert figures.warnings and kept_results == fresh


# ---- the triggers themselves -----------------------------------------------------------------

@pytest.mark.parametrize("dialect", [p for p in DIALECTS if getattr(p, "values", (p,))[0] == "postgresql"])
def test_versions_count_up_in_commit_order_on_postgresql(dialect: str, tmp_path: Path) -> None:
    """The transaction that wrote first but commits last still gets the newer version, so a
    reader that saw the other's version never misses its change."""
    with seeded_database(dialect, tmp_path) as (url, d):
        database = Database(url)
        try:
            first = _enter(database, d, "zhang_jy", d.enrolment, d.education, "90")
            second = _enter(database, d, "chen_wj", d.births, d.health, "99")
            slow, fast = database.sessions(), database.sessions()
            slow.execute(update(Observation).where(Observation.id == first).values(
                state="submitted", version=Observation.version + 1))
            fast.execute(update(Observation).where(Observation.id == second).values(
                state="submitted", version=Observation.version + 1))
            fast.commit()
            seen = _versions(database, d.plan_id)[1]
            slow.commit()
            slow.close()
            fast.close()
            with database.session(readonly=True) as session:
                assert data_version(session, d.plan_id, 2025) > seen
                assert changed_since(session, d.plan_id, 2025, seen) == {d.enrolment}
        finally:
            database.dispose()


def test_every_table_evaluation_reads_has_version_triggers(district: tuple[Database, District]) -> None:
    """Add a table to what evaluation reads, and this fails until SOURCES names it."""
    database, d = district
    _approve(database, d, _enter(database, d, "zhang_jy", d.enrolment, d.education, "93", submit=True))
    read: set[str] = set()

    def seen(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            read.update(re.findall(r"\b(?:FROM|JOIN)\s+\"?(\w+)", statement, flags=re.IGNORECASE))

    for engine in (database.engine, database.read_engine):
        event.listen(engine, "before_cursor_execute", seen)
    with database.session(readonly=True) as session:
        plan = session.get_one(Plan, d.plan_id)
        headline(session, None, plan, 2025)
        evaluate_stored_plan(session, user(session, d, "zhang_jy"), plan, 2025)
        evaluation_snapshot.indicator_page(session, user(session, d, "zhao_ck"), plan, 2025)
    bookkeeping = {"evaluation_versions", "evaluation_changes", "evaluation_snapshots", "evaluation_results"}
    unchanging = {
        "reporting_periods",  # a period's plan and year never change once created
        "observation_revisions",  # append-only: a new value is a new revision the observation then points at
        "users",  # who asks, not what is evaluated
    }
    assert read - bookkeeping - unchanging == {s.table for s in SOURCES}


def test_triggers_a_migration_dropped_come_back_at_the_next_start(district: tuple[Database, District]) -> None:
    database, _ = district
    table, name = trigger_names(database.dialect)[0]
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER {name}" + (f" ON {table}" if database.dialect == "postgresql" else "")))
    database.upgrade()
    with database.engine.begin() as connection:
        assert ensure_triggers(connection) == 0  # all present again


def test_bulk_inserts_count_too(district: tuple[Database, District]) -> None:
    """Rows written past the ORM (a restore, a bulk load) move the versions as well."""
    database, d = district
    v2024, _ = _versions(database, d.plan_id)
    with database.session() as session:
        entered_by = d.users["li_jc"]
        now = datetime.now(UTC)
        new_id = session.scalar(insert(Observation).returning(Observation.id).values(
            indicator_id=d.growth, org_unit_id=d.civil, period_id=d.closed_period, sex="", area="", age_group="",
            state="approved", current_revision=1, flags=[], version=1, updated_at=now))
        session.execute(insert(ObservationRevision).values(observation_id=new_id, revision=1, value_text="6.1",
                                                           value=6.1, unit="%", source="", note="",
                                                           entered_by_id=entered_by, entered_at=now))
    with database.session(readonly=True) as session:
        assert data_version(session, d.plan_id, 2024) > v2024
        assert changed_since(session, d.plan_id, 2024, v2024) == {d.growth}


def test_period_totals_follow_submissions_and_approvals(district: tuple[Database, District]) -> None:
    database, d = district

    def totals() -> tuple[int, int, int]:
        with database.session(readonly=True) as session:
            found = periods.period_totals(session, user(session, d, "li_jc"), d.plan_id)[d.open_period]
        return found.expected, found.reported, found.approved

    assert totals() == (5, 0, 0)  # five assignments of four indicators
    observation = _enter(database, d, "zhang_jy", d.enrolment, d.education, "90")
    assert totals() == (5, 0, 0)  # a draft is not reported
    with database.session() as session:
        observations.submit(session, user(session, d, "zhang_jy"), observation)
    assert totals() == (5, 1, 0)
    _approve(database, d, observation)
    assert totals() == (5, 1, 1)
    with database.session(readonly=True) as session, pytest.raises(PermissionDenied):
        periods.period_totals(session, user(session, d, "zhang_jy"), d.plan_id)
