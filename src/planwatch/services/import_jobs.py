"""Background imports kept in the database: the job table is the queue.

An upload is stored as a ``queued`` job with its file; an extraction worker takes it — one
of the threads of any ``planwatch serve`` process, or a ``planwatch worker`` on any host of
the same database — and reports its stage, so every process and host answers the job's
progress page. The table serves as the queue on SQLite (one host) and PostgreSQL (many)
alike: a worker that finds a job queued claims it in a short transaction (PostgreSQL's
``FOR UPDATE SKIP LOCKED`` lets several claim at once without waiting for each other).

A worker that dies (kill -9, a crash, a host gone) cannot say so itself: its jobs are seen
as interrupted because their process is gone (same host) or their heartbeat stopped
(another host). The next start on that host, and every worker now and then, queue such a
job again for another worker (its file is still stored) until it has had
:data:`MAX_ATTEMPTS` workers, then fail it; the upload folders a dead worker left on its
host are removed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from planwatch.services.plan_import import ImportResult, ImportStage, PlanImport
from planwatch.store import Database
from planwatch.store.models import ImportJob, ImportJobFile

__all__ = ["HEARTBEAT", "INTERRUPTED", "MAX_ATTEMPTS", "STAGES", "ClaimedJob", "JobState", "claim_job", "create_job",
           "find_job", "finish_job", "heartbeat", "is_queued", "recover_jobs", "set_upload_dir", "update_job"]

log = logging.getLogger(__name__)

# What share of the work is done when each stage begins (extraction is the long one).
STAGES: Final = {"queued": 0.0, ImportStage.READ.value: 0.05, ImportStage.EXTRACT.value: 0.2,
                 ImportStage.INDEX.value: 0.6, ImportStage.STORE.value: 0.75, "done": 1.0, "failed": 1.0}
HEARTBEAT: Final = timedelta(seconds=5)  # how often a running process renews its jobs' heartbeat
_STALE: Final = timedelta(minutes=2)  # no heartbeat for this long: the job's host went away
_KEEP: Final = timedelta(days=1)  # finished jobs' pages stay available for a day
MAX_ATTEMPTS: Final = 2  # workers a job may take down (a file that kills its worker) before it fails
INTERRUPTED: Final = "导入进程已中止（服务曾重启），这次导入没有写入任何数据，请重新上传"
_HOST: Final = socket.gethostname()[:255]
_FINISHED: Final = ("done", "failed")


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


def create_job(database: Database, job_id: str, owner_id: int, file_name: str, content: bytes) -> JobState:
    """Queue the import of an uploaded file for the next free worker of any process or host."""
    with database.session() as session:
        session.add(ImportJob(id=job_id, owner_id=owner_id, file_name=file_name, stage="queued", error="",
                              pages_done=0, pages_total=0, host="", pid=0, upload_dir="", attempts=0))
        session.flush()
        session.add(ImportJobFile(job_id=job_id, content=content))
    log.info("upload job %s queued: %d bytes", job_id, len(content))
    return JobState(job_id, owner_id, file_name)


def is_queued(database: Database) -> bool:
    """Whether a job waits: what idle workers ask, in a read-only transaction (on SQLite a
    claim takes the write lock, which waiting workers must not take every second)."""
    with database.session(readonly=True) as session:
        return session.scalar(select(ImportJob.id).where(ImportJob.stage == "queued").limit(1)) is not None


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    job: JobState
    content: bytes


def claim_job(database: Database) -> ClaimedJob | None:
    """Take the oldest queued job for this process; None when there is none (or another
    worker took it first)."""
    with database.session() as session:
        query = select(ImportJob).where(ImportJob.stage == "queued").order_by(ImportJob.started_at).limit(1)
        if database.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = session.scalar(query)
        if row is None:
            return None
        content = session.scalar(select(ImportJobFile.content).where(ImportJobFile.job_id == row.id))
        if content is None:  # queued by a version that kept files in a local folder
            row.stage, row.error = "failed", f"{row.file_name}: {INTERRUPTED}"
            log.warning("upload job %s failed: its file was kept by an older version", row.id)
            return None
        row.stage, row.host, row.pid = ImportStage.READ.value, _HOST, os.getpid()
        row.attempts, row.heartbeat_at = row.attempts + 1, datetime.now(UTC)
        log.info("upload job %s claimed by process %d (attempt %d)", row.id, row.pid, row.attempts)
        return ClaimedJob(JobState(row.id, row.owner_id, row.file_name, row.stage), content)


def set_upload_dir(database: Database, job_id: str, folder: Path) -> None:
    """Note the worker's private folder of the job, for the cleanup after a crash."""
    with database.session() as session:
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(upload_dir=str(folder)))


