"""The storage protocol every backend implements, and the records it stores.

One protocol per concern (message log, registry and leases, credentials) and :class:`Store`, all of
them together. Two implementations, :mod:`ngsp_sim.store.sqlite` (embedded default, one file) and
:mod:`ngsp_sim.store.postgres` (several hub replicas on one database), share every concern's code
(:mod:`ngsp_sim.store.sqlstore`) and differ only in their :mod:`~ngsp_sim.store.dialect`. One contract
test suite runs against both (``tests/test_store_contract.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ngsp_sim.store.chainstate import ChainState
    from ngsp_sim.store.exchange import ExchangeStore
    from ngsp_sim.store.logkey import LogKey

__all__ = [
    "BaseTopology",
    "ClockStore",
    "Credential",
    "CredentialStore",
    "HubLease",
    "MessageEntry",
    "MessageLogStore",
    "MessageQuery",
    "RegistryChange",
    "RegistryStore",
    "ServiceHealth",
    "SharedClock",
    "Store",
    "StoredMessage",
]

BODY_NAMES = ("client_request", "provider_request", "provider_response", "client_response")


@dataclass(slots=True)
class MessageEntry:
    """One exchange as the hub hands it to the message log: the operational-monitoring record
    (X-Road field names) and the bodies on both sides of the adapter."""

    record: dict[str, Any]
    client: str | None = None
    service: str | None = None
    client_request: bytes | None = None
    provider_request: bytes | None = None
    provider_response: bytes | None = None
    client_response: bytes | None = None
    violations: list[dict[str, str]] | None = None
    truncated: bool = False
    injected: str | None = None
    """Faults injected into this exchange, e.g. ``outage:popdown`` (comma-separated)."""

    @property
    def request_in_ts(self) -> int:
        return int(self.record["requestInTs"])

    @property
    def duration_ms(self) -> int | None:
        out = self.record.get("responseOutTs")
        return None if out is None else int(out) - self.request_in_ts


@dataclass(slots=True)
class StoredMessage(MessageEntry):
    id: int = 0
    prev_hash: str = ""
    hash: str = ""
    record_json: str = ""
    """The record exactly as stored (the hash chain covers these bytes)."""
    violations_json: str | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    """The queryable columns as stored (``message_id``, ``succeeded``...): copies of record fields that
    ``log verify`` checks against the sealed record."""


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """Filters for listing messages, newest first. ``before_id`` is the cursor of the next page."""

    client: str | None = None
    service: str | None = None
    succeeded: bool | None = None
    fault_code: str | None = None
    message_id: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    before_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ServiceHealth:
    service: str
    successes: int
    failures: int
    min_ms: int | None
    avg_ms: float | None
    max_ms: int | None
    last_success_ms: int | None
    last_failure_ms: int | None


@dataclass(frozen=True, slots=True)
class BaseTopology:
    source: str
    sha256: str
    text: str


@dataclass(frozen=True, slots=True)
class HubLease:
    """A running hub's claim on the store: the topology it serves (``sha256`` of the file) and when it
    last said it is alive. Another hub may replace the base topology only once no fresh lease of a
    different topology remains, so a second hub can never change the registry under a running one."""

    hub_id: str
    sha256: str
    holder: str
    """For a person: which process, where, serving which file."""
    seen_ms: int


@dataclass(frozen=True, slots=True)
class SharedClock:
    """The platform clock as replicas share it: its time is ``frozen_at_ms`` while frozen, else real
    time plus ``offset_ms``; ``version`` grows with every change."""

    offset_ms: int
    frozen_at_ms: int | None
    version: int = 0

    def now_ms(self, real_ms: int) -> int:
        """The platform's time when real time is ``real_ms``."""
        return self.frozen_at_ms if self.frozen_at_ms is not None else real_ms + self.offset_ms


@dataclass(frozen=True, slots=True)
class Credential:
    """A consumer key of a client subsystem; only the secret's hash is stored. ``source`` is
    ``topology`` (the file's secret), ``generated`` or ``rotated``."""

    consumer_key: str
    client: str
    secret_hash: str
    source: str
    updated_ms: int


@dataclass(frozen=True, slots=True)
class RegistryChange:
    op: str
    payload: dict[str, Any]
    actor: str
    ts_ms: int
    id: int = 0


