"""Storage: one protocol (:class:`Store`), SQLite by default, PostgreSQL for several replicas.

:func:`store_from_url` turns ``--store`` / ``--data-dir`` (and the message log's key file) into a
store object, not yet opened.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import structlog

from ngsp_sim.store.base import (
    BaseTopology,
    ClockStore,
    Credential,
    CredentialStore,
    HubLease,
    MessageEntry,
    MessageLogStore,
    MessageQuery,
    RegistryChange,
    RegistryStore,
    ServiceHealth,
    SharedClock,
    Store,
    StoredMessage,
)
from ngsp_sim.store.chain import ChainReport, ChainState, verify_chain
from ngsp_sim.store.logkey import KEY_FILE, LogKey
from ngsp_sim.store.sqlite import SqliteStore

__all__ = [
    "KEY_FILE",
    "BaseTopology",
    "ChainReport",
    "ChainState",
    "ClockStore",
    "Credential",
    "CredentialStore",
    "HubLease",
    "LogKey",
    "MessageEntry",
    "MessageLogStore",
    "MessageQuery",
    "RegistryChange",
    "RegistryStore",
    "ServiceHealth",
    "SharedClock",
    "SqliteStore",
    "Store",
    "StoredMessage",
    "log_key_path",
    "store_from_url",
    "verify_chain",
]

DEFAULT_FILE = "ngsp-sim.sqlite3"


def log_key_path(key_path: Path | None, url: str | None, data_dir: Path | None) -> Path | None:
    """Where the message log's key lives: ``key_path`` if given, else ``message-log.key`` beside a
    SQLite file, else in the data directory; ``None`` (an ephemeral key) when there is neither, as for
    an in-memory store. Never inside the database: the key is what the database's writers must lack."""
    if key_path is not None:
        return key_path
    if url is None and data_dir is not None:
        return data_dir / KEY_FILE
    if url is not None and url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path and path not in (":memory:", "/:memory:"):
            return Path(path).parent / KEY_FILE
        return None
    return None if data_dir is None else data_dir / KEY_FILE


def store_from_url(
    url: str | None, data_dir: Path | None = None, key_path: Path | None = None, *, create_key: bool = True
) -> Store:
    """``sqlite:///path``, ``sqlite:///:memory:``, ``postgresql://user@host:port/db[?schema=name]``;
    with no URL, ``DATA_DIR/ngsp-sim.sqlite3``. The message log's key: see :func:`log_key_path` (with a
    PostgreSQL URL, ``data_dir`` only says where the key is). ``create_key`` ``False`` (checking a log)
    refuses a missing key file instead of creating one."""
    where = log_key_path(key_path, url, data_dir)
    key = LogKey.load_or_create(where, create=create_key) if where is not None else LogKey.ephemeral()
    if where is None and url is not None and not url.startswith("sqlite://"):
        structlog.get_logger("ngsp_sim.store").warning(
            "the message log's key is ephemeral: give a data directory or a key file, or the log cannot be "
            "verified after a restart"
        )
    if url is None:
        if data_dir is None:
            raise ValueError("give a store URL or a data directory")
        return SqliteStore(data_dir / DEFAULT_FILE, key)
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")  # sqlite:///abs/hub.db, sqlite://rel/hub.db, sqlite://:memory:
        if path in (":memory:", "/:memory:"):
            return SqliteStore(":memory:", key)
        if not path:
            raise ValueError(f"{url!r}: a SQLite store URL needs a path, e.g. sqlite:///var/lib/ngsp-sim/hub.db")
        return SqliteStore(path, key)
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        from ngsp_sim.store.postgres import PostgresStore

        query = parse_qs(parts.query)
        schema = query.pop("schema", [None])[0]
        rest = "&".join(f"{k}={v[0]}" for k, v in query.items())
        return PostgresStore(urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), schema, key=key)
    raise ValueError(f"{url!r}: unknown store; use sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
