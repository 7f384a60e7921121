"""What a report is about, gathered once from the database and written to any format.

The services layer fills :class:`ReportContent`; the writers (Word, Excel, HTML) never touch
the database, so every format shows the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from planwatch.evaluate import (
    Completeness,
    EvaluationResult,
    IndicatorSpec,
    IndicatorWarning,
    Judgement,
    ProjectionVerdict,
    Status,
    StatusSummary,
    overall,
    warning_list,
)

__all__ = ["TARGET_TYPE_ZH", "IndicatorEntry", "LedgerRow", "Participation", "RankingRow", "ReportContent",
           "ReportKind", "ReportTiming", "report_timing"]

# How a report names each target type (extract.records.TargetType values).
TARGET_TYPE_ZH = {"level": "水平值", "change": "变化量", "rate": "增长率", "cumulative": "累计量", "qualitative": "定性"}


class ReportKind(StrEnum):
    ANNUAL = "annual"
    MIDTERM = "midterm"
    FINAL = "final"

    @property
    def title_zh(self) -> str:
        return {ReportKind.ANNUAL: "年度监测报告", ReportKind.MIDTERM: "中期评估报告",
                ReportKind.FINAL: "总结评估报告"}[self]


@dataclass(frozen=True, slots=True)
class ReportTiming:
    """A report asked for off its time in the plan's calendar: ``early`` or ``late``, and the
    year it is due (the mid-term from the middle year, the final from the last year)."""

    when: str  # early | late
    due: int


def report_timing(kind: ReportKind, start_year: int | None, end_year: int | None, year: int) -> ReportTiming | None:
    """None when a ``kind`` report about ``year`` comes at its time: a mid-term evaluation from
    the plan's middle year (2028 of 2026–2030) until its last, a final evaluation in or after
    the last year; an annual report any year. A plan without a known period is never judged."""
    if kind is ReportKind.ANNUAL or start_year is None or end_year is None or end_year < start_year:
        return None
    if kind is ReportKind.FINAL:
        return ReportTiming("early", end_year) if year < end_year else None
    middle = start_year + (end_year - start_year) // 2
    if year < middle:
        return ReportTiming("early", middle)
    return ReportTiming("late", end_year) if year >= end_year else None


@dataclass(frozen=True, slots=True)
class IndicatorEntry:
    """One indicator with everything a report prints about it."""

    code: str
    spec: IndicatorSpec
    result: EvaluationResult
    history: tuple[tuple[int, float], ...]  # the evaluated figure per year, oldest first
    source: str  # "file 第 N 行"
    source_text: str
    judgements: tuple[Judgement, ...] = ()  # a target without a number: the verdict of each judged year

    @property
    def cumulative(self) -> bool:
        return self.result.target_type == "cumulative"

    @property
    def target_text(self) -> str:
        """The final target as printed, with its year ("≥55（2025年）"; an amount "10（至2030年累计）")."""
        if not self.spec.targets:
            return ""
        last = max(self.spec.targets, key=lambda t: t.year)
        if self.cumulative:
            return f"{last.text}（至{last.year}年累计）"
        return last.text if last.text.lstrip().startswith(f"{last.year}年") else f"{last.text}（{last.year}年）"

    def year_cell(self, year: int) -> float | str | None:
        """What the year's column shows: the figure entered (an amount's increment), or the verdict."""
        verdict = next((j.verdict.label_zh for j in self.judgements if j.year == year), None)
        return verdict if verdict is not None else dict(self.history).get(year)

    @property
    def baseline_text(self) -> str:
        if self.spec.baseline is None:
            return ""
        year = f"（{self.spec.baseline_year}年）" if self.spec.baseline_year else ""
        return f"{self.spec.baseline:g}{year}"

    @property
    def latest_text(self) -> str:
        """The latest figure reported (for an average target, not the average compared); for an
        amount over the period the running total; for a target without a number the verdict."""
        judged = self.result.judgement
        if judged is not None:
            return f"{judged.verdict.label_zh}（{judged.year}年）"
        if self.cumulative and self.result.current is not None and self.result.data_year is not None:
            return f"累计{self.result.current:g}（截至{self.result.data_year}年）"
        if not self.history:
            return ""
        year, value = self.history[-1]
        return f"{value:g}（{year}年）"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A task or project as the report's chapter on tasks and projects lists it."""

    name: str
    units: str
    due: str  # the deadline of a task, the years of a project
    progress: str  # the units' latest reported status in the year, or 未报告