class MessageLogStore(Protocol):
    """The message log (:mod:`ngsp_sim.store.messagelog`)."""

    key: LogKey
    """The message log's key (:mod:`ngsp_sim.store.logkey`): seals records, signs the chain state."""

    async def append_messages(self, entries: Sequence[MessageEntry]) -> None:
        """Store ``entries`` in order, chaining each one's seal to the signed head's, and sign the new
        head, in one transaction: all or none. Raises ``ValueError`` or ``TypeError`` when the data of an
        entry cannot be stored (the message log then splits the batch and escapes that entry), any other
        exception when the store itself fails (the message log retries the batch)."""

    async def list_messages(self, query: MessageQuery) -> list[StoredMessage]:
        """Newest first, without bodies."""

    async def get_message(self, message_pk: int) -> StoredMessage | None: ...

    async def scan_messages(self, after_id: int, limit: int) -> list[StoredMessage]:
        """Oldest first, with bodies: for ``log verify`` and ``log tail``."""

    async def last_message_id(self) -> int: ...
    async def chain_state(self) -> ChainState:
        """The chain's anchor and head, as signed (:mod:`ngsp_sim.store.chain`)."""

    async def service_health(self, since_ms: int, until_ms: int) -> list[ServiceHealth]: ...

    async def purge_messages(self, before_ms: int) -> int:
        """Delete records older than ``before_ms``; the signed anchor moves to the last deleted seal."""

    async def tamper_for_tests(self, message_pk: int, column: str, value: Any) -> None:
        """Overwrite one stored column, bypassing the chain (used by tests that prove detection)."""


class RegistryStore(Protocol):
    """The registry (base topology and recorded changes) and the hubs' leases on it
    (:mod:`ngsp_sim.store.registry`)."""

    async def get_base_topology(self) -> BaseTopology | None: ...
    async def set_base_topology(self, base: BaseTopology) -> None: ...
    async def claim_topology(self, base: BaseTopology, lease: HubLease, fresh_after_ms: int) -> HubLease | None:
        """In one transaction: if another hub's lease seen at or after ``fresh_after_ms`` serves a topology
        other than ``base``, return it and change nothing; else make ``base`` the base topology (when it
        differs), drop stale leases and record ``lease``."""

    async def renew_lease(self, lease: HubLease) -> None:
        """Record ``lease`` (again): the hub is alive at ``lease.seen_ms``."""

    async def release_lease(self, hub_id: str) -> None: ...
    async def add_change(self, change: RegistryChange) -> int: ...
    async def list_changes(self, after_id: int = 0) -> list[RegistryChange]: ...
    async def registry_version(self) -> tuple[str, int]:
        """(sha256 of the base topology, id of the last change): changes when the registry does."""


class ClockStore(Protocol):
    """The platform clock replicas share (:mod:`ngsp_sim.store.clockstate`)."""

    async def get_clock(self) -> SharedClock | None:
        """The last clock a hub stored, or None when none has changed it."""

    async def put_clock(self, offset_ms: int, frozen_at_ms: int | None) -> int:
        """Store the clock; its new version."""


class CredentialStore(Protocol):
    """Consumer keys and issued tokens (:mod:`ngsp_sim.store.credentials`)."""

    async def get_credential(self, consumer_key: str) -> Credential | None: ...
    async def put_credential(self, credential: Credential) -> None: ...
    async def list_credentials(self) -> list[Credential]: ...
    async def put_token(self, token_hash: str, consumer_key: str, client: str, expires_ms: int) -> None: ...
    async def get_token(self, token_hash: str) -> tuple[str, int] | None:
        """(client, expiry in ms) of a token, by its SHA-256."""

    async def delete_tokens(self, consumer_key: str) -> int: ...
    async def purge_tokens(self, before_ms: int) -> int: ...


class Store(MessageLogStore, RegistryStore, CredentialStore, ClockStore, Protocol):
    """What the hub needs from storage: every concern, plus opening (``open`` applies migrations) and
    the exchange. All methods are coroutines. A part of the hub that needs one concern may ask for
    its protocol only."""

    display: str
    exchange: ExchangeStore
    """Documents, mailboxes, subscriptions and the delivery outbox (:mod:`ngsp_sim.store.exchange`)."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def schema_version(self) -> int: ...
