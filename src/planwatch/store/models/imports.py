"""The history of files brought into the system: who, which file, how, when, and what came of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base

__all__ = ["ImportRecord"]


class ImportRecord(Base):
    """One file someone imported or tried to: a plan uploaded on the web or imported at the
    command line, a unit's Excel template, an org-unit or assignment table, a CLI submit.

    Refused files are recorded too, with every problem found, in a transaction of their own
    where the refused import's was rolled back: the office asks "did the 卫健委 send it, and
    why did it not go in?". ``org_unit_id`` is the unit the file was for (a template's unit,
    the clerk's unit), so the history filters by unit.
    """

    __tablename__ = "import_records"
    __table_args__ = (Index("ix_import_records_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_login: Mapped[str] = mapped_column(String(64))  # "cli" for the operator at the command line
    channel: Mapped[str] = mapped_column(String(32))  # see services.import_history.Channel
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # imported | unchanged | refused
    summary: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
