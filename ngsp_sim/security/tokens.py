"""OAuth2 client credentials, as NGSP's gateway does them: a consumer key and secret buy an opaque
bearer token that expires.

Tokens are random; the store keeps only their SHA-256, with the client and the expiry, so every replica
accepts a token any replica issued. A validated token is remembered in memory for ``cache_seconds``
(1 s by default, 2 s at most) so the routing path asks the store at most once a second per token, not
on every request. Rotating a consumer's secret deletes its tokens from the store, wherever it is done
(admin API of any replica, or ``ngsp-sim credentials rotate`` on the store directly): every replica then
refuses them as soon as its cached entry runs out, within ``cache_seconds``. No message between
replicas is needed, and none can be missed.

The ``AccessKey``/``SecretKey`` pair some LGSPs have their systems send on every call is checked by
:meth:`TokenService.client_of_keys` against the same store (an access key is stored as a consumer key):
the scrypt check runs once per pair and stored hash, and is remembered for ``cache_seconds`` (then the
store is asked again, so a rotated secret stops working there as a revoked token does).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass

from ngsp_sim.clock import Clock
from ngsp_sim.errors import InvalidCredentials
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.security.secrets import DEFAULT_COST, verify_secret
from ngsp_sim.store import Store

__all__ = ["IssuedToken", "TokenService"]

SCOPE = "am_application_scope default"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    client: SubsystemId

    def as_response(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": SCOPE,
        }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(
        self, store: Store, clock: Clock, *, ttl: int = 3600, kdf_cost: int = DEFAULT_COST, cache_seconds: float = 1.0
    ) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl
        self.kdf_cost = kdf_cost
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[SubsystemId, float, float]] = {}
        self._keys: dict[str, tuple[SubsystemId, str, float]] = {}
        """sha256(key, secret) -> (client, the stored hash it verified against, until when on the monotonic clock)."""

    async def issue(self, consumer_key: str, consumer_secret: str) -> IssuedToken:
        credential = await self.store.get_credential(consumer_key)
        encoded = credential.secret_hash if credential else None
        valid = await asyncio.to_thread(verify_secret, consumer_secret, encoded, self.kdf_cost)  # scrypt frees the GIL
        if credential is None or not valid:
            raise InvalidCredentials("the consumer key or secret is not valid")
        token = secrets.token_urlsafe(32)
        expires_ms = int((self.clock.now() + self.ttl) * 1000)
        await self.store.put_token(_digest(token), consumer_key, credential.client, expires_ms)
        return IssuedToken(token, self.ttl, SubsystemId.parse(credential.client))

    async def client_of(self, token: str) -> SubsystemId:
        """The client a bearer token was issued to; :class:`InvalidCredentials` if it is unknown or expired."""
        digest = _digest(token)
        now = self.clock.now()
        cached = self._cache.get(digest)
        if cached is not None and now < cached[1] and self.clock.monotonic() < cached[2]:
            return cached[0]
        found = await self.store.get_token(digest)
        if found is None:
            self._cache.pop(digest, None)
            raise InvalidCredentials("the access token is not valid", detail="obtain one with POST /token")
        client, expires_ms = found
        if now * 1000 >= expires_ms:
            self._cache.pop(digest, None)
            raise InvalidCredentials("the access token has expired", detail="obtain a new one with POST /token")
        subsystem = SubsystemId.parse(client)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[digest] = (subsystem, expires_ms / 1000, self.clock.monotonic() + self.cache_seconds)
        return subsystem

    async def client_of_keys(self, access_key: str, secret_key: str) -> SubsystemId:
        """The client an ``AccessKey``/``SecretKey`` pair belongs to; :class:`InvalidCredentials` if it does not
        hold (unknown key or wrong secret, told apart neither in the answer nor in the time it takes)."""
        digest = hashlib.sha256(f"{access_key}\0{secret_key}".encode()).hexdigest()
        cached = self._keys.get(digest)
        if cached is not None and self.clock.monotonic() < cached[2]:
            return cached[0]
        credential = await self.store.get_credential(access_key)
        encoded = credential.secret_hash if credential else None
        known = cached is not None and cached[1] == encoded  # verified against this very hash before
        valid = known or await asyncio.to_thread(verify_secret, secret_key, encoded, self.kdf_cost)
        if credential is None or not valid:
            self._keys.pop(digest, None)
            raise InvalidCredentials("the AccessKey or SecretKey is not valid")
        if len(self._keys) > 100_000:
            self._keys.clear()
        client = SubsystemId.parse(credential.client)
        self._keys[digest] = (client, credential.secret_hash, self.clock.monotonic() + self.cache_seconds)
        return client

    def forget(self) -> None:
        self._cache.clear()
        self._keys.clear()
