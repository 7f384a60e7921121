"""Corrections to the extracted indicator system, made by people against the original text.

An analyst who reads a plan next to what was extracted fixes a name, a unit, a baseline, a
target or its comparator, or adds an indicator extraction missed. Each fix is kept as a
:class:`~planwatch.store.models.Correction` keyed by the plan (its key across revisions),
the source line and the name extraction read, and is applied again whenever the plan is
imported again — so a revised plan file does not bring the mistake back, and an indicator
whose corrected definition did not change keeps its data. Every fix is audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import FieldRefused, PlanWatchError, Problem, problem
from planwatch.evaluate import spec_from_indicator
from planwatch.extract import records as rec
from planwatch.extract.target_types import typed_target
from planwatch.extract.values import read_value
from planwatch.fields import read_year
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.services.indicator_keys import indicator_key, name_key
from planwatch.store.models import AuditEvent, Correction, Indicator, Plan, SourceFile, Target, User

__all__ = ["TARGET_TYPES", "CorrectionError", "IndicatorFix", "add_indicator", "apply_to_extraction",
           "correct_indicator", "corrected_ids", "record_target", "stored_record", "write_definition"]

TARGET_TYPES = tuple(t.value for t in rec.TargetType)


class CorrectionError(PlanWatchError):
    """A correction names a field wrongly or would clash with another indicator; a field the
    readers refuse (:mod:`planwatch.fields`) keeps its code for the UI."""

    def __init__(self, why: str | Problem, field: str = "") -> None:
        if isinstance(why, Problem):
            self.code, self.params = why.code, dict(why.params)
        self.field = field
        super().__init__(f"{field}: {why}" if field else str(why))


@dataclass(frozen=True, slots=True)
class IndicatorFix:
    """What a person sets; None leaves the field as it is, "" clears unit or baseline.

    ``target`` is printed text (``≥95``, ``下降15%``, ``8.5左右``, or words without a number
    such as ``完成市级下达目标``, a qualitative target) read like a plan's own; ``comparator``
    overrides what the text says; ``target_type`` (level, change, rate, cumulative,
    qualitative) what the classifier made of it; ``target_year`` picks the milestone (the
    final target when None).
    """

    name: str | None = None
    unit: str | None = None
    attribute: str | None = None
    baseline_year: int | None = None
    baseline: str | None = None
    target_year: int | None = None
    target: str | None = None
    comparator: str | None = None
    target_type: str | None = None

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def correct_indicator(session: Session, actor: User, indicator_id: int, fix: IndicatorFix, *,
                      reason: str | None = None) -> Indicator:
    """Fix a stored indicator of the current plan version and remember the fix for re-imports."""
    check(actor, Action.CORRECT_EXTRACTION)
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise CorrectionError(f"指标 #{indicator_id} 不存在")
    region_scope.require_plan(session, actor, indicator.plan)
    changes = fix.changes()
    if not changes:
        raise CorrectionError("没有要更正的内容：请至少修改一个字段")
    before = stored_record(indicator)
    after = _apply(before, changes)
    _refuse_clash(session, indicator.plan_id, after, indicator.id)
    session.add(Correction(plan_key=indicator.plan.plan_key, source_line=indicator.line,
                           extracted_name=indicator.extracted_name or indicator.name,
                           changes=json.dumps(changes, ensure_ascii=False), created_by_id=actor.id))
    write_definition(indicator, after)
    session.add(AuditEvent.of(actor, "correct", "indicators", indicator.id, old=_definition(before),
                              new=_definition(after), reason=reason))
    session.flush()
    return indicator


def add_indicator(session: Session, actor: User, plan_id: int, line: int, fix: IndicatorFix, *,
                  reason: str | None = None) -> Indicator:
    """Add an indicator extraction missed, read from ``line`` of the plan's source text."""
    check(actor, Action.CORRECT_EXTRACTION)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise CorrectionError(f"规划 #{plan_id} 不存在")
    region_scope.require_plan(session, actor, plan)
    if not (fix.name or "").strip():
        raise CorrectionError("新增指标需要填写指标名称")
    if fix.target is None:
        raise CorrectionError("新增指标需要填写目标值（如 ≥95、下降15%，或“完成市级下达目标”这样的定性目标）")
    source = session.get_one(SourceFile, plan.source_file_id)
    lines = source.text.split("\n")
    if not plan.start_line <= line <= min(plan.end_line, len(lines)):
        raise CorrectionError(f"第 {line} 行不在规划正文内（第 {plan.start_line}–{plan.end_line} 行）")
    # the sentence is kept with the fix: a revised text may move it to another line
    changes = replace(fix, target_year=fix.target_year or plan.end_year).changes() | {
        "source_text": lines[line - 1].strip()}
    record = _added(changes, source.name, plan.title, line, lines[line - 1])
    _refuse_clash(session, plan.id, record, None)
    codes = [int(c[1:]) for c in session.scalars(select(Indicator.code).where(Indicator.plan_id == plan.id))
             if c[1:].isdigit()]
    indicator = Indicator(plan=plan, code=f"I{max(codes, default=0) + 1:03d}", extracted_name=record.name,
                          domain=None, kind="manual", file=source.name, line=line, source_text=record.source_text)
    write_definition(indicator, record)
    session.add(indicator)
    session.add(Correction(plan_key=plan.plan_key, source_line=line, extracted_name="",
                           changes=json.dumps(changes, ensure_ascii=False), created_by_id=actor.id))
    session.flush()
    session.add(AuditEvent.of(actor, "add", "indicators", indicator.id, new=_definition(record), reason=reason))
    session.flush()
    return indicator


