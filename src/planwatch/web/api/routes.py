"""/api/v1: the same services as the pages, for scripts (``Authorization: Bearer <token>``).

Tokens are created with ``planwatch users token``; every call runs with the token owner's
role, so a clerk's script can write only its unit's data, exactly as in the browser.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import Field

from planwatch.ingest import DEFAULT_MAX_BYTES
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import (
    comparison,
    corrections,
    indicator_lifecycle,
    ledger,
    ledger_progress,
    observations,
    region_scope,
    review,
    search,
)
from planwatch.services.evaluation import PlanEvaluation, evaluate_stored_plan
from planwatch.services.import_history import Channel
from planwatch.services.transactions import Session
from planwatch.store.models import Indicator, Plan, User
from planwatch.web.api.models import (
    ERROR_RESPONSES,
    ComparedOut,
    CompletenessOut,
    CorrectionIn,
    EvaluationOut,
    ImportOut,
    IndicatorOut,
    LedgerOut,
    LedgerReportIn,
    LedgerReportOut,
    MergeConflictOut,
    MergeIn,
    NewIndicatorIn,
    ObservationIn,
    ObservationOut,
    PlanOut,
    ReasonIn,
    ReturnIn,
    SearchOut,
    StatusCountsOut,
    TargetIn,
    WarningOut,
)
from planwatch.web.app_state import DbSession, app_database
from planwatch.web.auth import ApiUser
from planwatch.web.boundary import body
from planwatch.web.params import Offset, RowId, Year
from planwatch.web.uploads import (
    UPLOAD_REQUEST_BODY,
    UploadJobs,
    receive_upload,
    uploaded_file,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERROR_RESPONSES)


def _plan(db: Session, user: User, plan_id: int) -> Plan:
    """A plan of the token owner's district; 404 for any other (see region_scope)."""
    return region_scope.plan(db, user, plan_id)


def _evaluate(db: Session, user: User, plan_id: int, year: int | None) -> PlanEvaluation:
    return evaluate_stored_plan(db, user, _plan(db, user, plan_id), year)


@router.get("/plans", response_model=list[PlanOut], summary="规划列表（当前版本，本地区）")
def list_plans(user: ApiUser, db: DbSession) -> list[PlanOut]:
    return [PlanOut(id=p.id, title=p.title, start_year=p.start_year, end_year=p.end_year, version=p.version)
            for p in region_scope.plans(db, user)]


@router.get("/plans/{plan_id}/evaluation", response_model=list[EvaluationOut], summary="指标评估结果")
def plan_evaluation(plan_id: RowId, user: ApiUser, db: DbSession, year: Year | None = None) -> list[EvaluationOut]:
    return [EvaluationOut.of(r) for r in _evaluate(db, user, plan_id, year).results]


@router.get("/plans/{plan_id}/summary", response_model=StatusCountsOut, summary="状态分布（含约束性指标）")
def plan_summary(plan_id: RowId, user: ApiUser, db: DbSession, year: Year | None = None) -> StatusCountsOut:
    evaluation = _evaluate(db, user, plan_id, year)
    return StatusCountsOut.of(dataclasses.replace(evaluation.summary, group=evaluation.plan_title))


@router.get("/plans/{plan_id}/warnings", response_model=list[WarningOut], summary="预警清单")
def plan_warnings(plan_id: RowId, user: ApiUser, db: DbSession, year: Year | None = None) -> list[WarningOut]:
    return [WarningOut.of(w) for w in _evaluate(db, user, plan_id, year).warnings]


@router.get("/plans/{plan_id}/completeness", response_model=list[CompletenessOut], summary="各单位报送完整性")
def plan_completeness(plan_id: RowId, user: ApiUser, db: DbSession,
                      year: Year | None = None) -> list[CompletenessOut]:
    return [CompletenessOut.of(c) for c in _evaluate(db, user, plan_id, year).completeness]


@router.get("/periods/{period_id}/observations", response_model=list[ObservationOut], summary="报告期数据")
def period_observations(period_id: RowId, user: ApiUser, db: DbSession) -> list[ObservationOut]:
    return [ObservationOut.of(v) for v in observations.list_observations(db, user, period_id)]


