"""Tracing set-up and W3C trace context carried through the outbox and NATS headers.

A ticket's journey is one trace: the ticket keeps the ``traceparent`` of the span that issued it,
and every later step (call, serve, complete, the board, the message) starts its span under it.
The SQL a step runs (:func:`trace_statements`) and the HTTP calls a service makes to another
(:func:`trace_calls`) are client spans too, while spans are exported.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context, metrics, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    import httpx
    from opentelemetry.context import Context
    from sqlalchemy import Engine

_propagator = TraceContextTextMapPropagator()
_exporting = False  # set by setup_tracing: client spans are made only when they can leave


def setup_tracing(service: str, otlp_endpoint: str = "", exporter: SpanExporter | None = None) -> None:
    """Install a tracer provider for this process. Without an endpoint spans are still made (so
    trace ids flow through events) but not exported."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"antre-{service}"}))
    if exporter is None and otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    global _exporting
    _exporting = exporter is not None
    trace.set_tracer_provider(provider)


@functools.cache
def tracer(name: str) -> trace.Tracer:
    """One tracer per name for the process (asking the provider each time cost tens of
    microseconds a span). A tracer taken before :func:`setup_tracing` is OpenTelemetry's proxy,
    which follows the provider set later."""
    return trace.get_tracer(name)


def current_traceparent() -> str:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent", "")


@contextmanager
def span_under(name: str, traceparent: str, tracer_name: str = "antre", **attributes: str) -> Iterator[None]:
    """Run a block in a span whose parent is the given trace context (if any)."""
    parent = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    token = context.attach(parent) if parent is not None else None
    try:
        with tracer(tracer_name).start_as_current_span(name, attributes=attributes):
            yield
    finally:
        if token is not None:
            context.detach(token)


class _InsideTraces(trace.Tracer):
    """Client spans only as children of a step's span, and only while spans are exported.

    A statement outside any step (the outbox relay's poll every half second, a probe's
    ``SELECT 1``, a periodic job) would otherwise make a one-span trace of its own each time, and
    spans nobody exports would cost every statement of a ticket's path for nothing."""

    def __init__(self, name: str) -> None:
        self._tracer = trace.get_tracer(name)  # the proxy: follows the provider set later

    def start_span(self, name: str, context: Context | None = None, *args: Any, **kwargs: Any) -> trace.Span:
        if not _exporting or not trace.get_current_span(context).get_span_context().is_valid:
            return trace.INVALID_SPAN
        return self._tracer.start_span(name, context, *args, **kwargs)

    # A plain context manager where the API's is a private class that also decorates: only the
    # statement tracer calls this, and only with ``with``.
    @contextmanager
    def start_as_current_span(  # type: ignore[override]  # see above
        self, name: str, *args: Any, **kwargs: Any
    ) -> Iterator[trace.Span]:
        span = self.start_span(name, *args, **kwargs)
        with trace.use_span(span, end_on_exit=True):
            yield span


def trace_statements(engine: Engine) -> None:
    """Each SQL statement the engine runs inside a step becomes a client span of that step.

    The span holds the statement as sent, with its placeholders (``db.statement``), never the
    values bound to them: those are phones, names and NIK hashes as often as ids."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    connections = metrics.get_meter("antre.db").create_up_down_counter("db.client.connections.usage")
    EngineTracer(_InsideTraces("antre.db"), engine, connections)


def trace_calls(client: httpx.Client | httpx.AsyncClient) -> None:
    """Each request the client sends becomes a client span (method, the address with its query
    redacted, status) and carries the current trace context in its ``traceparent`` header.
    Headers and bodies are not recorded."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client)
