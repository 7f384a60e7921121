"""Data versions of what evaluation reads, and the stored evaluation snapshot.

A dashboard is the same as long as the figures, targets and definitions it evaluates are the
same; the audit log is no measure of that (a clerk's draft is audited and changes nothing
evaluated). Database triggers (:mod:`planwatch.store.evaluation_triggers`) therefore raise a
plan's data version on exactly the writes that evaluation reads, noting which indicator and
which data year each write touched. An evaluation of a year is current while no version of
that year or an earlier one moved on; when one did, only the indicators noted since are
evaluated again. The snapshot (headline figures per plan, year and view, and one row per
indicator) is shared by every app process and host through the database, so a restart or a
second host reads it instead of evaluating the plan again.

Every table here can be rebuilt from the data: backups leave them out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, DateTime, Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["ALL", "EvaluationChange", "EvaluationPending", "EvaluationResultRow", "EvaluationSnapshot",
           "EvaluationVersion"]

ALL: Final = 0  # indicator_id 0: every indicator of the plan; year 0: every data year (targets, definitions)
_TRANSIENT: Final = {"info": {"transient": True}}


class EvaluationVersion(Base):
    """A plan's data version at the last change of one data year (0: of its definitions).

    The versions of one plan count up together, in commit order, so the evaluation of year Y
    is current while ``max(version)`` over the years ≤ Y is what it was computed at.
    """

    __tablename__ = "evaluation_versions"
    __table_args__ = (_TRANSIENT,)

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class EvaluationChange(Base):
    """The plan's data version at the last change of one indicator's data of one year:
    what an evaluation at an older version must evaluate again."""

    __tablename__ = "evaluation_changes"
    __table_args__ = (Index("ix_evaluation_changes_plan_version", "plan_id", "version"), _TRANSIENT)

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    indicator_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class EvaluationPending(Base):
    """PostgreSQL only: the changes of a transaction not yet committed. Versions are given at
    commit, under a lock per plan, so that they count up in commit order; no two
    transactions ever wait for each other's rows here (there is no unique key)."""

    __tablename__ = "evaluation_pending"
    __table_args__ = (_TRANSIENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)


class EvaluationSnapshot(Base):
    """The headline figures of one plan's evaluation in one year, as of ``version``: what a
    dashboard shows, without the plan's indicators one by one."""

    __tablename__ = "evaluation_snapshots"
    __table_args__ = (_TRANSIENT,)

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    pending: Mapped[bool] = mapped_column(Boolean, primary_key=True)  # submitted values counted too
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the most severe, in warning order
    warning_count: Mapped[int] = mapped_column(Integer)
    completeness: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvaluationResultRow(Base):
    """One indicator's evaluated status in a snapshot: enough to count, order warnings and
    list a page of indicators; the full result is evaluated for the indicator's own page."""

    __tablename__ = "evaluation_results"
    __table_args__ = (
        # Counting by status and listing the most severe warnings read an index, not the rows.
        Index("ix_evaluation_results_status", "plan_id", "year", "pending", "status", "binding"),
        Index("ix_evaluation_results_warnings", "plan_id", "year", "pending", "severity", "binding", "shortfall"),
        _TRANSIENT,
    )

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    pending: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))
    severity: Mapped[int] = mapped_column(Integer)
    binding: Mapped[bool] = mapped_column(Boolean)
    shortfall: Mapped[float] = mapped_column(Double)
    latest: Mapped[float | None] = mapped_column(Double)  # the figure of the data year, as entered
    warning: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the warning line, for severity > 0
