"""Tracing set-up and W3C trace context carried through the outbox and NATS headers.

A ticket's journey is one trace: the ticket keeps the ``traceparent`` of the span that issued it,
and every later step (call, serve, complete, the board, the message) starts its span under it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()


def setup_tracing(service: str, otlp_endpoint: str = "", exporter: SpanExporter | None = None) -> None:
    """Install a tracer provider for this process. Without an endpoint spans are still made (so
    trace ids flow through events) but not exported."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"antre-{service}"}))
    if exporter is None and otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
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
