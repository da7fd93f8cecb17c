"""Logging of a service process, configured once from ``ANTRE_LOG_LEVEL`` and ``ANTRE_LOG_FORMAT``.

Plain text by default (``make run``: read by a person in a terminal); ``json`` writes one JSON
object a line, with the trace and span ids of the span the line was written in, for Kubernetes'
log collectors. Everything goes to standard error through one handler on the root logger,
uvicorn's own loggers included.

Personal data is never logged. uvicorn's access log is silenced, since its raw paths and query
strings carry booking codes and status-page tokens, and its client address is the citizen's:
:class:`antre.web.RequestMetrics` writes a line per request with the route's template instead
(at DEBUG). httpx's request lines are held back too (:data:`QUIET`). Handlers log ids (tickets,
events, counters), never names, phones or NIKs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Literal, TextIO

from opentelemetry import trace
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# uvicorn's loggers carry handlers of their own and do not propagate; here they write through
# the root's handler instead, in the same format.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")
ACCESS_LOGGER = "uvicorn.access"
# Libraries held at WARNING whatever the level: httpx logs every request's whole URL at INFO, and
# agencies' webhook and SMS gateway URLs carry their tokens; alembic announces its plugins.
QUIET = ("httpx", "httpcore", "alembic.runtime.plugins")


class LogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANTRE_", extra="ignore")

    log_level: str = "INFO"
    log_format: LogFormat = "text"

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LEVELS:
            raise ValueError(
                f"ANTRE_LOG_LEVEL {value!r} tidak dikenal / is not a level: use one of {', '.join(LEVELS)}"
            )
        return level


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the current span's
    ``trace_id`` and ``span_id`` when there is one, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _AntreHandler(logging.StreamHandler[TextIO]):
    """The process's one handler: found and replaced when logging is configured again (tests
    build many apps in one process), leaving other handlers (pytest's capture) in place."""


def configure_logging(settings: LogSettings) -> None:
    handler = _AntreHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AntreHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    access = logging.getLogger(ACCESS_LOGGER)
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
