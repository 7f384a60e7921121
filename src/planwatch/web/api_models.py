"""The /api/v1 wire format: strict Pydantic models, so the OpenAPI schema says exactly what
is accepted and returned, and a string is never silently taken for a number."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from planwatch.evaluate import Completeness, EvaluationResult, IndicatorWarning, Status, StatusSummary
from planwatch.services.observations import ObservationView

__all__ = [
    "ERROR_RESPONSES",
    "CompletenessOut",
    "ErrorOut",
    "EvaluationOut",
    "ObservationIn",
    "ObservationOut",
    "PlanOut",
    "ReturnIn",
    "StatusCountsOut",
    "StrictModel",
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
    422: {"model": ErrorOut, "description": "输入格式或取值错误"},
}


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
    explanation: str

    @classmethod
    def of(cls, result: EvaluationResult) -> EvaluationOut:
        return cls(
            indicator_id=result.indicator_id, name=result.name, status=result.status,
            status_label=result.status.label_zh, attribute=result.attribute, domain=result.domain,
            responsible=list(result.responsible), year=result.year, data_year=result.data_year,
            current=result.current, target=result.target, target_year=result.target_year,
            completion=result.completion, schedule=result.schedule, projected=result.projected,
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
    period_id: int
    indicator_id: int
    org_unit_id: int
    value: str = Field(description="数值原文：95、95%、1.2万、3‰、全角数字均可")
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
