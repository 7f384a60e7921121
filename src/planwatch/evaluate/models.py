"""Plain data in and out of the evaluation engine.

The engine never touches the database: a service loads indicator specs and observations
(from the store, a spreadsheet or a test) into these dataclasses and gets results back
that a reviewer can check by hand. Targets reuse the extraction record
(:class:`planwatch.extract.records.Target`) so that comparator codes, the ``annual_average``
flag (``5.5*``) and the ``cumulative`` flag (【累计】) mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from planwatch.errors import InputError
from planwatch.extract.records import Target

__all__ = [
    "AverageBasis",
    "CagrCategory",
    "Direction",
    "EvaluationResult",
    "Explanation",
    "IndicatorSpec",
    "Judgement",
    "Observation",
    "ObservationTable",
    "PlanConfig",
    "ProjectionVerdict",
    "Status",
    "Target",
    "Thresholds",
    "Verdict",
    "read_verdict",
]


class Direction(StrEnum):
    """Which way the indicator should move; a band means staying inside limits."""

    HIGHER = "higher"
    LOWER = "lower"
    BAND = "band"


class AverageBasis(StrEnum):
    """What an ``annual_average`` target (``5.5*``, 年均) averages.

    A plan prints ``7.5*`` both for 地区生产总值 (the observations are levels, the target a
    growth rate of the level) and for 地区生产总值年均增速 (the observations are the yearly
    growth rates themselves), and ``年均…比例 ≤1%`` for a plain average of yearly values.
    """

    LEVEL_GROWTH = "level_growth"  # observations are levels; target = compound annual growth in %
    YEARLY_RATES = "yearly_rates"  # observations are yearly growth rates in %; target = their compound mean
    MEAN_OF_YEARS = "mean_of_years"  # observations are yearly values; target applies to their mean


class Status(StrEnum):
    """Evaluation status; the value is the stable machine code stored and exported."""

    COMPLETED = "completed"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    SERIOUSLY_BEHIND = "seriously_behind"
    NO_DATA = "no_data"
    NOT_QUANTIFIABLE = "not_quantifiable"
    # Values are reported but the target or the progress needs the baseline, which neither the
    # plan nor the baseline year's data gives: someone has to enter it, unlike 无数据.
    MISSING_BASELINE = "missing_baseline"
    # A qualitative target the reviewers judged 无法判断 for the period (the municipal target or
    # figure it depends on is not known yet): to follow up, like missing data.
    UNDETERMINED = "undetermined"

    @property
    def label_zh(self) -> str:
        return _STATUS_ZH[self]

    @property
    def label_en(self) -> str:
        return _STATUS_EN[self]

    @property
    def severity(self) -> int:
        """0 = nothing to warn about; higher = warn earlier."""
        return _STATUS_SEVERITY.get(self, 0)


_STATUS_ZH = {
    Status.COMPLETED: "已完成",
    Status.AHEAD: "超前",
    Status.ON_TRACK: "正常",
    Status.BEHIND: "滞后",
    Status.SERIOUSLY_BEHIND: "严重滞后",
    Status.NO_DATA: "无数据",
    Status.NOT_QUANTIFIABLE: "不可量化",
    Status.MISSING_BASELINE: "缺基期值",
    Status.UNDETERMINED: "无法判断",
}
_STATUS_EN = {
    Status.COMPLETED: "completed",
    Status.AHEAD: "ahead of schedule",
    Status.ON_TRACK: "on track",
    Status.BEHIND: "behind schedule",
    Status.SERIOUSLY_BEHIND: "seriously behind schedule",
    Status.NO_DATA: "no data",
    Status.NOT_QUANTIFIABLE: "not quantifiable",
    Status.MISSING_BASELINE: "baseline missing",
    Status.UNDETERMINED: "cannot be judged",
}
_STATUS_SEVERITY = {Status.SERIOUSLY_BEHIND: 3, Status.BEHIND: 2, Status.NO_DATA: 1, Status.MISSING_BASELINE: 1,
                    Status.UNDETERMINED: 1}


class Verdict(StrEnum):
    """A reviewer-approved judgement of a qualitative target for one period."""

    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "undetermined"

    @property
    def label_zh(self) -> str:
        return _VERDICT_LABEL_ZH[self]


_VERDICT_LABEL_ZH = {Verdict.MET: "达到", Verdict.NOT_MET: "未达到", Verdict.UNDETERMINED: "无法判断"}
# What a clerk may write for each verdict (the template offers the first; words as people type them).
_VERDICT_WORDS = {
    Verdict.MET: ("达到", "已达到", "达标", "已达标", "完成", "已完成", "met"),
    Verdict.NOT_MET: ("未达到", "没有达到", "未达标", "未完成", "not met", "not_met"),
    Verdict.UNDETERMINED: ("无法判断", "不能判断", "暂无法判断", "待定", "cannot be judged", "undetermined"),
}
_VERDICT_OF = {word: verdict for verdict, words in _VERDICT_WORDS.items() for word in words}


def read_verdict(text: str) -> Verdict | None:
    """The verdict a clerk wrote (达到, 未达到, 无法判断, or their usual variants); None otherwise."""
    return _VERDICT_OF.get(text.strip().strip("。.").lower())


@dataclass(frozen=True, slots=True)
class Judgement:
    """A qualitative target's verdict for the period of ``year``, with what it rests on."""

    year: int
    verdict: Verdict
    evidence: str = ""  # the reasoning and facts, as the unit wrote them
    source: str = ""  # where to check them: a document, a file name or a link

    def to_json(self) -> dict[str, object]:
        return {"year": self.year, "verdict": self.verdict.value, "verdict_zh": self.verdict.label_zh,
                "evidence": self.evidence, "source": self.source}


