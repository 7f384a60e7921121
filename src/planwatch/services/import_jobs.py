"""The state of background imports, kept in the database.

Every process of a server (``planwatch serve --workers N``), and every host on one
PostgreSQL, answers any job's progress page from here; the process that took an upload is
the only one that writes its job. A process that dies (kill -9, a crash, a restart) cannot
say so itself: its jobs are seen as interrupted because their process is gone (same host)
or their heartbeat stopped (another host), and the next start on that host marks them
failed and removes the uploaded files they left behind.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from planwatch.services.plans import ImportResult, ImportStage, PlanImport
from planwatch.store import Database
from planwatch.store.models import ImportJob

__all__ = ["HEARTBEAT", "INTERRUPTED", "STAGES", "JobState", "create_job", "find_job", "heartbeat", "recover_jobs",
           "update_job"]

# What share of the work is done when each stage begins (extraction is the long one).
STAGES: Final = {"queued": 0.0, ImportStage.READ.value: 0.05, ImportStage.EXTRACT.value: 0.2,
                 ImportStage.INDEX.value: 0.6, ImportStage.STORE.value: 0.75, "done": 1.0, "failed": 1.0}
HEARTBEAT: Final = timedelta(seconds=5)  # how often a running process renews its jobs' heartbeat
_STALE: Final = timedelta(minutes=2)  # no heartbeat for this long: the job's host went away
_KEEP: Final = timedelta(days=1)  # finished jobs' pages stay available for a day
INTERRUPTED: Final = "导入进程已中止（服务曾重启），这次导入没有写入任何数据，请重新上传"
_HOST: Final = socket.gethostname()[:255]


@dataclass
class JobState:
    """One job as a progress page shows it."""

    id: str
    owner_id: int
    file_name: str
    stage: str = "queued"
    error: str = ""
    result: ImportResult | None = None
    pages_done: int = 0  # a PDF's pages read so far, as the extraction worker reports them
    pages_total: int = 0

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def fraction(self) -> float:
        if self.stage == ImportStage.EXTRACT.value and self.pages_total:
            start, end = STAGES[ImportStage.EXTRACT.value], STAGES[ImportStage.INDEX.value]
            return start + (end - start) * self.pages_done / self.pages_total  # a big PDF: page by page
        return STAGES.get(self.stage, 0.0)


def create_job(database: Database, job_id: str, owner_id: int, file_name: str, upload_dir: Path) -> JobState:
    """Record a new job of this process, queued."""
    with database.session() as session:
        session.add(ImportJob(id=job_id, owner_id=owner_id, file_name=file_name, stage="queued", error="",
                              pages_done=0, pages_total=0, host=_HOST, pid=os.getpid(), upload_dir=str(upload_dir)))
    return JobState(job_id, owner_id, file_name)


def update_job(database: Database, job: JobState) -> None:
    """Store a job's stage, pages, error and result as this process has them now."""
    result = dataclasses.asdict(job.result) if job.result is not None else None
    with database.session() as session:
        session.execute(update(ImportJob).where(ImportJob.id == job.id).values(
            stage=job.stage, error=job.error, result=result, pages_done=job.pages_done,
            pages_total=job.pages_total, heartbeat_at=datetime.now(UTC)))


def heartbeat(database: Database) -> bool:
    """Renew the heartbeat of this process's unfinished jobs (queued ones too); False when the
    database was too busy this time (the next beat will do: the margin is minutes)."""
    try:
        with database.session() as session:
            session.execute(update(ImportJob).where(
                ImportJob.host == _HOST, ImportJob.pid == os.getpid(), ImportJob.stage.not_in(("done", "failed")))
                .values(heartbeat_at=datetime.now(UTC)))
    except OperationalError:
        return False
    return True


def find_job(session: Session, job_id: str, owner_id: int) -> JobState | None:
    """A job of ``owner_id``'s own (others' uploads are not shown to them); one whose process
    is gone is reported failed, without writing (progress pages only read)."""
    row = session.get(ImportJob, job_id)
    if row is None or row.owner_id != owner_id:
        return None
    job = JobState(row.id, row.owner_id, row.file_name, row.stage, row.error, _result(row.result),
                   row.pages_done, row.pages_total)
    if not job.finished and _interrupted(row):
        job.stage, job.error = "failed", f"{row.file_name}: {INTERRUPTED}"
    return job


def recover_jobs(database: Database) -> int:
    """At a process's start: mark failed the unfinished jobs of processes of this host that are
    gone, remove the upload folders they left, and forget jobs finished more than a day ago.
    Returns how many jobs were found interrupted."""
    now = datetime.now(UTC)
    with database.session() as session:
        gone = [row for row in session.scalars(select(ImportJob).where(
            ImportJob.host == _HOST, ImportJob.stage.not_in(("done", "failed")))) if not _alive(row.pid)]
        for row in gone:
            row.stage, row.error = "failed", f"{row.file_name}: {INTERRUPTED}"
        session.execute(delete(ImportJob).where(ImportJob.stage.in_(("done", "failed")),
                                                ImportJob.heartbeat_at < now - _KEEP)
                        .execution_options(synchronize_session=False))
    _remove_folders([Path(row.upload_dir) for row in gone])
    return len(gone)


def _remove_folders(folders: Sequence[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _interrupted(row: ImportJob) -> bool:
    if row.host == _HOST:
        return not _alive(row.pid)
    beat = row.heartbeat_at if row.heartbeat_at.tzinfo else row.heartbeat_at.replace(tzinfo=UTC)
    return datetime.now(UTC) - beat > _STALE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # PermissionError: another user's process has the number now
        return False
    return True


def _result(data: dict[str, Any] | None) -> ImportResult | None:
    if data is None:
        return None
    return ImportResult(**{**data, "plans": tuple(PlanImport(**p) for p in data["plans"])})
