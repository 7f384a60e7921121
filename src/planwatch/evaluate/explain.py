"""The reviewer's view of one result: the inputs, the formulas and one Chinese sentence.

The sentence spells out each computation with its numbers (完成进度=(54−45)/(60−45)=60.0%)
so that a reviewer can redo it with a pocket calculator and see which rule set the status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from planwatch.evaluate.compute import BaselineSource
from planwatch.evaluate.models import (
    CagrCategory,
    ExplanationParts,
    IndicatorSpec,
    Judgement,
    ProjectionVerdict,
    Status,
    Thresholds,
)
from planwatch.evaluate.status import Kind
from planwatch.evaluate.targets import Mode, Relative, ResolvedTarget

FORMULAS = {
    Mode.LEVEL: "完成进度=(V−B)/(T−B)；时间进度=(t−t0)/(tT−t0)；还需年均增速=(T/V)^(1/(tT−t))−1；"
    "CAGR比=((V/B)^(1/(t−t0))−1)/((T/B)^(1/(tT−t0))−1)；预计值比=(P−B)/(T−B)",
    Mode.GROWTH: "增长倍数F=V/B（或各年Π(1+g/100)）；实现年均增速=F^(1/(t−t0))−1；目标倍数=(1+r)^(tT−t0)；"
    "完成进度=(F−1)/((1+r)^(tT−t0)−1)；应达进度=((1+r)^(t−t0)−1)/((1+r)^(tT−t0)−1)；"
    "还需年均增速=((1+r)^(tT−t0)/F)^(1/(tT−t))−1；CAGR比=实现年均增速/r",
    Mode.CUMULATIVE: "累计值S=Σ各年新增(t0<年份≤t)（累计目标自规划的基期值B起算时S=B+Σ各年新增）；"
    "完成进度=(S−B)/(T−B)，B未列时为0即S/T；时间进度=(t−t0)/(tT−t0)；预计值=S+趋势外推的剩余各年之和",
    Mode.MEAN: "年均值M=各年数值的平均(t0<年份≤t)；完成进度=(M−B)/(T−B)；时间进度=(t−t0)/(tT−t0)",
    Mode.NONE: "目标没有可比较的数值：每期由填报单位评估为达到、未达到或无法判断并写明依据，经监测组审核；"
    "达到→正常（目标年及以后→已完成），未达到→滞后（约束性→严重滞后），无法判断→无法判断，未评估→无数据",
    Mode.RATE: "各年增速g与目标增速r逐年比较：达到要求为达标（已完成），否则滞后",
    Mode.REDUCTION: "累计降低率C=1−Π(1−d/100)（各年比上年降低率d复合；或填报的累计降低率）；完成进度=C/X；"
    "应达进度=(1−q^(t−t0))/(X/100)，q=(1−X/100)^(1/(tT−t0))；时间进度=(t−t0)/(tT−t0)",
}
_RELATIVE_FORMULA = {
    Relative.DECREASE_PCT: "T=B·(1−X/100)",
    Relative.INCREASE_PCT: "T=B·(1+X/100)",
    Relative.DECREASE_POINTS: "T=B−X",
    Relative.INCREASE_POINTS: "T=B+X",
}
_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "~": "≈", "range": "∈"}
_PERCENT_MODES = (Mode.GROWTH, Mode.RATE, Mode.REDUCTION)  # values shown as rates in %
_SOURCE_NAME = {
    BaselineSource.SPEC: "plan",
    BaselineSource.OBSERVED: "observation of the baseline year",
    BaselineSource.EARLIEST: "earliest observation (baseline missing)",
    BaselineSource.NONE: "missing",
}
_MODE_NAME = {
    Mode.LEVEL: "level",
    Mode.GROWTH: "annual_average_growth",
    Mode.CUMULATIVE: "cumulative",
    Mode.MEAN: "annual_mean",
    Mode.NONE: "not_quantifiable",
    Mode.RATE: "yearly_rate",
    Mode.REDUCTION: "cumulative_reduction",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator's numbers as plain Python scalars (nan / −1 where they do not apply)."""

    year: int
    t0: int
    baseline: float
    baseline_source: int
    data_year: int
    observations: int
    current: float  # compared quantity
    base: float
    goal_target: float
    target: float
    target_high: float
    limit_low: float
    direction: int
    kind: int
    completion: float
    schedule: float
    progress: float
    required_rate: float
    observed_cagr: float
    required_cagr: float
    cagr_ratio: float
    linear: float
    compound: float
    projected: float
    compound_chosen: bool
    projected_ratio: float
    current_display: float
    target_display: float
    projected_display: float
    linear_display: float
    compound_display: float
    gap: float


