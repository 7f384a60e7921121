"""Target types end to end in the store: a district plan's amounts entered as yearly increments
and summed, its qualitative targets judged with evidence and approved under four eyes, the type
corrected and kept across re-imports, and databases from before types were kept upgraded.

The fictional 云溪区 city-renewal plan (2026–2030, base year 2025) is in ``typed_plan.py``.
Statuses are worked by hand in the comments (预期性: 正常 ≥ −10 points of completion against
the schedule, 滞后 ≥ −30; 约束性: 正常 ≥ −5, 滞后 ≥ −15).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.evaluate import EvaluationResult, Status
from planwatch.services import assessment, observation_bulk, observations, periods, plan_import, review
from planwatch.services.corrections import CorrectionError, IndicatorFix, correct_indicator
from planwatch.services.evaluation import PlanEvaluation, evaluate_stored_plan
from planwatch.store import Database
from planwatch.store.migrate import alembic_config
from planwatch.store.models import AuditEvent, Correction, Indicator, Plan, Target, User, utcnow
from tests.db.typed_plan import TITLE, plan_file, set_up

# name → (clerk, what the clerk enters for 2026, evidence)
ENTRIES_2026 = {
    "街区更新数量": ("gh_yx", "1", ""),
    "老旧住房综合修缮面积": ("fg_yx", "10", ""),
    "新建或改建口袋公园数量": ("lh_yx", "0", ""),
    "新增各类绿化面积": ("lh_yx", "0.4", ""),
    "社区养老服务设施覆盖率": ("mz_yx", "72", ""),
    "区级一般公共预算收入年均增速": ("cz_yx", "达到", "全区增长5.8%，全市增长5.5%"),
    "细颗粒物（PM2.5）浓度": ("st_yx", "未达到", "年均浓度30微克/立方米，市下达年度目标28"),
}
# What a monitoring officer works out by hand for 2026 (t0 = 2025, tT = 2030, s = 1/5 = 0.2):
EXPECTED_2026 = {
    # S = 1 of 4: c = 0.25, c − s = +0.05 → 正常
    "街区更新数量": (Status.ON_TRACK, 1.0, 0.25),
    # 约束性, S = 10 of 60: c = 0.1667, c − s = −0.033 ≥ −0.05 → 正常
    "老旧住房综合修缮面积": (Status.ON_TRACK, 10.0, 10 / 60),
    # S = 0 of 10: c = 0, c − s = −0.2 ≥ −0.3 → 滞后
    "新建或改建口袋公园数量": (Status.BEHIND, 0.0, 0.0),
    # 约束性, S = 0.4 of 3: c = 0.1333, c − s = −0.067 < −0.05, ≥ −0.15 → 滞后
    "新增各类绿化面积": (Status.BEHIND, 0.4, 0.4 / 3),
    # a level without a printed baseline: progress needs one → 缺基期值 (the only type that asks)
    "社区养老服务设施覆盖率": (Status.MISSING_BASELINE, 72.0, None),
    # no value reported
    "建成区达到海绵城市建设要求面积比": (Status.NO_DATA, None, None),
    # 达到 in 2026, before the target year 2030 → 正常
    "区级一般公共预算收入年均增速": (Status.ON_TRACK, None, None),
    # 未达到 of a 约束性 target → 严重滞后
    "细颗粒物（PM2.5）浓度": (Status.SERIOUSLY_BEHIND, None, None),
}


def _user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()


def _indicators(session: Session, plan_id: int) -> dict[str, Indicator]:
    return {i.name: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}


def _open_period(session: Session, plan_id: int, year: int) -> int:
    now = utcnow()
    view = periods.create_period(session, _user(session, "tongji_yx"), plan_id, year,
                                 opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    return view.id


def _enter_and_approve(session: Session, plan_id: int, period_id: int,
                       entries: dict[str, tuple[str, str, str]]) -> None:
    indicators = _indicators(session, plan_id)
    submitted = []
    for name, (login, value, evidence) in entries.items():
        clerk = _user(session, login)
        assert clerk.org_unit_id is not None
        view = observations.enter_value(session, clerk, period_id, observations.ObservationInput(
            indicators[name].id, clerk.org_unit_id, value, note=evidence,
            source="区统计局2026年统计公报" if evidence else ""))
        submitted.append(observations.submit(session, clerk, view.id).id)
    review.approve_many(session, _user(session, "tongji_yx"), submitted)


def _by_name(evaluation: PlanEvaluation) -> dict[str, EvaluationResult]:
    return {r.name: r for r in evaluation.results}


def test_a_years_increments_and_judgements_evaluate_as_worked_by_hand(database: Database, tmp_path: Path) -> None:
    plan_id = set_up(database, tmp_path)
    with database.session() as session:
        period_id = _open_period(session, plan_id, 2026)
        _enter_and_approve(session, plan_id, period_id, ENTRIES_2026)
    with database.session(readonly=True) as session:
        plan = session.get_one(Plan, plan_id)
        evaluation = evaluate_stored_plan(session, None, plan, 2026)
        results = _by_name(evaluation)
        for name, (status, current, completion) in EXPECTED_2026.items():
            result = results[name]
            assert result.status is status, (name, result.explanation.text_zh)
            assert result.current == (pytest.approx(current) if current is not None else None), name
            assert result.completion == (pytest.approx(completion) if completion is not None else None), name
        for name in ("街区更新数量", "老旧住房综合修缮面积", "新建或改建口袋公园数量", "新增各类绿化面积"):
            assert results[name].target_type == "cumulative"
            assert "基期" not in results[name].explanation.text_zh.replace("不需基期值", ""), name
        judged = results["区级一般公共预算收入年均增速"]
        assert judged.target_type == "qualitative" and judged.judgement is not None
        assert judged.judgement.verdict.label_zh == "达到" and judged.judgement.source == "区统计局2026年统计公报"
        assert "全区增长5.8%" in judged.explanation.text_zh
        # every unit reported everything assigned to it but the 水务局: verdicts count as reports
        shares = {c.org_unit: c.share for c in evaluation.completeness}
        assert shares["云溪区水务局"] == 0 and shares["云溪区财政局"] == 1 and shares["云溪区生态环境局"] == 1
        # the assessment scores each status by the documented rule, whatever the target's type
        scored = {(u.name, item.label): item.share for members in assessment.assess(session, None, plan, 2026).groups
                  .values() for u in members for item in u.items if item.category.endswith("indicators")}
        assert scored == {
            ("云溪区规划和自然资源局", "街区更新数量"): 1.0,  # 正常
            ("云溪区住房保障和房屋管理局", "老旧住房综合修缮面积"): 1.0,  # 正常
            ("云溪区绿化和市容管理局", "新建或改建口袋公园数量"): 0.5,  # 滞后
            ("云溪区绿化和市容管理局", "新增各类绿化面积"): 0.5,  # 滞后
            ("云溪区民政局", "社区养老服务设施覆盖率"): 0.5,  # 缺基期值
            ("云溪区水务局", "建成区达到海绵城市建设要求面积比"): 0.0,  # 无数据
            ("云溪区财政局", "区级一般公共预算收入年均增速"): 1.0,  # 达到 → 正常
            ("云溪区生态环境局", "细颗粒物（PM2.5）浓度"): 0.0,  # 约束性 未达到 → 严重滞后
        }
    with database.session() as session:
        period_2027 = _open_period(session, plan_id, 2027)
        _enter_and_approve(session, plan_id, period_2027, {"街区更新数量": ("gh_yx", "2", "")})
    with database.session(readonly=True) as session:
        result = _by_name(evaluate_stored_plan(session, None, session.get_one(Plan, plan_id), 2027))["街区更新数量"]
        # running total 1 + 2 = 3 of 4: c = 0.75, s = (2027−2025)/5 = 0.4, c − s = +0.35 → 超前
        assert result.current == pytest.approx(3.0) and result.completion == pytest.approx(0.75)
        assert result.status is Status.AHEAD


def test_a_judgement_needs_a_verdict_and_its_evidence(database: Database, tmp_path: Path) -> None:
    plan_id = set_up(database, tmp_path)
    with database.session() as session:
        period_id = _open_period(session, plan_id, 2026)
        clerk = _user(session, "cz_yx")
        assert clerk.org_unit_id is not None
        indicator = _indicators(session, plan_id)["区级一般公共预算收入年均增速"]
        with pytest.raises(observations.ValueRejected, match="应为“达到”“未达到”或“无法判断”"):
            observations.enter_value(session, clerk, period_id, observations.ObservationInput(
                indicator.id, clerk.org_unit_id, "6.5"))
        draft = observations.enter_value(session, clerk, period_id, observations.ObservationInput(
            indicator.id, clerk.org_unit_id, "已达到"))
        assert draft.value_text == "达到" and draft.value is None  # one spelling is kept
        with pytest.raises(observations.ValueRejected, match="须在备注中写明依据"):
            observations.submit(session, clerk, draft.id)
        with pytest.raises(observation_bulk.BulkRejected, match="须在备注中写明依据"):
            observation_bulk.enter_values_bulk(session, clerk, period_id, [observations.ObservationInput(
                indicator.id, clerk.org_unit_id, "无法判断")], submit=True)
        sent = observation_bulk.enter_values_bulk(session, clerk, period_id, [observations.ObservationInput(
            indicator.id, clerk.org_unit_id, "无法判断", note="全市数据尚未公布")], submit=True)
        assert sent.submitted == 1
        # the monitoring group approves a verdict like a figure
        [observation_id] = sent.observation_ids
        review.approve(session, _user(session, "tongji_yx"), observation_id)
    with database.session(readonly=True) as session:
        result = _by_name(evaluate_stored_plan(session, None, session.get_one(Plan, plan_id), 2026))
        assert result["区级一般公共预算收入年均增速"].status is Status.UNDETERMINED
        [unit] = [u for members in assessment.assess(session, None, session.get_one(Plan, plan_id), 2026).groups
                  .values() for u in members if u.name == "云溪区财政局"]
        assert [(item.label, item.rule, item.share) for item in unit.items if item.category == "indicators"] == [
            ("区级一般公共预算收入年均增速", "无法判断：得 50%", 0.5)]


def test_the_type_is_corrected_audited_and_kept_on_re_import(database: Database, tmp_path: Path) -> None:
    plan_id = set_up(database, tmp_path)
    with database.session() as session:
        analyst = _user(session, "pinggu_yx")
        blocks = _indicators(session, plan_id)["街区更新数量"]
        with pytest.raises(CorrectionError, match="目标类型「total」无效"):
            correct_indicator(session, analyst, blocks.id, IndicatorFix(target_type="total"))
        correct_indicator(session, analyst, blocks.id, IndicatorFix(target_type="level"), reason="街区数为存量")
        assert [t.target_type for t in blocks.targets] == ["level"]
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "indicators",
                                                         AuditEvent.action == "correct")).one()
        assert event.old is not None and event.new is not None
        assert event.old["targets"][0][3] == "cumulative" and event.new["targets"][0][3] == "level"
        assert json.loads(session.scalars(select(Correction.changes).where(
            Correction.extracted_name == "街区更新数量")).one()) == {"target_type": "level"}
        # a qualitative target given a number and a type, and a numeric type refused without one
        sync = _indicators(session, plan_id)["区级一般公共预算收入年均增速"]
        with pytest.raises(CorrectionError, match="没有数值的目标只能是定性目标"):
            correct_indicator(session, analyst, sync.id, IndicatorFix(target_type="rate"))
    revised = plan_file(tmp_path, "yunxi_renewal_revised.txt").read_text(encoding="utf-8")
    (tmp_path / "yunxi_renewal_revised.txt").write_text("（修订稿）\n\n" + revised.replace("\t60\t", "\t65\t"),
                                                         encoding="utf-8")
    with database.session() as session:
        plan_import.import_file(session, tmp_path / "yunxi_renewal_revised.txt")
    with database.session(readonly=True) as session:
        current = session.scalars(select(Plan).where(Plan.title == TITLE, Plan.current.is_(True))).one()
        assert current.version == 2
        names = _indicators(session, current.id)
        assert [t.target_type for t in names["街区更新数量"].targets] == ["level"]  # the correction again
        assert [t.target_type for t in names["老旧住房综合修缮面积"].targets] == ["cumulative"]


def test_a_database_from_before_types_upgrades_and_classifies_on_evaluation(database: Database,
                                                                             tmp_path: Path) -> None:
    plan_id = set_up(database, tmp_path)
    command.downgrade(alembic_config(database.engine), "0014")  # the schema as it was: no target_type
    database.upgrade()
    with database.session() as session:
        assert session.scalars(select(Target.target_type)).all() == [None] * 8
        period_id = _open_period(session, plan_id, 2026)
        _enter_and_approve(session, plan_id, period_id, {k: ENTRIES_2026[k] for k in (
            "街区更新数量", "新建或改建口袋公园数量", "区级一般公共预算收入年均增速")})
    with database.session(readonly=True) as session:
        results = _by_name(evaluate_stored_plan(session, None, session.get_one(Plan, plan_id), 2026))
        for name in ("街区更新数量", "新建或改建口袋公园数量", "区级一般公共预算收入年均增速"):
            status, current, _ = EXPECTED_2026[name]
            assert results[name].status is status, name
            assert results[name].current == (pytest.approx(current) if current is not None else None), name
            assert results[name].target_type in ("cumulative", "qualitative")


def test_a_clerk_of_another_unit_gets_nothing_of_the_judgement(database: Database, tmp_path: Path) -> None:
    """The clerk of a unit sees its own unit's evaluation only: verdicts follow the same rule."""
    plan_id = set_up(database, tmp_path)
    with database.session() as session:
        period_id = _open_period(session, plan_id, 2026)
        _enter_and_approve(session, plan_id, period_id, {"细颗粒物（PM2.5）浓度": ENTRIES_2026["细颗粒物（PM2.5）浓度"]})
    with database.session(readonly=True) as session:
        mine = evaluate_stored_plan(session, _user(session, "st_yx"), session.get_one(Plan, plan_id), 2026)
        other = evaluate_stored_plan(session, _user(session, "cz_yx"), session.get_one(Plan, plan_id), 2026)
        assert [r.name for r in mine.results] == ["细颗粒物（PM2.5）浓度"]
        assert mine.results[0].status is Status.SERIOUSLY_BEHIND
        assert "细颗粒物（PM2.5）浓度" not in {r.name for r in other.results}
