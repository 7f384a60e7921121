"""Uploaded plan files imported in the background, with progress a page can poll.

Extracting a gazette of several hundred pages takes seconds; the upload request returns at
once with a job queued in the database (:mod:`planwatch.services.import_jobs`), and an
extraction worker runs the same import as ``planwatch import``, reporting each stage:
reading and extraction in a worker process under a CPU-time limit (a file built to make
extraction slow fails instead of occupying the server), with no database transaction open,
then storing in a short transaction of its own, so data entry never waits for an extraction
behind SQLite's write lock. The workers are threads of every ``planwatch serve`` process
(``--extract-workers``) and of ``planwatch worker`` processes on any host of the database:
whichever is free takes the job, any process or host answers the progress page. The import
itself is one transaction, so everything imported is in the database (and its audit trail)
or nothing is; a job whose worker ended mid-way is queued again for another.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType
from typing import BinaryIO, Final

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from planwatch import configuration
from planwatch.configuration import Settings
from planwatch.errors import InputError, PlanWatchError
from planwatch.ingest import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES
from planwatch.services import import_history, import_jobs, plan_import, plan_uploads
from planwatch.services.import_history import Channel
from planwatch.services.import_jobs import JobState
from planwatch.services.plan_import import ImportResult, ImportStage, PreparedImport
from planwatch.services.transactions import OperationalError, Session, SQLAlchemyError
from planwatch.store import Database
from planwatch.store.models import User

__all__ = ["POLL_SECONDS", "UPLOAD_REQUEST_BODY", "UploadJobs", "receive_upload", "save_upload", "uploaded_file"]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")
# A plan extracts in seconds; a file built to make extraction slow fails after this much CPU, and this
# much more for each scanned page that OCR reads (RapidOCR takes about 7 s of CPU a page).
EXTRACTION_CPU_SECONDS: Final = 120
OCR_CPU_SECONDS: Final = 30
_POLL_SECONDS = 0.5  # how often a waiting import passes on the pages read
# How often an idle worker looks for a queued job (one indexed read), and for jobs of workers
# that went away; bench/bench_job_queue.py measures what that costs and how soon a job is taken.
POLL_SECONDS: Final = 1.0
RECOVER_SECONDS: Final = 30.0
# File systems allow 255 bytes a name (85 Chinese characters) and source_files.name holds 255.
_MAX_NAME_BYTES = 200
# Room for the multipart envelope (boundaries, part headers, the CSRF field) around the file.
_ENVELOPE_BYTES = 64 * 1024
# The body of an upload as the OpenAPI schema shows it (the handlers read it themselves).
UPLOAD_REQUEST_BODY: Final = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


class UploadJobs:
    """Extraction workers of this process taking jobs from the database's queue, at most
    ``workers`` imports at a time (the settings' ``extract_workers`` unless given; 0: this
    process only queues jobs, for other processes' or hosts' workers). The extraction
    processes get ``settings`` as an argument (the sheet-row limit, the OCR engine)."""

    def __init__(self, settings: Settings | None = None, *, workers: int | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, cpu_seconds: int = EXTRACTION_CPU_SECONDS) -> None:
        self._settings = settings or configuration.current()
        self._workers = self._settings.extract_workers if workers is None else workers
        self._extractors = self._new_extractors() if workers else None
        self._threads: list[threading.Thread] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._starting = threading.Lock()
        self.max_bytes = max_bytes
        self.cpu_seconds = cpu_seconds

    def _new_extractors(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process has threads (and their locks) a fork would copy
        return ProcessPoolExecutor(max_workers=max(self._workers, 1), mp_context=multiprocessing.get_context("spawn"),
                                   initializer=configuration.install, initargs=(self._settings,))

    def start(self, database: Database, user: User, file_name: str, stream: BinaryIO) -> JobState:
        """Queue the import of an upload; bad names and sizes are refused here, before
        anything is stored."""
        path = self.save(database, user, file_name, stream, Channel.WEB_UPLOAD)
        try:
            job = import_jobs.create_job(database, secrets.token_urlsafe(12), user.id, path.name, path.read_bytes())
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        self.serve(database)
        self._wake.set()  # this process's free worker starts at once; the others find it within a poll
        return job

    def serve(self, database: Database) -> None:
        """Start this process's workers (once) on ``database``'s queue."""
        with self._starting:
            if self._threads or not self._workers:
                return
            self._threads = [threading.Thread(target=self._work, args=(database,), daemon=True,
                                              name=f"planwatch-extract-{n}") for n in range(self._workers)]
            for thread in self._threads:
                thread.start()

    def save(self, database: Database, user: User, file_name: str, stream: BinaryIO, channel: Channel) -> Path:
        """The upload saved for import; a refused name, type or size goes into the import history."""
        try:
            return save_upload(file_name, stream, self.max_bytes)
        except PlanWatchError as exc:
            _record_refusal(database, user.id, channel, file_name, exc)
            raise

    @staticmethod
    def get(session: Session, job_id: str, user: User) -> JobState | None:
        """A job of ``user``'s own (others' uploads are not listed to them)."""
        if not _JOB_ID.match(job_id):
            return None
        return import_jobs.find_job(session, job_id, user.id)

    @staticmethod
    def recover(database: Database) -> None:
        """Queue again the jobs of workers that went away (see :func:`import_jobs.recover_jobs`)."""
        interrupted = import_jobs.recover_jobs(database)
        if interrupted:
            log.warning("%d upload import(s) were interrupted (a worker stopped); queued again or failed", interrupted)

    def shutdown(self) -> None:
        """Let running imports finish (their sessions commit or roll back); queued jobs stay
        queued for the next worker."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join()
        if self._extractors is not None:
            self._extractors.shutdown(wait=True, cancel_futures=True)

    def _work(self, database: Database) -> None:
        """One worker: take the oldest queued job, import it, again; look for jobs every
        POLL_SECONDS when idle (at once when this process queued one), and for jobs of
        workers that went away every RECOVER_SECONDS."""
        recovered = time.monotonic()
        while not self._stop.is_set():
            claimed = None
            try:
                if time.monotonic() - recovered > RECOVER_SECONDS:
                    recovered = time.monotonic()
                    self.recover(database)
                if import_jobs.is_queued(database):
                    claimed = import_jobs.claim_job(database)
            except OperationalError:  # the database is busy or away for a moment: try again later
                log.warning("extraction worker could not reach the job queue", exc_info=True)
            if claimed is None:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
                continue
            self._run(database, claimed)

    def import_now(self, database: Database, owner_id: int, path: Path,
                   progress: Callable[[ImportStage], None] | None = None,
                   waiting: Callable[[tuple[int, int] | None], None] | None = None,
                   channel: Channel = Channel.API_UPLOAD) -> ImportResult:
        """Import a saved upload and remove it; errors name the file as the user uploaded it.

        Reading and extraction run in a worker process under a CPU-time limit, with no
        database transaction open; storing is a short transaction of its own, with the
        import's record in the history (a refusal is recorded in a transaction of its own).
        While the extraction runs, ``waiting`` is called twice a second with the pages of a
        PDF read so far (``(done, total)``, None before the first or for other formats).
        """
        report = progress or (lambda stage: None)
        if self._extractors is None:
            self._extractors = self._new_extractors()
        size = path.stat().st_size if path.exists() else None
        try:
            report(ImportStage.READ)
            pages_file = path.parent / "pages.progress"
            future = self._extractors.submit(_prepare_within_cpu_limit, path, self.max_bytes, self.cpu_seconds,
                                             pages_file)
            report(ImportStage.EXTRACT)
            try:
                prepared = _wait(future, pages_file, waiting or (lambda pages: None))
            except BrokenProcessPool:
                self._extractors = self._new_extractors()
                raise InputError(path, "提取进程异常退出（文件可能过大或已损坏），未导入任何数据") from None
            report(ImportStage.STORE)
            with database.session() as session:
                result = plan_uploads.store_upload(session, owner_id, prepared, channel, path.name, size)
            outcome, _summary, plan_id = import_history.plan_import_summary(result)
            log.info("import", extra={"channel": channel.value, "outcome": outcome.value, "plan": plan_id,
                                      "user": owner_id, "bytes": size})
            return result
        except InputError as exc:
            refused = InputError(path.name, exc.problem)  # not the private folder's path
            _record_refusal(database, owner_id, channel, path.name, refused, size)
            raise refused from None
        except PlanWatchError as exc:
            _record_refusal(database, owner_id, channel, path.name, exc, size)
            raise
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    def _run(self, database: Database, claimed: import_jobs.ClaimedJob) -> None:
        job = claimed.job
        folder = Path(tempfile.mkdtemp(prefix="planwatch-upload-"))
        path = folder / job.file_name

        def advance(stage: ImportStage) -> None:
            job.stage = stage.value
            import_jobs.update_job(database, job)

        last_beat = time.monotonic()

        def waiting(pages: tuple[int, int] | None) -> None:
            nonlocal last_beat
            if pages is not None and pages != (job.pages_done, job.pages_total):
                job.pages_done, job.pages_total = pages
                import_jobs.update_job(database, job)
            if time.monotonic() - last_beat >= import_jobs.HEARTBEAT.total_seconds():
                last_beat = time.monotonic()
                import_jobs.heartbeat(database)

        started = time.monotonic()
        log.info("job started", extra={"job": job.id, "user": job.owner_id, "bytes": len(claimed.content)})
        try:
            path.write_bytes(claimed.content)
            import_jobs.set_upload_dir(database, job.id, folder)
            job.result = self.import_now(database, job.owner_id, path, advance, waiting, Channel.WEB_UPLOAD)
            job.pages_done = job.pages_total  # the last pages were read after the last poll
            job.stage = "done"
        except PlanWatchError as exc:
            job.error = str(exc)
            job.stage = "failed"
        except Exception as exc:  # an extraction bug must not leave the page waiting forever
            log.exception("import of upload %s failed", job.file_name)
            job.error = f"{job.file_name}: 导入时发生内部错误（{type(exc).__name__}），已导入的数据未受影响"
            job.stage = "failed"
            _record_refusal(database, job.owner_id, Channel.WEB_UPLOAD, job.file_name, PlanWatchError(job.error))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        import_jobs.finish_job(database, job)
        log.log(logging.INFO if job.stage == "done" else logging.WARNING, "job finished", extra={
            "job": job.id, "user": job.owner_id, "stage": job.stage, "pages": job.pages_total,
            "ms": round((time.monotonic() - started) * 1000)})


