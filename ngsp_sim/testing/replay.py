"""Record exchanges that crossed a hub into a fixture file, and serve them back as a provider.

``ngsp-sim record FILE --hub URL [--service ID]...`` (:mod:`ngsp_sim.cli.record`) reads the hub's
message log (admin API) and keeps, for each exchange that reached a provider, the native request the
adapter sent (method, path with query, body) and the provider's native answer (status, body). ``ngsp-sim
replay FILE --port P`` serves those answers over HTTP: point a topology's services at it (``endpoint:
http://127.0.0.1:P``) and the hub, its adapters and its validation work exactly as against the recorded
provider, without it.

A replayed request must equal a recorded one (method, path, query and body, byte for byte). Several
recordings of the same request are answered in turn, the last one repeating; anything else gets a 404
naming what was recorded, which the hub reports as the provider's error. Protocol steps that carry
credentials (a login) are never logged, so sessions such as DVCQG's ``mapi`` login are not replayable.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import json_reply

__all__ = ["FORMAT", "Recorded", "ReplayProvider", "load_fixture", "save_fixture"]

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
        return cls(
            data["service"],
            request["method"],
            request["path"],
            _decode(request),
            int(response["status"]),
            _decode(response),
        )


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
