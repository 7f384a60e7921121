"""The stored evaluation snapshot: a dashboard's figures and a page of indicators, shared by
every app process and host through the database.

A dashboard of a plan of ten thousand indicators shows a dozen numbers, fifty warnings and
a line per unit; evaluating the plan for it costs seconds. The snapshot keeps those figures
(:class:`Headline`) and one status row per indicator, as of a data version
(:func:`planwatch.services.evaluation.data_version`). A request reads them while the version
stands. When it moved on, the first request to notice evaluates only the indicators changed
since (:func:`planwatch.services.evaluation.changed_since`), stores their rows, counts the
headline again from the rows in SQL, and stores it: the other processes, other hosts and a
restarted server read it instead of evaluating anything. Only a plan never evaluated, or
one whose settings changed, is evaluated whole, once.

A clerk sees its own unit's figures only: those are few and evaluated directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, String, and_, case, cast, delete, func, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planwatch.evaluate import (
    Completeness,
    EvaluationResult,
    IndicatorWarning,
    Status,
    StatusSummary,
    warning_list,
)
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.services import evaluation, region_scope
from planwatch.services.evaluation import PlanEvaluation, changed_since, data_version
from planwatch.services.kept import Kept
from planwatch.services.plan_calendar import default_year, evaluation_year
from planwatch.store.models import (
    Assignment,
    EvaluationChange,
    EvaluationResultRow,
    EvaluationSnapshot,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    Target,
    User,
)
from planwatch.store.models.evaluation import ALL

__all__ = ["WARNINGS_KEPT", "Headline", "IndicatorLine", "IndicatorPage", "headline", "indicator_page",
           "warning_results"]

log = logging.getLogger(__name__)

WARNINGS_KEPT: Final = 50  # the most severe warnings a dashboard lists; the plan page lists all by status


@dataclass(frozen=True, slots=True)
class Headline:
    """What a dashboard shows of one plan's evaluation in one year."""

    plan_id: int
    year: int
    version: int
    summary: StatusSummary
    warnings: list[IndicatorWarning]  # the most severe, at most WARNINGS_KEPT
    warning_count: int
    completeness: list[Completeness]  # counts per unit (the missing indicators are the reports')


def headline(session: Session, actor: User | None, plan: Plan, year: int | None, *,
             include_pending: bool = False) -> Headline:
    """The dashboard figures of ``plan`` at ``year`` (None: :func:`default_year`) as ``actor``
    may see them, from the stored snapshot while the data version stands (a plan's snapshot is
    its district's: another district's user is answered as for a missing plan)."""
    year = default_year(session, plan) if year is None else evaluation_year(plan, year)
    if actor is not None:
        unit_only = visible_org_unit_id(actor)
        check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
        region_scope.require_plan(session, actor, plan)
        if unit_only is not None:
            return _of(evaluation.evaluate_stored_plan(session, actor, plan, year, include_pending=include_pending))
    version = data_version(session, plan.id, year)
    key = (str(session.get_bind().engine.url), plan.id, year, include_pending)

    def latest(stale: Headline | None) -> Headline:
        """The stored snapshot if it is current (another process refreshed it), else refreshed from it."""
        stored = _stored_headline(session, plan.id, year, include_pending)
        if stored is not None and stored.version == version:
            return stored
        log.debug("dashboard figures of plan #%d, %d refreshed to data version %d", plan.id, year, version)
        return _refresh(session, plan, year, include_pending, stored, version)

    # after a write every open dashboard asks at once: one refreshes
    return _headlines.refreshed(key, lambda kept: kept.version == version, latest)


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """One indicator of a plan page."""

    id: int
    name: str
    unit: str | None
    attribute: str | None
    domain: str | None
    responsible: tuple[str, ...]
    status: Status | None
    target_text: str
    # as entered (a growth indicator's 6.5, not the average rate derived from it); an amount
    # over the period's running total
    latest: float | None
    target_type: str | None = None  # of the target compared (extract.records.TargetType value)
    verdict: str | None = None  # a target without a number: the latest verdict (Verdict value)


@dataclass(frozen=True, slots=True)
class IndicatorPage:
    lines: list[IndicatorLine]
    total: int  # indicators that pass the filters
    year: int  # the year evaluated


