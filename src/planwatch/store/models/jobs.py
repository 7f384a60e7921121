"""Background imports of uploaded files, as every app process and host sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["ImportJob"]


class ImportJob(Base):
    """One uploaded file's import and how far it has come.

    In the database rather than in a process's memory or a local folder: the process that
    took the upload runs it, any process or host on the same database answers its progress
    page, and a process that starts after a crash finds its unfinished jobs (``host`` and
    ``pid``) and their upload folders to clean up. ``heartbeat_at`` is renewed while the job
    runs or waits, so a job on a host that went away is seen as interrupted from elsewhere.
    Progress is of minutes' interest: backups leave these rows out.
    """

    __tablename__ = "import_jobs"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    upload_dir: Mapped[str] = mapped_column(String(1000))  # the private folder of the uploaded file
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