def update_job(database: Database, job: JobState) -> None:
    """Store a job's stage, pages, error and result as this process has them now."""
    result = dataclasses.asdict(job.result) if job.result is not None else None
    with database.session() as session:
        session.execute(update(ImportJob).where(ImportJob.id == job.id).values(
            stage=job.stage, error=job.error, result=result, pages_done=job.pages_done,
            pages_total=job.pages_total, heartbeat_at=datetime.now(UTC)))


def finish_job(database: Database, job: JobState) -> None:
    """The job's outcome stored, its file no longer kept."""
    update_job(database, job)
    with database.session() as session:
        session.execute(delete(ImportJobFile).where(ImportJobFile.job_id == job.id))
    log.info("upload job %s finished: %s", job.id, job.stage)


def heartbeat(database: Database) -> bool:
    """Renew the heartbeat of this process's unfinished jobs; False when the database was too
    busy this time (the next beat will do: the margin is minutes)."""
    try:
        with database.session() as session:
            session.execute(update(ImportJob).where(
                ImportJob.host == _HOST, ImportJob.pid == os.getpid(), ImportJob.stage.not_in(_FINISHED))
                .values(heartbeat_at=datetime.now(UTC)))
    except OperationalError:
        return False
    return True


def find_job(session: Session, job_id: str, owner_id: int) -> JobState | None:
    """A job of ``owner_id``'s own (others' uploads are not shown to them). One whose worker
    is gone is shown as it will be: queued again for another worker, or failed after its
    last attempt — without writing (progress pages only read)."""
    row = session.get(ImportJob, job_id)
    if row is None or row.owner_id != owner_id:
        return None
    job = JobState(row.id, row.owner_id, row.file_name, row.stage, row.error, _result(row.result),
                   row.pages_done, row.pages_total)
    if job.stage != "queued" and not job.finished and _interrupted(row):
        if _may_retry(session, row):
            job.stage, job.pages_done, job.pages_total = "queued", 0, 0
        else:
            job.stage, job.error = "failed", f"{row.file_name}: {INTERRUPTED}"
    return job


def recover_jobs(database: Database) -> int:
    """Queue again (or fail, after their last attempt) the jobs whose worker is gone — a
    process of this host that ended, or any host whose heartbeat stopped — remove the upload
    folders dead workers of this host left, and forget jobs finished more than a day ago.
    Run at a process's start and by every worker now and then; returns how many jobs were
    found interrupted."""
    now = datetime.now(UTC)
    with database.session() as session:
        gone = [row for row in session.scalars(select(ImportJob).where(
            ImportJob.stage.not_in((*_FINISHED, "queued")), or_(ImportJob.host == _HOST, _stale(now))))
            if _interrupted(row)]
        folders = [Path(row.upload_dir) for row in gone if row.host == _HOST and row.upload_dir]
        for row in gone:
            if _may_retry(session, row):
                log.warning("upload job %s interrupted (worker %s:%d gone): queued again", row.id, row.host, row.pid)
                row.stage, row.host, row.pid, row.upload_dir, row.pages_done, row.pages_total = "queued", "", 0, "", 0, 0
            else:
                log.warning("upload job %s interrupted (worker %s:%d gone) after its last attempt: failed", row.id,
                            row.host, row.pid)
                row.stage, row.error = "failed", f"{row.file_name}: {INTERRUPTED}"
                session.execute(delete(ImportJobFile).where(ImportJobFile.job_id == row.id))
        session.execute(delete(ImportJob).where(ImportJob.stage.in_(_FINISHED), ImportJob.heartbeat_at < now - _KEEP)
                        .execution_options(synchronize_session=False))
    _remove_folders(folders)
    return len(gone)


def _stale(now: datetime) -> ColumnElement[bool]:
    return and_(ImportJob.host != _HOST, ImportJob.heartbeat_at < now - _STALE)


def _may_retry(session: Session, row: ImportJob) -> bool:
    """Another worker may take the job: it has its file and attempts left."""
    return row.attempts < MAX_ATTEMPTS and session.scalar(
        select(ImportJobFile.job_id).where(ImportJobFile.job_id == row.id)) is not None


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
