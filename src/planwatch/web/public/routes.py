"""The public site's routes (``/public/...``): the only routes anyone may use without logging in.

They are all here, under one prefix: every GET of the prefix serves the site's files (the
same tree ``planwatch publish`` writes) or the opinion form, whose POST is the only anonymous
write. Each is listed in :data:`planwatch.web.boundary.ANONYMOUS` with its body limit (an
opinion of 2,000 characters form-encoded as UTF-8 percent escapes takes about 18 KB). No
handler reads or starts a session: :mod:`planwatch.web.public.boundary` strips cookies from
these requests before the session middleware sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.services import opinions
from planwatch.web.app_state import app_database
from planwatch.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from planwatch.web.public.live import FormTokens, LiveSite, PageLimiter, PublicOptions
from planwatch.web.public.site import PublicSite, SitePlan, page_language

__all__ = ["OPINION_POST", "PUBLIC_PREFIX", "install_public_site", "router"]

PUBLIC_PREFIX: Final = "/public"
OPINION_POST: Final = f"{PUBLIC_PREFIX}/opinions"
_NO_STORE: Final = {"Cache-Control": "no-store"}

router = APIRouter(prefix=PUBLIC_PREFIX, include_in_schema=False)


def install_public_site(app: FastAPI, options: PublicOptions, secret_key: str | None) -> None:
    """The per-process state the public routes use: the rendered site, the limits, the form
    tokens (signed with ``secret_key``, or without one with the key kept in the database)."""
    app.state.public_options = options
    app.state.public_site = LiveSite(options.refresh_seconds)
    app.state.public_limiter = PageLimiter(options.pages_per_second, options.page_burst)
    app.state.public_forms = FormTokens(options.min_fill_seconds, options.max_form_age_seconds, secret_key)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _language(value: str) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _page(site: PublicSite, path: str, language: str, template: str, context: Mapping[str, Any],
          status_code: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """A page answered at ``path`` under the prefix (its links are relative to it), never cached."""
    return HTMLResponse(site.render_page(path, template, context, language), status_code=status_code,
                        headers={**_NO_STORE, **(headers or {})})


def _message(site: PublicSite, path: str, language: str, status_code: int, heading_key: str, message: str,
             headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return _page(site, path, language, "message.html", {"heading": Translator(language)(heading_key),
                                                         "message": message, "ok": False, "back": None,
                                                         "back_label": None}, status_code, headers)


async def _limited(request: Request, path: str, language: str) -> Response | None:
    """429 when the address has used its requests, else None."""
    wait = request.app.state.public_limiter.wait(_address(request))
    if not wait:
        return None
    site = await request.app.state.public_site.current(app_database(request.app))
    seconds = max(1, round(wait + 0.5))
    return _message(site, path, language, 429, "public.busy_title",
                    Translator(language)("public.busy", seconds=seconds), {"Retry-After": str(seconds)})


# ---- the opinion form -------------------------------------------------------------------------

class Subject(NamedTuple):
    """What an opinion is about: a published plan, or one of its published indicators."""

    plan: SitePlan
    indicator: Mapping[str, Any] | None
    name: str


def _subject(site: PublicSite, plan_slug: str, code: str) -> Subject | None:
    """The published plan (and indicator) an opinion is about; None if it is not public."""
    plan = site.plan(plan_slug)
    if plan is None or plan.retracted:
        return None
    if not code:
        return Subject(plan, None, str(plan.snapshot["plan"]["title"]))
    indicator = next((i for i in plan.indicators if i["code"] == code), None)
    return None if indicator is None else Subject(plan, indicator, str(indicator["name"]))


# Where the opinion pages are answered, under the prefix: a refused post is answered at the
# address it was posted to, one level higher than the form, and its links must still work.
_FORM, _POSTED, _RECEIVED = "opinions/new", "opinions", "opinions/received"


def _root(path: str) -> str:
    return "../" * path.count("/")


def _back(path: str, plan: SitePlan, indicator: Mapping[str, Any] | None, language: str) -> str:
    """The subject's page, relative to the page answered at ``path``."""
    base = f"{_root(path)}{'en/' if language == 'en' else ''}{plan.folder}"
    return f"{base}/indicators/{indicator['slug']}.html" if indicator else f"{base}/index.html"


