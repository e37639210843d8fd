"""Verification in the integrator's own tests: the message log as the journal of what the hub received.

:class:`HubHandle` (the ``ngsp_hub`` fixture) gains these from :class:`Journal`::

    ngsp_hub.assert_called("DongBoHoSoMC", times=1, client=MOTCUA, body_matches={"isUpdating": False})
    ngsp_hub.assert_not_called("TraCuuHoSo")
    ngsp_hub.assert_no_violations()
    [sent] = ngsp_hub.calls("DongBoHoSoMC", body_matches=lambda body: body["data"][0]["MaHoSo"])

A service is named by its full identifier or just its code. ``body_matches`` is a dict or list matched
as a subset of the request body (every key it names must be there with that value; lists item by item),
a regular expression searched in the body's JSON text, or a predicate over the body. A failed assertion
says what was expected and lists what the hub did receive, each exchange with why it does not match
(``/data/0/MaHoSo: expected '…', got '…'``), so the test's failure is the diff.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ngsp_sim.validation.yaml_source import close_matches

__all__ = ["BodyMatcher", "Journal", "LoggedExchange", "departures", "is_service"]

BodyMatcher = Mapping[str, Any] | list[Any] | str | Callable[[Any], bool]
_JOURNAL_SIZE = 500  # the admin API's largest page: the exchanges a verification reads


@dataclass(frozen=True, slots=True)
class LoggedExchange:
    """One exchange of the message log, its bodies decoded (JSON parsed when it is JSON)."""

    id: int
    client: str | None
    service: str | None
    status: int | None
    succeeded: bool
    violations: list[dict[str, str]]
    request: Any
    response: Any
    record: dict[str, Any] = field(repr=False)

    def line(self) -> str:
        return f"#{self.id} {self.client} -> {self.service} ({self.status})"


def is_service(identifier: str | None, service: str) -> bool:
    """``identifier`` (a full service identifier) is ``service``, given in full or as its code."""
    return identifier == service or (identifier or "").endswith("/" + service)


def _shown(value: Any) -> str:
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= 80 else text[:77] + "..."


def departures(expected: Any, actual: Any, pointer: str = "") -> list[str]:
    """Where ``actual`` departs from ``expected`` read as a subset, one ``pointer: expected …, got …`` each."""
    at = pointer or "/"
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{at}: expected an object, got {_shown(actual)}"]
        found = []
        for key, value in expected.items():
            inner = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            found += departures(value, actual[key], inner) if key in actual else [f"{inner}: missing"]
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in departures(e, a, f"{pointer}/{i}")
        ]
    return [] if expected == actual else [f"{at}: expected {_shown(expected)}, got {_shown(actual)}"]


@dataclass(frozen=True, slots=True)
class _Expected:
    service: str | None
    client: str | None
    body_matches: BodyMatcher | None

    def misses(self, exchange: LoggedExchange) -> list[str]:
        """Why ``exchange`` is not such a call (nothing: it is)."""
        if (
            self.service
            and exchange.service != self.service
            and not (exchange.service or "").endswith("/" + self.service)
        ):
            return ["another service"]
        if self.client and exchange.client != self.client:
            return [f"another client (expected {self.client})"]
        matcher, body = self.body_matches, exchange.request
        if matcher is None:
            return []
        if isinstance(matcher, str):
            text = body if isinstance(body, str) else orjson.dumps(body).decode()
            return [] if re.search(matcher, text) else [f"the body does not match /{matcher}/"]
        if callable(matcher):
            return [] if matcher(body) else ["the body does not satisfy the predicate"]
        return departures(matcher, body)

    def __str__(self) -> str:
        words = [self.service or "any service"]
        if self.client:
            words.append(f"by {self.client}")
        if isinstance(self.body_matches, Mapping | list):
            words.append(f"with a body matching {_shown(self.body_matches)}")
        elif isinstance(self.body_matches, str):
            words.append(f"with a body matching /{self.body_matches}/")
        elif self.body_matches is not None:
            words.append("with a body satisfying the predicate")
        return " ".join(words)


class Journal:
    """Verification over the message log; :class:`~ngsp_sim.testing.embedded.HubHandle` provides
    ``messages`` and ``services``."""

    services: list[str]

    def messages(self, service: str | None = None, client: str | None = None, limit: int = 100) -> list[LoggedExchange]:
        raise NotImplementedError

    def calls(
        self, service: str | None = None, client: str | None = None, body_matches: BodyMatcher | None = None
    ) -> list[LoggedExchange]:
        """The exchanges the hub received that are such calls, oldest first."""
        expected = _Expected(service, client, body_matches)
        return [e for e in self.messages(limit=_JOURNAL_SIZE) if not expected.misses(e)]

    def assert_called(
        self,
        service: str,
        times: int | None = None,
        client: str | None = None,
        body_matches: BodyMatcher | None = None,
    ) -> list[LoggedExchange]:
        """Fail unless the hub received such a call ``times`` times (``None``: at least once); the calls."""
        expected = _Expected(service, client, body_matches)
        journal = self.messages(limit=_JOURNAL_SIZE)
        matched = [e for e in journal if not expected.misses(e)]
        if (len(matched) != times) if times is not None else not matched:
            wanted = f"{times} time(s)" if times is not None else "at least once"
            raise AssertionError(self._account(f"expected a call of {expected} {wanted}", matched, expected, journal))
        return matched

    def assert_not_called(
        self, service: str, client: str | None = None, body_matches: BodyMatcher | None = None
    ) -> None:
        """Fail if the hub received such a call."""
        expected = _Expected(service, client, body_matches)
        journal = self.messages(limit=_JOURNAL_SIZE)
        if matched := [e for e in journal if not expected.misses(e)]:
            raise AssertionError(self._account(f"expected no call of {expected}", matched, expected, journal))

    def assert_no_violations(self, service: str | None = None, client: str | None = None) -> None:
        """Fail if any exchange (of ``service``, by ``client``) broke a schema, listing every violation."""
        expected = _Expected(service, client, None)
        broken = [e for e in self.messages(limit=_JOURNAL_SIZE) if e.violations and not expected.misses(e)]
        if broken:
            lines = [f"expected no schema violations in calls of {expected}; {len(broken)} exchange(s) had some:"]
            for e in broken:
                lines.append(f"  {e.line()}")
                lines += [f"      {v.get('location', 'body')} {v['pointer']}: {v['message']}" for v in e.violations]
            raise AssertionError("\n".join(lines))

    def _account(
        self, wanted: str, matched: list[LoggedExchange], expected: _Expected, journal: list[LoggedExchange]
    ) -> str:
        lines = [f"{wanted}, but the hub received {len(matched)} such call(s)."]
        same = [e for e in journal if expected.misses(e) != ["another service"]]
        if not same and expected.service:
            codes = {s.rsplit("/", 1)[-1] for s in self.services}
            registered = close_matches(expected.service, [*self.services, *codes])
            hint = f" (did you mean {registered[0]}?)" if expected.service not in codes | set(self.services) else ""
            lines.append(f"The hub received no call of {expected.service}{hint}.")
        lines.append(f"The hub received {len(journal)} exchange(s):" if journal else "The hub received nothing.")
        for e in journal:
            misses = expected.misses(e)
            lines.append(
                f"  {e.line()}: " + ("matches" if not misses else misses[0] if len(misses) == 1 else "differs")
            )
            lines += [f"      {m}" for m in misses] if len(misses) > 1 else []
        return "\n".join(lines)
