"""The /api/v1 wire format: strict Pydantic models, so the OpenAPI schema says exactly what
is accepted and returned, and a string is never silently taken for a number."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planwatch.errors import InputError
from planwatch.evaluate import Completeness, EvaluationResult, IndicatorWarning, Status, StatusSummary
from planwatch.services.comparison import ComparedIndicator
from planwatch.services.corrections import IndicatorFix
from planwatch.services.ledger import Ledger
from planwatch.services.observations import ObservationView
from planwatch.services.plan_import import ImportResult
from planwatch.services.search import SearchResults
from planwatch.store.models import Indicator, LedgerReport, Milestone
from planwatch.web.params import LineNumber, RowId, Year

__all__ = [
    "ERROR_RESPONSES",
    "ComparedOut",
    "CompletenessOut",
    "CorrectionIn",
    "ErrorOut",
    "EvaluationOut",
    "ImportOut",
    "IndicatorOut",
    "LedgerOut",
    "LedgerReportIn",
    "LedgerReportOut",
    "MergeConflictOut",
    "MergeIn",
    "NewIndicatorIn",
    "ObservationIn",
    "ObservationOut",
    "PlanOut",
    "ReasonIn",
    "ReturnIn",
    "SearchOut",
    "StatusCountsOut",
    "StrictModel",
    "TargetIn",
    "WarningOut",
]


class StrictModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorOut(StrictModel):
    detail: str = Field(description="一行中文说明：哪个字段、期望什么 / one line naming the field and what was expected")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "请求不符合业务规则（例如状态不允许此操作）"},
    401: {"model": ErrorOut, "description": "缺少或无效的 API 令牌"},
    403: {"model": ErrorOut, "description": "无权执行此操作"},
    404: {"model": ErrorOut, "description": "对象不存在"},
    409: {"model": ErrorOut, "description": "已被他人修改（并发写入同一数据），请刷新后重试"},
    422: {"model": ErrorOut, "description": "输入格式或取值错误"},
}


class JudgementOut(StrictModel):
    year: int
    verdict: str = Field(description="met | not_met | undetermined")
    verdict_label: str = Field(description="达到 | 未达到 | 无法判断")
    evidence: str = Field(description="评估依据")
    source: str = Field(description="佐证材料（文件名、文号或链接）")


class EvaluationOut(StrictModel):
    indicator_id: str
    name: str
    status: Status
    status_label: str
    attribute: str | None
    domain: str | None
    responsible: list[str]
    year: int
    data_year: int | None
    current: float | None
    target: float | None
    target_year: int | None
    completion: float | None
    schedule: float | None
    projected: float | None
    target_type: str | None = Field(default=None, description="level | change | rate | cumulative | qualitative；"
                                    "cumulative 的 current 是规划期内各年数量之和（累计值）")
    judgement: JudgementOut | None = Field(default=None, description="定性目标最近一期经审核的评估")
    explanation: str

    @classmethod
    def of(cls, result: EvaluationResult) -> EvaluationOut:
        judged = result.judgement
        return cls(
            indicator_id=result.indicator_id, name=result.name, status=result.status,
            status_label=result.status.label_zh, attribute=result.attribute, domain=result.domain,
            responsible=list(result.responsible), year=result.year, data_year=result.data_year,
            current=result.current, target=result.target, target_year=result.target_year,
            completion=result.completion, schedule=result.schedule, projected=result.projected,
            target_type=result.target_type,
            judgement=JudgementOut(year=judged.year, verdict=judged.verdict.value, verdict_label=judged.verdict.label_zh,
                                   evidence=judged.evidence, source=judged.source) if judged else None,
            explanation=result.explanation.text_zh,
        )


class StatusCountsOut(StrictModel):
    group: str | None
    total: int
    counts: dict[str, int]
    binding_total: int
    binding_counts: dict[str, int]

    @classmethod
    def of(cls, summary: StatusSummary) -> StatusCountsOut:
        return cls(
            group=summary.group, total=summary.total,
            counts={s.value: summary.counts.get(s, 0) for s in Status},
            binding_total=summary.binding_total,
            binding_counts={s.value: summary.binding_counts.get(s, 0) for s in Status},
        )


class WarningOut(StrictModel):
    indicator_id: str
    name: str
    status: Status
    binding: bool
    responsible: list[str]
    reason: str

    @classmethod
    def of(cls, warning: IndicatorWarning) -> WarningOut:
        return cls(indicator_id=warning.indicator_id, name=warning.name, status=warning.status,
                   binding=warning.binding, responsible=list(warning.responsible), reason=warning.reason)


class CompletenessOut(StrictModel):
    org_unit: str
    year: int
    expected: int
    reported: int
    missing: list[str]

    @classmethod
    def of(cls, item: Completeness) -> CompletenessOut:
        return cls(org_unit=item.org_unit, year=item.year, expected=item.expected, reported=item.reported,
                   missing=list(item.missing))


class PlanOut(StrictModel):
    id: int
    title: str
    start_year: int | None
    end_year: int | None
    version: int


class ObservationIn(StrictModel):
    period_id: RowId
    indicator_id: RowId
    org_unit_id: RowId
    value: str = Field(description="数值原文：95、95%、1.2万、3‰、全角数字均可；累计类目标填本年新增量；"
                       "定性目标填 达到、未达到 或 无法判断（报送时 note 须写明评估依据）")
    source: str = ""
    note: str = ""
    submit: bool = Field(default=False, description="保存后立即报送审核")


class ReturnIn(StrictModel):
    comment: str = Field(min_length=1, description="退回意见（必填）")


class ObservationOut(StrictModel):
    id: int
    indicator_id: int
    org_unit_id: int
    period_id: int
    state: str
    version: int
    value_text: str
    value: float | None
    unit: str
    source: str
    note: str
    flags: list[str]

    @classmethod
    def of(cls, view: ObservationView) -> ObservationOut:
        return cls(id=view.id, indicator_id=view.indicator_id, org_unit_id=view.org_unit_id, period_id=view.period_id,
                   state=view.state.value, version=view.version, value_text=view.value_text, value=view.value,
                   unit=view.unit, source=view.source, note=view.note, flags=list(view.flags))


class TargetOut(StrictModel):
    year: int
    text: str
    value: float | None
    value_high: float | None
    comparator: str
    target_type: str | None = Field(default=None, description="level | change | rate | cumulative | qualitative；"
                                    "null：导入于类型记录之前，评估时按目标文字判断")


class IndicatorOut(StrictModel):
    id: int
    plan_id: int
    code: str
    name: str
    extracted_name: str | None = Field(description="提取时的名称；人工新增的指标为新增时的名称")
    unit: str | None
    attribute: str | None
    domain: str | None
    baseline_year: int | None
    baseline_text: str | None
    baseline: float | None
    kind: str = Field(description="table | prose | manual（人工新增）")
    line: int = Field(description="原文行号（/documents/{source_file_id}#line-N）")
    source_text: str
    targets: list[TargetOut]
    retired: bool = Field(default=False, description="已停用（含已并入其他指标）")
    retired_reason: str | None = None
    merged_into_id: int | None = Field(default=None, description="并入的指标编号")

    @classmethod
    def of(cls, row: Indicator) -> IndicatorOut:
        return cls(id=row.id, plan_id=row.plan_id, code=row.code, name=row.name, extracted_name=row.extracted_name,
                   unit=row.unit, attribute=row.attribute, domain=row.domain, baseline_year=row.baseline_year,
                   baseline_text=row.baseline_text, baseline=row.baseline, kind=row.kind, line=row.line,
                   source_text=row.source_text,
                   targets=[TargetOut(year=t.year, text=t.text, value=t.value, value_high=t.value_high,
                                      comparator=t.comparator, target_type=t.target_type) for t in row.targets],
                   retired=row.retired_at is not None, retired_reason=row.retired_reason,
                   merged_into_id=row.merged_into_id)


class CorrectionIn(StrictModel):
    """Only the fields sent are changed; "" clears unit or baseline."""

    name: str | None = None
    unit: str | None = None
    attribute: str | None = Field(default=None, description="预期性 | 约束性")
    baseline_year: Year | None = None
    baseline: str | None = Field(default=None, description="基期值原文，如 9.8")
    target_year: Year | None = Field(default=None, description="要更正的目标年份；缺省为最后一个目标")
    target: str | None = Field(default=None, description="目标值原文，如 ≥95、下降15%、8.5左右，或没有数值的"
                               "定性目标，如 完成市级下达目标")
    comparator: str | None = Field(default=None, description=">=, <=, >, <, =, ~, decrease_by_pct, increase_by_pct, "
                                   "increase_by_points, decrease_by_points, range；缺省按目标值文字判断")
    target_type: str | None = Field(default=None, description="level | change | rate | cumulative | qualitative；"
                                    "缺省按目标值文字判断")

    def fix(self) -> IndicatorFix:
        return IndicatorFix(**self.model_dump(exclude={"line"}))


class NewIndicatorIn(CorrectionIn):
    line: LineNumber = Field(description="指标所在的原文行号")
    name: str = Field(min_length=1)
    target: str = Field(min_length=1)


class TargetIn(StrictModel):
    """A new target of an indicator (through the correction service: kept on re-import)."""

    target: str = Field(min_length=1, description="目标值原文，如 ≥95、下降15%")
    target_year: Year | None = Field(default=None, description="缺省为最后一个目标年份")
    comparator: str | None = Field(default=None, description="缺省按目标值文字判断")
    target_type: str | None = Field(default=None, description="level | change | rate | cumulative | qualitative；"
                                    "缺省按目标值文字判断")
    reason: str = Field(min_length=1, description="修改原因（记入审计记录）")

    def fix(self) -> IndicatorFix:
        return IndicatorFix(target=self.target, target_year=self.target_year, comparator=self.comparator,
                            target_type=self.target_type)


class ReasonIn(StrictModel):
    reason: str = Field(min_length=1, description="原因（记入审计记录）")


class MergeIn(StrictModel):
    """Merge indicator ``merge_id`` into the one of the path."""

    merge_id: RowId = Field(description="并入（停用）的指标编号")
    reason: str = Field(min_length=1)
    choices: dict[str, Literal["kept", "merged"]] = Field(
        default_factory=dict, description="冲突的处理：并入指标的数据编号 → kept（保留本指标的值）或 merged（采用并入指标的值）")

    def chosen(self) -> dict[int, Literal["kept", "merged"]]:
        bad = [key for key in self.choices if not key.isdigit()]
        if bad:
            raise InputError("choices", f"键应为数据编号（数字），而不是「{bad[0]}」")
        return {int(key): value for key, value in self.choices.items()}


class MergeConflictOut(StrictModel):
    merged_observation_id: int
    kept_observation_id: int
    org_unit: str
    period: str
    breakdown: str
    kept_value: str
    merged_value: str


class SearchHitOut(StrictModel):
    source_file_id: int
    file_name: str
    document_title: str | None
    line: int
    snippet: str
    matches: list[str]


class SearchOut(StrictModel):
    query: str
    words: list[str]
    total: int
    substring: bool = Field(description="分词没有匹配时按原文片段匹配")
    hits: list[SearchHitOut]

    @classmethod
    def of(cls, results: SearchResults) -> SearchOut:
        return cls(query=results.query, words=list(results.words), total=results.total, substring=results.substring,
                   hits=[SearchHitOut(source_file_id=h.source_file_id, file_name=h.file_name,
                                      document_title=h.document_title, line=h.line,
                                      snippet="".join(text for text, _ in h.snippet),
                                      matches=[text for text, matched in h.snippet if matched]) for h in results.hits])


class ComparedOut(StrictModel):
    indicator_id: int
    name: str
    unit: str | None
    attribute: str | None
    plan_id: int
    plan_title: str
    issuer: str | None
    baseline_year: int | None
    baseline: str | None
    targets: dict[str, str] = Field(description="年份 → 目标值原文")
    latest_year: int | None
    latest_value: float | None
    status: Status | None

    @classmethod
    def of(cls, item: ComparedIndicator) -> ComparedOut:
        return cls(indicator_id=item.indicator_id, name=item.name, unit=item.unit, attribute=item.attribute,
                   plan_id=item.plan_id, plan_title=item.plan_title, issuer=item.issuer,
                   baseline_year=item.baseline_year, baseline=item.baseline,
                   targets={str(year): text for year, text in item.targets}, latest_year=item.latest_year,
                   latest_value=item.latest_value, status=item.result.status if item.result else None)


class ImportedPlanOut(StrictModel):
    plan_id: int
    title: str
    version: int
    indicators: int
    carried_over: int
    assigned: int
    unchanged: bool = Field(False, description="现行版本的指标体系与此文件相同，未生成新版本")


class ImportOut(StrictModel):
    file: str
    sha256: str
    already_imported: bool
    documents: int
    plans: list[ImportedPlanOut]
    same_as: str = Field("", description="文件中的规划均已按此前导入的文件（如同一公报的 Word 版）存在，未作改动")

    @classmethod
    def of(cls, result: ImportResult) -> ImportOut:
        return cls(file=result.file, sha256=result.sha256, already_imported=result.already_imported,
                   documents=result.documents,
                   same_as=result.same_as,
                   plans=[ImportedPlanOut(plan_id=p.plan_id, title=p.title, version=p.version, indicators=p.indicators,
                                          carried_over=p.carried_over, assigned=p.assigned, unchanged=p.unchanged)
                          for p in result.plans])


class LedgerReportIn(StrictModel):
    """A unit's progress on one task or one project (give exactly one of task_id, project_id)."""

    period_id: RowId
    task_id: RowId | None = None
    project_id: RowId | None = None
    org_unit_id: RowId | None = Field(default=None, description="责任单位（填报员可省略：本单位）")
    status: str = Field(description="not_started 未启动 / in_progress 推进中 / completed 已完成 / behind 滞后 / suspended 暂缓")
    percent: float | None = Field(default=None, ge=0, le=100)
    progress: str = Field(default="", max_length=4000)
    investment_period: float | None = Field(default=None, ge=0, description="本期完成投资（万元）")
    investment_cumulative: float | None = Field(default=None, ge=0, description="累计完成投资（万元）")
    milestones_reached: list[RowId] = Field(default_factory=list, description="已达到的里程碑编号")
    target_values: dict[str, float] = Field(default_factory=dict, description="量化目标编号 → 完成值")
    submit: bool = Field(default=False, description="保存后立即报送审核")


