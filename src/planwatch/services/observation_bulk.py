"""Many values at once (a spreadsheet, an exchange file, the demo): checked whole, then
written with multi-row inserts.

Every row is checked before anything is written, so one bad row rejects the batch and
nothing is stored (:class:`BulkRejected` lists every row). New slots are inserted in chunks
(observations, revisions, audit events); slots that already have a value go through
:func:`planwatch.services.observations.enter_value`, so their version checks and history stay
exact. Like the one-at-a-time entry, this flushes and the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check
from planwatch.monitor.workflow import ObservationState, WorkflowAction, apply_transition
from planwatch.services.entry_context import PreviousValue, Slot, previous_values
from planwatch.services.observation_values import (
    ParsedValue,
    parse_value,
    submission_problems,
    value_problems,
)
from planwatch.services.observations import (
    OBSERVATION_ENTITY,
    ConcurrentUpdate,
    ObservationInput,
    OutlierRule,
    change_state,
    enter_value,
    entry_scope,
    require_region,
    slot_label,
    submission_flags,
)
from planwatch.services.periods import ensure_unlocked, get_period
from planwatch.store.models.base import Base, utcnow
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision, ReportingPeriod
from planwatch.store.models.org import Assignment, User
from planwatch.store.models.plans import Indicator

__all__ = ["BulkRejected", "BulkResult", "enter_values_bulk"]


class BulkRejected(InputError):
    """A bulk entry with bad rows; nothing of the batch was stored. ``rows`` has each
    problem's 1-based row of the batch and its reason alone, for callers that know where
    each row came from (a spreadsheet cell)."""

    def __init__(self, problems: Sequence[str], rows: Sequence[tuple[int, str]] = ()) -> None:
        self.problems = list(problems)
        self.rows = list(rows)
        shown = "；".join(problems[:10])
        more = f"；另有 {len(problems) - 10} 处问题" if len(problems) > 10 else ""
        super().__init__("批量填报", f"{len(problems)} 处问题，未保存任何数据：{shown}{more}")

@dataclass(frozen=True, slots=True)
class BulkResult:
    created: int
    updated: int
    submitted: int
    observation_ids: tuple[int, ...] = field(repr=False)

def enter_values_bulk(session: Session, actor: User, period_id: int, items: Iterable[ObservationInput], *,
                      submit: bool = False, outliers: OutlierRule | None = None,
                      chunk_size: int = 1000) -> BulkResult:
    """Enter (and optionally submit) many values in the caller's one transaction.

    New slots are written with multi-row inserts (observations, revisions, audit events);
    slots that already have a value take the one-by-one path so their version checks and
    history stay exact. Every row is checked before anything is written: one bad row
    rejects the batch (:class:`BulkRejected` lists the rows) and nothing is stored.
    """
    period = get_period(session, period_id)
    require_region(session, actor, period, None)
    ensure_unlocked(period)
    rows = list(items)
    indicators = {i.id: i for i in session.scalars(
        select(Indicator).where(Indicator.id.in_({r.indicator_id for r in rows}))
        .options(selectinload(Indicator.targets)))}
    problems, parsed = _check_bulk(session, actor, period, rows, indicators, submit)
    if problems:
        raise BulkRejected([text for _, _, text in problems], [(number, reason) for number, reason, _ in problems])
    existing = _existing_slots(session, period_id, rows)
    fresh = [(row, p) for row, p in zip(rows, parsed, strict=True) if _slot(row) not in existing]
    checks = _BulkChecks(period, indicators, _bulk_history(session, [row for row, _ in fresh]),
                         previous_values(session, period, indicators), outliers or OutlierRule()) if submit else None
    ids: list[int] = []
    for start in range(0, len(fresh), chunk_size):
        ids.extend(_insert_chunk(session, actor, period_id, fresh[start:start + chunk_size], checks))
    updated = 0
    for row in rows:
        if _slot(row) in existing:
            view = enter_value(session, actor, period_id, row)
            if submit:
                view = change_state(session, actor, view.id, WorkflowAction.SUBMIT, outliers=outliers)
            ids.append(view.id)
            updated += 1
    return BulkResult(created=len(fresh), updated=updated, submitted=len(rows) if submit else 0,
                      observation_ids=tuple(ids))

def _slot(row: ObservationInput) -> Slot:
    d = row.disaggregation
    return (row.indicator_id, row.org_unit_id, d.sex, d.area, d.age_group)

def _check_bulk(session: Session, actor: User, period: ReportingPeriod, rows: list[ObservationInput],
                indicators: dict[int, Indicator], submit: bool) -> tuple[list[tuple[int, str, str]], list[ParsedValue]]:
    """Each problem as (row, reason, the reason with the row and indicator named)."""
    problems: list[tuple[int, str, str]] = []
    parsed: list[ParsedValue] = []
    scopes: dict[int, Scope] = {}
    assigned: set[tuple[int, int]] | None = None
    if actor.role == Role.CLERK and actor.org_unit_id is not None:
        assigned = set(session.execute(select(Assignment.indicator_id, Assignment.org_unit_id)
                                       .where(Assignment.org_unit_id == actor.org_unit_id)))
    seen: set[Slot] = set()
    for number, row in enumerate(rows, start=1):
        if row.org_unit_id not in scopes:
            require_region(session, actor, period, row.org_unit_id)
            scopes[row.org_unit_id] = entry_scope(session, period, row.org_unit_id)
        check(actor, Action.ENTER, scopes[row.org_unit_id])
        if submit:
            check(actor, Action.SUBMIT, scopes[row.org_unit_id])
        if assigned is not None and (row.indicator_id, row.org_unit_id) not in assigned:
            raise PermissionDenied(actor.login, Action.ENTER, f"指标 #{row.indicator_id} 未分配给本单位")
        indicator = indicators.get(row.indicator_id)
        if indicator is None or indicator.plan_id != period.plan_id:
            reason = f"指标 #{row.indicator_id} 不属于该报告期的规划"
            problems.append((number, reason, f"第 {number} 行：{reason}"))
            parsed.append(ParsedValue(None, ""))
            continue
        if indicator.retired_at is not None:
            reason = f"指标「{indicator.name}」已停用（{indicator.retired_reason or '无说明'}），不再填报"
            problems.append((number, reason, f"第 {number} 行：{reason}"))
            parsed.append(ParsedValue(None, ""))
            continue
        if _slot(row) in seen:
            problems.append((number, "重复填报",
                             f"第 {number} 行：{slot_label(indicator, row.org_unit_id, row.disaggregation)} 重复填报"))
        seen.add(_slot(row))
        row_problems = row.disaggregation.problems()
        if not row.value_text.strip():
            row_problems.append("value：不能为空")
        p = parse_value(indicator, row.value_text, row.unit)
        if not row_problems:
            row_problems += (submission_problems(indicator, row.value_text, p, row.note) if submit
                             else value_problems(indicator, p))
        problems += [(number, x, f"第 {number} 行 {slot_label(indicator, row.org_unit_id, row.disaggregation)} {x}")
                     for x in row_problems]
        parsed.append(p)
    return problems, parsed

def _existing_slots(session: Session, period_id: int, rows: list[ObservationInput]) -> set[Slot]:
    query = (select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                    Observation.age_group)
             .where(Observation.period_id == period_id,
                    Observation.indicator_id.in_({r.indicator_id for r in rows})))
    return set(session.execute(query))

def _bulk_history(session: Session, rows: list[ObservationInput]) -> dict[Slot, list[float]]:
    query = (select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                    Observation.age_group, ObservationRevision.value)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .where(Observation.indicator_id.in_({r.indicator_id for r in rows}),
                    Observation.state == ObservationState.APPROVED, ObservationRevision.value.is_not(None)))
    out: dict[Slot, list[float]] = {}
    for ind, unit, sex, area, age, value in session.execute(query):
        if value is not None:
            out.setdefault((ind, unit, sex, area, age), []).append(value)
    return out

def _table(model: type[Base]) -> Table:
    return model.metadata.tables[model.__tablename__]

@dataclass(frozen=True, slots=True)
class _BulkChecks:
    """What flagging a batch of submitted values needs, read once for the batch."""

    period: ReportingPeriod
    indicators: dict[int, Indicator]
    history: dict[Slot, list[float]]
    previous: dict[Slot, PreviousValue]
    rule: OutlierRule

    def flags(self, row: ObservationInput, value: float | None) -> list[str]:
        slot = _slot(row)
        return submission_flags(self.indicators[row.indicator_id], self.period, slot, value,
                                 self.rule.bounds(self.history.get(slot, [])), self.previous)

def _insert_chunk(session: Session, actor: User, period_id: int, chunk: list[tuple[ObservationInput, ParsedValue]],
                  checks: _BulkChecks | None) -> list[int]:
    """Insert new slots' values; ``checks`` given: submit them too, flagged for review."""
    submit = checks is not None
    now = utcnow()
    state = apply_transition(None, WorkflowAction.ENTER)
    final = apply_transition(state, WorkflowAction.SUBMIT) if submit else state
    obs_rows = []
    flags_of: list[list[str]] = []
    for row, p in chunk:
        flags = checks.flags(row, p.value) if checks is not None else []
        flags_of.append(flags)
        d = row.disaggregation
        obs_rows.append({"indicator_id": row.indicator_id, "org_unit_id": row.org_unit_id, "period_id": period_id,
                         "sex": d.sex, "area": d.area, "age_group": d.age_group, "state": final.value,
                         "current_revision": 1, "flags": flags, "version": 1, "updated_at": now})
    try:
        ids = list(session.scalars(insert(_table(Observation)).returning(
            _table(Observation).c.id, sort_by_parameter_order=True), obs_rows))
    except IntegrityError as exc:
        raise ConcurrentUpdate(f"报告期 #{period_id} 的批量数据") from exc
    revisions = []
    events = []
    for obs_id, (row, p), flags in zip(ids, chunk, flags_of, strict=True):
        revisions.append({"observation_id": obs_id, "revision": 1, "value_text": p.stored_text(row.value_text),
                          "value": p.value,
                          "unit": p.unit, "source": row.source, "note": row.note, "entered_by_id": actor.id,
                          "entered_at": now})
        events.append(_event_row(actor, WorkflowAction.ENTER, obs_id, now, None,
                                 {"state": state.value, "revision": 1, "value_text": p.stored_text(row.value_text),
                                  "value": p.value, "unit": p.unit}))
        if submit:
            events.append(_event_row(actor, WorkflowAction.SUBMIT, obs_id, now, {"state": state.value, "revision": 1},
                                     {"state": final.value, "revision": 1, "flags": flags}))
    # Core executemany: the rows are complete, the ORM's per-row bookkeeping would only cost time.
    session.execute(insert(_table(ObservationRevision)), revisions)
    session.execute(insert(_table(AuditEvent)), events)
    return ids

def _event_row(actor: User, action: WorkflowAction, obs_id: int, at: datetime, old: dict[str, Any] | None,
               new: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.id, "actor_login": actor.login, "action": action.value,
            "entity": OBSERVATION_ENTITY, "entity_id": str(obs_id), "old": old, "new": new, "reason": None}
