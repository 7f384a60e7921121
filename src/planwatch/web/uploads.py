"""Uploaded plan files imported in the background, with progress a page can poll.

Extracting a gazette of several hundred pages takes seconds; the upload request returns at
once with a job, and a worker thread runs the same import as ``planwatch import`` in its own
database session, reporting each stage. Jobs live in the app's memory: they are a view of
work in progress, while everything imported is in the database (and its audit trail).
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final

from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError
from planwatch.ingest import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES
from planwatch.services import plans
from planwatch.services.plans import ImportResult, ImportStage
from planwatch.store import Database
from planwatch.store.models import User

__all__ = ["STAGES", "UploadJob", "UploadJobs", "import_upload", "save_upload"]

log = logging.getLogger(__name__)

# What share of the work is done when each stage begins (extraction is the long one).
STAGES: Final = {"queued": 0.0, ImportStage.READ.value: 0.05, ImportStage.EXTRACT.value: 0.2,
                 ImportStage.INDEX.value: 0.6, ImportStage.STORE.value: 0.75, "done": 1.0, "failed": 1.0}
_CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


@dataclass
class UploadJob:
    id: str
    owner_id: int
    file_name: str
    stage: str = "queued"
    error: str = ""
    result: ImportResult | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def fraction(self) -> float:
        return STAGES.get(self.stage, 0.0)


class UploadJobs:
    """The app's upload jobs; at most ``workers`` imports run at a time, the rest queue."""

    def __init__(self, workers: int = 2, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planwatch-import")
        self._jobs: dict[str, UploadJob] = {}
        self._lock = threading.Lock()
        self.max_bytes = max_bytes

    def start(self, database: Database, user: User, file_name: str, stream: BinaryIO) -> UploadJob:
        """Queue the import of an upload; bad names and sizes are refused here, before
        anything is stored."""
        path = save_upload(file_name, stream, self.max_bytes)
        job = UploadJob(secrets.token_urlsafe(12), user.id, path.name)
        with self._lock:
            self._jobs[job.id] = job
        self._executor.submit(self._run, database, job, path)
        return job

    def get(self, job_id: str, user: User) -> UploadJob | None:
        """A job of ``user``'s own (others' uploads are not listed to them)."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner_id == user.id else None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _run(database: Database, job: UploadJob, path: Path) -> None:
        def advance(stage: ImportStage) -> None:
            job.stage = stage.value

        try:
            with database.session() as session:
                job.result = import_upload(session, session.get_one(User, job.owner_id), path, advance)
            job.stage = "done"
        except PlanWatchError as exc:
            job.error = str(exc)
            job.stage = "failed"
        except Exception as exc:  # an extraction bug must not leave the page waiting forever
            log.exception("import of upload %s failed", job.file_name)
            job.error = f"{job.file_name}: 导入时发生内部错误（{type(exc).__name__}），已导入的数据未受影响"
            job.stage = "failed"


def save_upload(file_name: str, stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Copy an upload under its own (sanitised) name into a private folder: the name is what
    extraction records as the file, and its suffix picks the reader."""
    name = _UNSAFE.sub("_", Path(file_name or "").name).strip()
    if not name:
        raise InputError("(upload)", "没有选择文件")
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(name, f"不支持的文件类型「{Path(name).suffix or '无扩展名'}」，应为 "
                         + "、".join(SUPPORTED_SUFFIXES))
    folder = Path(tempfile.mkdtemp(prefix="planwatch-upload-"))
    path = folder / name
    try:
        _copy_limited(stream, path, max_bytes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def import_upload(session: Session, actor: User, path: Path,
                  progress: Callable[[ImportStage], None] | None = None) -> ImportResult:
    """Import a saved upload and remove it; errors name the file as the user uploaded it."""
    try:
        return plans.import_file(session, path, actor, progress=progress)
    except InputError as exc:
        raise InputError(path.name, exc.problem) from None  # not the private folder's path
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def _copy_limited(stream: BinaryIO, path: Path, max_bytes: int) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise InputError(path.name, f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB")
            out.write(chunk)
    if written == 0:
        raise InputError(path.name, "文件是空的")
