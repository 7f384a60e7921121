"""``planwatch serve``: the app under uvicorn, in one process or several.

One process serves a district office well; its request threads share Python's interpreter
lock, though, so once a few dozen people click at the same moment pages start waiting for
each other. ``workers`` > 1 runs that many processes behind the same port (uvicorn's
supervisor restarts one that dies). They share the database and what it keeps for all of
them: the session key, the log-in throttle, sessions, upload jobs and the evaluation
snapshot (each process keeps recent evaluations in memory while their data version stands).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Final

import uvicorn
from fastapi import FastAPI

from planwatch.store.db import DATABASE_ENV
from planwatch.web.app import SECRET_ENV, create_app
from planwatch.web.app_state import open_database

__all__ = ["Exposure", "app_from_environment", "serve"]

HTTPS_ENV: Final = "PLANWATCH_HTTPS"
ALLOWED_HOSTS_ENV: Final = "PLANWATCH_ALLOWED_HOSTS"
EXTRACT_WORKERS_ENV: Final = "PLANWATCH_EXTRACT_WORKERS"
# uvicorn's supervisor kills a worker that does not answer its health check within 5 s by
# default, and logs it as "died"; a new worker first imports the whole app (9 s on a busy
# two-core machine), so it was killed before it had started, again and again under load.
WORKER_START_S: Final = 120


@dataclass(frozen=True, slots=True)
class Exposure:
    """How the app meets the network: over https (its own certificate, or a proxy's),
    which proxies' X-Forwarded-* headers to believe, and which Host names to answer."""

    https: bool = False
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @property
    def secure(self) -> bool:
        return self.https or self.ssl_certfile is not None

    def uvicorn_options(self) -> dict[str, Any]:
        return {"proxy_headers": self.proxy_headers, "forwarded_allow_ips": self.forwarded_allow_ips,
                "ssl_certfile": self.ssl_certfile, "ssl_keyfile": self.ssl_keyfile}


def serve(database_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          exposure: Exposure = Exposure(), secret_key: str | None = None, workers: int = 1,
          extract_workers: int = 2) -> None:
    """Blocks until interrupted."""
    if workers <= 1:
        app = create_app(database_url, secret_key=secret_key, https=exposure.secure,
                         allowed_hosts=exposure.allowed_hosts, extract_workers=extract_workers)
        uvicorn.run(app, host=host, port=port, log_level="info", **exposure.uvicorn_options())
        return
    # Migrate once here: workers starting together must not each try to create the schema.
    database = open_database(database_url)
    url = database.url
    database.dispose()
    os.environ.update({DATABASE_ENV: url, HTTPS_ENV: "1" if exposure.secure else "",
                       ALLOWED_HOSTS_ENV: ",".join(exposure.allowed_hosts), EXTRACT_WORKERS_ENV: str(extract_workers)})
    if secret_key:  # else every worker takes the key kept in the database
        os.environ[SECRET_ENV] = secret_key
    uvicorn.run("planwatch.web.serve:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="info", timeout_worker_healthcheck=WORKER_START_S, **exposure.uvicorn_options())


def app_from_environment() -> FastAPI:
    """The app of one worker process, configured by the environment :func:`serve` set."""
    hosts = [h for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h]
    return create_app(os.environ[DATABASE_ENV], https=os.environ.get(HTTPS_ENV) == "1", allowed_hosts=hosts,
                      extract_workers=int(os.environ.get(EXTRACT_WORKERS_ENV) or 2))