def num(x: float) -> str:
    """A number as a reviewer writes it: up to four decimals, no trailing zeros."""
    if not math.isfinite(x):
        return "—"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    text = f"{x * 100:.1f}%"
    return "0.0%" if text == "-0.0%" else text


def years(first: int, last: int) -> str:
    return f"{first}年" if first == last else f"{first}—{last}年"


def explain(
    spec: IndicatorSpec,
    item: ResolvedTarget,
    row: Row,
    status: Status,
    thresholds: Thresholds,
    cagr_category: CagrCategory | None,
    verdict: ProjectionVerdict,
    manual: str | None,
    judgement: Judgement | None = None,
) -> ExplanationParts:
    mode = item.mode
    formula = FORMULAS[mode]
    if item.relative != Relative.NONE:
        formula = f"{_RELATIVE_FORMULA[item.relative]}；{formula}"
    inputs: dict[str, Any] = {
        "mode": _MODE_NAME[mode],
        "target_type": item.target_type.value,
        "evaluation_year": row.year,
        "target_year": item.year,
        "target_text": item.printed,
        "comparator": item.comparator.value,
        "target_value": _json_number(item.value),
        "target": _json_number(row.target_display),
        "baseline_year": row.t0 if row.t0 >= 0 else None,
        "baseline": _json_number(row.baseline),
        "baseline_source": _SOURCE_NAME[BaselineSource(row.baseline_source)],
        "data_year": row.data_year if row.data_year >= 0 else None,
        "current": _json_number(row.current_display),
        "observations_used": row.observations,
        "direction": {1: "higher", -1: "lower", 0: "band"}.get(row.direction),
        "thresholds": {
            "ahead": thresholds.ahead,
            "tolerance": thresholds.tolerance,
            "serious": thresholds.serious,
        },
    }
    if item.milestones:
        inputs["milestones"] = [{"year": m.year, "value": m.value} for m in item.milestones]
    if judgement is not None:
        inputs["judgement"] = judgement.to_json()
    if mode == Mode.CUMULATIVE:
        inputs["total_base"] = _json_number(row.base)  # where the running total starts: 0, or 累计's baseline
    if mode == Mode.NONE:
        return inputs, formula, _judged_sentence(spec, item, row, status, manual, judgement)
    return inputs, formula, _sentence(spec, item, row, status, thresholds, cagr_category, verdict, manual)


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _sentence(
    spec: IndicatorSpec,
    item: ResolvedTarget,
    row: Row,
    status: Status,
    thresholds: Thresholds,
    cagr_category: CagrCategory | None,
    verdict: ProjectionVerdict,
    manual: str | None,
) -> str:
    dated = item.printed if item.printed.lstrip().startswith(f"{item.year}年") else f"{item.year}年{item.printed}"
    parts = [f"{spec.name}：目标{dated}", _baseline_clause(item, row)]
    if status in (Status.NO_DATA, Status.MISSING_BASELINE):
        parts.append(_no_data_reason(item, row))
        return "；".join(p for p in parts if p) + f"，判定为{status.label_zh}。"
    parts.append(_measured_clause(item, row))
    parts.append(_status_clause(item, row, status, thresholds, spec.binding))
    if math.isfinite(row.required_rate):
        years_left = item.year - row.data_year
        parts.append(
            f"剩余{years_left}年还需年均增速=({num(row.goal_target)}/{num(row.current)})^(1/{years_left})−1"
            f"={pct(row.required_rate)}"
        )
    if cagr_category is not None:
        parts.append(
            f"CAGR比=实现年均增速{pct(row.observed_cagr)}÷所需年均增速{pct(row.required_cagr)}"
            f"={row.cagr_ratio:.4f}（{cagr_category.label_zh}）"
        )
    parts.append(_projection_clause(item, row, verdict))
    return "；".join(p for p in parts if p) + "。"


def _judged_sentence(spec: IndicatorSpec, item: ResolvedTarget, row: Row, status: Status, manual: str | None,
                     judgement: Judgement | None) -> str:
    """A target without a number: the reviewed verdict and what it rests on, or why there is none."""
    what = "是定性目标" if item.target_type.value == "qualitative" else "不是单一数值"
    text = f"{spec.name}的目标“{item.printed}”{what}，按期评估达到、未达到或无法判断"
    if judgement is None:
        if status == Status.NOT_QUANTIFIABLE:
            return text + (f"；人工评估：{manual}" if manual else "") + "；尚无经审核的评估，判定为不可量化。"
        return text + f"；截至{row.year}年尚无经审核的评估，判定为{status.label_zh}。"
    said = f"；{judgement.year}年评估为“{judgement.verdict.label_zh}”"
    if judgement.evidence:
        said += f"，依据：{judgement.evidence}"
    if judgement.source:
        said += f"（佐证材料：{judgement.source}）"
    if status == Status.COMPLETED:
        rule = f"，已到目标年份{item.year}年"
    elif status == Status.ON_TRACK:
        rule = f"，目标年份{item.year}年前达到要求"
    elif status in (Status.BEHIND, Status.SERIOUSLY_BEHIND):
        rule = "，约束性指标未达到要求" if spec.binding else "，未达到要求"
    else:
        rule = ""
    return f"{text}{said}{rule}，判定为{status.label_zh}。"


