"""Progress reports on a plan's tasks and major projects (任务和项目进展), per reporting period.

A responsible unit reports each task's status, a percentage and what was done, and for a
project the investment completed in the period and in all; evidence files are kept with
their hash. The report goes through the same states as indicator data (draft → submitted →
approved or returned) and every change is an audit event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planwatch.store.models.base import Base, utcnow


class LedgerReport(Base):
    """One unit's report on one task or project for one period."""

    __tablename__ = "ledger_reports"
    __table_args__ = (
        UniqueConstraint("task_id", "period_id", "org_unit_id", name="uq_ledger_reports_task_period_unit"),
        UniqueConstraint("project_id", "period_id", "org_unit_id", name="uq_ledger_reports_project_period_unit"),
        CheckConstraint("(task_id IS NULL) <> (project_id IS NULL)", name="task_or_project"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # not_started | in_progress | completed | behind | suspended
    percent: Mapped[float | None] = mapped_column(Double)
    progress: Mapped[str] = mapped_column(Text, default="")
    investment_period: Mapped[float | None] = mapped_column(Double)  # 万元, completed in the period
    investment_cumulative: Mapped[float | None] = mapped_column(Double)  # 万元, completed since the start
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted | approved | returned
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, default="")
    milestones_reached: Mapped[list[int] | None] = mapped_column(JSON)  # Milestone ids
    target_values: Mapped[dict[str, float] | None] = mapped_column(JSON)  # TaskTarget id → value reached

    evidence: Mapped[list[LedgerEvidence]] = relationship(order_by="LedgerEvidence.id")


class LedgerEvidence(Base):
    """A file that backs a progress report (a PDF, an image, a Word file), kept with its hash."""

    __tablename__ = "ledger_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("ledger_reports.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when downloaded
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
