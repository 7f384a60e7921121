"""Reporting periods, observations, their revisions and the audit trail.

An observation row is only a pointer: its review state, the number of its current
revision, its review flags and a version counter for optimistic concurrency. Every value
ever entered is a new :class:`ObservationRevision` and every change of anything is an
:class:`AuditEvent`; neither is updated or deleted, which the ORM guard at the bottom of
this module enforces for any session, so a disputed figure can always be traced back to
who entered it, when, and who approved or returned it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from planwatch.errors import PlanWatchError
from planwatch.store.models.base import Base, utcnow

__all__ = [
    "APPEND_ONLY_TABLES",
    "AppendOnlyViolation",
    "AuditEvent",
    "Observation",
    "ObservationRevision",
    "ReportingPeriod",
    "append_only_ddl",
]


class ReportingPeriod(Base):
    """A plan's year (or quarter, or month) for which units report, with its window."""

    __tablename__ = "reporting_periods"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_reporting_periods_plan_code"),
        CheckConstraint("quarter IS NULL OR (quarter BETWEEN 1 AND 4)", name="quarter"),
        CheckConstraint("month IS NULL OR (month BETWEEN 1 AND 12)", name="month"),
        CheckConstraint("quarter IS NULL OR month IS NULL", name="one_subperiod"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    # DHIS2 period code (2025, 2025Q1, 202503): unique per plan whatever the granularity.
    code: Mapped[str] = mapped_column(String(8))
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Observation(Base):
    """One reported figure's slot: indicator × org unit × period × disaggregation.

    Disaggregation columns hold "" for the total so that the unique constraint treats
    totals as equal on every database (NULLs never collide in a unique index).
    """

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("indicator_id", "org_unit_id", "period_id", "sex", "area", "age_group",
                         name="uq_observations_slot"),
        Index("ix_observations_period_org_unit", "period_id", "org_unit_id"),
        # the review queue pages through a state's figures of a period in this order, unsorted
        Index("ix_observations_state_period", "state", "period_id", "org_unit_id", "indicator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"))
    sex: Mapped[str] = mapped_column(String(16), default="")
    area: Mapped[str] = mapped_column(String(16), default="")
    age_group: Mapped[str] = mapped_column(String(32), default="")
    state: Mapped[str] = mapped_column(String(16))
    current_revision: Mapped[int] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # The ORM adds "AND version = :read" to every UPDATE and raises StaleDataError when the
    # row moved on meanwhile: optimistic concurrency between simultaneous reporters.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ObservationRevision(Base):
    """A value as someone entered it; revision numbers count from 1 per observation."""

    __tablename__ = "observation_revisions"
    __table_args__ = (
        UniqueConstraint("observation_id", "revision", name="uq_observation_revisions_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"))
    revision: Mapped[int] = mapped_column(Integer)
    value_text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str] = mapped_column(String(32), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditActor(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def login(self) -> str: ...


class AuditEvent(Base):
    """Who did what to which entity, when, from what to what, and why."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Kept as text too so the trail stays readable if a login is renamed.
    actor_login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    @classmethod
    def of(cls, actor: AuditActor, action: str, entity: str, entity_id: int | str, *, old: dict[str, Any] | None = None,
           new: dict[str, Any] | None = None, reason: str | None = None,
           at: datetime | None = None) -> AuditEvent:
        """The event for ``actor`` doing ``action`` to row ``entity_id`` of table ``entity``."""
        return cls(at=at or utcnow(), actor_id=actor.id, actor_login=actor.login,
                   action=action, entity=entity, entity_id=str(entity_id),
                   old=old, new=new, reason=reason)


# The same rule in the database itself, so that SQL typed by hand or another program cannot
# rewrite history either. The initial Alembic revision runs these statements.
_PG_REFUSE = (
    "CREATE OR REPLACE FUNCTION planwatch_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are never changed or deleted (append-only)'; "
    "END $$"
)


def append_only_ddl(dialect: str, table: str, *, allow_update: bool = False) -> list[str]:
    """Trigger statements refusing DELETE (and UPDATE unless ``allow_update``) on ``table``."""
    events = ["DELETE"] if allow_update else ["UPDATE", "DELETE"]
    if dialect == "postgresql":
        return [_PG_REFUSE, f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(events)} ON {table} "
                            "FOR EACH ROW EXECUTE FUNCTION planwatch_refuse_change()"]
    if dialect == "sqlite":
        return [f"CREATE TRIGGER {table}_no_{e.lower()} BEFORE {e} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} rows are never changed or deleted (append-only)'); END"
                for e in events]
    return []


APPEND_ONLY_TABLES = {"observation_revisions": False, "audit_events": False, "observations": True}


class AppendOnlyViolation(PlanWatchError):
    """Code tried to change or delete a revision or an audit event."""


_APPEND_ONLY = (ObservationRevision, AuditEvent)


@event.listens_for(Session, "before_flush")
def _refuse_rewriting_history(session: Session, flush_context: UOWTransaction,
                              instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, _APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__tablename__} 只能追加，不能修改或删除（id={obj.id}）")
    for obj in session.deleted:
        if isinstance(obj, Observation | ReportingPeriod):
            raise AppendOnlyViolation(f"{type(obj).__tablename__} 不能物理删除（id={obj.id}）")
