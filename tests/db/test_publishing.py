"""Publishing decisions and public opinions against a real database (SQLite and PostgreSQL).

The seeded 青川区 children's plan gets approved 2024 figures in a locked period and approved
2025 figures in a period still open: only the former may ever reach a snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied
from planwatch.report import ReportKind
from planwatch.report.compose import compose
from planwatch.report.elements import Heading, Paragraph
from planwatch.services import observations as obs
from planwatch.services import opinions, periods, publishing, review
from planwatch.services.public_snapshot import PublicationScope, ScopeError
from planwatch.services.reports import report_content
from planwatch.services.site_version import site_version
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    Plan,
    PublicationDecision,
    PublicOpinion,
    PublicPostCounter,
    Target,
    utcnow,
)
from tests.conftest import DIALECTS, District, count, seeded, user

PLAN_KEY = "青川区儿童发展规划（2021—2030年）"


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District]]:
    with seeded(request.param, tmp_path) as (session, district):
        _figures(session, district)
        yield session, district


def _figures(session: Session, d: District) -> None:
    """Targets for 2030; 2024 entered by the monitoring group, approved by a second person and
    locked; 2025 entered by a clerk and approved, in a period that is still open."""
    for indicator, text, value, comparator in ((d.enrolment, "≥95", 95.0, ">="), (d.births, "≥99.5", 99.5, ">="),
                                               (d.shelters, "≥300", 300.0, ">=")):
        session.add(Target(indicator_id=indicator, year=2030, text=text, value=value, comparator=comparator))
    session.get_one(Indicator, d.enrolment).baseline, session.get_one(Indicator, d.enrolment).baseline_year = 85.0, 2020
    session.get_one(Indicator, d.enrolment).attribute = "约束性"
    entering, approving = user(session, d, "li_jc"), user(session, d, "sun_jc")
    for indicator, unit, text in ((d.enrolment, d.education, "91.3"), (d.births, d.health, "99.1"),
                                  (d.shelters, d.civil, "180")):
        view = obs.enter_value(session, entering, d.closed_period, obs.ObservationInput(indicator, unit, text))
        obs.submit(session, entering, view.id)
        review.approve(session, approving, view.id)
    periods.lock_period(session, entering, d.closed_period, "2024 年数据审定")
    clerk = user(session, d, "zhang_jy")
    view = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "93.7"))
    obs.submit(session, clerk, view.id)
    review.approve(session, entering, view.id)
    session.commit()


def _plan(session: Session, d: District) -> Plan:
    return session.get_one(Plan, d.plan_id)


def _scope(session: Session, *, years: tuple[int, ...] = (2024,), **extra: object) -> PublicationScope:
    keys = tuple(session.scalars(select(Indicator.key).order_by(Indicator.code)))
    return PublicationScope(keys, years, **extra)  # type: ignore[arg-type]


def _publish(session: Session, d: District, **extra: object) -> PublicationDecision:
    decision = publishing.propose(session, user(session, d, "wang_pg"), _plan(session, d), _scope(session, **extra),
                                  office="青川区妇女儿童工作委员会办公室")
    publishing.approve(session, user(session, d, "li_jc"), decision.id)
    session.commit()
    return decision


def test_only_locked_years_can_be_chosen(db: tuple[Session, District]) -> None:
    session, d = db
    proposer = user(session, d, "wang_pg")
    with pytest.raises(ScopeError, match="2025 年的报告期未锁定"):
        publishing.propose(session, proposer, _plan(session, d), _scope(session, years=(2024, 2025)), office="办公室")
    with pytest.raises(ScopeError, match="至少选择一个年份"):
        publishing.propose(session, proposer, _plan(session, d), _scope(session, years=()), office="办公室")
    with pytest.raises(publishing.PublicationError, match="发布机关不能为空"):
        publishing.propose(session, proposer, _plan(session, d), _scope(session), office="  ")
    session.rollback()
    assert count(session, PublicationDecision) == 0


def test_a_proposal_goes_public_only_with_a_second_persons_approval(db: tuple[Session, District]) -> None:
    session, d = db
    proposer = user(session, d, "wang_pg")
    decision = publishing.propose(session, proposer, _plan(session, d), _scope(session), office="青川区妇儿工委办")
    session.commit()
    assert publishing.current_snapshots(session) == [] and site_version(session) == 0
    with pytest.raises(publishing.SamePublisher, match="四眼原则"):
        publishing.approve(session, proposer, decision.id)
    session.rollback()
    for refused in ("zhang_jy", "zhao_ck", "admin"):  # a clerk, a viewer, the administrator
        with pytest.raises(PermissionDenied, match=refused):
            publishing.approve(session, user(session, d, refused), decision.id)
        session.rollback()
    publishing.approve(session, user(session, d, "li_jc"), decision.id)
    session.commit()
    [snapshot] = publishing.current_snapshots(session)
    assert snapshot["decision"]["number"] == 1 and snapshot["changes"] == [{"kind": "first"}]
    assert snapshot["office"] == "青川区妇儿工委办" and site_version(session) == 1
    figures = {i["name"]: i["values"] for i in snapshot["indicators"]}
    # 2024 approved and locked goes out; 2025 approved in an open period does not
    assert figures["学前教育毛入园率"] == [[2024, 91.3]] and figures["居民人均可支配收入增长"] == []
    assert "93.7" not in json.dumps(snapshot)
    text = json.dumps(snapshot, ensure_ascii=False)
    for login in ("li_jc", "sun_jc", "zhang_jy", "wang_pg", "children.txt"):
        assert login not in text
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity == publishing.PUBLICATION_ENTITY).order_by(AuditEvent.id)))
    assert actions == ["propose", "publish"]


def _revise_enrolment(session: Session, d: District, value: str) -> None:
    """The monitoring group corrects 2024's 入园率 in the reopened period, a second person
    approves the correction, and the period is locked again."""
    monitor, second = user(session, d, "li_jc"), user(session, d, "sun_jc")
    slot = next(v for v in obs.list_observations(session, monitor, d.closed_period) if v.indicator_id == d.enrolment)
    review.reopen_observation(session, monitor, slot.id, "统计年鉴修订")
    obs.enter_value(session, monitor, d.closed_period, obs.ObservationInput(d.enrolment, d.education, value))
    obs.submit(session, monitor, slot.id)
    review.approve(session, second, slot.id)
    periods.lock_period(session, monitor, d.closed_period)
    session.commit()


def test_approval_is_refused_when_the_figures_moved_on(db: tuple[Session, District]) -> None:
    session, d = db
    decision = publishing.propose(session, user(session, d, "wang_pg"), _plan(session, d), _scope(session),
                                  office="办公室")
    second = user(session, d, "sun_jc")
    periods.reopen_period(session, user(session, d, "admin"), d.closed_period, "更正入园率")
    session.commit()
    with pytest.raises(ScopeError, match="2024 年的报告期未锁定"):
        publishing.approve(session, second, decision.id)
    session.rollback()
    _revise_enrolment(session, d, "91.8")
    with pytest.raises(publishing.PublicationStale, match="学前教育毛入园率"):
        publishing.approve(session, second, decision.id)
    session.rollback()
    assert session.get_one(PublicationDecision, decision.id).state == "proposed"
    assert publishing.current_snapshots(session) == []


def test_what_is_public_is_the_snapshot_until_published_again(db: tuple[Session, District]) -> None:
    session, d = db
    _publish(session, d)
    periods.reopen_period(session, user(session, d, "admin"), d.closed_period, "更正")
    _revise_enrolment(session, d, "91.8")
    [snapshot] = publishing.current_snapshots(session)
    assert {i["name"]: i["values"] for i in snapshot["indicators"]}["学前教育毛入园率"] == [[2024, 91.3]]
    _publish(session, d)
    [snapshot] = publishing.current_snapshots(session)
    assert snapshot["decision"]["number"] == 2
    assert snapshot["changes"] == [{"kind": "figure_revised", "code": "I001", "name": "学前教育毛入园率",
                                    "year": 2024, "old": 91.3, "new": 91.8}]


def test_a_retraction_takes_effect_at_once_and_says_so(db: tuple[Session, District]) -> None:
    session, d = db
    _publish(session, d, tasks=False)
    with pytest.raises(PermissionDenied, match="li_jc"):  # the monitoring group approves, it does not retract
        publishing.retract(session, user(session, d, "li_jc"), PLAN_KEY, "indicator", "I002", reason="口径")
    session.rollback()
    with pytest.raises(publishing.PublicationError, match="撤回说明不能为空"):
        publishing.retract(session, user(session, d, "wang_pg"), PLAN_KEY, "indicator", "I002", reason=" ")
    session.rollback()
    decision = publishing.retract(session, user(session, d, "wang_pg"), PLAN_KEY, "indicator", "I002",
                                  reason="统计口径调整，核实后重新公开")
    session.commit()
    [snapshot] = publishing.current_snapshots(session)
    assert decision.number == 2 and "住院分娩率" not in [i["name"] for i in snapshot["indicators"]]
    [notice] = snapshot["withdrawn"]
    assert (notice["what"], notice["name"], notice["reason"]) == ("indicator", "住院分娩率", "统计口径调整，核实后重新公开")
    assert notice["date"] == snapshot["decision"]["date"]
    assert snapshot["changes"] == [{"kind": "withdrawn", **notice}]
    _publish(session, d)  # published again: the notice goes, the indicator is back
    [snapshot] = publishing.current_snapshots(session)
    assert snapshot["withdrawn"] == [] and {"kind": "indicator_added", "code": "I002", "name": "住院分娩率"} \
        in snapshot["changes"]
    publishing.retract(session, user(session, d, "wang_pg"), PLAN_KEY, "plan", reason="规划修订")
    session.commit()
    [snapshot] = publishing.current_snapshots(session)
    assert snapshot["retracted"]["reason"] == "规划修订" and snapshot["indicators"] == []
    with pytest.raises(publishing.PublicationError, match="没有公开的内容"):
        publishing.retract(session, user(session, d, "wang_pg"), PLAN_KEY, "indicator", "I001", reason="再撤")


def test_a_rejected_proposal_publishes_nothing(db: tuple[Session, District]) -> None:
    session, d = db
    decision = publishing.propose(session, user(session, d, "wang_pg"), _plan(session, d), _scope(session),
                                  office="办公室")
    with pytest.raises(publishing.PublicationError, match="退回原因不能为空"):
        publishing.reject(session, user(session, d, "li_jc"), decision.id, "")
    publishing.reject(session, user(session, d, "li_jc"), decision.id, "请补充 2023 年数据后再公开")
    session.commit()
    with pytest.raises(publishing.PublicationError, match="已经退回"):
        publishing.approve(session, user(session, d, "sun_jc"), decision.id)
    assert publishing.current_snapshots(session) == [] and site_version(session) == 0


def _opinion(session: Session, text: str = "建议增加分镇街的入园率数据。", **extra: object) -> PublicOpinion:
    return opinions.post_opinion(session, plan_key=PLAN_KEY, indicator_code="I001", subject="学前教育毛入园率",
                                 text=text, **extra)  # type: ignore[arg-type]


def test_opinions_are_checked_moderated_answered_and_never_audited_with_their_text(
        db: tuple[Session, District]) -> None:
    session, d = db
    for text, extra, code in (("太短", {}, "text_short"), ("意" * 2001, {}, "text_long"),
                              ("联系方式太长了吧", {"contact": "1" * 101, "consent": True}, "contact_long"),
                              ("请公开分镇街数据", {"contact": "13800000000"}, "consent")):
        with pytest.raises(opinions.OpinionRejected) as refused:
            _opinion(session, text, **extra)
        assert refused.value.code == code
    session.rollback()
    assert count(session, PublicOpinion) == 0
    opinion = _opinion(session, "建议增加分镇街的入园率数据。\r\n谢谢\x07", contact="13800000000", consent=True)
    session.commit()
    assert opinion.text == "建议增加分镇街的入园率数据。\n谢谢" and opinion.state == "pending"
    assert opinion.contact_expires_at is not None
    assert opinions.shown_opinions(session) == {}
    office = user(session, d, "wang_pg")
    with pytest.raises(PermissionDenied):
        opinions.moderate_opinion(session, user(session, d, "li_jc"), opinion.id, show=True)
    with pytest.raises(opinions.OpinionRejected, match="须说明原因"):
        opinions.moderate_opinion(session, office, opinion.id, show=False)
    opinions.moderate_opinion(session, office, opinion.id, show=True)
    opinions.answer_opinion(session, office, opinion.id, "感谢建议，2025 年起分镇街公开。")
    session.commit()
    [shown] = opinions.shown_opinions(session)[PLAN_KEY]
    assert (shown.text, shown.answer) == ("建议增加分镇街的入园率数据。\n谢谢", "感谢建议，2025 年起分镇街公开。")
    assert not hasattr(shown, "contact") and site_version(session) == 2
    opinions.delete_opinion(session, office, opinion.id, "本人来电要求删除")
    session.commit()
    gone = session.get_one(PublicOpinion, opinion.id)
    assert (gone.state, gone.text, gone.contact, gone.answer) == ("deleted", "", None, "")
    assert opinions.shown_opinions(session) == {}
    trail = json.dumps([(e.old, e.new, e.reason) for e in session.scalars(select(AuditEvent).where(
        AuditEvent.entity == opinions.OPINION_ENTITY))], ensure_ascii=False)
    assert "13800000000" not in trail and "分镇街的入园率" not in trail
    assert [e.actor_login for e in session.scalars(select(AuditEvent).where(
        AuditEvent.entity == opinions.OPINION_ENTITY, AuditEvent.action == "post"))] == ["public"]


def test_contacts_expire_after_the_declared_period(db: tuple[Session, District]) -> None:
    session, d = db
    opinions.set_contact_retention(session, user(session, d, "admin"), 30)
    session.commit()
    with pytest.raises(PermissionDenied):
        opinions.set_contact_retention(session, user(session, d, "wang_pg"), 3)
    session.rollback()
    kept = _opinion(session, contact="zhang@example.cn", consent=True)
    anonymous = _opinion(session)
    session.commit()
    assert opinions.expire_contacts(session, utcnow() + timedelta(days=29)) == 0
    assert opinions.expire_contacts(session, utcnow() + timedelta(days=31)) == 1
    session.commit()
    assert session.get_one(PublicOpinion, kept.id).contact is None
    assert session.get_one(PublicOpinion, anonymous.id).text  # the opinion itself stays


def test_posts_are_limited_per_address(db: tuple[Session, District]) -> None:
    session, _ = db
    throttle = opinions.OpinionThrottle(max_posts=2, window=3600)
    assert throttle.attempt(session, "203.0.113.7") is None
    assert throttle.attempt(session, "203.0.113.7") is None
    wait = throttle.attempt(session, "203.0.113.7")
    assert wait is not None and 3500 < wait <= 3601
    assert throttle.attempt(session, "198.51.100.1") is None
    session.commit()
    stored = json.dumps([row for row in session.execute(select(PublicPostCounter.address)).scalars()])
    assert "203.0.113.7" not in stored  # the address is kept as a keyed hash only


def test_the_annual_report_counts_public_participation(db: tuple[Session, District]) -> None:
    session, d = db
    plan = _plan(session, d)
    content = report_content(session, None, plan, 2024, ReportKind.ANNUAL)
    assert content.participation is None  # never published, never commented on
    _publish(session, d)
    office = user(session, d, "wang_pg")
    for n, show in enumerate((True, True, False)):
        opinion = _opinion(session, f"第 {n + 1} 条意见：请公开更多数据")
        opinions.moderate_opinion(session, office, opinion.id, show=show, reason="" if show else "与本规划无关")
        if n == 0:
            opinions.answer_opinion(session, office, opinion.id, "已采纳")
    session.commit()
    year = utcnow().year
    content = report_content(session, None, plan, year, ReportKind.ANNUAL)
    participation = content.participation
    assert participation is not None
    assert (participation.received, participation.shown, participation.answered, participation.not_shown) == (3, 2, 1, 1)
    elements = compose(content)
    assert any(isinstance(e, Heading) and e.text.endswith("公众参与情况") for e in elements)
    assert any(isinstance(e, Paragraph) and "共收到公众意见3条，经审核公开2条，其中已公开答复1条；不予公开1条" in e.text
               for e in elements)


def test_without_libreoffice_reports_cannot_be_chosen_and_the_rest_can(db: tuple[Session, District],
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    session, d = db
    monkeypatch.setenv("PATH", str(tmp_path))  # a server where LibreOffice is not installed
    assert not publishing.pdf_available()
    assert not publishing.eligibility(session, user(session, d, "wang_pg"), _plan(session, d)).pdf_available
    with pytest.raises(ScopeError, match="LibreOffice"):
        publishing.propose(session, user(session, d, "wang_pg"), _plan(session, d),
                           _scope(session, reports=(("annual", 2024),)), office="办公室")
    session.rollback()
    decision = publishing.propose(session, user(session, d, "wang_pg"), _plan(session, d), _scope(session),
                                  office="办公室")
    assert decision.snapshot["reports"] == []
