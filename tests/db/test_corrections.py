"""Corrections of the extracted indicator system: audited, refused when wrong, kept across re-imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_PLAN
from planwatch.extract.records import Comparator
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import plan_import, plans
from planwatch.services.corrections import (
    CorrectionError,
    IndicatorFix,
    add_indicator,
    correct_indicator,
    corrected_ids,
)
from planwatch.store import Database
from planwatch.store.models import AuditEvent, Correction, Indicator, Observation, Plan, SourceFile, User

SHARE = "数字经济核心产业增加值占比"
SHARE_FIXED = "数字经济核心产业增加值占地区生产总值比重"
MISSED_SENTENCE = "规模以上工业产值突破800亿元"


def _plan(session: Session) -> Plan:
    return plans.find_plan(session, "青川区国民经济")


def _user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def _revision(tmp_path: Path) -> Path:
    """A revised file: two lines inserted at the top (every line moves) and one target changed."""
    original = DEMO_PLAN.read_text(encoding="utf-8")
    revised = "（修订稿）\n\n" + original.replace("10\t森林覆盖率\t%\t48.3\t≥50", "10\t森林覆盖率\t%\t48.3\t≥52")
    path = tmp_path / "qingchuan_plan_revised.txt"
    path.write_text(revised, encoding="utf-8")
    return path


def test_corrections_are_audited_and_survive_a_revised_import(demo_database: Database, tmp_path: Path) -> None:
    with demo_database.session() as session:
        analyst = _user(session, "pinggu")
        plan = _plan(session)
        share = next(i for i in plan.indicators if i.name == SHARE)
        share_code, share_id, extracted = share.code, share.id, len(plan.indicators)
        observed = session.scalar(select(func.count()).select_from(Observation)
                                  .where(Observation.indicator_id == share.id))
        correct_indicator(session, analyst, share.id, IndicatorFix(name=SHARE_FIXED, baseline="6.4",
                                                                   target="≥10"))
        source_text = session.get_one(SourceFile, plan.source_file_id).text
        missed_line = _line_of(source_text, MISSED_SENTENCE)
        added = add_indicator(session, analyst, plan.id, missed_line,
                              IndicatorFix(name="规模以上工业产值", unit="亿元", target="突破800", comparator=">"))
        assert (added.kind, added.code, added.line) == ("manual", f"I{extracted + 1:03d}", missed_line)
        assert [(t.year, t.value, t.comparator) for t in added.targets] == [(2025, 800.0, ">")]
        assert corrected_ids(session, plan) == {share_id, added.id}
    assert observed, "the demo data report this indicator, so carry-over is observable"

    with demo_database.session(readonly=True) as session:
        fixed = session.get_one(Indicator, share_id)
        assert (fixed.name, fixed.baseline, fixed.extracted_name) == (SHARE_FIXED, 6.4, SHARE)
        assert [(t.text, t.comparator, t.value) for t in fixed.targets] == [("≥10", Comparator.GE.value, 10.0)]
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "indicators")
                                 .order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_login) for e in events] == [("correct", "pinggu"), ("add", "pinggu")]
        assert events[0].old is not None and events[0].old["name"] == SHARE
        assert events[0].new is not None and events[0].new["baseline"] == "6.4"

    with demo_database.session() as session:
        result = plan_import.import_file(session, _revision(tmp_path))
    (imported,) = result.plans
    assert imported.version == 2
    with demo_database.session(readonly=True) as session:
        current = session.get_one(Plan, imported.plan_id)
        by_name = {i.name: i for i in current.indicators}
        assert SHARE not in by_name
        again = by_name[SHARE_FIXED]
        assert (again.code, again.baseline_text, again.extracted_name) == (share_code, "6.4", SHARE)
        assert again.line == 2 + fixed.line  # found again on the line it moved to
        assert session.scalar(select(func.count()).select_from(Observation)
                              .where(Observation.indicator_id == again.id)) == observed  # data carried over
        manual = by_name["规模以上工业产值"]
        assert (manual.kind, manual.line) == ("manual", missed_line + 2)
        assert MISSED_SENTENCE in manual.source_text
        assert [(t.value, t.comparator) for t in manual.targets] == [(800.0, ">")]
        assert corrected_ids(session, current) == {again.id, manual.id}


@pytest.mark.parametrize(("fix", "message"), [
    (IndicatorFix(name="  "), "名称不能为空"),
    (IndicatorFix(target="逐步提高", target_type="level"), "没有数值的目标只能是定性目标"),
    (IndicatorFix(comparator="about"), "比较方式「about」无效"),
    (IndicatorFix(target_year=3025, target="90"), "不在 1949–2100 之间"),
    (IndicatorFix(attribute="指导性"), "预期性"),
    (IndicatorFix(name="地区生产总值", unit="亿元"), "已有指标「地区生产总值」"),
    (IndicatorFix(), "没有要更正的内容"),
])
def test_wrong_corrections_change_nothing(demo_database: Database, fix: IndicatorFix, message: str) -> None:
    with demo_database.session(readonly=True) as session:
        forest = next(i for i in _plan(session).indicators if i.name == "森林覆盖率")
        before = (forest.id, forest.name, forest.unit, [(t.year, t.text) for t in forest.targets])
    with pytest.raises(CorrectionError, match=message), demo_database.session() as session:
        correct_indicator(session, _user(session, "tongji"), before[0], fix)
    with demo_database.session(readonly=True) as session:
        forest = session.get_one(Indicator, before[0])
        assert (forest.id, forest.name, forest.unit, [(t.year, t.text) for t in forest.targets]) == before
        assert session.scalar(select(func.count()).select_from(Correction)) == 0


def test_clerks_and_viewers_may_not_correct(demo_database: Database) -> None:
    with demo_database.session() as session:
        plan = _plan(session)
        for login in ("fgw", "lingdao"):
            with pytest.raises(PermissionDenied, match="更正指标提取结果"):
                correct_indicator(session, _user(session, login), plan.indicators[0].id,
                                  IndicatorFix(unit="%"))
        with pytest.raises(CorrectionError, match="不在规划正文内"):
            add_indicator(session, _user(session, "tongji"), plan.id, 1,
                          IndicatorFix(name="x", target="1"))
