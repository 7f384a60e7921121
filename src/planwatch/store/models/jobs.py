"""Background imports of uploaded files, as every app process and host sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planwatch.store.models.base import Base, utcnow

__all__ = ["ImportJob", "ImportJobFile"]


class ImportJob(Base):
    """One uploaded file's import and how far it has come.

    In the database rather than in a process's memory or a local folder: the table is the
    queue. An upload is stored here with its file (:class:`ImportJobFile`) and waits
    ``queued``; an extraction worker of any app process, or a ``planwatch worker`` on any
    host, takes it (``host``, ``pid``, ``attempts``), and any process or host answers its
    progress page. ``heartbeat_at`` is renewed while the job runs, so a job whose worker
    went away is seen from elsewhere and queued again (or failed after its last attempt);
    ``upload_dir`` is the worker's private folder, removed by the next start on its host.
    Progress is of minutes' interest: backups leave these rows out.
    """

    __tablename__ = "import_jobs"
    __table_args__ = ({"info": {"transient": True}},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    upload_dir: Mapped[str] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ImportJobFile(Base):
    """The uploaded file of a job until the job ends, in the database so that an extraction
    worker on any host (``planwatch worker``) can take the job."""

    __tablename__ = "import_job_files"
    __table_args__ = ({"info": {"transient": True}},)

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