@dataclass(frozen=True, slots=True)
class RankingRow:
    group: str  # 部门 | 镇街
    rank: int
    unit: str
    total: float


@dataclass(frozen=True, slots=True)
class Participation:
    """Public opinions (公众意见) on the plan's public site over the report's years."""

    first_year: int
    last_year: int
    received: int
    shown: int  # shown on the site after moderation
    answered: int  # answered publicly
    not_shown: int  # refused by the moderators


@dataclass(frozen=True, slots=True)
class ReportContent:
    kind: ReportKind
    plan_title: str
    start_year: int | None
    end_year: int | None
    year: int  # the evaluation year: data up to and including this year
    generated_on: date
    entries: tuple[IndicatorEntry, ...]
    completeness: tuple[Completeness, ...]
    include_pending: bool = False
    tasks: tuple[LedgerRow, ...] = ()
    projects: tuple[LedgerRow, ...] = ()
    ledger_warnings: tuple[str, ...] = ()
    ranking: tuple[RankingRow, ...] = ()
    participation: Participation | None = None  # None: the plan has no public site
    # The public edition (published on the plan's public site): no drafting placeholders, no
    # reporting completeness or ranking of units, the warnings only when chosen for publication.
    public: bool = False
    office: str = ""  # signs the public edition
    show_warnings: bool = True

    @property
    def title(self) -> str:
        if self.kind is ReportKind.ANNUAL:
            return f"{self.plan_title}{self.year}年度监测报告"
        return f"{self.plan_title}{self.kind.title_zh}"

    @property
    def results(self) -> list[EvaluationResult]:
        return [entry.result for entry in self.entries]

    @property
    def summary(self) -> StatusSummary:
        return overall(self.results)

    def domains(self) -> list[tuple[str, list[IndicatorEntry]]]:
        """Entries per domain in plan order; indicators without a domain come last as 其他指标."""
        groups: dict[str, list[IndicatorEntry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.spec.domain or "", []).append(entry)
        named = [(domain, entries) for domain, entries in groups.items() if domain]
        return named + ([("其他指标", groups[""])] if "" in groups else [])

    def warnings(self) -> list[IndicatorWarning]:
        return warning_list(self.results)

    def by_id(self) -> dict[str, IndicatorEntry]:
        return {entry.result.indicator_id: entry for entry in self.entries}

    @property
    def premature(self) -> str:
        """Why the report comes off its time in the plan's calendar (see :func:`report_timing`), else ""."""
        timing = report_timing(self.kind, self.start_year, self.end_year, self.year)
        if timing is None:
            return ""
        if self.kind is ReportKind.FINAL:
            return (f"规划期至{self.end_year}年，{self.year}年尚在规划期中：本总结评估报告只反映截至{self.year}年的数据，"
                    f"不是规划期末的总结评估，正式总结评估请在{self.end_year}年数据审定后生成。")
        if timing.when == "early":
            return (f"规划期为{self.start_year}—{self.end_year}年，中期评估一般在规划实施过半（{timing.due}年）时开展："
                    f"本中期评估报告只反映截至{self.year}年的数据，请在{timing.due}年数据审定后生成正式的中期评估报告。")
        return (f"规划期至{self.end_year}年，{self.year}年已是规划期末：本报告按中期评估的体例生成，"
                f"规划期末请以总结评估报告为准。")

    @property
    def schedule(self) -> float | None:
        """The plan's time schedule at the evaluation year (elapsed years ÷ plan length)."""
        if self.start_year is None or self.end_year is None or self.end_year < self.start_year:
            return None
        elapsed = min(max(self.year - self.start_year + 1, 0), self.end_year - self.start_year + 1)
        return elapsed / (self.end_year - self.start_year + 1)

    @property
    def years(self) -> list[int]:
        """Every year with a figure or a verdict, for the annex columns."""
        return sorted({year for entry in self.entries for year, _ in entry.history}
                      | {j.year for entry in self.entries for j in entry.judgements})

    def projection_counts(self) -> dict[ProjectionVerdict, int]:
        counts = dict.fromkeys(ProjectionVerdict, 0)
        for result in self.results:
            if result.status is not Status.NOT_QUANTIFIABLE:
                counts[result.projection_verdict] += 1
        return counts
