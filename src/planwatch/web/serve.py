"""``planwatch serve``: the app under uvicorn, in one process or several.

One process serves a district office well; its request threads share Python's interpreter
lock, though, so once a few dozen people click at the same moment pages start waiting for
each other. ``workers`` > 1 runs that many processes behind the same port (uvicorn's
supervisor restarts one that dies). They share the database, the session key, the log-in
throttle (kept in the database) and the folder of upload jobs; each keeps its own cache of
plan evaluations.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from typing import Final

import uvicorn
from fastapi import FastAPI

from planwatch.store.db import DATABASE_ENV
from planwatch.web.app import SECRET_ENV, create_app
from planwatch.web.app_state import open_database
from planwatch.web.uploads import JOBS_DIR_ENV

__all__ = ["app_from_environment", "serve"]

HTTPS_ENV: Final = "PLANWATCH_HTTPS"


def serve(database_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          https: bool = False, secret_key: str | None = None, workers: int = 1) -> None:
    """Blocks until interrupted. Pass ``https=True`` when a proxy terminates TLS in front."""
    if workers <= 1:
        app = create_app(database_url, secret_key=secret_key, https=https)
        uvicorn.run(app, host=host, port=port, proxy_headers=https, log_level="info")
        return
    # Migrate once here: workers starting together must not each try to create the schema.
    database = open_database(database_url)
    url = database.url
    database.dispose()
    jobs = tempfile.mkdtemp(prefix="planwatch-jobs-")
    os.environ.update({DATABASE_ENV: url, JOBS_DIR_ENV: jobs, HTTPS_ENV: "1" if https else "",
                       SECRET_ENV: secret_key or os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)})
    try:
        uvicorn.run("planwatch.web.serve:app_from_environment", factory=True, workers=workers, host=host, port=port,
                    proxy_headers=https, log_level="info")
    finally:
        shutil.rmtree(jobs, ignore_errors=True)


def app_from_environment() -> FastAPI:
    """The app of one worker process, configured by the environment :func:`serve` set."""
    return create_app(os.environ[DATABASE_ENV], https=os.environ.get(HTTPS_ENV) == "1")
