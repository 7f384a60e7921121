"""/api/v1: the same services as the pages, for scripts (``Authorization: Bearer <token>``).

Tokens are created with ``planwatch users token``; every call runs with the token owner's
role, so a clerk's script can write only its unit's data, exactly as in the browser.
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.evaluate import overall, warning_list
from planwatch.services import observations, review
from planwatch.services.evaluation import PlanEvaluation, evaluate_stored_plan
from planwatch.store.models import Plan, User
from planwatch.web.api_models import (
    ERROR_RESPONSES,
    CompletenessOut,
    EvaluationOut,
    ObservationIn,
    ObservationOut,
    PlanOut,
    ReturnIn,
    StatusCountsOut,
    WarningOut,
)
from planwatch.web.app_state import DbSession
from planwatch.web.auth import ApiUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERROR_RESPONSES)


def _evaluate(db: Session, user: User, plan_id: int, year: int | None) -> PlanEvaluation:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise HTTPException(status_code=404, detail=f"plan_id：没有编号为 {plan_id} 的规划")
    return evaluate_stored_plan(db, user, plan, year)


@router.get("/plans", response_model=list[PlanOut], summary="规划列表（当前版本）")
def list_plans(user: ApiUser, db: DbSession) -> list[PlanOut]:
    return [PlanOut(id=p.id, title=p.title, start_year=p.start_year, end_year=p.end_year, version=p.version)
            for p in db.scalars(select(Plan).where(Plan.current.is_(True)).order_by(Plan.id))]


@router.get("/plans/{plan_id}/evaluation", response_model=list[EvaluationOut], summary="指标评估结果")
def plan_evaluation(plan_id: int, user: ApiUser, db: DbSession, year: int | None = None) -> list[EvaluationOut]:
    return [EvaluationOut.of(r) for r in _evaluate(db, user, plan_id, year).results]


@router.get("/plans/{plan_id}/summary", response_model=StatusCountsOut, summary="状态分布（含约束性指标）")
def plan_summary(plan_id: int, user: ApiUser, db: DbSession, year: int | None = None) -> StatusCountsOut:
    evaluation = _evaluate(db, user, plan_id, year)
    return StatusCountsOut.of(dataclasses.replace(overall(evaluation.results), group=evaluation.plan_title))


@router.get("/plans/{plan_id}/warnings", response_model=list[WarningOut], summary="预警清单")
def plan_warnings(plan_id: int, user: ApiUser, db: DbSession, year: int | None = None) -> list[WarningOut]:
    return [WarningOut.of(w) for w in warning_list(_evaluate(db, user, plan_id, year).results)]


@router.get("/plans/{plan_id}/completeness", response_model=list[CompletenessOut], summary="各单位报送完整性")
def plan_completeness(plan_id: int, user: ApiUser, db: DbSession,
                      year: int | None = None) -> list[CompletenessOut]:
    return [CompletenessOut.of(c) for c in _evaluate(db, user, plan_id, year).completeness]


@router.get("/periods/{period_id}/observations", response_model=list[ObservationOut], summary="报告期数据")
def period_observations(period_id: int, user: ApiUser, db: DbSession) -> list[ObservationOut]:
    return [ObservationOut.of(v) for v in observations.list_observations(db, user, period_id)]


@router.post("/observations", response_model=ObservationOut, status_code=201, summary="填报（可同时报送）")
def enter_observation(body: ObservationIn, user: ApiUser, db: DbSession) -> ObservationOut:
    view = observations.enter_value(db, user, body.period_id, observations.ObservationInput(
        body.indicator_id, body.org_unit_id, body.value, source=body.source, note=body.note))
    if body.submit:
        view = observations.submit(db, user, view.id)
    return ObservationOut.of(view)


@router.post("/observations/{observation_id}/approve", response_model=ObservationOut, summary="审核通过")
def approve_observation(observation_id: int, user: ApiUser, db: DbSession) -> ObservationOut:
    return ObservationOut.of(review.approve(db, user, observation_id))


@router.post("/observations/{observation_id}/return", response_model=ObservationOut, summary="退回（须填写意见）")
def return_observation(observation_id: int, body: ReturnIn, user: ApiUser, db: DbSession) -> ObservationOut:
    return ObservationOut.of(review.return_observation(db, user, observation_id, body.comment))
