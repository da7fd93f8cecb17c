"""A service process's logging: ANTRE_LOG_LEVEL and ANTRE_LOG_FORMAT apply to our loggers and
uvicorn's alike, JSON lines carry the trace, uvicorn's access log (raw paths, client addresses)
stays silent, and a level that does not exist stops the service at start."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from antre.logs import LogSettings, configure_logging

ROOT = Path(__file__).resolve().parents[3]
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "alembic.runtime.plugins")


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """Each test's configuration is undone after it: the rest of the suite logs as it did."""
    saved = {
        name: (list(lg.handlers), lg.level, lg.propagate, lg.disabled)
        for name in LOGGERS
        for lg in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def lines(err: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_json_lines_at_the_level_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogSettings(log_level="warning", log_format="json"))

    logging.getLogger("antre.test").info("not shown: below WARNING")
    logging.getLogger("antre.test").warning("consumer %s behind", "counters-queue")
    logging.getLogger("uvicorn.error").error("uvicorn's own line")
    logging.getLogger("uvicorn.access").warning('1.2.3.4 - "GET /api/v1/bookings/K7Q2M9XA HTTP/1.1" 200')

    written = lines(capsys.readouterr().err)
    assert [(e["level"], e["logger"], e["message"]) for e in written] == [
        ("WARNING", "antre.test", "consumer counters-queue behind"),
        ("ERROR", "uvicorn.error", "uvicorn's own line"),
    ]
    assert written[0]["time"].endswith("+00:00")
    assert "trace_id" not in written[0]  # no span, no trace


def test_a_line_written_in_a_span_carries_its_trace(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogSettings(log_format="json"))
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("issue") as span:
        try:
            raise ValueError("printer offline")
        except ValueError:
            logging.getLogger("antre.test").exception("issue failed")

    (entry,) = lines(capsys.readouterr().err)
    context = span.get_span_context()
    assert entry["trace_id"] == format(context.trace_id, "032x")
    assert entry["span_id"] == format(context.span_id, "016x")
    assert "ValueError: printer offline" in entry["exception"]


def test_urls_with_tokens_stay_out_even_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogSettings(log_level="DEBUG"))

    logging.getLogger("httpx").info('HTTP Request: POST https://hooks.example.id/in?token=rahasia "200 OK"')
    logging.getLogger("uvicorn.access").info('1.2.3.4 - "GET /api/v1/bookings/K7Q2M9XA HTTP/1.1" 200')
    logging.getLogger("antre.test").debug("shown")

    err = capsys.readouterr().err
    assert "rahasia" not in err and "K7Q2M9XA" not in err
    assert "DEBUG antre.test: shown" in err


def test_plain_text_by_default_and_configured_once(capsys: pytest.CaptureFixture[str]) -> None:
    settings = LogSettings()
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    configure_logging(settings)
    configure_logging(settings)  # a second app in the same process: still one line per record

    logging.getLogger("antre.test").info("hall kendari open")

    err = capsys.readouterr().err
    assert err.count("hall kendari open") == 1
    assert " INFO antre.test: hall kendari open" in err
    assert logging.getLogger().level == logging.INFO


def test_the_environment_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTRE_LOG_LEVEL", "debug")
    monkeypatch.setenv("ANTRE_LOG_FORMAT", "json")
    assert (LogSettings().log_level, LogSettings().log_format) == ("DEBUG", "json")


@pytest.mark.parametrize(("variable", "value"), [("ANTRE_LOG_LEVEL", "LOUD"), ("ANTRE_LOG_FORMAT", "xml")])
def test_a_setting_that_does_not_exist_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=value):
        LogSettings()


def test_a_service_does_not_start_with_an_unknown_level(tmp_path: Path) -> None:
    """The real start: uvicorn with the service's factory, as the manifests run it."""
    env = {**os.environ, "ANTRE_LOG_LEVEL": "LOUD", "ANTRE_STATE_DIR": str(tmp_path)}
    started = subprocess.run(
        [sys.executable, "-m", "uvicorn", "services.notify.bootstrap:create_app", "--factory", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "ANTRE_LOG_LEVEL 'LOUD' tidak dikenal / is not a level" in started.stderr


def test_a_database_error_logged_does_not_carry_the_values(tmp_path: Path) -> None:
    """An error's text is what a traceback logs: a statement's values (phones, NIK hashes) stay
    out of it."""
    from sqlalchemy import text

    from antre.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE contacts (phone TEXT PRIMARY KEY)"))
        conn.execute(text("INSERT INTO contacts VALUES (:phone)"), {"phone": "+6281234567890"})
    with pytest.raises(Exception) as failed, engine.begin() as conn:
        conn.execute(text("INSERT INTO contacts VALUES (:phone)"), {"phone": "+6281234567890"})
    engine.dispose()
    assert "UNIQUE constraint failed" in str(failed.value)
    assert "6281234567890" not in str(failed.value)