def _record_refusal(database: Database, owner_id: int, channel: Channel, file_name: str, exc: PlanWatchError,
                    size: int | None = None) -> None:
    """A refused plan file in the import history, in a transaction of its own (the import's rolled back)."""
    problems = import_history.problems_of(exc)
    log.warning("import refused", extra={"channel": channel.value, "user": owner_id, "bytes": size,
                                         "problems": len(problems)})
    try:
        with database.session() as session:
            plan_uploads.record_refusal(session, owner_id, channel, file_name, exc, size)
    except SQLAlchemyError:  # the history must not hide the refusal itself from the uploader
        log.exception("could not record the refused import of %s", file_name)


def _wait(future: Future[PreparedImport], pages_file: Path,
          waiting: Callable[[tuple[int, int] | None], None]) -> PreparedImport:
    """The extraction's result; meanwhile ``waiting`` hears the pages read, every poll."""
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except FutureTimeout:
            waiting(_read_pages(pages_file))


def _read_pages(path: Path) -> tuple[int, int] | None:
    try:
        done, total = path.read_text(encoding="ascii").split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


def _page_reporter(path: Path | None) -> Callable[[int, int], None] | None:
    """Write ``done total`` for the progress page, whole and renamed, at most as often as it is polled
    (pages with a text layer go by the hundred a second; a scanned page read by OCR takes seconds)."""
    if path is None:
        return None
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        if done == total or time.monotonic() - last >= _POLL_SECONDS:
            last = time.monotonic()
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
    cpu_seconds += OCR_CPU_SECONDS * _scanned_pages(path)  # reading a scan by OCR takes seconds a page

    def out_of_time(_signum: int, _frame: FrameType | None) -> None:
        raise InputError(path, f"提取超过 {cpu_seconds} 秒 CPU 时间上限（文件结构异常？），未导入任何数据")

    previous = signal.signal(signal.SIGXCPU, out_of_time)
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds, hard))
    try:
        return plan_import.prepare_import(path, max_bytes, pages=_page_reporter(pages_file))
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, previous)


def _scanned_pages(path: Path) -> int:
    """How many pages of an uploaded PDF are scans that OCR will read (0 for other files, or unreadable ones:
    the reader says what is wrong with those)."""
    if path.suffix.lower() != ".pdf":
        return 0
    from planwatch.ingest.pdf_reader import scanned_pages

    try:
        return scanned_pages(path.read_bytes())
    except (OSError, InputError):
        return 0


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
        raise HTTPException(status_code=415, detail="请用网页上的上传表单选择文件（multipart/form-data）")

    async def capped() -> AsyncGenerator[bytes]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large
            yield chunk

    try:
        return await MultiPartParser(request.headers, capped(), max_files=1, max_fields=8).parse()
    except MultiPartException:
        raise HTTPException(status_code=400, detail="上传的表单不完整或格式有误，请重新选择文件上传") from None


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
