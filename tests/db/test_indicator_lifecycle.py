"""Retiring and merging indicators: audited, all or nothing, and remembered when the plan is
imported again — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_PLAN
from planwatch.services import (
    exchange,
    indicator_lifecycle,
    observation_history,
    observations,
    plan_import,
    plans,
    review,
)
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.indicator_lifecycle import IndicatorStateError, MergeConflicts
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    IndicatorDisposition,
    Observation,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
)


def _user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()


def _plan(session: Session) -> Plan:
    return plans.find_plan(session, "青川区国民经济")


def _observations(session: Session, indicator_id: int) -> set[int]:
    return set(session.scalars(select(Observation.id).where(Observation.indicator_id == indicator_id)))


def _same_unit_pair(session: Session, plan: Plan) -> tuple[int, int]:
    """Two indicators one unit reports, both with figures: merging them has conflicts."""
    reporters: dict[int, set[int]] = {}
    for indicator_id, unit_id in session.execute(select(Observation.indicator_id, Observation.org_unit_id)
                                                 .join(Indicator).where(Indicator.plan_id == plan.id)):
        reporters.setdefault(unit_id, set()).add(indicator_id)
    ids = sorted(next(found for found in reporters.values() if len(found) >= 2))
    return ids[0], ids[1]


def _revised(tmp_path: Path) -> Path:
    """A revision of the demo plan: one other target changed (the same indicator system would
    be the same version, not a new one)."""
    path = tmp_path / "qingchuan_plan_revised.txt"
    text = DEMO_PLAN.read_text(encoding="utf-8").replace("\t88.4\t≥90\t", "\t88.4\t≥91\t")
    assert "≥91" in text
    path.write_text("（修订稿）\n\n" + text, encoding="utf-8")
    return path


def test_merge_moves_figures_with_their_history_and_refuses_unresolved_conflicts(demo_database: Database,
                                                                                tmp_path: Path) -> None:
    with demo_database.session() as session:
        analyst = _user(session, "pinggu")
        plan = _plan(session)
        kept_id, merged_id = _same_unit_pair(session, plan)
        kept, merged = session.get_one(Indicator, kept_id), session.get_one(Indicator, merged_id)
        conflicts = indicator_lifecycle.merge_conflicts(session, kept, merged)
        assert conflicts and all(c.kept_value and c.merged_value for c in conflicts)
        before_kept, before_merged = _observations(session, kept_id), _observations(session, merged_id)
        with pytest.raises(MergeConflicts) as refused:
            indicator_lifecycle.merge(session, analyst, kept_id, merged_id, "同一指标重复列出")
        assert len(refused.value.conflicts) == len(conflicts) and conflicts[0].period in str(refused.value)
        with pytest.raises(IndicatorStateError, match="请填写原因"):
            indicator_lifecycle.merge(session, analyst, kept_id, merged_id, " ", {})
    with demo_database.session(readonly=True) as session:  # refused: nothing moved, nothing retired
        assert _observations(session, kept_id) == before_kept and _observations(session, merged_id) == before_merged
        assert session.get_one(Indicator, merged_id).retired_at is None

    taken, *left = conflicts
    choices: dict[int, indicator_lifecycle.Choice] = {taken.merged_observation_id: "merged"}
    choices |= {c.merged_observation_id: "kept" for c in left}
    with demo_database.session() as session:
        merged_units = set(session.scalars(select(Assignment.org_unit_id).where(Assignment.indicator_id == merged_id)))
        result = indicator_lifecycle.merge(session, _user(session, "pinggu"), kept_id, merged_id,
                                           "同一指标重复列出", choices)
    staying = {c.merged_observation_id for c in left} | {taken.kept_observation_id}
    with demo_database.session(readonly=True) as session:
        assert _observations(session, merged_id) == staying
        assert _observations(session, kept_id) == (before_kept - {taken.kept_observation_id}) | (
            before_merged - staying)
        assert result.moved_observations == len(before_merged) - len(left)
        merged = session.get_one(Indicator, merged_id)
        assert merged.merged_into_id == kept_id and merged.retired_at is not None and "同一指标重复列出" in (
            merged.retired_reason or "")
        assert merged_units <= set(session.scalars(select(Assignment.org_unit_id)
                                                   .where(Assignment.indicator_id == kept_id)))
        moves = Counter(e.entity for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "merge")))
        assert moves["observations"] == len(before_merged) - len(left) + 1 and moves["indicators"] == 1
        # the moved figures' own history (entered, submitted, approved) is now the kept indicator's
        actions = Counter(h.entry.action for h in
                          observation_history.indicator_history_page(session, _user(session, "pinggu"), kept_id).lines)
        assert actions["enter"] >= len(_observations(session, kept_id))  # every figure's entry came along
        assert actions["merge"] == len(before_merged - staying)  # and how it moved
        plan = _plan(session)
        specs = {s.id for s in evaluate_stored_plan(session, None, plan, 2024).specs}
        assert str(kept_id) in specs and str(merged_id) not in specs
        key = session.get_one(Indicator, kept_id).key

    with demo_database.session() as session:  # another unit's indicator: no conflict, every figure moves
        plan = _plan(session)
        other = next(i for i in plan.indicators if i.retired_at is None and i.id != kept_id and _observations(
            session, i.id) and not indicator_lifecycle.merge_conflicts(session, session.get_one(Indicator, kept_id), i))
        theirs, other_id = _observations(session, other.id), other.id
        mine = _observations(session, kept_id)
        indicator_lifecycle.merge(session, _user(session, "tongji"), kept_id, other_id, "口径相同")
    with demo_database.session(readonly=True) as session:
        assert _observations(session, other_id) == set() and _observations(session, kept_id) == mine | theirs

    with demo_database.session() as session:  # a revised plan: the new version is merged the same way
        imported = plan_import.import_file(session, _revised(tmp_path)).plans[0]
        fresh = {i.key: i for i in session.get_one(Plan, imported.plan_id).indicators}
        assert fresh[key].retired_at is None
        assert {i.key for i in fresh.values() if i.merged_into_id == fresh[key].id} == {merged.key, other.key}


def test_retire_takes_an_indicator_out_until_restored_even_across_reimports(demo_database: Database,
                                                                           tmp_path: Path) -> None:
    with demo_database.session() as session:
        analyst, plan = _user(session, "pinggu"), _plan(session)
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                               ReportingPeriod.locked.is_(False))).one()
        assignment = session.scalars(select(Assignment).join(Indicator).where(Indicator.plan_id == plan.id)
                                     .order_by(Assignment.id)).first()
        assert assignment is not None and assignment.indicator_id is not None
        indicator_id, unit = assignment.indicator_id, session.get_one(OrgUnit, assignment.org_unit_id)
        monitoring = _user(session, "tongji")
        listed = {t.code for t in exchange.template_indicators(session, monitoring, plan, unit, period)}
        code = session.get_one(Indicator, indicator_id).code
        assert code in listed
        with pytest.raises(Exception, match="不具备此权限"):
            indicator_lifecycle.retire(session, _user(session, "lingdao"), indicator_id, "不再监测")
        indicator_lifecycle.retire(session, analyst, indicator_id, "统计口径取消，不再监测")
        assert str(indicator_id) not in {s.id for s in evaluate_stored_plan(session, None, plan, 2024).specs}
        assert code not in {t.code for t in exchange.template_indicators(session, monitoring, plan, unit, period)}
        with pytest.raises(observations.ValueRejected, match="已停用"):
            observations.enter_value(session, monitoring, period.id, observations.ObservationInput(
                indicator_id, unit.id, "1"))
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "retire")).one()
        assert event.reason == "统计口径取消，不再监测" and event.entity_id == str(indicator_id)
        key = session.get_one(Indicator, indicator_id).key

    with demo_database.session() as session:
        imported = plan_import.import_file(session, _revised(tmp_path)).plans[0]
        fresh = {i.key: i for i in session.get_one(Plan, imported.plan_id).indicators}
        assert fresh[key].retired_reason == "统计口径取消，不再监测"
        indicator_lifecycle.restore(session, _user(session, "pinggu"), fresh[key].id, "恢复监测")
        assert session.scalars(select(IndicatorDisposition)).all() == []
        with pytest.raises(IndicatorStateError, match="未停用"):
            indicator_lifecycle.restore(session, _user(session, "pinggu"), fresh[key].id, "再次恢复")
        plan = session.get_one(Plan, imported.plan_id)
        assert str(fresh[key].id) in {s.id for s in evaluate_stored_plan(session, None, plan, 2024).specs}


def test_review_queue_leaves_out_figures_of_retired_indicators(demo_database: Database) -> None:
    with demo_database.session() as session:
        monitor = _user(session, "tongji")
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.locked.is_(False))).one()
        queue = review.review_queue(session, monitor, period.id)
        assert queue, "the demo has submitted figures waiting for review"
        retired_id = queue[0].indicator_id
        indicator_lifecycle.retire(session, _user(session, "pinggu"), retired_id, "规划中期调整删除此指标")
    with demo_database.session(readonly=True) as session:
        left = review.review_queue(session, _user(session, "tongji"), period.id)
        assert retired_id not in {v.indicator_id for v in left}
        assert {v.id for v in left} == {v.id for v in queue if v.indicator_id != retired_id}