class LedgerReportOut(StrictModel):
    id: int
    task_id: int | None
    project_id: int | None
    period_id: int
    org_unit_id: int
    status: str
    state: str
    percent: float | None
    progress: str
    investment_period: float | None
    investment_cumulative: float | None
    milestones_reached: list[int]
    target_values: dict[str, float]
    review_note: str

    @classmethod
    def of(cls, r: LedgerReport) -> LedgerReportOut:
        return cls(id=r.id, task_id=r.task_id, project_id=r.project_id, period_id=r.period_id,
                   org_unit_id=r.org_unit_id, status=r.status, state=r.state, percent=r.percent, progress=r.progress,
                   investment_period=r.investment_period, investment_cumulative=r.investment_cumulative,
                   milestones_reached=list(r.milestones_reached or []), target_values=dict(r.target_values or {}),
                   review_note=r.review_note)


class MilestoneOut(StrictModel):
    id: int
    title: str
    due: str


class TaskTargetOut(StrictModel):
    id: int
    name: str
    year: int
    value: float | None
    unit: str | None


class LedgerTaskOut(StrictModel):
    id: int
    kind: str
    number: str
    title: str
    section: str
    deadline: str | None
    overdue: bool
    retired: bool
    units: dict[str, list[str]] = Field(description="牵头 / 责任 / 配合 → 单位名称")
    targets: list[TaskTargetOut]
    milestones: list[MilestoneOut]
    latest_reports: list[LedgerReportOut] = Field(description="每个责任单位最近一期的进展报告")


