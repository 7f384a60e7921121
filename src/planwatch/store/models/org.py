"""Org units, users with their roles and API tokens, and who is responsible for what."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["LOGIN_LENGTH", "ApiToken", "Assignment", "LoginCounter", "OrgUnit", "SessionKey", "UnitNameMapping", "User",
           "WebSession"]

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
    """A person who logs in; a reporting clerk is bound to one org unit.

    ``region_org_unit_id`` binds the user to a district (an org unit and its subtree): the
    user sees and works on that district's plans, units and data only. None is every
    district, as for the accounts made before districts were kept apart.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # Where reminders (催报) and comments are e-mailed when an SMTP server is configured; may be blank.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    region_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
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
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: until revoked


class LoginCounter(Base):
    """Log-in attempts of one client address for one login (``login`` '' counts the address's
    attempts over all logins) in the window that began at ``started_at``.

    One row per key, raised by a single INSERT … ON CONFLICT DO UPDATE … RETURNING, so that
    parallel attempts each see their own count (a SELECT then INSERT let 18 of 20 parallel
    guesses through). In the database so that every app process counts the same attempts;
    backups leave these rows out.
    """

    __tablename__ = "login_counters"
    __table_args__ = (UniqueConstraint("ip", "login", name="uq_login_counters_ip_login"),
                      {"info": {"transient": True}})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH))  # the normalized login key, cut to length
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer)


class WebSession(Base):
    """A browser session, so that log-out, a password change or deactivation ends it at once
    in every app process; the cookie carries the id, the table only its SHA-256 digest."""

    __tablename__ = "web_sessions"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionKey(Base):
    """The key that signs session cookies, kept where every app process and host finds it:
    made by the first process that needs one, replaced only by ``planwatch settings
    rotate-session-key`` (audited). The newest row is the key; older rows are removed on
    rotation. Backups leave it out, as they leave out the sessions it signs."""

    __tablename__ = "session_keys"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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


class UnitNameMapping(Base):
    """A responsible-unit name as one plan prints it, mapped by an administrator to a unit.

    Plans of another district name units the matcher cannot find (the region is missing or
    the unit is called otherwise); the mapping is kept by plan key, so a revised version of
    the same plan is assigned the same way when it is imported.
    """

    __tablename__ = "unit_name_mappings"
    __table_args__ = (UniqueConstraint("plan_key", "printed_name", name="uq_unit_name_mappings_plan_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255))
    printed_name: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