def indicator_page(session: Session, actor: User, plan: Plan, year: int | None, *, domain: str = "",
                   unit: str = "", status: str = "", offset: int = 0, limit: int = 50) -> IndicatorPage:
    """A page of the plan's indicators in use with their status, filtered by domain, unit
    (its name, or a part of the units the plan printed) and status: a page costs what it
    shows, whatever the size of the plan."""
    year = default_year(session, plan) if year is None else evaluation_year(plan, year)
    unit_only = visible_org_unit_id(actor)
    check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
    region_scope.require_plan(session, actor, plan)
    if unit_only is not None:
        return _page_of(evaluation.evaluate_stored_plan(session, actor, plan, year), session, domain, unit,
                        status, offset, limit)
    headline(session, actor, plan, year)  # the snapshot is current from here on
    joined = and_(EvaluationResultRow.plan_id == plan.id, EvaluationResultRow.year == year,
                  EvaluationResultRow.pending.is_(False), EvaluationResultRow.indicator_id == Indicator.id)
    chosen: list[ColumnElement[bool]] = [Indicator.plan_id == plan.id, Indicator.retired_at.is_(None)]
    if domain:
        chosen.append(Indicator.domain == domain)
    if status:
        chosen.append(EvaluationResultRow.status == status)
    if unit:
        chosen.append(or_(Indicator.id.in_(select(Assignment.indicator_id).join(
            OrgUnit, OrgUnit.id == Assignment.org_unit_id).where(or_(OrgUnit.name == unit, OrgUnit.short_name == unit))),
            Indicator.responsible_text.contains(unit, autoescape=True)))
    # Driven by the indicators in code order (an index), so a page reads that page's rows.
    total = session.scalar(select(func.count()).select_from(Indicator).join(EvaluationResultRow, joined)
                           .where(*chosen)) or 0
    rows = session.execute(
        select(Indicator.id, Indicator.name, Indicator.unit, Indicator.attribute, Indicator.domain,
               Indicator.responsible_text, EvaluationResultRow.status, EvaluationResultRow.latest)
        .join(EvaluationResultRow, joined).where(*chosen).order_by(Indicator.code, Indicator.id)
        .offset(offset).limit(limit)).all()
    ids = [r.id for r in rows]
    targets = _final_targets(session, ids)
    units = _responsible(session, ids)
    judged = [i for i in ids if i in targets and not targets[i].numeric]
    verdicts = {int(r.indicator_id): r.judgement.verdict.value for r in evaluation.evaluate_stored_plan(
        session, actor, plan, year, indicator_ids=judged).results if r.judgement is not None} if judged else {}
    return IndicatorPage([IndicatorLine(r.id, r.name, r.unit, r.attribute, r.domain,
                                        units.get(r.id) or evaluation.printed_units(r.responsible_text),
                                        Status(r.status), _text(targets, r.id), r.latest,
                                        _type(targets, r.id), verdicts.get(r.id)) for r in rows], total, year)


def _page_of(evaluated: PlanEvaluation, session: Session, domain: str, unit: str, status: str, offset: int,
             limit: int) -> IndicatorPage:
    """A clerk's page, from its own unit's evaluation (a few dozen indicators)."""
    shown = [(spec, result) for spec, result in zip(evaluated.specs, evaluated.results, strict=True)
             if (not domain or spec.domain == domain) and (not unit or unit in spec.responsible)
             and (not status or result.status.value == status)]
    ids = [int(spec.id) for spec, _ in shown[offset:offset + limit]]
    names = {i.id: i for i in session.scalars(select(Indicator).where(Indicator.id.in_(ids)))}
    targets = _final_targets(session, ids)
    lines = []
    for spec, result in shown[offset:offset + limit]:
        indicator = names[int(spec.id)]
        lines.append(IndicatorLine(indicator.id, indicator.name, indicator.unit, indicator.attribute, indicator.domain,
                                   spec.responsible, result.status, _text(targets, indicator.id),
                                   _latest(evaluated, result), result.target_type,
                                   result.judgement.verdict.value if result.judgement else None))
    return IndicatorPage(lines, len(shown), evaluated.year)