def _baseline_clause(item: ResolvedTarget, row: Row) -> str:
    source = BaselineSource(row.baseline_source)
    if item.mode == Mode.GROWTH and item.rates:
        return f"以{row.t0}年为基期，各年增速连乘" if row.t0 >= 0 else ""
    if item.mode == Mode.CUMULATIVE:
        if row.t0 < 0:
            return ""
        if item.from_baseline and math.isfinite(row.baseline):
            return f"累计目标，在基期{row.t0}年的{num(row.baseline)}基础上自{row.t0 + 1}年起逐年累计"
        return f"规划期内的新增（完成）量，自{row.t0 + 1}年起逐年累计，不需基期值"
    if item.mode == Mode.RATE:
        return ""
    if item.mode == Mode.REDUCTION:
        return f"降低率自{row.t0}年基期起算" if row.t0 >= 0 else ""
    if source == BaselineSource.SPEC:
        clause = f"基期{row.t0}年{num(row.baseline)}"
    elif source == BaselineSource.OBSERVED:
        clause = f"规划未列基期值，取{row.t0}年观测值{num(row.baseline)}为基期值"
    elif source == BaselineSource.EARLIEST:
        clause = f"规划未列基期值，以最早观测值（{row.t0}年{num(row.baseline)}）代替基期值"
    else:
        return f"缺少基期值（规划未列，{row.t0}年也没有观测值）" if row.t0 >= 0 else "缺少基期值"
    if item.relative != Relative.NONE and math.isfinite(row.target):
        clause += f"，由基期值推算目标值{_RELATIVE_FORMULA[item.relative]}={num(row.target)}"
    return clause


def _no_data_reason(item: ResolvedTarget, row: Row) -> str:
    if row.observations == 0:
        return f"截至{row.year}年没有基期之后的观测值"
    if not math.isfinite(row.target):
        return "目标相对于基期值给出，缺少基期值，无法确定目标值"
    if row.t0 >= item.year:
        return f"基期年份{row.t0}不早于目标年份{item.year}"
    return "缺少基期值，无法计算完成进度，请补充基期数据"


def _measured_clause(item: ResolvedTarget, row: Row) -> str:
    first = row.t0 + 1
    if item.mode == Mode.CUMULATIVE:
        added = row.current - row.base
        if row.observations == 1:
            said = (f"{row.data_year}年完成{num(added)}" if first == row.data_year
                    else f"{years(first, row.data_year)}仅{row.data_year}年报告完成{num(added)}")
        else:
            said = f"{years(first, row.data_year)}各年数值之和（{row.observations}个年度）为{num(added)}"
        if row.base:
            return f"{said}，累计值S={num(row.base)}+{num(added)}={num(row.current)}"
        return f"{said}，累计值S={num(row.current)}"
    if item.mode == Mode.MEAN:
        return (
            f"{years(first, row.data_year)}各年数值（{row.observations}个年度）的平均值M={num(row.current)}"
        )
    if item.mode == Mode.RATE:
        return f"{row.data_year}年增速{num(row.current)}%"
    if item.mode == Mode.REDUCTION:
        if item.rates:
            return (f"{years(first, row.data_year)}{row.observations}个年度比上年降低率复合，"
                    f"累计降低率C=1−Π(1−d/100)={num(row.current)}%")
        return f"{row.data_year}年填报的累计降低率C={num(row.current)}%"
    if item.mode == Mode.GROWTH:
        k = row.data_year - row.t0
        if item.rates:
            factor = f"{years(first, row.data_year)}{row.observations}个年度增速的增长倍数F=Π(1+g/100)={num(row.current)}"
        else:
            level = row.current * row.baseline
            factor = f"{row.data_year}年实际值{num(level)}，增长倍数F={num(level)}/{num(row.baseline)}={num(row.current)}"
        return f"{factor}，实现年均增速=F^(1/{k})−1={pct(row.observed_cagr)}"
    return f"{row.data_year}年实际值{num(row.current)}"


