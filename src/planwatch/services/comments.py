"""The thread of a reported figure or a progress report: clerk and reviewer talk about it.

A return carries one reason; the questions before it and the answers after it need a
place too, kept with the figure. The thread shows the comments together with what
happened to the figure (entered, submitted, returned with the reason, approved), each by
the person's name, oldest first. Every comment is an audit event, and it reaches the other
side's inbox: a clerk's comment goes to the reviewers who handled the figure (or the whole
monitoring group when nobody has yet), a reviewer's to the unit's clerks, and everyone who
already wrote in the thread hears of new messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import FieldError, PlanWatchError
from planwatch.monitor.permissions import Action, Role, Scope, check
from planwatch.services import region_scope
from planwatch.services.inbox import notify
from planwatch.services.ledger_progress import REPORTS, STATUSES
from planwatch.services.observations import OBSERVATION_ENTITY
from planwatch.services.periods import utc
from planwatch.services.review_queue import display_names
from planwatch.store.models import (
    AuditEvent,
    Comment,
    Indicator,
    LedgerReport,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["COMMENT_MAX", "ENTITIES", "CommentRejected", "Subject", "Thread", "ThreadEntry", "add_comment",
           "subject_of", "thread"]

ENTITIES = (OBSERVATION_ENTITY, REPORTS)
COMMENT_MAX = 2000


class CommentRejected(FieldError):
    """A comment that cannot be stored (empty, too long)."""

    def __init__(self, problem: str) -> None:
        super().__init__("意见", problem)


class SubjectNotFound(PlanWatchError):
    def __init__(self, entity: str, entity_id: int) -> None:
        what = "监测数据" if entity == OBSERVATION_ENTITY else "进展报告"
        super().__init__(f"{what} #{entity_id} 不存在")


@dataclass(frozen=True, slots=True)
class Subject:
    """What a thread is about, as its page heads it."""

    entity: str
    entity_id: int
    title: str  # the indicator's name, or the task's or project's
    org_unit_id: int
    org_unit_name: str
    period_id: int
    period_code: str
    plan_id: int
    state: str
    summary: str  # the value with its unit, or the reported status and percentage


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    at: datetime
    who: str  # the person's name (their login when no name was given)
    action: str  # comment, or the audit trail's action: enter, submit, return, approve, reopen…
    text: str  # the comment, or the reason given with a return or reopening
    value_text: str = ""  # the value entered, for an entry


@dataclass(frozen=True, slots=True)
class Thread:
    subject: Subject
    entries: list[ThreadEntry]


def subject_of(session: Session, entity: str, entity_id: int) -> Subject:
    if entity == OBSERVATION_ENTITY:
        row = session.execute(
            select(Observation, ObservationRevision, Indicator, OrgUnit.name, ReportingPeriod)
            .join(ObservationRevision, (ObservationRevision.observation_id == Observation.id)
                  & (ObservationRevision.revision == Observation.current_revision))
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
            .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
            .where(Observation.id == entity_id)).first()
        if row is None:
            raise SubjectNotFound(entity, entity_id)
        obs, rev, indicator, unit_name, period = row
        unit = rev.unit or indicator.unit or ""
        return Subject(entity, obs.id, indicator.name, obs.org_unit_id, unit_name, period.id, period.code,
                       period.plan_id, obs.state, f"{rev.value_text}{'' if rev.value_text.endswith(unit) else unit}")
    if entity == REPORTS:
        report = session.get(LedgerReport, entity_id)
        if report is None:
            raise SubjectNotFound(entity, entity_id)
        subject = session.get(Task, report.task_id) if report.task_id is not None else \
            session.get(Project, report.project_id)
        period = session.get_one(ReportingPeriod, report.period_id)
        percent = f" {report.percent:g}%" if report.percent is not None else ""
        title = subject.title if isinstance(subject, Task) else (subject.name if subject else "")
        return Subject(entity, report.id, title, report.org_unit_id,
                       session.get_one(OrgUnit, report.org_unit_id).name, period.id, period.code, period.plan_id,
                       report.state, f"{STATUSES.get(report.status, report.status)}{percent}")
    raise SubjectNotFound(entity, entity_id)


def thread(session: Session, actor: User, entity: str, entity_id: int) -> Thread:
    """The subject and everything said and done about it, oldest first."""
    subject = subject_of(session, entity, entity_id)
    region_scope.plan(session, actor, subject.plan_id)  # another district's: not found
    check(actor, Action.VIEW, Scope(org_unit_id=subject.org_unit_id, org_unit_name=subject.org_unit_name))
    comments = list(session.scalars(select(Comment).where(Comment.entity == entity, Comment.entity_id == entity_id)))
    events = [e for e in session.scalars(select(AuditEvent).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))) if e.action != "comment"]
    names = display_names(session, [c.author_id for c in comments] + [e.actor_id for e in events])
    entries = [ThreadEntry(utc(c.created_at), names.get(c.author_id, ""), "comment", c.body) for c in comments]
    entries += [ThreadEntry(utc(e.at), names.get(e.actor_id or 0, e.actor_login), e.action, e.reason or "",
                            str((e.new or {}).get("value_text", "")) if e.action == "enter" else "")
                for e in events]
    return Thread(subject, sorted(entries, key=lambda entry: entry.at))


def _recipients(session: Session, actor: User, subject: Subject) -> set[int]:
    participants = set(session.scalars(select(Comment.author_id).where(
        Comment.entity == subject.entity, Comment.entity_id == subject.entity_id)))
    acted = set(session.scalars(select(AuditEvent.actor_id).where(
        AuditEvent.entity == subject.entity, AuditEvent.entity_id == str(subject.entity_id),
        AuditEvent.actor_id.is_not(None))))
    people = {u.id: u for u in session.scalars(select(User).where(User.active.is_(True), (
        User.id.in_(participants | acted)) | ((User.role == Role.CLERK.value) & (User.org_unit_id == subject.org_unit_id))
        | (User.role == Role.MONITORING.value)))}
    clerks = {i for i, u in people.items() if u.role == Role.CLERK and u.org_unit_id == subject.org_unit_id}
    plan = session.get_one(Plan, subject.plan_id)
    reviewers = {i for i, u in people.items()
                 if u.role == Role.MONITORING and region_scope.region_of(session, u).has_plan(plan)}
    # a clerk writes to the reviewers who handled the figure (all of them when none has yet)
    other_side = ((reviewers & (participants | acted)) or reviewers) if actor.role == Role.CLERK else clerks
    return ({i for i in participants if i in people} | other_side) - {actor.id}


def add_comment(session: Session, actor: User, entity: str, entity_id: int, body: str) -> Comment:
    """Write in the thread (the unit's clerks and the monitoring group); tells the other side."""
    subject = subject_of(session, entity, entity_id)
    region_scope.plan(session, actor, subject.plan_id)  # another district's: not found
    check(actor, Action.COMMENT, Scope(org_unit_id=subject.org_unit_id, org_unit_name=subject.org_unit_name))
    text = body.strip()
    if not text:
        raise CommentRejected("不能为空，请写明要说的内容")
    if len(text) > COMMENT_MAX:
        raise CommentRejected(f"不超过 {COMMENT_MAX} 字，实际 {len(text)} 字")
    comment = Comment(entity=entity, entity_id=entity_id, author_id=actor.id, body=text)
    session.add(comment)
    session.flush()
    session.add(AuditEvent.of(actor, "comment", entity, entity_id, new={"comment_id": comment.id, "text": text},
                              at=comment.created_at))
    who = actor.name or actor.login
    notify(session, _recipients(session, actor, subject), "comment",
           f"{who}对「{subject.title}」（{subject.org_unit_name} {subject.period_code}）发表了意见", text,
           entity, entity_id, sender=actor)
    return comment
