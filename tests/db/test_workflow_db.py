"""The reporting workflow against a real database: values, review, locks, audit, bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied, WindowClosed
from planwatch.monitor.workflow import CommentRequired, InvalidTransition, ObservationState
from planwatch.services import observation_bulk, observation_history, periods, review
from planwatch.services import observations as obs
from planwatch.store.models.monitoring import (
    AppendOnlyViolation,
    AuditEvent,
    Observation,
    ObservationRevision,
)
from tests.conftest import DIALECTS, District, count, seeded, user

S = ObservationState


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District]]:
    with seeded(request.param, tmp_path) as pair:
        yield pair


def _entry(d: District, indicator: int, unit: int, text: str, **kw: object) -> obs.ObservationInput:
    return obs.ObservationInput(indicator_id=indicator, org_unit_id=unit, value_text=text, **kw)  # type: ignore[arg-type]


def _events(session: Session, observation_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.entity == obs.OBSERVATION_ENTITY, AuditEvent.entity_id == str(observation_id))
        .order_by(AuditEvent.id)))


def test_round_trip_with_return_and_resubmission(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    first = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "９２．５％",
                                                                    source="教育事业统计年报"))
    assert (first.state, first.value, first.unit, first.revision) == (S.DRAFT, 92.5, "%", 1)
    obs.submit(session, clerk, first.id)
    returned = review.return_observation(session, monitor, first.id, "与年报口径不一致，请核实在园幼儿数")
    assert returned.state is S.RETURNED
    corrected = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "93.1%"))
    assert (corrected.id, corrected.state, corrected.revision) == (first.id, S.RETURNED, 2)
    obs.submit(session, clerk, first.id)
    approved = review.approve(session, monitor, first.id)
    session.commit()
    assert (approved.state, approved.value, approved.revision) == (S.APPROVED, 93.1, 2)
    events = _events(session, first.id)
    assert [e.action for e in events] == ["enter", "submit", "return", "enter", "submit", "approve"]
    assert [e.actor_login for e in events] == ["zhang_jy", "zhang_jy", "li_jc", "zhang_jy", "zhang_jy", "li_jc"]
    assert events[2].reason == "与年报口径不一致，请核实在园幼儿数"
    assert events[3].old is not None and events[3].old["value_text"] == "９２．５％"
    revisions = session.scalars(select(ObservationRevision.value_text)
                                .where(ObservationRevision.observation_id == first.id)
                                .order_by(ObservationRevision.revision)).all()
    assert revisions == ["９２．５％", "93.1%"]


def test_return_needs_a_comment_and_changes_nothing_without_one(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.submit(session, clerk, view.id)
    session.commit()
    before = count(session, AuditEvent)
    with pytest.raises(CommentRequired):
        review.return_observation(session, monitor, view.id, "  ")
    session.rollback()
    assert obs.get_observation(session, monitor, view.id).state is S.SUBMITTED
    assert count(session, AuditEvent) == before
    with pytest.raises(InvalidTransition):
        obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "96%"))


def test_only_the_monitoring_group_reopens_approved_values(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.submit(session, clerk, view.id)
    review.approve(session, monitor, view.id)
    session.commit()
    for login in ("zhang_jy", "wang_pg", "admin", "zhao_ck"):
        with pytest.raises(PermissionDenied, match=login):
            review.reopen_observation(session, user(session, d, login), view.id, "需要更正")
        session.rollback()
    reopened = review.reopen_observation(session, monitor, view.id, "统计年鉴公布数据已修订")
    assert reopened.state is S.RETURNED
    assert _events(session, view.id)[-1].reason == "统计年鉴公布数据已修订"


def test_clerk_cannot_write_another_units_data(db: tuple[Session, District]) -> None:
    session, d = db
    clerk_health = user(session, d, "chen_wj")
    mine = obs.enter_value(session, user(session, d, "zhang_jy"), d.open_period,
                           _entry(d, d.enrolment, d.education, "95%"))
    session.commit()
    rows, events, revisions = count(session, Observation), count(session, AuditEvent), count(session, ObservationRevision)
    with pytest.raises(PermissionDenied, match="青川区教育局"):
        obs.enter_value(session, clerk_health, d.open_period, _entry(d, d.enrolment, d.education, "10%"))
    session.rollback()
    with pytest.raises(PermissionDenied, match="青川区教育局"):
        obs.submit(session, clerk_health, mine.id)
    session.rollback()
    with pytest.raises(PermissionDenied, match="未分配"):  # own unit, but not an indicator of the unit
        obs.enter_value(session, clerk_health, d.open_period, _entry(d, d.enrolment, d.health, "10%"))
    session.rollback()
    assert (count(session, Observation), count(session, AuditEvent), count(session, ObservationRevision)) == (
        rows, events, revisions)
    assert obs.get_observation(session, user(session, d, "li_jc"), mine.id).value == 95.0
    assert [v.org_unit_id for v in obs.list_observations(session, clerk_health, d.open_period)] == []
    with pytest.raises(PermissionDenied):
        obs.list_observations(session, clerk_health, d.open_period, org_unit_id=d.education)


def test_reporting_window_binds_clerks_not_the_monitoring_group(db: tuple[Session, District]) -> None:
    session, d = db
    with pytest.raises(WindowClosed, match="zhang_jy"):
        obs.enter_value(session, user(session, d, "zhang_jy"), d.closed_period,
                        _entry(d, d.enrolment, d.education, "94%"))
    session.rollback()
    late = obs.enter_value(session, user(session, d, "li_jc"), d.closed_period,
                           _entry(d, d.enrolment, d.education, "94%", note="据年报补录"))
    assert late.state is S.DRAFT
    monitor = user(session, d, "li_jc")
    now = datetime.now(UTC)
    periods.set_window(session, user(session, d, "admin"), d.closed_period, opens_at=now - timedelta(days=60),
                       closes_at=now + timedelta(days=2), reason="教育局申请延期")
    obs.submit(session, user(session, d, "zhang_jy"), late.id)
    session.commit()
    assert obs.get_observation(session, monitor, late.id).state is S.SUBMITTED


def test_locked_period_refuses_every_change(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.submit(session, clerk, view.id)
    locked = periods.lock_period(session, monitor, d.open_period, reason="2025年数据已审定")
    session.commit()
    assert locked.locked and not locked.window_open
    revisions = count(session, ObservationRevision)
    attempts: tuple[Callable[[], object], ...] = (
        lambda: obs.enter_value(session, monitor, d.open_period, _entry(d, d.enrolment, d.education, "97%")),
        lambda: review.approve(session, monitor, view.id),
        lambda: obs.enter_value(session, monitor, d.open_period, _entry(d, d.births, d.health, "99%")),
    )
    for attempt in attempts:
        with pytest.raises(periods.PeriodLocked, match="已锁定"):
            attempt()
        session.rollback()
    with pytest.raises(WindowClosed):  # a clerk is stopped by the closed window before the lock
        obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "97%"))
    session.rollback()
    assert count(session, ObservationRevision) == revisions
    with pytest.raises(PermissionDenied):
        periods.reopen_period(session, clerk, d.open_period, "想改数据")
    session.rollback()
    with pytest.raises(PermissionDenied):  # the monitoring group locks; an administrator reopens
        periods.reopen_period(session, monitor, d.open_period, "卫健委补报")
    session.rollback()
    admin = user(session, d, "admin")
    with pytest.raises(periods.PeriodInputError, match="原因"):
        periods.reopen_period(session, admin, d.open_period, "")
    periods.reopen_period(session, admin, d.open_period, "卫健委补报")
    assert review.approve(session, monitor, view.id).state is S.APPROVED
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == periods.PERIOD_ENTITY,
                                                              AuditEvent.entity_id == str(d.open_period))
                              .order_by(AuditEvent.id)).all()
    assert actions == ["create", "lock_period", "reopen_period"]


@pytest.mark.parametrize(("indicator", "text", "value", "problem"), [
    ("enrolment", "待统计", None, "不是数值"),
    ("enrolment", "95‰", None, "单位"),
    ("growth", "-2.5%", -2.5, None),
    ("shelters", "1.2万", 12000.0, None),
    ("shelters", "３６个", 36.0, None),
    ("enrolment", "９８．６", 98.6, None),
])
def test_values_are_checked_on_submit(db: tuple[Session, District], indicator: str, text: str,
                                      value: float | None, problem: str | None) -> None:
    session, d = db
    monitor = user(session, d, "li_jc")
    ind = getattr(d, indicator)
    unit = {"enrolment": d.education, "growth": d.civil, "shelters": d.civil}[indicator]
    draft = obs.enter_value(session, monitor, d.open_period, _entry(d, ind, unit, text))
    session.commit()
    if problem is None:
        submitted = obs.submit(session, monitor, draft.id)
        assert (submitted.state, submitted.value) == (S.SUBMITTED, value)
    else:
        with pytest.raises(obs.ValueRejected, match=problem) as info:
            obs.submit(session, monitor, draft.id)
        assert text in str(info.value) or "单位" in str(info.value)
        session.rollback()
        assert obs.get_observation(session, monitor, draft.id).state is S.DRAFT


def test_outliers_are_flagged_for_review_not_rejected(db: tuple[Session, District]) -> None:
    session, d = db
    monitor, colleague = user(session, d, "li_jc"), user(session, d, "sun_jc")
    now = datetime.now(UTC)
    for year, figure in [(2021, "88.0%"), (2022, "89.5%"), (2023, "91.0%")]:
        period = periods.create_period(session, monitor, d.plan_id, year, opens_at=now - timedelta(days=9),
                                       closes_at=now + timedelta(days=9))
        view = obs.enter_value(session, monitor, period.id, _entry(d, d.enrolment, d.education, figure))
        obs.submit(session, monitor, view.id)
        review.approve(session, colleague, view.id)  # the four-eyes rule: not the one who entered it
    normal = obs.enter_value(session, monitor, d.open_period, _entry(d, d.enrolment, d.education, "92%"))
    assert obs.submit(session, monitor, normal.id).flags == ()
    odd = obs.enter_value(session, monitor, d.open_period, _entry(d, d.enrolment, d.education, "29%",
                                                                   disaggregation=obs.Disaggregation(area="rural")))
    assert obs.submit(session, monitor, odd.id).flags == ()  # no rural history yet
    review.return_observation(session, monitor, normal.id, "请复核")
    obs.enter_value(session, monitor, d.open_period, _entry(d, d.enrolment, d.education, "29%"))
    flagged = obs.submit(session, monitor, normal.id)
    session.commit()
    assert (flagged.state, flagged.flags) == (S.SUBMITTED, ("outlier",))
    queue = review.review_queue(session, monitor, d.open_period)
    assert [v.id for v in queue] == [normal.id, odd.id]
    bounds = _events(session, normal.id)[-1].new
    assert bounds is not None and bounds["bounds"][0] > 29


def test_stale_form_is_refused(db: tuple[Session, District]) -> None:
    session, d = db
    clerk = user(session, d, "zhang_jy")
    view = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "96%"),
                    expected_version=view.version)
    session.commit()
    with pytest.raises(obs.ConcurrentUpdate, match="刷新"):
        obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "97%"),
                        expected_version=view.version)
    session.rollback()
    assert obs.get_observation(session, clerk, view.id).value_text == "96%"


def test_history_cannot_be_rewritten(db: tuple[Session, District]) -> None:
    session, d = db
    view = obs.enter_value(session, user(session, d, "zhang_jy"), d.open_period,
                           _entry(d, d.enrolment, d.education, "95%"))
    session.commit()
    revision = session.scalars(select(ObservationRevision)).one()
    revision.value_text = "99%"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    session.delete(session.scalars(select(AuditEvent)).first())
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    session.delete(session.get_one(Observation, view.id))
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    assert session.scalars(select(ObservationRevision.value_text)).one() == "95%"


def test_audit_trail_replays_every_observation(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    ids = []
    for i, figure in enumerate(["95%", "93%", "97.5%"]):
        view = obs.enter_value(session, clerk, d.open_period, _entry(
            d, d.enrolment, d.education, figure, disaggregation=obs.Disaggregation(sex=["", "male", "female"][i])))
        obs.submit(session, clerk, view.id)
        ids.append(view.id)
    review.return_many(session, monitor, ids[:2], "请补充数据来源")
    obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95.2%", source="年报"))
    obs.submit(session, clerk, ids[0])
    review.approve_many(session, monitor, [ids[0], ids[2]])
    session.commit()
    for observation in session.scalars(select(Observation)):
        state, revision = None, 0
        for event in _events(session, observation.id):
            assert (event.old or {}).get("state") == state
            state = event.new["state"] if event.new else None
            revision = event.new["revision"] if event.new else revision
        assert (state, revision) == (observation.state, observation.current_revision)
        entered = [e.new["value_text"] for e in _events(session, observation.id) if e.action == "enter" and e.new]
        stored = session.scalars(select(ObservationRevision.value_text).where(
            ObservationRevision.observation_id == observation.id).order_by(ObservationRevision.revision)).all()
        assert entered == stored


def test_completeness_per_unit(db: tuple[Session, District]) -> None:
    session, d = db
    monitor = user(session, d, "li_jc")
    civil_clerk = user(session, d, "liu_mz")
    a = obs.enter_value(session, civil_clerk, d.open_period, _entry(d, d.shelters, d.civil, "36"))
    obs.submit(session, civil_clerk, a.id)
    obs.enter_value(session, civil_clerk, d.open_period, _entry(d, d.growth, d.civil, "6.1%"))
    obs.enter_value(session, civil_clerk, d.open_period, _entry(
        d, d.growth, d.civil, "6.3%", disaggregation=obs.Disaggregation(area="urban")))
    b = obs.enter_value(session, user(session, d, "zhang_jy"), d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.submit(session, user(session, d, "zhang_jy"), b.id)
    review.approve(session, monitor, b.id)
    session.commit()
    report = {r.org_unit_name: r for r in periods.completeness_report(session, monitor, d.open_period)}
    civil, edu, health = report["青川区民政局"], report["青川区教育局"], report["青川区卫生健康委员会"]
    assert (civil.expected, civil.entered, civil.submitted, civil.missing) == (2, 2, 1, 0)
    assert civil.reported_ratio == 0.5
    assert (edu.expected, edu.entered, edu.approved, edu.missing) == (2, 1, 1, 1)
    assert (health.expected, health.entered, health.reported_ratio) == (1, 0, 0.0)
    own = periods.completeness_report(session, civil_clerk, d.open_period)
    assert [r.org_unit_id for r in own] == [d.civil]


def test_bulk_entry_is_all_or_nothing(db: tuple[Session, District]) -> None:
    session, d = db
    monitor = user(session, d, "li_jc")
    existing = obs.enter_value(session, monitor, d.open_period, _entry(d, d.enrolment, d.education, "90%"))
    session.commit()
    before = (count(session, Observation), count(session, ObservationRevision), count(session, AuditEvent))
    bad = [_entry(d, d.births, d.health, "99.2%"), _entry(d, d.shelters, d.civil, "若干"),
           _entry(d, d.shelters, d.education, "4")]
    with pytest.raises(observation_bulk.BulkRejected, match="第 2 行") as info:
        observation_bulk.enter_values_bulk(session, monitor, d.open_period, bad, submit=True)
    assert len(info.value.problems) == 1
    session.rollback()
    assert (count(session, Observation), count(session, ObservationRevision), count(session, AuditEvent)) == before
    with pytest.raises(PermissionDenied):
        observation_bulk.enter_values_bulk(session, user(session, d, "chen_wj"), d.open_period,
                              [_entry(d, d.births, d.health, "99%"), _entry(d, d.enrolment, d.education, "1%")])
    session.rollback()
    good = [*bad[:1], _entry(d, d.shelters, d.civil, "36"), bad[2], _entry(d, d.enrolment, d.education, "91%")]
    result = observation_bulk.enter_values_bulk(session, monitor, d.open_period, good, submit=True)
    session.commit()
    assert (result.created, result.updated, result.submitted) == (3, 1, 4)
    views = obs.list_observations(session, monitor, d.open_period)
    assert sorted(v.value for v in views if v.value is not None) == [4.0, 36.0, 91.0, 99.2]
    assert {v.state for v in views} == {S.SUBMITTED}
    assert next(v for v in views if v.id == existing.id).revision == 2
    assert count(session, AuditEvent) - before[2] == 2 * len(good)


def test_database_refuses_rewriting_history_too(db: tuple[Session, District]) -> None:
    session, d = db
    view = obs.enter_value(session, user(session, d, "zhang_jy"), d.open_period,
                           _entry(d, d.enrolment, d.education, "95%"))
    session.commit()
    for statement in ("UPDATE observation_revisions SET value_text = '99%'", "DELETE FROM audit_events",
                      f"DELETE FROM observations WHERE id = {view.id}"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    session.execute(update(Observation).where(Observation.id == view.id).values(flags=["outlier"]))
    session.rollback()
    assert session.scalars(select(ObservationRevision.value_text)).one() == "95%"


def test_history_and_approved_values_for_evaluation(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%"))
    obs.submit(session, clerk, view.id)
    review.return_observation(session, monitor, view.id, "请注明数据来源")
    obs.enter_value(session, clerk, d.open_period, _entry(d, d.enrolment, d.education, "95%", source="年报"))
    obs.submit(session, clerk, view.id)
    review.approve(session, monitor, view.id)
    draft = obs.enter_value(session, monitor, d.open_period, _entry(d, d.births, d.health, "99.1%"))
    session.commit()
    history = observation_history.observation_history(session, clerk, view.id)
    assert [h.action for h in history] == ["enter", "submit", "return", "enter", "submit", "approve"]
    assert history[2].reason == "请注明数据来源" and history[2].actor_login == "li_jc"
    with pytest.raises(PermissionDenied):
        observation_history.observation_history(session, user(session, d, "chen_wj"), view.id)
    values = observation_history.approved_values(session, user(session, d, "wang_pg"), d.plan_id)
    assert [(v.indicator_id, v.year, v.value, v.unit) for v in values] == [(d.enrolment, 2025, 95.0, "%")]
    assert draft.state is S.DRAFT and d.births not in {v.indicator_id for v in values}
    assert observation_history.approved_values(session, user(session, d, "chen_wj"), d.plan_id) == []