def _status_clause(
    item: ResolvedTarget, row: Row, status: Status, thresholds: Thresholds, binding: bool
) -> str:
    symbol = _SYMBOL[item.comparator.value]
    if status == Status.COMPLETED:
        return f"已达到目标要求（{_compared(item, row, symbol)}），判定为已完成"
    if item.mode == Mode.RATE:
        return f"目标为每年的增速要求，{row.data_year}年未达到（要求{_compared(item, row, symbol)}），判定为{status.label_zh}"
    if row.kind == Kind.LIMIT:
        note = "，约束性指标突破控制要求" if binding else ""
        return f"目标为控制性要求，当前未满足（要求{_compared(item, row, symbol)}）{note}，判定为{status.label_zh}"
    if row.kind == Kind.UNKNOWN:
        return f"无法计算完成进度；按目标比较未达标（要求{_compared(item, row, symbol)}），判定为{status.label_zh}"
    k, n = row.data_year - row.t0, item.year - row.t0
    if item.mode == Mode.CUMULATIVE and row.base:
        completion = (f"完成进度=(S−B)/(T−B)=({num(row.current)}−{num(row.base)})/({num(row.goal_target)}"
                      f"−{num(row.base)})={pct(row.completion)}")
    elif item.mode == Mode.CUMULATIVE:
        completion = f"完成进度=S/T={num(row.current)}/{num(row.goal_target)}={pct(row.completion)}"
    elif item.mode == Mode.REDUCTION:
        completion = f"完成进度=C/X={num(row.current)}/{num(row.goal_target)}={pct(row.completion)}"
    else:
        completion = (
            f"完成进度=({num(row.current)}−{num(row.base)})/({num(row.goal_target)}−{num(row.base)})"
            f"={pct(row.completion)}"
        )
    clauses = [completion, f"时间进度=({row.data_year}−{row.t0})/({item.year}−{row.t0})={pct(row.schedule)}"]
    if item.mode == Mode.GROWTH and item.value != 0:
        r = item.value / 100
        clauses.append(
            f"按年均{num(item.value)}%复合增长的应达进度=((1+{num(r)})^{min(k, n)}−1)/((1+{num(r)})^{n}−1)={pct(row.progress)}"
        )
    elif item.mode == Mode.REDUCTION and 0 < item.value < 100:
        q = (1 - item.value / 100) ** (1 / n)
        clauses.append(
            f"按每年等幅降低（q=(1−{num(item.value / 100)})^(1/{n})={num(q)}）的应达进度"
            f"=(1−q^{min(k, n)})/{num(item.value / 100)}={pct(row.progress)}"
        )
    elif item.milestones:
        clauses.append(f"按里程碑之间线性插值的应达进度={pct(row.progress)}")
    if row.completion < 0:
        clauses.append(f"指标向目标的相反方向变化，判定为{status.label_zh}")
        return "；".join(clauses)
    gap = (row.completion - row.progress) * 100
    word = "高于" if gap >= 0 else "低于"
    clauses.append(
        f"完成进度{word}应达进度{abs(gap):.1f}个百分点（超前≥{thresholds.ahead * 100:g}，"
        f"正常≥−{thresholds.tolerance * 100:g}，滞后≥−{thresholds.serious * 100:g}），判定为{status.label_zh}"
    )
    return "；".join(clauses)


def _compared(item: ResolvedTarget, row: Row, symbol: str) -> str:
    target = num(row.target_display)
    if item.comparator.value == "range":
        high = item.value_high if item.mode == Mode.GROWTH else row.target_high
        target = f"[{num(row.target_display)}, {num(high)}]"
    unit = "%" if item.mode in _PERCENT_MODES else ""
    return f"{num(row.current_display)}{unit} {symbol} {target}{unit}"


def _projection_clause(item: ResolvedTarget, row: Row, verdict: ProjectionVerdict) -> str:
    if not math.isfinite(row.projected):
        return "观测点不足两个，无法趋势外推"
    method = "复合增长趋势" if row.compound_chosen else "线性趋势"
    what = {Mode.GROWTH: "年均增速", Mode.CUMULATIVE: "累计值", Mode.MEAN: "年均值", Mode.RATE: "增速",
            Mode.REDUCTION: "累计降低率"}.get(item.mode, "值")
    unit = "%" if item.mode in _PERCENT_MODES else ""
    trends = f"线性{num(row.linear_display)}{unit}"
    if math.isfinite(row.compound_display):
        trends += f"、复合增长{num(row.compound_display)}{unit}，取拟合残差较小的{method}"
    text = f"趋势外推至{item.year}年：{trends}，预计{what}{num(row.projected_display)}{unit}"
    if math.isfinite(row.projected_ratio):
        text += f"，预计值比=(P−B)/(T−B)={row.projected_ratio:.4f}"
    return f"{text}，{verdict.label_zh}"
