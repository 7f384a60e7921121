"""Uploaded plan files imported in the background, with progress a page can poll.

Extracting a gazette of several hundred pages takes seconds; the upload request returns at
once with a job, and a worker thread runs the same import as ``planwatch import``, reporting
each stage: reading and extraction in a worker process under a CPU-time limit (a file built
to make extraction slow fails instead of occupying the server), with no database
transaction open, then storing in a short transaction of its own, so data entry never
waits for an extraction behind SQLite's write lock. A job's state is a small JSON file in a folder all
processes of one server share (``planwatch serve --workers N`` passes it on): the process
that received the upload runs the import, any process answers the progress page. The
import itself is one transaction, so everything imported is in the database (and its
audit trail) or nothing is; a job whose process ended mid-way is reported as interrupted.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, Final

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from planwatch.errors import InputError, PlanWatchError
from planwatch.ingest import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES
from planwatch.services import plans
from planwatch.services.plans import ImportResult, ImportStage, PlanImport, PreparedImport
from planwatch.store import Database
from planwatch.store.models import User

__all__ = ["JOBS_DIR_ENV", "STAGES", "UPLOAD_REQUEST_BODY", "UploadJob", "UploadJobs",
           "receive_upload", "save_upload", "uploaded_file"]

log = logging.getLogger(__name__)

JOBS_DIR_ENV: Final = "PLANWATCH_JOBS_DIR"
# What share of the work is done when each stage begins (extraction is the long one).
STAGES: Final = {"queued": 0.0, ImportStage.READ.value: 0.05, ImportStage.EXTRACT.value: 0.2,
                 ImportStage.INDEX.value: 0.6, ImportStage.STORE.value: 0.75, "done": 1.0, "failed": 1.0}
_CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")
# A plan extracts in seconds; a file built to make extraction slow fails after this much CPU.
EXTRACTION_CPU_SECONDS: Final = 120
_KEEP_SECONDS = 24 * 3600  # finished jobs' pages stay available for a day
# File systems allow 255 bytes a name (85 Chinese characters) and source_files.name holds 255.
_MAX_NAME_BYTES = 200
# Room for the multipart envelope (boundaries, part headers, the CSRF field) around the file.
_ENVELOPE_BYTES = 64 * 1024
# The body of an upload as the OpenAPI schema shows it (the handlers read it themselves).
UPLOAD_REQUEST_BODY: Final = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@dataclass
class UploadJob:
    id: str
    owner_id: int
    file_name: str
    stage: str = "queued"
    error: str = ""
    result: ImportResult | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    pid: int = field(default_factory=os.getpid)  # the process running the import
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

    def to_json(self) -> str:
        return json.dumps({**dataclasses.asdict(self), "started": self.started.isoformat()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> UploadJob:
        data: dict[str, Any] = json.loads(text)
        result = data.pop("result")
        if result is not None:
            result = ImportResult(**{**result, "plans": tuple(PlanImport(**p) for p in result["plans"])})
        return cls(**{**data, "result": result, "started": datetime.fromisoformat(data["started"])})


class UploadJobs:
    """The server's upload jobs; at most ``workers`` imports run at a time in this process,
    the rest queue. ``folder`` holds the jobs' state (a private temporary folder if None)."""

    def __init__(self, folder: Path | None = None, workers: int = 2, max_bytes: int = DEFAULT_MAX_BYTES,
                 cpu_seconds: int = EXTRACTION_CPU_SECONDS) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="planwatch-jobs-"))
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planwatch-import")
        self._workers = workers
        self._extractors = self._new_extractors()
        self.max_bytes = max_bytes
        self.cpu_seconds = cpu_seconds

    def _new_extractors(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process has threads (and their locks) a fork would copy
        return ProcessPoolExecutor(max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"))

    def start(self, database: Database, user: User, file_name: str, stream: BinaryIO) -> UploadJob:
        """Queue the import of an upload; bad names and sizes are refused here, before
        anything is stored."""
        path = save_upload(file_name, stream, self.max_bytes)
        job = UploadJob(secrets.token_urlsafe(12), user.id, path.name)
        self._forget_old_jobs()
        self._save(job)
        self._executor.submit(self._run, database, job, path)
        return job

    def get(self, job_id: str, user: User) -> UploadJob | None:
        """A job of ``user``'s own (others' uploads are not listed to them)."""
        if not _JOB_ID.match(job_id):
            return None
        try:
            job = UploadJob.from_json(self._path(job_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if job.owner_id != user.id:
            return None
        pages = _read_pages(self._pages_path(job_id))
        if pages is not None:
            job.pages_done, job.pages_total = pages
        if not job.finished and not _alive(job.pid):
            job.stage = "failed"
            job.error = f"{job.file_name}: 导入进程已中止（服务曾重启），这次导入没有写入任何数据，请重新上传"
        return job

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._extractors.shutdown(wait=True, cancel_futures=True)

    def import_now(self, database: Database, owner_id: int, path: Path,
                   progress: Callable[[ImportStage], None] | None = None,
                   pages_file: Path | None = None) -> ImportResult:
        """Import a saved upload and remove it; errors name the file as the user uploaded it.

        Reading and extraction run in a worker process under a CPU-time limit, with no
        database transaction open; storing is a short transaction of its own.
        """
        report = progress or (lambda stage: None)
        try:
            report(ImportStage.READ)
            future = self._extractors.submit(_prepare_within_cpu_limit, path, self.max_bytes, self.cpu_seconds,
                                             pages_file)
            report(ImportStage.EXTRACT)
            try:
                prepared = future.result()
            except BrokenProcessPool:
                self._extractors = self._new_extractors()
                raise InputError(path, "提取进程异常退出（文件可能过大或已损坏），未导入任何数据") from None
            with database.session() as session:
                return plans.store_import(session, prepared, session.get_one(User, owner_id), report)
        except InputError as exc:
            raise InputError(path.name, exc.problem) from None  # not the private folder's path
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _pages_path(self, job_id: str) -> Path:
        """Where the extraction worker, another process, writes how far it has read a PDF."""
        return self.folder / f"{job_id}.pages"

    def _save(self, job: UploadJob) -> None:
        # written whole and renamed: a page polling meanwhile reads the old state or the new
        scratch = self.folder / f".{job.id}.{os.getpid()}.tmp"
        scratch.write_text(job.to_json(), encoding="utf-8")
        os.replace(scratch, self._path(job.id))

    def _forget_old_jobs(self) -> None:
        horizon = time.time() - _KEEP_SECONDS
        for path in [*self.folder.glob("*.json"), *self.folder.glob("*.pages")]:
            if path.stat().st_mtime < horizon:
                path.unlink(missing_ok=True)

    def _run(self, database: Database, job: UploadJob, path: Path) -> None:
        def advance(stage: ImportStage) -> None:
            job.stage = stage.value
            self._save(job)

        try:
            job.result = self.import_now(database, job.owner_id, path, advance, self._pages_path(job.id))
            job.stage = "done"
        except PlanWatchError as exc:
            job.error = str(exc)
            job.stage = "failed"
        except Exception as exc:  # an extraction bug must not leave the page waiting forever
            log.exception("import of upload %s failed", job.file_name)
            job.error = f"{job.file_name}: 导入时发生内部错误（{type(exc).__name__}），已导入的数据未受影响"
            job.stage = "failed"
        self._save(job)


def _read_pages(path: Path) -> tuple[int, int] | None:
    try:
        done, total = path.read_text(encoding="ascii").split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


def _page_reporter(path: Path | None) -> Callable[[int, int], None] | None:
    """Write ``done total`` for the progress page, whole and renamed, at most every few pages."""
    if path is None:
        return None

    def report(done: int, total: int) -> None:
        if done == total or done % 5 == 0:
            scratch = path.with_suffix(f".{os.getpid()}.tmp")
            scratch.write_text(f"{done} {total}", encoding="ascii")
            os.replace(scratch, path)

    return report


def _prepare_within_cpu_limit(path: Path, max_bytes: int, cpu_seconds: int,
                              pages_file: Path | None = None) -> PreparedImport:
    """In a worker process: read and extract with at most ``cpu_seconds`` of CPU time.

    RLIMIT_CPU counts the whole process, so the soft limit is set to what the worker has
    used so far plus the budget; past it the kernel sends SIGXCPU, which ends this job
    with an error and leaves the worker ready for the next one.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime) + 1
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)

    def out_of_time(_signum: int, _frame: FrameType | None) -> None:
        raise InputError(path, f"提取超过 {cpu_seconds} 秒 CPU 时间上限（文件结构异常？），未导入任何数据")

    previous = signal.signal(signal.SIGXCPU, out_of_time)
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds, hard))
    try:
        return plans.prepare_import(path, max_bytes, pages=_page_reporter(pages_file))
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, previous)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user has the number now: ours is gone
        return False
    return True


def save_upload(file_name: str, stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES,
                suffixes: Sequence[str] = SUPPORTED_SUFFIXES) -> Path:
    """Copy an upload under its own (sanitised) name into a private folder: the name is what
    extraction records as the file, and its suffix picks the reader."""
    name = _UNSAFE.sub("_", Path(file_name or "").name).strip()
    if not name:
        raise InputError("(upload)", "没有选择文件")
    if Path(name).suffix.lower() not in suffixes:
        raise InputError(name, f"不支持的文件类型「{Path(name).suffix or '无扩展名'}」，应为 "
                         + "、".join(suffixes))
    folder = Path(tempfile.mkdtemp(prefix="planwatch-upload-"))
    path = folder / _shortened(name)
    try:
        _copy_limited(stream, path, max_bytes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


async def receive_upload(request: Request, max_bytes: int = DEFAULT_MAX_BYTES) -> FormData:
    """The multipart form of an upload, read only now — after the handler has authenticated
    the caller — and never more than ``max_bytes`` (plus the envelope) of it: a declared
    Content-Length over the limit is refused before a byte is read, a longer body is cut
    off at the limit. Either way the answer is 413."""
    limit = max_bytes + _ENVELOPE_BYTES
    too_large = HTTPException(status_code=413, detail=f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(status_code=415, detail="file：应以 multipart/form-data 上传文件")

    async def capped() -> AsyncGenerator[bytes]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large
            yield chunk

    try:
        return await MultiPartParser(request.headers, capped(), max_files=1, max_fields=8).parse()
    except MultiPartException as exc:
        raise HTTPException(status_code=400, detail=f"file：{exc.message}") from None


def uploaded_file(form: FormData) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InputError("(upload)", "没有选择文件")
    return upload


def _shortened(name: str) -> str:
    """The name cut at a character boundary to fit the file system, its suffix kept."""
    suffix = Path(name).suffix
    stem = name[: -len(suffix)].encode()[: _MAX_NAME_BYTES - len(suffix.encode())].decode("utf-8", "ignore")
    return stem + suffix


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