@router.post("/observations", response_model=ObservationOut, status_code=201, summary="填报（可同时报送）")
def enter_observation(body: ObservationIn, user: ApiUser, db: DbSession) -> ObservationOut:
    view = observations.enter_value(db, user, body.period_id, observations.ObservationInput(
        body.indicator_id, body.org_unit_id, body.value, source=body.source, note=body.note))
    if body.submit:
        view = observations.submit(db, user, view.id)
    return ObservationOut.of(view)


@router.post("/observations/{observation_id}/approve", response_model=ObservationOut, summary="审核通过")
def approve_observation(observation_id: RowId, user: ApiUser, db: DbSession) -> ObservationOut:
    return ObservationOut.of(review.approve(db, user, observation_id))


@router.post("/observations/{observation_id}/return", response_model=ObservationOut, summary="退回（须填写意见）")
def return_observation(observation_id: RowId, body: ReturnIn, user: ApiUser, db: DbSession) -> ObservationOut:
    return ObservationOut.of(review.return_observation(db, user, observation_id, body.comment))


@router.get("/plans/{plan_id}/indicators", response_model=list[IndicatorOut], summary="规划的指标体系（含目标和原文出处）")
def plan_indicators(plan_id: RowId, user: ApiUser, db: DbSession) -> list[IndicatorOut]:
    check(user, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(user)))
    return [IndicatorOut.of(i) for i in _plan(db, user, plan_id).indicators]


@router.post("/plans/{plan_id}/indicators", response_model=IndicatorOut, status_code=201,
             summary="新增漏提的指标（按原文行号；重新导入时保留）")
def add_indicator(plan_id: RowId, body: NewIndicatorIn, user: ApiUser, db: DbSession) -> IndicatorOut:
    return IndicatorOut.of(corrections.add_indicator(db, user, _plan(db, user, plan_id).id, body.line, body.fix()))


@router.post("/indicators/{indicator_id}/corrections", response_model=IndicatorOut,
             summary="更正提取结果（名称、单位、基期值、目标值、比较方式；留痕，重新导入时保留）")
def correct_indicator(indicator_id: RowId, body: CorrectionIn, user: ApiUser, db: DbSession) -> IndicatorOut:
    return IndicatorOut.of(corrections.correct_indicator(db, user, _indicator(db, user, indicator_id).id, body.fix()))


@router.post("/indicators/{indicator_id}/target", response_model=IndicatorOut,
             summary="修改目标值（年份、比较方式；留痕，重新导入时保留）")
def set_target(indicator_id: RowId, body: TargetIn, user: ApiUser, db: DbSession) -> IndicatorOut:
    indicator = _indicator(db, user, indicator_id)
    return IndicatorOut.of(corrections.correct_indicator(db, user, indicator.id, body.fix(), reason=body.reason))


@router.post("/indicators/{indicator_id}/retire", response_model=IndicatorOut,
             summary="停用指标（退出评估、填报、模板、报告和考核；重新导入时保持停用）")
def retire_indicator(indicator_id: RowId, body: ReasonIn, user: ApiUser, db: DbSession) -> IndicatorOut:
    return IndicatorOut.of(indicator_lifecycle.retire(db, user, _indicator(db, user, indicator_id).id, body.reason))


@router.post("/indicators/{indicator_id}/restore", response_model=IndicatorOut, summary="恢复已停用的指标")
def restore_indicator(indicator_id: RowId, body: ReasonIn, user: ApiUser, db: DbSession) -> IndicatorOut:
    return IndicatorOut.of(indicator_lifecycle.restore(db, user, _indicator(db, user, indicator_id).id, body.reason))


@router.post("/indicators/{indicator_id}/merge", response_model=IndicatorOut,
             responses={409: {"description": "两个指标在同一单位、同一报告期都有数值：conflicts 列出，须在 choices 中逐项选择"}},
             summary="把另一个指标并入本指标（数据、审计记录和责任单位随之转移）")
def merge_indicator(indicator_id: RowId, body: MergeIn, user: ApiUser, db: DbSession) -> IndicatorOut | JSONResponse:
    kept = _indicator(db, user, indicator_id)
    try:
        indicator_lifecycle.merge(db, user, kept.id, _indicator(db, user, body.merge_id).id, body.reason, body.chosen())
    except indicator_lifecycle.MergeConflicts as exc:
        return JSONResponse({"detail": str(exc), "conflicts": [
            MergeConflictOut(**dataclasses.asdict(c)).model_dump() for c in exc.conflicts]}, status_code=409)
    return IndicatorOut.of(kept)


