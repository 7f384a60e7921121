"""What extraction produces: documents and indicators, in the public JSON contract.

The field names and value conventions follow ../shared/gold/SPEC.md, which is a public
contract of ``planwatch extract --json``: scoring tools and downstream importers read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Comparator(StrEnum):
    """How a target value is to be compared with the observed value."""

    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"
    EQ = "="
    ABOUT = "~"
    DECREASE_BY_PCT = "decrease_by_pct"
    INCREASE_BY_PCT = "increase_by_pct"
    # 提高/下降 X 个百分点: an absolute change of a percentage, T = B ± X (an extension of SPEC.md).
    INCREASE_BY_POINTS = "increase_by_points"
    DECREASE_BY_POINTS = "decrease_by_points"
    RANGE = "range"


class TargetType(StrEnum):
    """How a plan states a target, which decides what is entered and how it is evaluated
    (``target_type`` of SPEC.md; :mod:`planwatch.extract.target_types` tells them apart)."""

    LEVEL = "level"  # 达到X: the value the indicator is to have
    CHANGE = "change"  # 提高/下降X%, X个百分点: a change against the baseline
    RATE = "rate"  # X增长Y%, 年均增长Y%: a growth rate
    CUMULATIVE = "cumulative"  # 新增/新建/累计/完成X: an amount achieved over the period, summed
    QUALITATIVE = "qualitative"  # no number (完成市级下达目标, 保持同步): judged 达到/未达到/无法判断


@dataclass(frozen=True, slots=True)
class Target:
    year: int
    text: str  # as printed
    value: float | None  # None when the target is not a single number (ratios, qualitative)
    comparator: Comparator
    value_high: float | None = None  # upper bound of a range
    annual_average: bool = False  # 年均: the value is an average annual rate over the plan period
    cumulative: bool = False  # 【累计】: the value is a total over the plan period
    # Set on every extracted target by target_types.with_target_types; None where nobody has
    # classified it yet (a record built by hand, a target stored before types were kept).
    target_type: TargetType | None = None
    qualitative: bool = False  # no number to compare (value None): judged by a reviewer each period

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "year": self.year,
            "text": self.text,
            "value": self.value,
            "comparator": self.comparator.value,
        }
        if self.value_high is not None:
            out["value_high"] = self.value_high
        if self.annual_average:
            out["annual_average"] = True
        if self.cumulative:
            out["cumulative"] = True
        if self.target_type is not None:
            out["target_type"] = self.target_type.value
        if self.qualitative:
            out["qualitative"] = True
        return out


@dataclass(frozen=True, slots=True)
class Document:
    """One item of a gazette (通知, 通告, 批复 …) with its GB/T 9704 metadata."""

    file: str
    start_line: int
    end_line: int
    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None  # ISO date
    attached_plans: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "date": self.date,
            "attached_plans": list(self.attached_plans),
        }


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator with a quantitative target, traceable to its source line."""

    file: str
    line: int
    plan: str | None
    name: str
    unit: str | None
    domain: str | None
    attribute: str | None  # 预期性 | 约束性
    baseline_year: int | None
    baseline: str | None
    targets: tuple[Target, ...]
    kind: str  # "table" | "prose"
    source_text: str = ""  # the table row or sentence the indicator was read from
    responsible: tuple[str, ...] = field(default=())  # 责任单位 named next to the indicator

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "plan": self.plan,
            "name": self.name,
            "unit": self.unit,
            "domain": self.domain,
            "attribute": self.attribute,
            "baseline_year": self.baseline_year,
            "baseline": self.baseline,
            "targets": [t.to_json() for t in self.targets],
            "kind": self.kind,
            "source_text": self.source_text,
        }
        if self.responsible:
            out["responsible"] = list(self.responsible)
        return out


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan issued by a document (or a bare plan file): where its body is and its period."""

    file: str
    title: str
    start_line: int
    end_line: int
    start_year: int | None
    end_year: int | None
    doc_number: str | None = None  # of the document that issues it


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """One heading of a plan's outline; ``rank`` 1 = 篇 … 7 = （1）, halves for unnumbered sub-headings."""

    plan: str
    line: int
    rank: float
    number: str
    title: str


@dataclass(frozen=True, slots=True)
class LedgerTarget:
    """A quantity a task or project states for itself (新建消防救援站1座): tracked with the task,
    not part of the indicator system."""

    name: str
    year: int
    text: str  # as printed
    value: float | None
    unit: str | None
    comparator: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "year": self.year, "text": self.text, "value": self.value, "unit": self.unit,
                "comparator": self.comparator}


@dataclass(frozen=True, slots=True)
class Task:
    """A piece of a plan assigned to departments: 牵头 (lead), 责任 (responsible), 配合 (support)."""

    plan: str
    line: int
    title: str
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    kind: str = "task"  # task (numbered item of a task chapter) | column (专栏 item) | assignment (a note's)
    number: str = ""  # 一、 （一） 1． as printed
    section: str = ""  # the heading (or 专栏) it is under
    targets: tuple[LedgerTarget, ...] = ()
    deadline: str | None = None  # YYYY-MM when printed (2025年底前 → 2025-12)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "line": self.line, "kind": self.kind, "number": self.number,
                "title": self.title, "section": self.section, "lead": list(self.lead),
                "responsible": list(self.responsible), "support": list(self.support),
                "targets": [t.to_json() for t in self.targets], "deadline": self.deadline}


@dataclass(frozen=True, slots=True)
class Project:
    """A major project (重大项目) from a project table: investments in 万元."""

    plan: str
    line: int
    name: str
    category: str | None = None
    content: str | None = None
    investment: float | None = None  # total, 万元
    period_investment: float | None = None  # planned within the plan period, 万元
    start_year: int | None = None
    end_year: int | None = None
    units: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "line": self.line, "name": self.name, "category": self.category,
                "content": self.content, "investment_wan_yuan": self.investment,
                "period_investment_wan_yuan": self.period_investment, "start_year": self.start_year,
                "end_year": self.end_year, "units": list(self.units)}


# Why a passage that looks like a target gave no indicator, in the users' language.
UNREAD_REASONS = {
    "past_results_caption": "表题表明这是以往完成情况或清单，未作为目标读取",
    "review_table": "表格是上一规划的目标与实际完成情况对照，属于以往结果，未作为目标读取",
    "no_target_column": "表头中没有标明目标年份的列（如“2025年”“目标值”“规划目标”），未能读取",
    "row_without_target": "该行的目标列中没有数字，或该行的单元格与表头对不齐",
    "goal_sentence": "目标章节中的这句话有数字和目标用语，但未能识别出指标名称和目标值",
    "unread_table": "表格中有像目标值的数字，但未能识别出指标表的表头和各列含义，表中的目标未读取",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something that looks like a target but gave no indicator: where it is and why it was passed over.

    Silence would read as “nothing to monitor here”; a clerk needs to know where to look and
    add the indicator by hand."""

    file: str
    line: int
    kind: str  # "table" (a whole table) | "table_row" | "goal_sentence"
    seen: str  # the caption, row or sentence as printed
    code: str  # a key of UNREAD_REASONS

    @property
    def reason(self) -> str:
        return UNREAD_REASONS[self.code]

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "kind": self.kind, "seen": self.seen, "code": self.code,
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one input file."""

    file: str
    documents: tuple[Document, ...]
    indicators: tuple[Indicator, ...]
    plans: tuple[Plan, ...] = ()
    outline: tuple[OutlineEntry, ...] = ()
    tasks: tuple[Task, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    projects: tuple[Project, ...] = ()