def apply_to_extraction(session: Session, plan_key: str, plan: rec.Plan, lines: Sequence[str],
                        indicators: Sequence[rec.Indicator]) -> list[tuple[str, rec.Indicator]]:
    """The indicators of an import with the plan's stored corrections applied, each with the
    name it is first known by (as extracted, or as added by hand).

    A fix follows its indicator, not the place it was read from: it finds the indicator by the
    name extraction read (spaces and line breaks aside, as a PDF wraps a table cell), the one
    nearest the old line when a name occurs twice (a revised text, another format, moves
    lines). An added indicator comes back unless extraction now finds one of that name itself,
    at the line holding its sentence, or else a line naming it.
    """
    stored = list(session.scalars(select(Correction).where(Correction.plan_key == plan_key).order_by(Correction.id)))
    out = [(i.name, i) for i in indicators]
    known = {name_key(i.name) for i in indicators}
    for correction in stored:
        changes = json.loads(correction.changes)
        if correction.extracted_name:
            wanted = name_key(correction.extracted_name)
            matches = [n for n, (name, _) in enumerate(out) if name_key(name) == wanted]
            if matches:
                n = min(matches, key=lambda m: abs(out[m][1].line - correction.source_line))
                out[n] = (out[n][0], _apply(out[n][1], changes))
        elif name_key(changes.get("name", "")) not in known:
            line = _locate(lines, str(changes.get("source_text", "")), correction.source_line,
                           str(changes.get("name", "")))
            if line is not None:
                record = _added(changes, plan.file, plan.title, line, lines[line - 1])
                out.append((record.name, record))
                known.add(name_key(record.name))
    return sorted(out, key=lambda pair: pair[1].line)


def _locate(lines: Sequence[str], sentence: str, line: int, name: str = "") -> int | None:
    """The line holding ``sentence`` (spaces aside) nearest to where it was, else the nearest
    line naming the indicator; None when the text dropped both."""
    if not sentence:
        return line if 1 <= line <= len(lines) else None
    for wanted, holds in ((name_key(sentence), lambda text, w: name_key(text) == w),
                          (name_key(sentence), lambda text, w: w in name_key(text)),
                          (name_key(name), lambda text, w: bool(w) and w in name_key(text))):
        found = [n for n, text in enumerate(lines, start=1) if holds(text, wanted)]
        if found:
            return min(found, key=lambda n: abs(n - line))
    return None


