"""The FastAPI application: pages for people, /api/v1 for programs, one set of services behind.

``create_app`` is what ``planwatch serve`` hands to uvicorn. Everything the app decides
about users, data and permissions is asked of :mod:`planwatch.services`; this package only
turns requests into service calls and results into HTML or JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from planwatch.configuration import Settings
from planwatch.services.login_throttle import LoginThrottle
from planwatch.services.web_sessions import SessionPolicy
from planwatch.web.api.docs import ASSETS_PATH, assets
from planwatch.web.api.docs import router as api_docs_router
from planwatch.web.api.routes import router as api_router
from planwatch.web.app_state import app_database, size_request_threads
from planwatch.web.boundary import Boundary
from planwatch.web.errors import install_error_handlers
from planwatch.web.headers import SecurityHeaders
from planwatch.web.public.boundary import PublicBoundary
from planwatch.web.public.live import PublicOptions
from planwatch.web.public.routes import install_public_site
from planwatch.web.public.routes import router as public_router
from planwatch.web.request_log import RequestLog
from planwatch.web.session import router as session_router
from planwatch.web.session_key import StoredKeySessions
from planwatch.web.templating import STATIC_DIR, environment, named_routes
from planwatch.web.theme import router as theme_router
from planwatch.web.uploads import UploadJobs
from planwatch.web.views.admin_orgunits import router as admin_orgunits_router
from planwatch.web.views.admin_users import router as admin_router
from planwatch.web.views.assessment import router as assessment_router
from planwatch.web.views.assignments import router as assignments_router
from planwatch.web.views.documents import router as documents_router
from planwatch.web.views.documents import upload_router
from planwatch.web.views.entry import router as entry_router
from planwatch.web.views.entry_files import router as entry_files_router
from planwatch.web.views.explore import router as explore_router
from planwatch.web.views.exports import router as exports_router
from planwatch.web.views.inbox import router as inbox_router
from planwatch.web.views.indicator_admin import router as indicator_admin_router
from planwatch.web.views.ledger import router as ledger_router
from planwatch.web.views.ledger_edit import router as ledger_edit_router
from planwatch.web.views.periods import router as periods_router
from planwatch.web.views.pickers import router as pickers_router
from planwatch.web.views.plans import router as pages_router
from planwatch.web.views.publishing import router as publishing_router
from planwatch.web.views.records import router as records_router
from planwatch.web.views.review import router as review_router
from planwatch.web.views.threads import router as threads_router

__all__ = ["SESSION_COOKIE", "create_app"]

SESSION_COOKIE: Final = "planwatch_session"
SESSION_MAX_AGE: Final = int(SessionPolicy().absolute.total_seconds())


def create_app(settings: Settings | str | None = None, *, secret_key: str | None = None,
               throttle: LoginThrottle | None = None, session_policy: SessionPolicy | None = None,
               public: PublicOptions | None = None) -> FastAPI:
    """Build the app of one installation's :class:`Settings` (a database URL alone: the defaults
    for everything else), kept as ``app.state.settings``; ``secret_key`` replaces the settings' one.

    ``settings.secret_key`` signs session cookies; without it (the usual case) the key kept in
    the database signs them, which every process and host on it shares and a restart keeps
    (:mod:`planwatch.services.session_keys`). ``settings.https`` marks cookies Secure: set it
    when the app is served over https (directly or behind a proxy); requests that arrive as
    https get Secure cookies in any case. ``settings.allowed_hosts`` (e.g.
    ``("jc.example.gov.cn",)``) refuses requests for other Host names; without it any Host is
    answered, and redirects never name it (see :mod:`planwatch.web.headers`).
    ``settings.extract_workers`` imports of uploads run at a time in this process, taken from
    the database's queue; 0 leaves them to ``planwatch worker`` processes. ``public`` sets how
    the public site under /public/ is cached and limited (:class:`PublicOptions`).
    """
    if not isinstance(settings, Settings):
        settings = Settings(database_url=settings)
    if secret_key is not None:
        settings = dataclasses.replace(settings, secret_key=secret_key)
    https = settings.https
    uploads = UploadJobs(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        size_request_threads()
        await run_in_threadpool(lambda: uploads.recover(app_database(_app)))  # jobs of a killed worker
        uploads.serve(app_database(_app))
        # Compiled now rather than by the first request for each page (a first dashboard after
        # a restart paid a tenth of a second for it); public/ is the public site's, with an
        # environment of its own.
        await run_in_threadpool(lambda: [app.state.templates.get_template(name)
                                         for name in app.state.templates.list_templates(extensions=["html"])
                                         if not name.startswith("public/")])
        yield
        uploads.shutdown()  # let running imports finish: their sessions commit or roll back

    app = FastAPI(title="PlanWatch 规划实施监测评估平台 API", version="1", docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.settings = settings
    app.state.uploads = uploads
    app.state.templates = environment()
    app.state.throttle = throttle or LoginThrottle()
    app.state.session_policy = session_policy or SessionPolicy()
    key = settings.secret_key
    app.add_middleware(Boundary)  # inside the session: it reads the session before any body
    if key:
        app.add_middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE,
                           max_age=SESSION_MAX_AGE, same_site="lax", https_only=https)
    else:
        app.add_middleware(StoredKeySessions, database=lambda: app_database(app), session_cookie=SESSION_COOKIE,
                           max_age=SESSION_MAX_AGE, same_site="lax", https_only=https)
    app.add_middleware(PublicBoundary)  # outside the sessions: the public site never sees a cookie
    install_public_site(app, public or PublicOptions(), key)
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(SecurityHeaders, https=https)  # every answer gets the headers
    app.add_middleware(RequestLog)  # outermost: every answer is logged
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(ASSETS_PATH, assets(), name="api_docs_assets")
    install_error_handlers(app)

    routers = (session_router, pages_router, entry_files_router, upload_router, documents_router, ledger_router,
               ledger_edit_router, assessment_router, explore_router, indicator_admin_router, admin_router,
               api_docs_router, api_router, admin_orgunits_router, assignments_router, periods_router,
               theme_router, entry_router, review_router, threads_router, inbox_router, records_router, exports_router,
               pickers_router, publishing_router, public_router)
    for router in routers:
        app.include_router(router)
    app.state.named_routes = named_routes(app.router.routes, *(r.routes for r in routers))
    return app

