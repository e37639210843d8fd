"""What ngsp-sim raises to a user, off the wire: the root :class:`NgspSimError`, a payload's
:class:`Violation`, and the errors of files, stores, plugins, the admin API and scenario steps (the
tree is drawn in :mod:`ngsp_sim.errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

__all__ = [
    "AdminApiError",
    "CannotListen",
    "ChangeError",
    "ContractError",
    "HubUnreachable",
    "NgspSimError",
    "PluginError",
    "ScenarioError",
    "SignatureError",
    "StepFailed",
    "StoreInUse",
    "StoreMissing",
    "TopologyError",
    "UnknownConsumer",
    "Violation",
    "WebhookAnswerError",
    "WorkerFailed",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule a payload breaks.

    ``pointer`` is an RFC 6901 JSON pointer ("" is the whole document) into the part of the message
    that ``location`` names: ``body``, ``query`` (the query parameters seen as one JSON object),
    ``path`` (the path below the service, for an OpenAPI contract's path parameters), ``header`` (an
    OpenAPI contract's header parameters, by name) or ``response``
    (the provider's answer). ``rule`` names the broken rule (pydantic's error type or one of ours,
    e.g. ``cccd_province``); ``message`` says what was expected.
    """

    pointer: str
    message: str
    rule: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        return {
            "location": self.location,
            "pointer": self.pointer,
            "message": self.message,
            "rule": self.rule,
        }


class NgspSimError(Exception):
    """Root of every error ngsp-sim raises on purpose."""


class TopologyError(NgspSimError):
    """A topology file cannot be used; ``problems`` lists every reason, each naming where."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the topology:\n{lines}")


class ScenarioError(NgspSimError):
    """A scenario cannot be used; ``problems`` lists every reason, each as ``file:line: path: message``."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the scenario:\n{lines}")


class StoreMissing(NgspSimError):
    """A command that reads or changes what a hub wrote was pointed at a store that does not exist: it
    says so rather than create an empty store (and a new message-log key) in the wrong place."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"no store at {where}: start a hub here with `ngsp-sim up`, or name its store with --data-dir DIR "
            "or --store URL"
        )


class StoreInUse(NgspSimError):
    """Another hub, still alive, serves a different topology from the same store: starting would replace
    its topology under it. Replicas share a store only with the same topology file."""

    def __init__(self, store: str, holder: str, seen_ago: float, lease_seconds: float = 15.0) -> None:
        self.store, self.holder = store, holder
        super().__init__(
            f"the store {store} is in use by another hub with a different topology: {holder}, "
            f"alive {seen_ago:.0f} s ago. Starting here would replace its topology under it, so nothing was "
            "changed. Give this hub its own store (--data-dir DIR or --store URL), or stop the other hub first. "
            f"(A hub that was killed frees the store by itself {lease_seconds:.0f} s after it was last alive. "
            "Hub replicas may share one store only with the same topology file.)"
        )


class AdminApiError(NgspSimError):
    """A hub's admin API refused a command (``message`` and the ``problems`` it listed)."""

    def __init__(self, status: int, message: str, problems: Sequence[str] = ()) -> None:
        self.status, self.problems = status, list(problems)
        lines = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(f"the hub answered {status}: {message}{lines}")

    @classmethod
    def from_answer(cls, status: int, raw: bytes, reason: str = "") -> AdminApiError:
        """The error for an admin-API answer: its JSON ``message`` and ``problems`` (``schemas.admin.AdminError``),
        or the start of a body that is not that (a proxy's page, say). Every admin-API client uses this."""
        try:
            found = orjson.loads(raw)
        except orjson.JSONDecodeError:
            found = None
        if not isinstance(found, dict):
            return cls(status, raw[:200].decode(errors="replace") or reason)
        return cls(status, str(found.get("message", reason)), found.get("problems") or [])


class HubUnreachable(AdminApiError):
    """Nothing answers at the hub's URL: say how to start one rather than the socket's error."""

    def __init__(self, url: str) -> None:
        NgspSimError.__init__(self, f"no hub answers at {url}; start one with `ngsp-sim up`")
        self.status, self.problems, self.url = 0, [], url


class PluginError(NgspSimError):
    """An installed plugin (entry-point group ``ngsp_sim.adapters``) cannot be used: it does not import,
    is neither an adapter nor a simulated agency, or takes a name already taken."""


class CannotListen(NgspSimError, OSError):
    """The listening socket cannot be bound (port in use, address not on this machine). Raised before the
    application starts, so a hub that cannot listen has changed nothing (no store opened, no migration,
    no topology replaced)."""


class WorkerFailed(NgspSimError):
    """A worker of ``ngsp-sim up --workers N`` could not start or died; the supervisor stopped the
    others (one hub with fewer workers than asked would skew every figure measured on it)."""


class SignatureError(NgspSimError, ValueError):
    """A webhook delivery's signature does not hold: tampered, signed with another secret, or replayed
    outside the time tolerance (:func:`ngsp_sim.exchange.signing.verify`)."""


class WebhookAnswerError(NgspSimError, ValueError):
    """A webhook subscriber answered the hub's delivery with something that is not HTTP/1.x as the hub
    reads it (:mod:`ngsp_sim.transport.http1`): the delivery failed, and is retried like any other."""


class ContractError(NgspSimError, ValueError):
    """An integrator's OpenAPI document that cannot be a service's contract; ``problems`` says every
    reason (:func:`ngsp_sim.validation.contract.read_contract`)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ChangeError(NgspSimError):
    """A registry change that cannot be applied; ``status`` says how the admin API answers it."""

    def __init__(self, message: str, *, status: int = 400, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = problems or []


class UnknownConsumer(NgspSimError, LookupError):
    """No credentials are kept for this consumer key (rotating or revoking it answers 404)."""


class StepFailed(NgspSimError):
    """A scenario step did not get what it expected; the message says what, for the presenter and the
    report. Never leaves the runner: it becomes the step's ``failed`` status."""
