"""What people tell each other about the data: comment threads, inbox notifications and reminders.

A comment belongs to one reported figure or one progress report and is never edited (the
thread is part of the record of how a figure came to be accepted). A notification is one
person's inbox line — a comment addressed to them, a reminder to report — and only its
``read_at`` changes. A reminder row records that the monitoring group chased a unit for a
period, so the same unit is not chased twice within the configured interval.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["Comment", "Notification", "Reminder"]


class Comment(Base):
    """One message in the thread of an observation or a ledger report."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))  # observations | ledger_reports
    entity_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(Base):
    """A line in one user's inbox, about one row (``entity`` and ``entity_id``: the observation
    commented on, the reporting period a reminder is for) that the inbox links to."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # comment | reminder
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    entity: Mapped[str] = mapped_column(String(32))  # observations | ledger_reports | reporting_periods
    entity_id: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """The monitoring group reminded a unit to report for a period (催报)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_period_unit", "period_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    notified: Mapped[int] = mapped_column(Integer, default=0)  # in-app notifications made
    emailed: Mapped[int] = mapped_column(Integer, default=0)  # e-mails the SMTP server accepted
    email_error: Mapped[str] = mapped_column(Text, default="")
