"""One logging configuration for every PlanWatch process: one record a line on stderr.

Records are ``key=value`` lines (``PLANWATCH_LOG_FORMAT=kv``, the default: readable in a terminal
and by ``grep``) or JSON lines (``json``: for a log collector). A record's message is the event
(``request``, ``import``, ``job finished``); its fields are passed as ``extra`` and printed after
the standard ones (``ts``, ``level``, ``logger``, ``msg``)::

    log.info("import", extra={"channel": "web_upload", "outcome": "imported", "user": 7})

What goes into a field is decided where it is logged, and the rule is the same everywhere: ids,
counts, durations, outcomes and route templates; never a name, an e-mail address, a file's
content, a password, a token or a query string. uvicorn's access log is turned off: it prints
the path with its query string; the request log of :mod:`planwatch.web.request_log` replaces it.
uvicorn's worker processes apply the same configuration (it is passed to uvicorn as ``log_config``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any, Final

from planwatch.configuration import Settings

__all__ = ["JsonFormatter", "KeyValueFormatter", "configure", "dict_config", "record_fields"]

# Attributes every LogRecord has; whatever else a record carries came in through ``extra`` (but
# uvicorn's copy of its message with terminal colours).
_STANDARD: Final = (frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__)
                    | {"message", "asctime", "color_message"})


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record as ordered fields: the standard ones, then its ``extra`` ones, then the exception."""
    fields: dict[str, Any] = {
        "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
    fields.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
    if record.exc_info:
        fields["exc"] = logging.Formatter().formatException(record.exc_info)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object a line (Chinese kept as it is, not escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record), ensure_ascii=False, default=str)


class KeyValueFormatter(logging.Formatter):
    """``key=value`` pairs (logfmt); a value with a space, a quote or ``=`` is quoted as JSON."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_value(value)}" for key, value in record_fields(record).items())


def _value(value: Any) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def dict_config(settings: Settings) -> dict[str, Any]:
    """The configuration for :func:`logging.config.dictConfig` (and uvicorn's ``log_config``)."""
    formatter = JsonFormatter if settings.log_format == "json" else KeyValueFormatter
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"planwatch": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "planwatch",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's start-up and error messages go through the root's handler, formatted alike
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure(settings: Settings) -> None:
    """Configure this process's logging (a command's, ``planwatch serve``'s, a worker's)."""
    logging.config.dictConfig(dict_config(settings))
