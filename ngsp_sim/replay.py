"""Record exchanges that crossed a hub into a fixture file, and serve them back as a provider.

``ngsp-sim record FILE --hub URL [--service ID]...`` reads the hub's message log (admin API) and keeps,
for each exchange that reached a provider, the native request the adapter sent (method, path with
query, body) and the provider's native answer (status, body). ``ngsp-sim replay FILE --port P`` serves
those answers over HTTP: point a topology's services at it (``endpoint: http://127.0.0.1:P``) and the
hub, its adapters and its validation work exactly as against the recorded provider, without it.

A replayed request must equal a recorded one (method, path, query and body, byte for byte). Several
recordings of the same request are answered in turn, the last one repeating; anything else gets a 404
naming what was recorded, which the hub reports as the provider's error. Protocol steps that carry
credentials (a login) are never logged, so sessions such as DVCQG's ``mapi`` login are not replayable.
"""

from __future__ import annotations

import argparse
import base64
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import json_reply
from schemas.admin import body_bytes

__all__ = ["FORMAT", "Recorded", "ReplayProvider", "add_replay_parsers", "load_fixture", "record_from_hub"]

FORMAT = "ngsp-sim-fixture/1"


@dataclass(frozen=True, slots=True)
class Recorded:
    service: str
    method: str
    path: str
    body: bytes
    status: int
    answer: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "request": {"method": self.method, "path": self.path, **_encode(self.body)},
            "response": {"status": self.status, **_encode(self.answer)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recorded:
        request, response = data["request"], data["response"]
        return cls(data["service"], request["method"], request["path"], _decode(request), int(response["status"]),
                   _decode(response))  # fmt: skip


def _encode(body: bytes) -> dict[str, str]:
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode()}


def _decode(part: dict[str, Any]) -> bytes:
    return part["text"].encode() if "text" in part else base64.b64decode(part.get("base64", ""))


def load_fixture(path: Path) -> list[Recorded]:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a fixture (JSON): {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ngsp-sim fixture (expected format {FORMAT!r})")
    return [Recorded.from_json(item) for item in data["exchanges"]]


async def record_from_hub(
    hub: str, token: str, services: list[str], client: str | None = None, limit: int = 1000
) -> tuple[list[Recorded], int]:
    """The replayable exchanges of the hub's message log, oldest first; and how many were skipped
    (no provider reached, or bodies not kept)."""
    headers = {"Authorization": f"Bearer {token}"}
    found: list[Recorded] = []
    skipped = 0
    async with aiohttp.ClientSession(hub.rstrip("/"), headers=headers) as session:
        ids: list[int] = []
        cursor: int | None = None
        while len(ids) < limit:
            query = {"limit": str(min(200, limit - len(ids)))} | ({"client": client} if client else {})
            if cursor is not None:
                query["cursor"] = str(cursor)
            async with session.get("/api/v1/messages", params=query) as answer:
                if answer.status != 200:
                    raise ValueError(f"the hub's admin API answered {answer.status}: {await answer.text()}")
                page = await answer.json()
            ids += [item["id"] for item in page["items"] if not services or item["service"] in services]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        for message_id in reversed(ids):
            async with session.get(f"/api/v1/messages/{message_id}") as answer:
                detail = await answer.json()
            record, bodies = detail["record"], detail["bodies"]
            request, response = body_bytes(bodies.get("provider_request")), body_bytes(bodies.get("provider_response"))
            if record.get("providerPath") is None or record.get("providerStatus") is None or response is None:
                skipped += 1
                continue
            found.append(Recorded(detail["service"], record["providerMethod"], record["providerPath"],
                                  request or b"", int(record["providerStatus"]), response))  # fmt: skip
    return found, skipped


def save_fixture(path: Path, exchanges: list[Recorded]) -> None:
    document = {"format": FORMAT, "exchanges": [e.to_json() for e in exchanges]}
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


class ReplayProvider:
    """Answers native requests from recordings (see the module's docstring)."""

    def __init__(self, exchanges: list[Recorded]) -> None:
        self._answers: dict[tuple[str, str, bytes], list[Recorded]] = defaultdict(list)
        for item in exchanges:
            self._answers[(item.method, item.path, item.body)].append(item)
        self._served: dict[tuple[str, str, bytes], int] = defaultdict(int)

    async def handle(self, request: NativeRequest) -> NativeResponse:
        path = request.path + ("?" + urlencode(request.query) if request.query else "")
        key = (request.method, path, request.body)
        answers = self._answers.get(key)
        if not answers:
            recorded = sorted({f"{m} {p}" for m, p, _ in self._answers})
            return json_reply(
                {"error": f"no recorded exchange for {request.method} {path} with this body", "recorded": recorded},
                404,
            )
        turn = self._served[key]
        self._served[key] = turn + 1
        item = answers[min(turn, len(answers) - 1)]
        kind = "text/xml; charset=utf-8" if item.answer.lstrip().startswith(b"<") else "application/json"
        return NativeResponse(item.status, {"Content-Type": kind}, item.answer)


def add_replay_parsers(commands: Any) -> None:
    record = commands.add_parser("record", help="capture exchanges of a running hub into a fixture file")
    record.add_argument("file", type=Path, help="the fixture to write (JSON)")
    record.add_argument("--hub", default="http://127.0.0.1:8080", help="the hub's URL")
    record.add_argument("--admin-token", help="default: $NGSP_SIM_ADMIN_TOKEN")
    record.add_argument("--service", action="append", default=[], help="only this service (repeatable)")
    record.add_argument("--client", help="only exchanges of this client subsystem")
    record.add_argument("--limit", type=int, default=1000, help="at most this many of the newest exchanges")
    replay = commands.add_parser("replay", help="serve a fixture's recorded answers as a provider over HTTP")
    replay.add_argument("file", type=Path, help="a fixture written by 'ngsp-sim record'")
    replay.add_argument("--host", default="127.0.0.1")
    replay.add_argument("--port", type=int, required=True)


async def run_record(args: argparse.Namespace, token: str | None) -> int:
    if not token:
        raise ValueError("the admin token is needed: --admin-token or $NGSP_SIM_ADMIN_TOKEN")
    exchanges, skipped = await record_from_hub(args.hub, token, args.service, args.client, args.limit)
    save_fixture(args.file, exchanges)
    services = len({e.service for e in exchanges})
    print(f"recorded {len(exchanges)} exchanges of {services} services to {args.file} ({skipped} not replayable)")
    return 0
