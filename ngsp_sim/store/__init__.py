"""Storage: one protocol (:class:`Store`), SQLite by default, PostgreSQL for several replicas.

:func:`open_store_url` turns ``--store`` / ``--data-dir`` into a store object (not yet opened).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ngsp_sim.store.base import (
    BaseTopology,
    Credential,
    HubLease,
    MessageEntry,
    MessageQuery,
    RegistryChange,
    ServiceHealth,
    Store,
    StoredMessage,
)
from ngsp_sim.store.chain import ChainReport, verify_chain
from ngsp_sim.store.sqlite import SqliteStore

__all__ = [
    "BaseTopology",
    "ChainReport",
    "Credential",
    "HubLease",
    "MessageEntry",
    "MessageQuery",
    "RegistryChange",
    "ServiceHealth",
    "SqliteStore",
    "Store",
    "StoredMessage",
    "store_from_url",
    "verify_chain",
]

DEFAULT_FILE = "ngsp-sim.sqlite3"


def store_from_url(url: str | None, data_dir: Path | None = None) -> Store:
    """``sqlite:///path``, ``sqlite:///:memory:``, ``postgresql://user@host:port/db[?schema=name]``;
    with no URL, ``DATA_DIR/ngsp-sim.sqlite3``."""
    if url is None:
        if data_dir is None:
            raise ValueError("give a store URL or a data directory")
        return SqliteStore(data_dir / DEFAULT_FILE)
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")  # sqlite:///abs/hub.db, sqlite://rel/hub.db, sqlite://:memory:
        if path in (":memory:", "/:memory:"):
            return SqliteStore(":memory:")
        if not path:
            raise ValueError(f"{url!r}: a SQLite store URL needs a path, e.g. sqlite:///var/lib/ngsp-sim/hub.db")
        return SqliteStore(path)
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        from ngsp_sim.store.postgres import PostgresStore

        query = parse_qs(parts.query)
        schema = query.pop("schema", [None])[0]
        rest = "&".join(f"{k}={v[0]}" for k, v in query.items())
        return PostgresStore(urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), schema)
    raise ValueError(f"{url!r}: unknown store; use sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
