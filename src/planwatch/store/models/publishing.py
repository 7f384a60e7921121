"""What the public may see of a plan, decided by people, and what the public says back.

A :class:`PublicationDecision` is one decision about a plan's public site: a proposal of
the evaluation group that a second person approves or rejects, or a retraction, which
takes effect at once. A published decision carries the *snapshot* of everything its pages
show (the figures as approved when it was proposed), so later corrections reach the public
only through another decision. Report files of a snapshot are stored once by content
(:class:`PublicationFile`) and named in the snapshot by their hash.

A :class:`PublicOpinion` (公众意见) is what a visitor wrote about a plan or one of its
indicators; it is shown only after the office moderated it. Its contact is kept only with
the writer's consent and until ``contact_expires_at``; neither the contact nor the text
ever enters the append-only audit trail, so that both can be erased on request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["PublicOpinion", "PublicPostCounter", "PublicationDecision", "PublicationFile"]


class PublicationDecision(Base):
    """One decision about a plan's public site (by ``plan_key``, so it outlives revisions)."""

    __tablename__ = "publication_decisions"
    __table_args__ = (UniqueConstraint("plan_key", "number", name="uq_publication_decisions_plan_key_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))  # the version whose figures were taken
    kind: Mapped[str] = mapped_column(String(8))  # publish | retract
    state: Mapped[str] = mapped_column(String(12))  # proposed | published | rejected
    # 第 N 次发布, counted over the plan's published decisions; None until published.
    number: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)  # what was chosen (PublicationScope.to_json)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the pages show
    office: Mapped[str] = mapped_column(String(200))  # the publishing office, printed on every page
    note: Mapped[str] = mapped_column(Text, default="")  # public remark of the decision
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")  # why rejected or retracted


class PublicationFile(Base):
    """A published file (a report's PDF), stored once by content."""

    __tablename__ = "publication_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PublicOpinion(Base):
    """A visitor's opinion on a published plan (``indicator_code`` None) or indicator."""

    __tablename__ = "public_opinions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(255), index=True)
    indicator_code: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)  # the plan's or indicator's name as the visitor saw it
    text: Mapped[str] = mapped_column(Text)  # "" once deleted on request
    contact: Mapped[str | None] = mapped_column(String(200))  # only with consent; never shown publicly
    contact_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | shown | rejected | deleted
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PublicPostCounter(Base):
    """Opinions posted from one client address (kept as a keyed hash) in the window that began
    at ``started_at``; raised by one atomic upsert like the log-in counters, in the database
    so that every app process counts the same posts. Backups leave these rows out."""

    __tablename__ = "public_post_counters"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    posts: Mapped[int] = mapped_column(Integer)
