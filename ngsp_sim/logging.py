"""Structured logging: structlog processors, context bound per exchange, JSON rendered by orjson.

``configure_logging`` is the one global switch (as structlog intends); tests pass their own stream and
read the JSON lines back. It sets up two paths onto the same stream, both through the same renderer
and the same personal-data masking:

- the hub's own events (structlog, one ``exchange`` line per request and the rest);
- every other library's standard-library logging (``aiohttp.server``'s "Error handling request",
  ``asyncio``'s "Exception in callback" and "socket.accept() out of system resource", warnings, an
  uncaught exception): routed through structlog's ``ProcessorFormatter`` at the root logger, so with
  ``--log-format json`` every line on standard error is one JSON object, tracebacks included (as an
  ``exception`` field), and a citizen number in an HTTP parser's message is masked like any other.

Errors cannot fill a disk: the libraries' lines and the hub's own warnings and errors pass a
:class:`LogBudget` (at most 20 lines of one kind per minute, then one count of the lines left out),
and an HTTP parser error (a client's garbage, not a fault of the hub) is one warning line without a
traceback. The hub's ``exchange`` lines are never left out: there is one per request, as in an
access log.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

import orjson
import structlog
from aiohttp.http_exceptions import HttpProcessingError

from ngsp_sim.monitoring.pii import PiiMasker, mask_text

__all__ = ["BUDGET_LINES", "BUDGET_WINDOW", "LogBudget", "configure_logging", "get_logger", "reset_logging"]

BUDGET_LINES = 20
"""Identical warning/error lines let through per :data:`BUDGET_WINDOW`; the rest are counted."""
BUDGET_WINDOW = 60.0
_MAX_KINDS = 1024  # kinds tracked at once: log lines come from code, so this is never reached in practice


def _dumps(event: Any, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


@dataclass(slots=True)
class _Window:
    start: float
    count: int = 1
    left_out: int = 0


class LogBudget:
    """At most ``lines`` log lines of one kind per ``window`` seconds.

    A kind is what the line says (logger, level, message template, exception type), never its
    variable parts, so a flood of one error from a thousand connections is one kind. Lines past the
    budget are counted; the count rides on the next line of that kind let through (``suppressed``),
    and :meth:`left_out` hands over what is still counted when logging shuts down.
    """

    def __init__(
        self, lines: int = BUDGET_LINES, window: float = BUDGET_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.lines, self.window, self._clock = lines, window, clock
        self._kinds: dict[tuple[Any, ...], _Window] = {}
        self._lock = threading.Lock()  # the embedded hub logs from its own thread

    def admit(self, kind: tuple[Any, ...]) -> int | None:
        """``None``: leave this line out. Otherwise the line goes out, and the number is how many of
        its kind were left out before it."""
        now = self._clock()
        with self._lock:
            seen = self._kinds.get(kind)
            if seen is None or now - seen.start >= self.window:
                if seen is None and len(self._kinds) >= _MAX_KINDS:
                    self._kinds.clear()
                self._kinds[kind] = _Window(now)
                return seen.left_out if seen else 0
            if seen.count < self.lines:
                seen.count += 1
                return 0
            seen.left_out += 1
            return None

    def left_out(self) -> dict[tuple[Any, ...], int]:
        """The counts not yet reported, reset."""
        with self._lock:
            counts = {kind: w.left_out for kind, w in self._kinds.items() if w.left_out}
            for kind in counts:
                self._kinds[kind].left_out = 0
        return counts


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


class _Budgeted(logging.Filter):
    """The standard-library side: parser errors shortened, every line within the budget (libraries log
    per connection, and connections are what an attacker controls)."""

    def __init__(self, budget: LogBudget) -> None:
        super().__init__()
        self.budget = budget

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):  # a client's malformed request: the client's fault
            record.msg, record.args = "malformed HTTP request refused: %s", (_one_line(exc),)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        kind = (record.name, record.levelno, str(record.msg), type(exc).__name__ if exc else None)
        left_out = self.budget.admit(kind)
        if left_out is None:
            return False
        if left_out:
            record.__dict__["suppressed"] = left_out
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes the budget's last counts when logging shuts down (at exit), so a flood that stopped is
    still summed up."""

    def __init__(self, stream: TextIO, budget: LogBudget) -> None:
        super().__init__(stream)
        self.budget = budget
        self.retired = False
        self.addFilter(_Budgeted(budget))

    def close(self) -> None:
        if not self.retired and not getattr(self.stream, "closed", False):
            for kind, count in self.budget.left_out().items():
                name, level, message = kind[:3]
                shown = _PLACEHOLDER.sub("…", str(message))  # a kind is its template; its values differ
                summary = logging.LogRecord(
                    str(name), level, __file__, 0, "lines left out by the log budget: %s", (shown,), None
                )
                summary.__dict__["suppressed"] = count
                self.emit(summary)
        super().close()


_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrifgx]")


def _event_budget(budget: LogBudget) -> structlog.typing.Processor:
    """The structlog side of the budget: warnings and errors only, so ``exchange`` lines always pass."""

    # Read once: getLevelNamesMapping() builds a new dict on every call.
    levels = {name.lower(): number for name, number in logging.getLevelNamesMapping().items()}

    def processor(_: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        level = levels.get(method, logging.INFO)
        if level < logging.WARNING:
            return event
        left_out = budget.admit(("structlog", level, str(event.get("event"))))
        if left_out is None:
            raise structlog.DropEvent
        if left_out:
            event["suppressed"] = left_out
        return event

    return processor


def _foreign_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A standard-library record's logger name and budget count, as fields of the line."""
    record = event["_record"]
    event["logger"] = record.name
    if left_out := getattr(record, "suppressed", None):
        event["suppressed"] = left_out
    return event


def _mask_foreign_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The hub's own ``event`` is a fixed name; a library's is free text that may quote a request."""
    if not event.get("_from_structlog", True):
        event["event"] = mask_text(str(event["event"]))
    return event


def configure_logging(
    level: str = "info",
    *,
    json: bool = True,
    stream: TextIO | None = None,
    mask_pii: bool = True,
    budget: LogBudget | None = None,
) -> None:
    """Route structlog and the standard library's logging to ``stream`` (default: standard error) as
    JSON lines or console text; with ``mask_pii``, personal data in events is masked before rendering.
    ``budget`` (default: :data:`BUDGET_LINES` per :data:`BUDGET_WINDOW`) bounds repeated warnings."""
    out = stream or sys.stderr
    budget = budget or LogBudget()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps) if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    masking: list[structlog.typing.Processor] = [_mask_foreign_event, PiiMasker()] if mask_pii else []
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _event_budget(budget),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            *masking,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    handler = _Handler(out, budget)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                _foreign_fields,
            ],
            processors=[
                *masking[:1],
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                *masking[1:],
                renderer,
            ],
        )
    )
    root = _remove_handler()
    root.addHandler(handler)
    root.setLevel(numeric_level)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught


def _remove_handler() -> logging.Logger:
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        old.retired = True  # its stream may be a test's, closed by the time logging shuts down
        root.removeHandler(old)
    return root


def reset_logging() -> None:
    """Undo :func:`configure_logging` (for tests): structlog's defaults, no root handler of ours,
    warnings and uncaught exceptions printed as Python prints them."""
    structlog.reset_defaults()
    _remove_handler().setLevel(logging.WARNING)
    logging.captureWarnings(False)
    sys.excepthook = sys.__excepthook__


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An exception nobody caught becomes one log line like the others, not a bare traceback."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    logging.getLogger("ngsp_sim").critical("uncaught exception", exc_info=(kind, exc, tb))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
