"""``planwatch serve``: the app under uvicorn, in one process or several.

One process serves a district office well; its request threads share Python's interpreter
lock, though, so once a few dozen people click at the same moment pages start waiting for
each other. ``workers`` > 1 runs that many processes behind the same port (uvicorn's
supervisor restarts one that dies). They share the database and what it keeps for all of
them: the session key, the log-in throttle, sessions, upload jobs and the evaluation
snapshot (each process keeps recent evaluations in memory while their data version stands).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Final

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from planwatch import configuration, logs
from planwatch.configuration import Settings
from planwatch.web.app import create_app
from planwatch.web.app_state import open_database

__all__ = ["Exposure", "serve"]

# uvicorn's supervisor kills a worker that does not answer its health check within 5 s by
# default, and logs it as "died"; a new worker first imports the whole app (9 s on a busy
# two-core machine), so it was killed before it had started, again and again under load.
WORKER_START_S: Final = 120


@dataclass(frozen=True, slots=True)
class Exposure:
    """How uvicorn meets the network: which proxies' X-Forwarded-* headers to believe, and
    its own certificate (the app's https flag and Host names are :class:`Settings`)."""

    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    def uvicorn_options(self) -> dict[str, Any]:
        return {"proxy_headers": self.proxy_headers, "forwarded_allow_ips": self.forwarded_allow_ips,
                "ssl_certfile": self.ssl_certfile, "ssl_keyfile": self.ssl_keyfile}


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, *,
          exposure: Exposure = Exposure(), workers: int = 1) -> None:
    """Blocks until interrupted.

    With several workers, each process gets ``settings`` from uvicorn's supervisor as part of
    its (pickled) configuration: the app factory is a partial of :func:`worker_app` over them.
    """
    if exposure.ssl_certfile is not None:
        settings = dataclasses.replace(settings, https=True)
    options: dict[str, Any] = {"host": host, "port": port, "log_config": logs.dict_config(settings),
                               "access_log": False, **exposure.uvicorn_options()}
    configuration.install(settings)
    logs.configure(settings)
    if workers <= 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Migrate once here: workers starting together must not each try to create the schema.
    database = open_database(settings.database_url)
    settings = dataclasses.replace(settings, database_url=database.url)
    database.dispose()
    config = uvicorn.Config(functools.partial(worker_app, settings), factory=True, workers=workers,
                            timeout_worker_healthcheck=WORKER_START_S, **options)
    with contextlib.suppress(KeyboardInterrupt):  # the supervisor stops its workers first
        Multiprocess(config, sockets=[config.bind_socket()]).run()


def worker_app(settings: Settings) -> FastAPI:
    """The app of one worker process: its settings, installed for the code that asks
    :func:`configuration.current` (the readers' limits)."""
    configuration.install(settings)
    return create_app(settings)
