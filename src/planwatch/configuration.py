"""The product's configuration in one typed, frozen object, and the one place that reads the environment.

Every ``PLANWATCH_*`` variable is a field here, with the command-line option that overrides it
and its meaning; the README's configuration table lists the same rows (a test compares them), and
a test checks that no other module of ``src/`` reads ``os.environ``. The settings are read once,
where a process starts (the CLI, ``planwatch serve``, ``planwatch worker``), and handed on: to the
app as ``app.state.settings``, to uvicorn's worker processes and the extraction processes as an
argument (:func:`install` in a fresh process), never through ``os.environ``. Code deep in the
readers (the sheet-row limit, the OCR engine) asks :func:`current`.

This module imports nothing of the product, so every layer may use it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from planwatch.errors import PlanWatchError

__all__ = ["LOG_FORMATS", "OCR_CHOICES", "Settings", "SettingsError", "child_environment", "current", "install"]

LogFormat = Literal["kv", "json"]  # key=value lines, or JSON lines (planwatch.logs)
LOG_FORMATS: Final[tuple[LogFormat, ...]] = ("kv", "json")
OCR_CHOICES: Final = ("rapidocr", "tesseract", "off")
_LOG_LEVELS: Final = ("debug", "info", "warning", "error")
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"", "0", "false", "no", "off"})
# Rows per sheet: a district's org units or a plan's assignments are thousands; 100 000 units import in batches.
DEFAULT_MAX_SHEET_ROWS: Final = 200_000


class SettingsError(PlanWatchError):
    """A configuration value that cannot be used; the message names the variable and what it expects."""


def _boolean(name: str, raw: str) -> bool:
    raw = raw.strip()
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise SettingsError(f"环境变量 {name}={raw}：应为 1 或 0（true/false）")


def _count(minimum: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        raw = raw.strip()
        if raw.isascii() and raw.isdigit() and int(raw) >= minimum:
            return int(raw)
        raise SettingsError(f"环境变量 {name}={raw}：应为不小于 {minimum} 的整数")
    return parse


def _one_of(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        raw = raw.strip()
        if raw.lower() in choices:
            return raw.lower()
        raise SettingsError(f"环境变量 {name}={raw}：应为 {'、'.join(choices)} 之一")
    return parse


def _text(_name: str, raw: str) -> str:
    return raw


def _hosts(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(host.strip() for host in raw.split(",") if host.strip())


def _var(name: str, parse: Callable[[str, str], Any], example: str, option: str = "", secret: bool = False) -> Any:
    """Field metadata: the environment variable and its parser, a valid non-default value (the table
    test sets it), the CLI option that overrides it, and whether the value must never be shown."""
    return {"env": name, "parse": parse, "example": example, "option": option, "secret": secret}


@dataclass(frozen=True, slots=True)
class Settings:
    """What an installation configures. Defaults suit one office on one machine (SQLite under
    ``./.planwatch/``, http on 127.0.0.1); every field can come from its environment variable."""

    database_url: str | None = field(default=None, metadata=_var(
        "PLANWATCH_DATABASE_URL", _text, "sqlite:///example.db", "--db"))
    secret_key: str | None = field(default=None, repr=False, metadata=_var(
        "PLANWATCH_SECRET_KEY", _text, "example-key", secret=True))
    https: bool = field(default=False, metadata=_var("PLANWATCH_HTTPS", _boolean, "1", "serve --https"))
    allowed_hosts: tuple[str, ...] = field(default=(), metadata=_var(
        "PLANWATCH_ALLOWED_HOSTS", _hosts, "jc.example.gov.cn,example.gov.cn", "serve --allowed-hosts"))
    extract_workers: int = field(default=2, metadata=_var(
        "PLANWATCH_EXTRACT_WORKERS", _count(0), "0", "serve --extract-workers"))
    max_sheet_rows: int = field(default=DEFAULT_MAX_SHEET_ROWS, metadata=_var("PLANWATCH_MAX_SHEET_ROWS", _count(1), "50"))
    ocr: str | None = field(default=None, metadata=_var("PLANWATCH_OCR", _one_of(OCR_CHOICES), "off"))
    password: str | None = field(default=None, repr=False, metadata=_var(
        "PLANWATCH_PASSWORD", _text, "example-pass", "users add/passwd --password、settings smtp --password", secret=True))
    log_format: LogFormat = field(default="kv", metadata=_var(
        "PLANWATCH_LOG_FORMAT", _one_of(LOG_FORMATS), "json", "serve/worker --log-format"))
    log_level: str = field(default="info", metadata=_var("PLANWATCH_LOG_LEVEL", _one_of(_LOG_LEVELS), "debug"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """The settings of ``environ`` (the process environment by default); ``given`` values that are
        not None (command-line options) take the place of the environment's."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            raw = source.get(spec.metadata["env"])
            if raw is not None and raw.strip() != "":
                values[spec.name] = spec.metadata["parse"](spec.metadata["env"], raw)
        values.update({name: value for name, value in given.items() if value is not None})
        return cls(**values)


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a helper program (LibreOffice, fontconfig): this process's, with ``extra``."""
    return {**os.environ, **extra}


_installed: Settings | None = None


def install(settings: Settings) -> None:
    """Make ``settings`` this process's (a worker process is handed its parent's this way)."""
    global _installed
    _installed = settings


def current() -> Settings:
    """The settings installed in this process, else the environment's (read each time: cheap, and a
    command run in-process by a test sees the environment it was given)."""
    return _installed if _installed is not None else Settings.from_env()
