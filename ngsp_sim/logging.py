"""Structured logging: structlog processors, context bound per exchange, JSON rendered by orjson.

``configure_logging`` is the one global switch (as structlog intends); tests pass their own stream and
read the JSON lines back.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
import structlog

from ngsp_sim.monitoring.pii import PiiMasker

__all__ = ["configure_logging", "get_logger"]


def _dumps(event: Any, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(
    level: str = "info", *, json: bool = True, stream: TextIO | None = None, mask_pii: bool = True
) -> None:
    """Route structlog to ``stream`` (default: standard error) as JSON lines or console text; with
    ``mask_pii``, personal data in events is masked before rendering."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps) if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            *([PiiMasker()] if mask_pii else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
