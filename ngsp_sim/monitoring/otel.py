"""Optional OpenTelemetry export (the ``otel`` extra): one span per exchange, child of the caller's
``traceparent``, whose ids become the hub's trace context, so that the span a collector receives and the
``traceparent`` a provider receives agree. Without the extra, or with it switched off, nothing of this
module runs and the hub makes its own ids (:mod:`ngsp_sim.monitoring.tracing`)."""

from __future__ import annotations

from typing import Any

from ngsp_sim.monitoring.record import MessageRecord
from ngsp_sim.monitoring.tracing import TraceContext

__all__ = ["OtelTracing", "configure_otlp"]

_ATTRIBUTES = (
    "clientXRoadInstance",
    "clientMemberClass",
    "clientMemberCode",
    "clientSubsystemCode",
    "serviceMemberCode",
    "serviceSubsystemCode",
    "serviceCode",
    "restMethod",
    "messageId",
    "statusCode",
    "faultCode",
)


class OtelTracing:
    """Spans from ``tracer_provider`` (an SDK ``TracerProvider``)."""

    def __init__(self, tracer_provider: Any) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self._tracer = tracer_provider.get_tracer("ngsp-sim")
        self._propagator = TraceContextTextMapPropagator()

    def start(self, traceparent: str | None) -> tuple[TraceContext, Any]:
        parent = self._propagator.extract({"traceparent": traceparent} if traceparent else {})
        span = self._tracer.start_span("exchange", context=parent, kind=_server_kind())
        ctx = span.get_span_context()
        remote = _remote_parent(parent)
        return TraceContext(f"{ctx.trace_id:032x}", remote, f"{ctx.span_id:016x}", f"{int(ctx.trace_flags):02x}"), span

    @staticmethod
    def end(span: Any, record: MessageRecord) -> None:
        from opentelemetry.trace import Status, StatusCode

        span.update_name(f"{record.restMethod} {record.serviceCode or 'unrouted'}")
        values = record.as_dict()
        for name in _ATTRIBUTES:
            if values.get(name) is not None:
                span.set_attribute(f"xroad.{name}", values[name])
        if not record.succeeded:
            span.set_status(Status(StatusCode.ERROR, record.faultCode or f"status {record.statusCode}"))
        span.end()


def _server_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.SERVER


def _remote_parent(context: Any) -> str | None:
    from opentelemetry import trace

    parent = trace.get_current_span(context).get_span_context()
    return f"{parent.span_id:016x}" if parent.is_valid else None


def configure_otlp() -> Any:
    """An SDK provider exporting over OTLP/HTTP (endpoint from the standard OTEL_* environment)."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ValueError("--otel needs the otel extra: pip install 'ngsp-sim[otel]'") from None
    provider = TracerProvider(resource=Resource.create({"service.name": "ngsp-sim"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
