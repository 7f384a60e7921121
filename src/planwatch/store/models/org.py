"""Org units, users with their roles and API tokens, and who is responsible for what."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["LOGIN_LENGTH", "ApiToken", "Assignment", "LoginFailure", "OrgUnit", "User"]

LOGIN_LENGTH: Final = 64


class OrgUnit(Base):
    """The district, its departments, its towns and 街道, as a tree."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # district | department | town | subdistrict | other
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    short_name: Mapped[str] = mapped_column(String(100), default="")  # as plans write it: 区教委
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A person who logs in; a reporting clerk is bound to one org unit."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A token for scripts; only its hash is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """A failed log-in, kept for the throttle's window. In the database rather than a
    process's memory so that every app process (``planwatch serve --workers N``) counts
    the same failures; backups leave these rows out."""

    __tablename__ = "login_failures"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH), index=True)  # case-folded, cut to length
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Assignment(Base):
    """An org unit's responsibility (牵头 / 责任 / 配合) for an indicator or a task."""

    __tablename__ = "assignments"
    __table_args__ = (
        # NULLs never collide in a unique index, so each constraint only binds its own kind.
        UniqueConstraint("indicator_id", "org_unit_id", name="uq_assignments_indicator_unit"),
        UniqueConstraint("task_id", "org_unit_id", name="uq_assignments_task_unit"),
        CheckConstraint("(indicator_id IS NULL) <> (task_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # 牵头 | 责任 | 配合
    origin: Mapped[str] = mapped_column(String(16), default="manual")  # extracted | manual | carried
    note: Mapped[str] = mapped_column(Text, default="")