def _form(request: Request, site: PublicSite, subject: Subject, language: str,
          *, path: str = _FORM, values: Mapping[str, Any] | None = None, error: str = "", error_field: str = "",
          status_code: int = 200, state: _FormState, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    plan, indicator, name = subject
    code = indicator["code"] if indicator else ""
    query = urlencode({"plan": plan.slug, **({"indicator": code} if code else {}),
                       "lang": "zh" if language == "en" else "en"})
    return _page(site, path, language, "opinion_form.html", {
        "other_language": f"{_root(path)}{_FORM}?{query}",
        "subject": name, "plan_slug": plan.slug, "indicator_code": code,
        "token": request.app.state.public_forms.issue(state.key, f"{plan.slug}/{code}"),
        "form": {"text": "", "contact": "", "consent": False, **(values or {})},
        "error": error, "error_field": error_field, "retention_days": state.retention_days,
        "min_text": opinions.MIN_TEXT, "max_text": opinions.MAX_TEXT, "max_contact": opinions.MAX_CONTACT,
        "back": _back(path, plan, indicator, language)}, status_code, headers)


@dataclass(frozen=True, slots=True)
class _FormState:
    """What the form needs from the database, read in one session: the declared period
    contacts are kept, and the key its tokens are signed with."""

    retention_days: int
    key: bytes


def _form_state(request: Request) -> _FormState:
    with app_database(request.app).session() as session:  # the first form of a new database makes the key
        return _FormState(opinions.contact_retention_days(session), request.app.state.public_forms.key(session))


@router.get("/opinions/new", name="public_opinion_form")
async def opinion_form(request: Request, plan: str = "", indicator: str = "", lang: str = "zh") -> Response:
    language = _language(lang)
    refused = await _limited(request, _FORM, language)
    if refused is not None:
        return refused
    site = await request.app.state.public_site.current(app_database(request.app))
    subject = _subject(site, plan, indicator)
    if subject is None:
        return _message(site, _FORM, language, 404, "public.not_found_title",
                        Translator(language)("public.not_public"))
    return _form(request, site, subject, language, state=await run_in_threadpool(_form_state, request))


class _Throttled(Exception):
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds


@router.post("/opinions", name="public_opinion_post")
async def opinion_post(request: Request) -> Response:
    """Store a visitor's opinion for moderation, or say in the visitor's language why not
    (with everything typed kept in the form); nothing is stored on any refusal."""
    form = await request.form()
    field = {name: value if isinstance(value, str) else "" for name, value in form.items()}
    language = _language(field.get("lang", ""))
    t = Translator(language)
    refused = await _limited(request, _POSTED, language)
    if refused is not None:
        return refused
    database = app_database(request.app)
    site = await request.app.state.public_site.current(database)
    subject = _subject(site, field.get("plan", ""), field.get("indicator", ""))
    if subject is None:
        return _message(site, _POSTED, language, 404, "public.not_found_title", t("public.not_public"))
    plan, indicator, name = subject
    received = request.url_for("public_opinion_received").path + "?" + urlencode(
        {"plan": plan.slug, **({"indicator": indicator["code"]} if indicator else {}), "lang": language})
    if field.get("website"):  # only a program fills the hidden field: it is told nothing
        return RedirectResponse(received, status_code=303)
    text, contact, consent = field.get("text", ""), field.get("contact", ""), field.get("consent") == "yes"
    values = {"text": text, "contact": contact, "consent": consent}
    state = await run_in_threadpool(_form_state, request)
    code = indicator["code"] if indicator else ""
    problem = request.app.state.public_forms.problem(state.key, field.get("token", ""), f"{plan.slug}/{code}")
    if problem is not None:
        return _form(request, site, subject, language, path=_POSTED, values=values, status_code=422,
                     error=t(f"public.form.error.{problem}"), state=state)
    options: PublicOptions = request.app.state.public_options

    def store() -> None:
        with database.session() as session:
            wait = options.opinion_throttle.attempt(session, _address(request))
            if wait is not None:
                raise _Throttled(wait)
            opinions.post_opinion(session, plan_key=plan.snapshot["plan"]["key"], indicator_code=code or None,
                                  subject=name,
                                  text=text, contact=contact, consent=consent,
                                  language=language)

    try:
        await run_in_threadpool(store)
    except _Throttled as exc:
        minutes = max(1, (exc.seconds + 59) // 60)
        return _form(request, site, subject, language, path=_POSTED, values=values, status_code=429,
                     state=state,
                     error=t("public.form.error.throttled", minutes=minutes), headers={"Retry-After": str(exc.seconds)})
    except opinions.OpinionRejected as exc:
        return _form(request, site, subject, language, path=_POSTED, values=values, status_code=422,
                     state=state, error=t(f"public.form.error.{exc.code}", **exc.values),
                     error_field="contact" if exc.code.startswith(("contact", "consent")) else "text")
    return RedirectResponse(received, status_code=303)


@router.get("/opinions/received", name="public_opinion_received")
async def opinion_received(request: Request, plan: str = "", indicator: str = "", lang: str = "zh") -> Response:
    language = _language(lang)
    site = await request.app.state.public_site.current(app_database(request.app))
    subject = _subject(site, plan, indicator)
    t = Translator(language)
    back = _back(_RECEIVED, subject.plan, subject.indicator, language) if subject else \
        f"{_root(_RECEIVED)}{'en/' if language == 'en' else ''}index.html"
    return _page(site, _RECEIVED, language, "message.html", {
        "heading": t("public.received_title"), "message": t("public.received"),
        "ok": True, "back": back, "back_label": t("public.form.back", subject=subject.name) if subject else None,
        "other_language": f"{_root(_RECEIVED)}{_RECEIVED}?" + urlencode({"plan": plan, **({"indicator": indicator} if indicator else {}),
                                                   "lang": "zh" if language == "en" else "en"})})


# ---- the site's files ------------------------------------------------------------------------

@router.api_route("/{path:path}", methods=["GET", "HEAD"], name="public_site")
async def public_file(request: Request, path: str) -> Response:
    """A file of the public site; a directory is its index.html."""
    if request.url.path == PUBLIC_PREFIX:
        return RedirectResponse(f"{PUBLIC_PREFIX}/", status_code=308)
    name = path + "index.html" if path == "" or path.endswith("/") else path
    language = page_language(name)
    refused = await _limited(request, name, language)
    if refused is not None:
        return refused
    database = app_database(request.app)
    found = await request.app.state.public_site.file(database, name)
    if found is None:
        site = await request.app.state.public_site.current(database)
        return _message(site, name, language, 404, "public.not_found_title", Translator(language)("public.not_found"))
    headers = {"ETag": found.etag, "Cache-Control": "public, no-cache"}
    if request.headers.get("if-none-match") == found.etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, status_code=410 if found.gone else 200, media_type=found.media_type,
                    headers=headers)