def stored_record(indicator: Indicator) -> rec.Indicator:
    """A stored indicator in extraction's terms, so that one set of rules applies to both."""
    return rec.Indicator(
        file=indicator.file, line=indicator.line, plan=indicator.plan.title, name=indicator.name, unit=indicator.unit,
        domain=indicator.domain, attribute=indicator.attribute, baseline_year=indicator.baseline_year,
        baseline=indicator.baseline_text, kind=indicator.kind, source_text=indicator.source_text,
        targets=tuple(record_target(t, indicator.name, indicator.unit, indicator.baseline_text,
                                    indicator.source_text if indicator.kind == "prose" else "")
                      for t in indicator.targets),
        responsible=tuple(n for n in indicator.responsible_text.split("、") if n))


def record_target(row: Any, name: str, unit: str | None, baseline: str | None, sentence: str = "") -> rec.Target:
    """A stored target row (the ORM object or a plain row of its columns) as an extraction
    record, with its type: as stored, or — stored before types were kept — as extraction
    classifies it from the same name, unit, baseline and sentence."""
    target = rec.Target(year=row.year, text=row.text, value=row.value, comparator=rec.Comparator(row.comparator),
                        value_high=row.value_high, annual_average=row.annual_average, cumulative=row.cumulative)
    stored = rec.TargetType(row.target_type) if row.target_type else None
    return typed_target(target, name, unit, baseline, stored, sentence)


def write_definition(indicator: Indicator, record: rec.Indicator) -> None:
    """Set a stored indicator's definition (name … targets) from an extraction record."""
    indicator.key = indicator_key(record.name, record.unit)
    indicator.name = record.name
    indicator.unit = record.unit
    indicator.attribute = record.attribute
    indicator.baseline_year = record.baseline_year
    indicator.baseline_text = record.baseline
    indicator.baseline = spec_from_indicator(record, "0").baseline
    indicator.targets = [Target(year=t.year, text=t.text, value=t.value, value_high=t.value_high,
                                comparator=t.comparator.value, annual_average=t.annual_average,
                                cumulative=t.cumulative, target_type=t.target_type.value if t.target_type else None)
                         for t in record.targets]


def _apply(indicator: rec.Indicator, changes: dict[str, Any]) -> rec.Indicator:
    out = indicator
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name:
            raise CorrectionError("指标名称不能为空")
        out = replace(out, name=name)
    if "unit" in changes:
        out = replace(out, unit=str(changes["unit"]).strip() or None)
    if "attribute" in changes:
        attribute = str(changes["attribute"]).strip() or None
        if attribute not in (None, "预期性", "约束性"):
            raise CorrectionError(f"属性应为「预期性」或「约束性」，而不是「{attribute}」")
        out = replace(out, attribute=attribute)
    if "baseline" in changes:
        out = replace(out, baseline=str(changes["baseline"]).strip() or None)
    if "baseline_year" in changes:
        out = replace(out, baseline_year=_year(changes["baseline_year"], "baseline_year"))
    if "target" in changes or "comparator" in changes or "target_type" in changes:
        out = replace(out, targets=_targets(out, changes))
    return out


def _targets(indicator: rec.Indicator, changes: dict[str, Any]) -> tuple[rec.Target, ...]:
    """The targets with the changed one (of ``target_year``, else the final one) read again.

    A target without a number is qualitative (comparator ``=``: only the verdict counts); a
    type asked for is kept (a correction of the classifier), but a numeric type needs a
    number and a qualitative one gives the number up.
    """
    targets = indicator.targets
    year = _year(changes["target_year"], "target_year") if "target_year" in changes else (
        targets[-1].year if targets else None)
    if year is None:
        raise CorrectionError("请填写目标年份")
    old = next((t for t in targets if t.year == year), None)
    kind = _target_type(changes.get("target_type"))
    if "target" in changes:
        target = _read_target(year, str(changes["target"]).strip())
    elif old is not None:
        # a type changed alone: read the printed text again (a qualitative target kept no number)
        target = _read_target(year, old.text) if kind is not None else old
    else:
        raise CorrectionError(f"{year} 年没有目标值，更改比较方式或目标类型前请先填写目标值")
    if "comparator" in changes:
        try:
            target = replace(target, comparator=rec.Comparator(changes["comparator"]))
        except ValueError:
            allowed = "、".join(c.value for c in rec.Comparator)
            raise CorrectionError(f"比较方式「{changes['comparator']}」无效，应为 {allowed} 之一") from None
    if kind is not None and kind is not rec.TargetType.QUALITATIVE and target.value is None:
        raise CorrectionError(f"目标「{target.text}」中没有数值，不能作为{_TYPE_ZH[kind]}目标；"
                              "没有数值的目标只能是定性目标")
    target = typed_target(target, indicator.name, indicator.unit, indicator.baseline, kind,
                          indicator.source_text if indicator.kind == "prose" else "")
    return tuple(sorted([t for t in targets if t.year != year] + [target], key=lambda t: t.year))


