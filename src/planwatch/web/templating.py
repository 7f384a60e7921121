"""Rendering pages: one Jinja2 environment (autoescaped) and the context every page gets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import URL
from starlette.routing import BaseRoute, Mount, Route

from planwatch.monitor.permissions import ROLE_ACTIONS, Action, Actor, Role
from planwatch.services.periods import local_time
from planwatch.web.i18n import LANGUAGE_COOKIE, Translator, negotiate_language
from planwatch.web.messages import readable
from planwatch.web.plain_words import help_term
from planwatch.web.security import csrf_token
from planwatch.web.theme import theme_url

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "NavItem", "echarts_available", "environment", "local_url", "named_routes", "nav_items", "render",
           "translator", "url_builder"]

PACKAGE_DIR: Final = Path(__file__).resolve().parent
TEMPLATE_DIR: Final = PACKAGE_DIR / "templates"
STATIC_DIR: Final = PACKAGE_DIR / "static"
ECHARTS_FILE: Final = STATIC_DIR / "vendor" / "echarts.min.js"


def environment() -> jinja2.Environment:
    """Autoescape everywhere: plan text and user comments are shown verbatim, never as HTML."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["localtime"] = format_local_time
    env.globals["nav_items"] = nav_items
    env.globals["theme_url"] = theme_url
    return env


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    prefix: str


_NAV: Final = (
    NavItem("nav.dashboard", "/dashboard", "/dashboard"),
    NavItem("nav.plans", "/plans", "/plans"),
    NavItem("nav.documents", "/documents", "/documents"),
    NavItem("nav.search", "/search", "/search"),
    NavItem("nav.compare", "/compare", "/compare"),
    NavItem("nav.inbox", "/inbox", "/inbox"),
    NavItem("nav.entry", "/entry", "/entry"),
    NavItem("nav.review", "/review", "/review"),
    NavItem("nav.users", "/admin/users", "/admin/users"),
    NavItem("nav.orgunits", "/admin/orgunits", "/admin/orgunits"),
    NavItem("nav.exports", "/exports", "/exports"),
    NavItem("nav.records", "/records/imports", "/records/"),
    NavItem("nav.publishing", "/publishing", "/publishing"),
    NavItem("nav.api", "/api/v1/docs", "/api/"),
)
# A menu entry shows when the role has any of its actions: the entry page also serves an
# administrator (MANAGE_PERIODS), who downloads any unit's template there without entering.
_NAV_ACTION: Final = {"nav.inbox": frozenset({Action.COMMENT, Action.REMIND}),
                      "nav.entry": frozenset({Action.ENTER, Action.MANAGE_PERIODS}),
                      "nav.review": frozenset({Action.APPROVE}), "nav.users": frozenset({Action.MANAGE_USERS}),
                      "nav.orgunits": frozenset({Action.MANAGE_ORG_UNITS}),
                      "nav.records": frozenset({Action.VIEW_AUDIT}),
                      "nav.publishing": frozenset({Action.PUBLISH, Action.APPROVE_PUBLICATION,
                                                   Action.MODERATE_OPINIONS})}


def nav_items(user: Actor) -> list[NavItem]:
    """Menu entries the user's role can use; the services still check every request."""
    allowed = ROLE_ACTIONS.get(Role(user.role), frozenset())
    return [item for item in _NAV if item.label not in _NAV_ACTION or _NAV_ACTION[item.label] & allowed]


def format_number(value: float | int | None, digits: int = 2) -> str:
    """Plan figures as a Chinese reader expects them: no trailing zeros, no exponent."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_local_time(moment: datetime) -> str:
    """A stored moment in Beijing time, to the minute."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


def localized_label(item: Any, language: str) -> str:
    """Enum labels (status, role, state) in the page's language; English falls back to the code."""
    if item is None:
        return "—"
    if language == "en":
        return str(getattr(item, "label_en", getattr(item, "value", item)))
    return str(getattr(item, "label_zh", item))


def translator(request: Request) -> Translator:
    return Translator(negotiate_language(request.cookies.get(LANGUAGE_COOKIE),
                                         request.headers.get("accept-language")))


def echarts_available() -> bool:
    """Charts need the npm-fetched ECharts file; without it pages show their tables only."""
    return ECHARTS_FILE.is_file()


def named_routes(*route_lists: Sequence[BaseRoute]) -> dict[str, Route | Mount]:
    """The app's routes by name, for :func:`url_builder`; FastAPI keeps included routers as
    lazy branches, so the app passes each router's own list besides its top level."""
    return {route.name: route for routes in route_lists for route in routes
            if isinstance(route, Route | Mount) and route.name}


def url_builder(request: Request) -> Callable[..., URL]:
    """``url_for`` for templates and redirects, by each route's path format.

    The URLs are paths on this site, without scheme and host: a link or redirect built from
    the request's Host header would send users wherever a forged header says
    (``Host: evil.example`` → ``Location: http://evil.example/dashboard``).

    Starlette's ``url_for`` tries every route in turn (about 0.1 ms per link); a dashboard
    with fifty warning links spent most of its time there. A name the app does not know,
    or parameters its route does not take, still go to Starlette (and fail as it fails).
    """
    routes: dict[str, Route | Mount] = request.app.state.named_routes
    base = str(request.scope.get("root_path", "")).rstrip("/")

    def url_for(name: str, /, **params: Any) -> URL:
        route = routes.get(name)
        if isinstance(route, Mount) and set(params) == {"path"}:
            return URL(f"{base}{route.path}/{str(params['path']).lstrip('/')}")
        if not isinstance(route, Route) or set(params) != set(route.param_convertors):
            return URL(request.url_for(name, **params).path)
        path = route.path_format.format(**{k: route.param_convertors[k].to_string(v) for k, v in params.items()})
        return URL(base + path)

    return url_for


def local_url(request: Request, name: str, /, **params: Any) -> URL:
    """The path of a named route on this site (for redirects; see :func:`url_builder`)."""
    return url_builder(request)(name, **params)


def render(request: Request, template: str, context: Mapping[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    t = translator(request)
    user = getattr(request.state, "user", None)
    values: dict[str, Any] = {
        "request": request,
        "url_for": url_builder(request),
        "t": t,
        "label": lambda item: localized_label(item, t.language),
        "csrf_token": csrf_token(request.session),
        "user": user,
        "user_role": Role(user.role) if user is not None else None,
        "echarts": echarts_available(),
        # the menu's to-do count: asked of the request's session while it is open (see auth.page_user)
        "inbox_count": getattr(request.state, "inbox_count", lambda: 0),
        "help_term": lambda key: help_term(key, t),
    }
    values.update(context or {})
    _readable_messages(values, t)
    return HTMLResponse(env.get_template(template).render(values), status_code=status_code)


# Context keys that carry a service's message to the page (a refusal, a row's problems).
_MESSAGE_KEYS: Final = ("message", "error", "problem")


def _readable_messages(values: dict[str, Any], t: Translator) -> None:
    """Every page shows service messages with the field's label, never its code (``org_unit：``
    → ``单位：``): done here, where every page passes, rather than in each handler."""
    for key in _MESSAGE_KEYS:
        if isinstance(values.get(key), str):
            values[key] = readable(values[key], t)
    if isinstance(values.get("problems"), list):
        values["problems"] = [readable(p, t) if isinstance(p, str) else p for p in values["problems"]]