@dataclass(frozen=True, slots=True)
class _FinalTarget:
    text: str  # as printed, with its year
    target_type: str | None
    numeric: bool  # some target of the indicator has a number (else it is judged by verdicts)


def _final_targets(session: Session, ids: Sequence[int]) -> dict[int, _FinalTarget]:
    """Each indicator's last target."""
    found: dict[int, _FinalTarget] = {}
    for indicator_id, year, text, target_type, value in session.execute(
            select(Target.indicator_id, Target.year, Target.text, Target.target_type, Target.value)
            .where(Target.indicator_id.in_(ids)).order_by(Target.indicator_id, Target.year, Target.id)):
        numeric = value is not None or (indicator_id in found and found[indicator_id].numeric)
        found[indicator_id] = _FinalTarget(f"{text}（{year}）", target_type, numeric)
    return found


def _text(targets: dict[int, _FinalTarget], indicator_id: int) -> str:
    return targets[indicator_id].text if indicator_id in targets else ""


def _type(targets: dict[int, _FinalTarget], indicator_id: int) -> str | None:
    return targets[indicator_id].target_type if indicator_id in targets else None


def _responsible(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    ranked: dict[int, list[tuple[int, str]]] = {}
    for indicator_id, role, name in session.execute(
            select(Assignment.indicator_id, Assignment.role, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id).where(Assignment.indicator_id.in_(ids))):
        if indicator_id is not None:  # always: only an indicator's assignments are asked for
            ranked.setdefault(indicator_id, []).append((evaluation.role_rank(role), name))
    return {i: tuple(name for _, name in sorted(units)) for i, units in ranked.items()}


def _latest(evaluated: PlanEvaluation, result: EvaluationResult) -> float | None:
    """The figure a plan page shows: an amount over the period (cumulative) its running total,
    any other the value entered for the year evaluated."""
    if result.target_type == "cumulative":
        return result.current
    return evaluated.values.get(result.indicator_id, {}).get(result.data_year) if result.data_year else None


def warning_results(session: Session, actor: User | None, plan: Plan, figures: Headline) -> dict[str, EvaluationResult]:
    """The evaluation results of the warnings a dashboard lists (at most :data:`WARNINGS_KEPT`),
    by indicator id, for the sentences in plain words. Kept per view; when the data version
    moves on, only the warnings of indicators changed since, or new to the list, are evaluated
    (in reporting week the version moves with every submission: evaluating all fifty again
    was a fifth of a dashboard's CPU)."""
    if not figures.warnings:
        return {}
    unit_only = visible_org_unit_id(actor) if actor is not None else None
    key = (str(session.get_bind().engine.url), plan.id, figures.year, unit_only)
    wanted = [w.indicator_id for w in figures.warnings]
    found = _warning_results.get(key)
    if found is not None and found.version == figures.version and all(i in found.results for i in wanted):
        return {i: found.results[i] for i in wanted}
    with _warning_results.computing(key):
        found = _warning_results.get(key)
        reusable: dict[str, EvaluationResult] = {}
        if found is not None and found.version <= figures.version:
            changed = changed_since(session, plan.id, figures.year, found.version)
            if changed is not None:
                reusable = {i: r for i, r in found.results.items() if int(i) not in changed}
        missing = [int(i) for i in wanted if i not in reusable]
        fresh = {r.indicator_id: r for r in evaluation.evaluate_stored_plan(
            session, actor, plan, figures.year, indicator_ids=missing).results} if missing else {}
        results = {i: (reusable | fresh)[i] for i in wanted if i in reusable or i in fresh}
        _warning_results.put(key, _Warned(figures.version, results))
    return results


@dataclass(frozen=True, slots=True)
class _Warned:
    version: int
    results: dict[str, EvaluationResult]


_warning_results: Kept[_Warned] = Kept(64)  # by database, plan, year and view, at their latest version


_headlines: Kept[Headline] = Kept(64)  # by database, plan, year and view, at their latest version


def _of(evaluated: PlanEvaluation) -> Headline:
    warnings = evaluated.warnings
    return Headline(evaluated.plan_id, evaluated.year, evaluated.version, evaluated.summary,
                    warnings[:WARNINGS_KEPT], len(warnings), evaluated.completeness)


# ---- the stored snapshot ----------------------------------------------------------------------

def _stored_headline(session: Session, plan_id: int, year: int, pending: bool) -> Headline | None:
    row = session.get(EvaluationSnapshot, (plan_id, year, pending))
    if row is None:
        return None
    summary = row.summary
    return Headline(plan_id, year, row.version, StatusSummary(
        None, summary["total"], {Status(k): v for k, v in summary["counts"].items() if v},
        summary["binding_total"], {Status(k): v for k, v in summary["binding_counts"].items() if v}),
        [_warning(w) for w in row.warnings], row.warning_count,
        [Completeness(c["org_unit"], year, c["expected"], c["reported"]) for c in row.completeness])


def _refresh(session: Session, plan: Plan, year: int, pending: bool, stored: Headline | None,
             version: int) -> Headline:
    """Bring the stored snapshot from its headline ``stored`` to ``version`` and return the new headline.

    Everything is read and evaluated first, in the caller's session; the write that follows
    is a few upserts. On SQLite a write holds the one write lock of the database: counting
    and evaluating inside it kept every clerk's save waiting for the dashboard's refresh."""
    changed = changed_since(session, plan.id, year, stored.version) if stored is not None else None
    if changed is not None and len(changed) > _INCREMENTAL_MOST:
        changed = None  # one evaluation of the plan costs less than replacing results one by one
    if changed is None or stored is None:
        whole = evaluation.evaluate_stored_plan(session, None, plan, year, include_pending=pending)
        found = Headline(plan.id, year, version, whole.summary, whole.warnings[:WARNINGS_KEPT],
                         len(whole.warnings), _counts_only(whole.completeness))
        with _writer(session) as writer:
            _store_rows(writer, plan.id, year, pending, version, _rows(plan.id, year, pending, version, whole),
                        replace=True)
            _store_headline(writer, found, pending)
        return found
    # Completeness is of ``year`` alone: changes of earlier years leave it, a change of the
    # year's figures moves the counts of the units of the indicators changed, and only a
    # change of definitions (assignments, a retired indicator) may move any unit's.
    years = set(session.scalars(select(EvaluationChange.year).where(
        EvaluationChange.plan_id == plan.id, EvaluationChange.version > stored.version,
        EvaluationChange.year <= year).distinct()))
    # Why each warning is one: the sentences of the changed indicators are new, the others'
    # are the stored headline's (the rows keep none: a sentence a row was half the table).
    reasons = {w.indicator_id: w.reason for w in stored.warnings}
    rows: list[dict[str, Any]] = []
    if changed:
        fresh = evaluation.evaluate_stored_plan(session, None, plan, year, include_pending=pending,
                                                indicator_ids=changed)
        rows = _rows(plan.id, year, pending, version, fresh)
        reasons |= {w.indicator_id: w.reason for w in warning_list(fresh.results)}
    if ALL in years:
        units = completeness_counts(session, plan, year)
    elif year in years and changed:
        recounted = completeness_counts(session, plan, year, _units_of(session, changed))
        kept = {c.org_unit: c for c in stored.completeness} | {c.org_unit: c for c in recounted}
        units = _counts_only(list(kept.values()))
    else:
        units = stored.completeness
    found = _counted(session, plan, year, pending, version, reasons, units, changed, rows)
    with _writer(session) as writer:
        _store_rows(writer, plan.id, year, pending, version, rows, replace=False, changed=changed)
        _store_headline(writer, found, pending)
    return found


# Past this many indicators changed since the stored snapshot, the plan is evaluated whole
# (and the rows of the changed need not be listed in a query).
_INCREMENTAL_MOST: Final = 5_000


def _counts_only(units: Sequence[Completeness]) -> list[Completeness]:
    """Counts by unit name (in the same order on every database: collations differ)."""
    return sorted((Completeness(c.org_unit, c.year, c.expected, c.reported) for c in units), key=lambda c: c.org_unit)


@contextmanager
def _writer(session: Session) -> Iterator[Session]:
    """Where the snapshot is written: a page's read-only session opens a short write session
    of its own; a writing caller's session takes it in its transaction (a second writer
    would wait for the caller's own write lock on SQLite)."""
    database = session.info.get("database")
    if session.info.get("readonly") and database is not None:
        with database.session() as writer:
            yield writer
    else:
        with session.begin_nested():
            yield session


def _rows(plan_id: int, year: int, pending: bool, version: int, evaluated: PlanEvaluation) -> list[dict[str, Any]]:
    """The snapshot rows of the indicators evaluated."""
    warnings = {w.indicator_id: w for w in warning_list(evaluated.results)}
    return [{"plan_id": plan_id, "year": year, "pending": pending, "indicator_id": int(r.indicator_id),
             "version": version, "status": r.status.value, "severity": r.severity, "binding": r.binding,
             "shortfall": r.shortfall, "latest": _latest(evaluated, r),
             "warning": _without_reason(warnings[r.indicator_id]) if r.indicator_id in warnings else None}
            for r in evaluated.results]


def _store_rows(writer: Session, plan_id: int, year: int, pending: bool, version: int, rows: list[dict[str, Any]], *,
                replace: bool, changed: set[int] | None = None) -> None:
    """Write the rows; ``replace``: the rows are the whole plan's, any other is of an
    indicator retired or gone; else the ``changed`` without a row are."""
    if rows:
        statement = _insert(writer, EvaluationResultRow)
        columns = ("version", "status", "severity", "binding", "shortfall", "latest", "warning")
        writer.execute(statement.on_conflict_do_update(
            index_elements=["plan_id", "year", "pending", "indicator_id"],
            set_={c: getattr(statement.excluded, c) for c in columns},
            where=EvaluationResultRow.version <= statement.excluded.version), rows)
    key = and_(EvaluationResultRow.plan_id == plan_id, EvaluationResultRow.year == year,
               EvaluationResultRow.pending.is_(pending), EvaluationResultRow.version < version)
    if replace:
        writer.execute(delete(EvaluationResultRow).where(key))
    else:
        gone = (changed or set()) - {row["indicator_id"] for row in rows}
        if gone:
            writer.execute(delete(EvaluationResultRow).where(key, EvaluationResultRow.indicator_id.in_(gone)))
    writer.flush()


def _without_reason(warning: IndicatorWarning) -> dict[str, Any]:
    line = warning.to_json()
    del line["reason"]
    return line


def _counted(session: Session, plan: Plan, year: int, pending: bool, version: int, reasons: dict[str, str],
             units: list[Completeness], changed: set[int], rows: list[dict[str, Any]]) -> Headline:
    """The headline counted from the stored rows but those of the ``changed`` indicators,
    and the ``rows`` evaluated for them now; the sentences of warnings new to the list are
    evaluated (a few indicators)."""
    key = and_(EvaluationResultRow.plan_id == plan.id, EvaluationResultRow.year == year,
               EvaluationResultRow.pending.is_(pending),
               EvaluationResultRow.indicator_id.not_in(changed) if changed else true())
    counts: dict[Status, int] = {}
    binding: dict[Status, int] = {}
    stored = session.execute(select(EvaluationResultRow.status, EvaluationResultRow.binding, func.count())
                             .where(key).group_by(EvaluationResultRow.status, EvaluationResultRow.binding))
    for status, is_binding, number in [*stored, *((row["status"], row["binding"], 1) for row in rows)]:
        counts[Status(status)] = counts.get(Status(status), 0) + number
        if is_binding:
            binding[Status(status)] = binding.get(Status(status), 0) + number
    summary = StatusSummary(None, sum(counts.values()), counts, sum(binding.values()), binding)
    warned = and_(key, EvaluationResultRow.severity > 0)
    listed = [(row.severity, row.binding, row.shortfall, str(row.indicator_id), row.warning) for row in session.execute(
        select(EvaluationResultRow.severity, EvaluationResultRow.binding, EvaluationResultRow.shortfall,
               EvaluationResultRow.indicator_id, EvaluationResultRow.warning).where(warned)
        .order_by(EvaluationResultRow.severity.desc(), EvaluationResultRow.binding.desc(),
                  EvaluationResultRow.shortfall.desc(), cast(EvaluationResultRow.indicator_id, String))
        .limit(WARNINGS_KEPT))]
    new = [(row["severity"], row["binding"], row["shortfall"], str(row["indicator_id"]), row["warning"])
           for row in rows if row["severity"] > 0]
    # the order of the query: most severe, binding first, largest shortfall, then by id as text
    lines = [line for *_, line in sorted([*listed, *new], key=lambda w: (-w[0], -int(w[1]), -w[2], w[3]))
             [:WARNINGS_KEPT]]
    unknown = [int(line["indicator_id"]) for line in lines if line["indicator_id"] not in reasons]
    if unknown:
        evaluated = evaluation.evaluate_stored_plan(session, None, plan, year, include_pending=pending,
                                                    indicator_ids=unknown)
        reasons = reasons | {w.indicator_id: w.reason for w in warning_list(evaluated.results)}
    warnings = [_warning({**line, "reason": reasons.get(line["indicator_id"], "")}) for line in lines]
    count = (session.scalar(select(func.count()).select_from(EvaluationResultRow).where(warned)) or 0) + len(new)
    return Headline(plan.id, year, version, summary, warnings, count, units)


def _units_of(session: Session, indicator_ids: set[int]) -> set[int]:
    return set(session.scalars(select(Assignment.org_unit_id).where(Assignment.indicator_id.in_(indicator_ids))))


def completeness_counts(session: Session, plan: Plan, year: int,
                        units: set[int] | None = None) -> list[Completeness]:
    """Per unit (of ``units``, or every one), how many of its assigned indicators in use have a
    value or verdict for ``year`` (in any state but draft): :func:`planwatch.evaluate.completeness`
    counted in the database, one index lookup per assignment."""
    period = (select(ReportingPeriod.id).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.year == year, ReportingPeriod.quarter.is_(None),
        ReportingPeriod.month.is_(None)).scalar_subquery())
    reported = (select(Observation.id)
                .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                                ObservationRevision.revision == Observation.current_revision))
                .where(Observation.indicator_id == Assignment.indicator_id,
                       Observation.org_unit_id == Assignment.org_unit_id, Observation.period_id == period,
                       Observation.sex == "", Observation.area == "", Observation.age_group == "",
                       Observation.state != ObservationState.DRAFT.value,
                       # a figure, or a verdict (of a target without a number: no figure, its words)
                       or_(ObservationRevision.value.is_not(None), ObservationRevision.value_text != ""))
                .exists())
    rows = session.execute(
        select(OrgUnit.name, func.count(Assignment.indicator_id), func.sum(case((reported, 1), else_=0)))
        .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
        .join(Indicator, Indicator.id == Assignment.indicator_id)
        .where(Indicator.plan_id == plan.id, Indicator.retired_at.is_(None),
               true() if units is None else Assignment.org_unit_id.in_(units))
        .group_by(OrgUnit.name))
    return _counts_only([Completeness(name, year, expected, int(done or 0)) for name, expected, done in rows])


def _store_headline(writer: Session, found: Headline, pending: bool) -> None:
    values = {"plan_id": found.plan_id, "year": found.year, "pending": pending, "version": found.version,
              "summary": found.summary.to_json(), "warnings": [w.to_json() for w in found.warnings],
              "warning_count": found.warning_count,
              "completeness": [{"org_unit": c.org_unit, "expected": c.expected, "reported": c.reported}
                               for c in found.completeness],
              "computed_at": func.now()}
    statement = _insert(writer, EvaluationSnapshot)
    writer.execute(statement.values(values).on_conflict_do_update(
        index_elements=["plan_id", "year", "pending"],
        set_={c: getattr(statement.excluded, c) for c in values if c not in ("plan_id", "year", "pending")},
        where=EvaluationSnapshot.version < statement.excluded.version))
    writer.flush()


def _insert(session: Session, table: type[Any]) -> Any:
    """INSERT … ON CONFLICT of the session's database (both have it, with the same options)."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def _warning(data: dict[str, Any]) -> IndicatorWarning:
    return IndicatorWarning(data["indicator_id"], data["name"], Status(data["status"]), data["severity"],
                            data["binding"], tuple(data["responsible"]), data["gap"], data["gap_unit"],
                            data["shortfall"], data["reason"])