_TYPE_ZH = {rec.TargetType.LEVEL: "水平值", rec.TargetType.CHANGE: "变化量", rec.TargetType.RATE: "增长率",
            rec.TargetType.CUMULATIVE: "累计", rec.TargetType.QUALITATIVE: "定性"}


def _read_target(year: int, text: str) -> rec.Target:
    if not text:
        raise CorrectionError("目标值不能为空（如 ≥95、下降15%，或“完成市级下达目标”这样的定性目标）")
    reading = read_value(text)
    if reading is None:
        return rec.Target(year=year, text=text, value=None, comparator=rec.Comparator.EQ, qualitative=True)
    return rec.Target(year=year, text=text, value=reading.value, comparator=reading.comparator,
                      value_high=reading.value_high, annual_average=reading.annual_average,
                      cumulative=reading.cumulative)


def _target_type(value: Any) -> rec.TargetType | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return rec.TargetType(str(value).strip())
    except ValueError:
        raise CorrectionError(f"目标类型「{value}」无效，应为 {'、'.join(TARGET_TYPES)} 之一"
                              "（水平值、变化量、增长率、累计、定性）") from None


def _year(value: Any, field: str) -> int:
    try:
        year = read_year(value, field)
    except FieldRefused as refused:
        raise CorrectionError(refused.why, field) from None
    if year is None:
        raise CorrectionError(problem("field.not_year", text=""), field)
    return year


def _added(changes: dict[str, Any], file: str, plan_title: str, line: int, text: str) -> rec.Indicator:
    empty = rec.Indicator(file=file, line=line, plan=plan_title, name="", unit=None, domain=None, attribute=None,
                          baseline_year=None, baseline=None, targets=(), kind="manual", source_text=text.strip())
    return _apply(empty, changes)


def _refuse_clash(session: Session, plan_id: int, record: rec.Indicator, own_id: int | None) -> None:
    key = indicator_key(record.name, record.unit)
    other = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.key == key))
    if other is not None and other.id != own_id:
        raise CorrectionError(f"本规划已有指标「{other.name}」（{other.code}，单位 {other.unit or '无'}）；"
                              "请改名或修改那个指标")


def _definition(indicator: rec.Indicator) -> dict[str, Any]:
    return {"name": indicator.name, "unit": indicator.unit, "attribute": indicator.attribute,
            "baseline_year": indicator.baseline_year, "baseline": indicator.baseline,
            "targets": [[t.year, t.text, t.comparator.value, t.target_type.value if t.target_type else None]
                        for t in indicator.targets]}


def corrected_ids(session: Session, plan: Plan) -> set[int]:
    """Ids of the plan's indicators a person changed or added, to mark them in the viewer."""
    fixed = {name_key(name) for name in session.scalars(select(Correction.extracted_name)
                                                       .where(Correction.plan_key == plan.plan_key))}
    rows = session.execute(select(Indicator.id, Indicator.kind, Indicator.extracted_name)
                           .where(Indicator.plan_id == plan.id))
    return {id_ for id_, kind, name in rows if kind == "manual" or (name and name_key(name) in fixed)}