class LedgerProjectOut(StrictModel):
    id: int
    name: str
    category: str | None
    content: str | None
    investment: float | None = Field(description="总投资（万元）")
    annual_investment: dict[str, float] = Field(description="年度计划投资（万元）")
    start_year: int | None
    end_year: int | None
    retired: bool
    units: list[str]
    milestones: list[MilestoneOut]
    latest_reports: list[LedgerReportOut]


class LedgerOut(StrictModel):
    plan_id: int
    tasks: list[LedgerTaskOut]
    projects: list[LedgerProjectOut]

    @classmethod
    def of(cls, book: Ledger, latest: dict[tuple[str, int], list[LedgerReport]]) -> LedgerOut:
        def milestones(rows: list[Milestone]) -> list[MilestoneOut]:
            return [MilestoneOut(id=m.id, title=m.title, due=m.due) for m in rows]

        def reports(kind: str, item_id: int) -> list[LedgerReportOut]:
            return [LedgerReportOut.of(r) for r in latest.get((kind, item_id), [])]

        return cls(plan_id=book.plan_id, tasks=[LedgerTaskOut(
            id=t.id, kind=t.kind, number=t.number, title=t.title, section=t.section, deadline=t.deadline,
            overdue=t.overdue, retired=t.retired, units=t.units,
            targets=[TaskTargetOut(id=g.id, name=g.name, year=g.year, value=g.value, unit=g.unit) for g in t.targets],
            milestones=milestones(t.milestones), latest_reports=reports("task", t.id)) for t in book.tasks],
            projects=[LedgerProjectOut(
                id=p.id, name=p.name, category=p.category, content=p.content, investment=p.investment,
                annual_investment=dict(p.annual_investment or {}), start_year=p.start_year, end_year=p.end_year,
                retired=p.retired, units=p.units, milestones=milestones(p.milestones),
                latest_reports=reports("project", p.id)) for p in book.projects])