class CagrCategory(StrEnum):
    """Open SDG / Statistics Canada progress categories of the CAGR ratio."""

    ON_TRACK = "on_track"
    ACCELERATION_NEEDED = "acceleration_needed"
    LIMITED = "limited_progress"
    DETERIORATION = "deterioration"

    @property
    def label_zh(self) -> str:
        return _CAGR_ZH[self]


_CAGR_ZH = {
    CagrCategory.ON_TRACK: "进展良好",
    CagrCategory.ACCELERATION_NEEDED: "需要加速",
    CagrCategory.LIMITED: "进展有限",
    CagrCategory.DETERIORATION: "趋势恶化",
}


class ProjectionVerdict(StrEnum):
    ACHIEVABLE = "achievable"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"

    @property
    def label_zh(self) -> str:
        return _VERDICT_ZH[self]


_VERDICT_ZH = {
    ProjectionVerdict.ACHIEVABLE: "按现趋势可完成",
    ProjectionVerdict.UNLIKELY: "按现趋势难以完成",
    ProjectionVerdict.UNKNOWN: "数据不足，无法预测",
}


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator as the engine needs it: numbers, not printed text.

    ``direction`` and ``average_basis`` may be left ``None``; the engine then derives them
    from the comparator, the baseline and the wording of the name (see ``targets.py``).
    """

    id: str
    name: str
    targets: tuple[Target, ...]
    unit: str | None = None
    domain: str | None = None
    attribute: str | None = None  # 预期性 | 约束性 | None
    direction: Direction | None = None
    baseline_year: int | None = None
    baseline: float | None = None
    responsible: tuple[str, ...] = ()
    plan: str | None = None
    average_basis: AverageBasis | None = None

    @property
    def binding(self) -> bool:
        return self.attribute == "约束性"


@dataclass(frozen=True, slots=True)
class Observation:
    """A value of one indicator in one year; ``org_unit`` None is the indicator's total."""

    indicator_id: str
    year: int
    value: float
    org_unit: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationTable:
    """Observations in columns, as a service reads them from the database.

    ``index`` is the position of the indicator in the spec sequence handed to the engine.
    Columns keep a million observations cheap; a later row for the same indicator and year
    replaces an earlier one (a revision).
    """

    index: npt.NDArray[np.int64]
    year: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        if not (len(self.index) == len(self.year) == len(self.value)):
            raise InputError("observations", "index, year and value columns differ in length")

    @classmethod
    def from_observations(
        cls,
        specs: Sequence[IndicatorSpec],
        observations: Iterable[Observation],
        org_unit: str | None = None,
    ) -> ObservationTable:
        """Columns for the observations of ``org_unit`` (None: the indicators' totals)."""
        position = {spec.id: i for i, spec in enumerate(specs)}
        rows: list[tuple[int, int, float]] = []
        for obs in observations:
            if obs.org_unit != org_unit:
                continue
            if obs.indicator_id not in position:
                raise InputError("observations", f"indicator id {obs.indicator_id!r} is not among the specs")
            rows.append((position[obs.indicator_id], obs.year, obs.value))
        return cls(
            np.array([r[0] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=np.float64),
        )


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Status bands, in fractions of the required change (0.10 = 10 percentage points).

    ``gap`` below is completion progress minus the progress required by now.
    gap ≥ ahead → 超前; gap ≥ −tolerance → 正常; gap ≥ −serious → 滞后; otherwise 严重滞后.
    """

    ahead: float = 0.10
    tolerance: float = 0.10
    serious: float = 0.30


@dataclass(frozen=True, slots=True)
class PlanConfig:
    """Per-plan settings; 约束性 indicators are binding, so their bands are narrower.

    ``base_year`` is the plan's baseline year (2020 for a 2021–2025 plan) used when an
    indicator gives none.
    """

    base_year: int | None = None
    expected: Thresholds = field(default_factory=Thresholds)
    binding: Thresholds = field(default_factory=lambda: Thresholds(ahead=0.10, tolerance=0.05, serious=0.15))
    about_tolerance: float = 0.05  # 左右 / a maintained level: within 5 % of the target counts as met
    cagr_on_track: float = 0.95
    cagr_acceleration: float = 0.60
    projection_on_track: float = 0.95  # projected-value ratio at which the trend is judged sufficient

    def thresholds_for(self, spec: IndicatorSpec) -> Thresholds:
        return self.binding if spec.binding else self.expected


ExplanationParts = tuple[Mapping[str, Any], str, str]


class Explanation:
    """What a reviewer needs to redo the evaluation: inputs, formulas and one sentence.

    The parts are rendered from the result's numbers on first access: a plan evaluation
    of a hundred thousand indicators should not pay for sentences nobody reads, while any
    result shown or exported still carries its full explanation.
    """

    __slots__ = ("_parts", "_render")

    def __init__(self, render: Callable[[], ExplanationParts]) -> None:
        self._render: Callable[[], ExplanationParts] | None = render
        self._parts: ExplanationParts | None = None

    @classmethod
    def of(cls, inputs: Mapping[str, Any], formula: str, text_zh: str) -> Explanation:
        return cls(lambda: (inputs, formula, text_zh))

    def _get(self) -> ExplanationParts:
        if self._parts is None:
            assert self._render is not None
            self._parts, self._render = self._render(), None
        return self._parts

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self._get()[0]

    @property
    def formula(self) -> str:
        return self._get()[1]

    @property
    def text_zh(self) -> str:
        return self._get()[2]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Explanation) and self._get() == other._get()

    def __hash__(self) -> int:
        return hash((self.formula, self.text_zh))

    def __repr__(self) -> str:
        return f"Explanation({self.text_zh!r})"

    def to_json(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs), "formula": self.formula, "text": self.text_zh}


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The evaluation of one indicator at one evaluation year.

    Fractions (completion, schedule, rates, ratios) are plain fractions, 0.6 = 60 %.
    ``gap`` is what is still missing in the indicator's good direction, in the unit of the
    compared quantity (``gap_unit``): positive = short of the target, ≤ 0 = met.
    """

    indicator_id: str
    name: str
    plan: str | None
    domain: str | None
    attribute: str | None
    responsible: tuple[str, ...]
    year: int
    status: Status
    data_year: int | None = None
    current: float | None = None
    target: float | None = None
    target_year: int | None = None
    completion: float | None = None
    schedule: float | None = None
    required_progress: float | None = None
    required_rate: float | None = None
    observed_cagr: float | None = None
    cagr_ratio: float | None = None
    cagr_category: CagrCategory | None = None
    projected_linear: float | None = None
    projected_compound: float | None = None
    projected: float | None = None
    projection_method: str | None = None
    projected_ratio: float | None = None
    projection_verdict: ProjectionVerdict = ProjectionVerdict.UNKNOWN
    gap: float | None = None
    gap_unit: str | None = None
    manual_assessment: str | None = None
    target_type: str | None = None  # extract.records.TargetType value of the target compared
    judgement: Judgement | None = None  # a qualitative target's verdict of the latest judged period
    explanation: Explanation = field(default_factory=lambda: Explanation.of({}, "", ""))

    @property
    def binding(self) -> bool:
        return self.attribute == "约束性"

    @property
    def severity(self) -> int:
        return self.status.severity

    @property
    def shortfall(self) -> float:
        """How far completion trails the progress required by now (0 when unknown or ahead)."""
        if self.completion is None or self.required_progress is None:
            return 0.0
        return max(self.required_progress - self.completion, 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator_id,
            "name": self.name,
            "plan": self.plan,
            "domain": self.domain,
            "attribute": self.attribute,
            "responsible": list(self.responsible),
            "year": self.year,
            "status": self.status.value,
            "status_zh": self.status.label_zh,
            "data_year": self.data_year,
            "current": self.current,
            "target": self.target,
            "target_year": self.target_year,
            "completion": self.completion,
            "schedule": self.schedule,
            "required_progress": self.required_progress,
            "required_rate": self.required_rate,
            "observed_cagr": self.observed_cagr,
            "cagr_ratio": self.cagr_ratio,
            "cagr_category": self.cagr_category.value if self.cagr_category else None,
            "projected_linear": self.projected_linear,
            "projected_compound": self.projected_compound,
            "projected": self.projected,
            "projection_method": self.projection_method,
            "projected_ratio": self.projected_ratio,
            "projection_verdict": self.projection_verdict.value,
            "gap": self.gap,
            "gap_unit": self.gap_unit,
            "severity": self.severity,
            "manual_assessment": self.manual_assessment,
            "target_type": self.target_type,
            "judgement": self.judgement.to_json() if self.judgement else None,
            "explanation": self.explanation.to_json(),
        }