def _indicator(db: Session, user: User, indicator_id: int) -> Indicator:
    return region_scope.indicator(db, user, indicator_id)


@router.post("/documents", response_model=ImportOut, status_code=201,
             openapi_extra={**UPLOAD_REQUEST_BODY, **body(DEFAULT_MAX_BYTES, files=True)},
             responses={413: {"description": "文件超过大小上限"}, 415: {"description": "不是 multipart/form-data"}},
             summary="上传并导入规划文件（.txt/.md/.docx/.pdf/.html），同一文件不重复导入")
async def upload_document(request: Request, user: ApiUser, db: DbSession) -> ImportOut:
    check(user, Action.IMPORT_PLAN)  # the token and the right are checked before the body is read
    form = await receive_upload(request)
    # The token check's transaction ends here: on SQLite it would hold the write lock for the
    # whole import, and the import stores in a short transaction of its own after extraction.
    await run_in_threadpool(db.commit)
    jobs: UploadJobs = request.app.state.uploads
    try:
        upload = uploaded_file(form)
        path = await run_in_threadpool(jobs.save, app_database(request.app), user, upload.filename or "", upload.file,
                                       Channel.API_UPLOAD)
    finally:
        await form.close()
    result = await run_in_threadpool(jobs.import_now, app_database(request.app), user.id, path)
    return ImportOut.of(result)


@router.get("/search", response_model=SearchOut, summary="全文检索（中文分词）")
def search_documents(q: str, user: ApiUser, db: DbSession, limit: Annotated[int, Field(ge=1, le=200)] = 20,
                     offset: Offset = 0) -> SearchOut:
    return SearchOut.of(search.search(db, user, q, limit=limit, offset=offset))


@router.get("/compare", response_model=list[ComparedOut], summary="同一指标在各规划、各区的目标和最新值对比")
def compare_indicator(q: str, user: ApiUser, db: DbSession, year: Year | None = None) -> list[ComparedOut]:
    return [ComparedOut.of(c) for c in comparison.compare(db, user, q, year)]


@router.get("/plans/{plan_id}/ledger", response_model=LedgerOut,
            summary="任务台账：重点任务和重大项目，含责任单位、量化目标、里程碑和各单位最近一期进展")
def ledger_of_plan(plan_id: RowId, user: ApiUser, db: DbSession) -> LedgerOut:
    plan = _plan(db, user, plan_id)
    return LedgerOut.of(ledger.plan_ledger(db, user, plan), ledger.latest_reports(db, user, plan))


@router.post("/ledger/reports", response_model=LedgerReportOut, status_code=201,
             summary="报告任务或项目进展（可同时报送）")
def report_ledger_progress(body: LedgerReportIn, user: ApiUser, db: DbSession) -> LedgerReportOut:
    targets = []
    for key, value in body.target_values.items():
        if not key.isdigit():
            raise HTTPException(status_code=422, detail=f"target_values：键应为量化目标编号，而不是「{key}」")
        targets.append((int(key), value))
    values = ledger_progress.LedgerInput(
        body.status, body.progress, body.percent, body.investment_period, body.investment_cumulative,
        tuple(body.milestones_reached), tuple(targets))
    return LedgerReportOut.of(ledger_progress.report_progress(
        db, user, period_id=body.period_id, values=values, task_id=body.task_id, project_id=body.project_id,
        org_unit_id=body.org_unit_id, submit=body.submit))


@router.post("/ledger/reports/{report_id}/approve", response_model=LedgerReportOut, summary="进展报告审核通过")
def approve_ledger_report(report_id: RowId, user: ApiUser, db: DbSession) -> LedgerReportOut:
    return LedgerReportOut.of(ledger_progress.review_report(db, user, report_id, approve=True))


@router.post("/ledger/reports/{report_id}/return", response_model=LedgerReportOut,
             summary="退回进展报告（须填写意见）")
def return_ledger_report(report_id: RowId, body: ReturnIn, user: ApiUser, db: DbSession) -> LedgerReportOut:
    return LedgerReportOut.of(ledger_progress.review_report(db, user, report_id, approve=False, note=body.comment))
