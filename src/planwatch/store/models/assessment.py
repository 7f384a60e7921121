"""The assessment of units (综合评价和绩效考核): the scheme per plan and year, and the bonus and
deduction items the evaluation group enters by hand with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Double, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow


class AssessmentScheme(Base):
    """Weights and points of one plan's assessment for one year (the default scheme when absent)."""

    __tablename__ = "assessment_schemes"
    __table_args__ = (UniqueConstraint("plan_id", "year", name="uq_assessment_schemes_plan_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentAdjustment(Base):
    """A bonus (positive) or deduction (negative) for one unit, with the reason the score shows."""

    __tablename__ = "assessment_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    points: Mapped[float] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
