"""Evidence bundles: a slice of the message log that a third party can check with nothing but the file.

A bundle is JSON Lines (UTF-8):

- line 1, the header: format, the Ed25519 public key (base64), its fingerprint, the time range asked
  for and the export time;
- one line per record, oldest first: the record exactly as stored (its JSON text), client, service,
  violations, flags, the four bodies (base64, uncompressed), and its place in the chain (id, prev_hash,
  hash);
- the last line: the signed list of ``[id, digest]`` (digest: SHA-256 over the record line's fields,
  length-prefixed) and the signature over the header line and that list.

The hub verifies its whole keyed chain before exporting, so it never signs records it cannot vouch
for. :func:`verify_bundle` checks the signature with the bundle's own public key, then each record
against its signed digest, then that the records are one unbroken slice of the chain, and names the
first record at fault. Whether the public key is the hub's is for the reader to check: compare its
fingerprint with the one the operator publishes (``ngsp-sim log export`` and ``log verify-bundle``
print it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from ngsp_sim.store.base import MessageEntry, Store, StoredMessage
from ngsp_sim.store.chain import ChainReport, encode_fields, record_fields, verify_chain
from ngsp_sim.store.logkey import fingerprint, verify_signature

__all__ = ["BUNDLE_FORMAT", "BundleReport", "export_bundle", "parse_time", "verify_bundle"]

BUNDLE_FORMAT = "ngsp-sim-log-bundle/1"
_CONTEXT = b"ngsp-sim log bundle v1\n"
_BODY_KEYS = ("clientRequest", "providerRequest", "providerResponse", "clientResponse")


def parse_time(text: str) -> int:
    """Milliseconds since the epoch from ``2026-12-01``, ``2026-12-01T10:00:00+07:00`` (UTC when no
    zone is given) or a number of milliseconds."""
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither an ISO 8601 time nor milliseconds since 1970") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()


def _record_line(m: StoredMessage) -> dict[str, Any]:
    bodies = (m.client_request, m.provider_request, m.provider_response, m.client_response)
    return {
        "id": m.id,
        "prevHash": m.prev_hash,
        "hash": m.hash,
        "record": m.record_json,
        "client": m.client,
        "service": m.service,
        "violations": m.violations_json,
        "truncated": m.truncated,
        "injected": m.injected,
        **{key: _b64(body) for key, body in zip(_BODY_KEYS, bodies, strict=True)},
    }


def _digest(line: dict[str, Any]) -> str:
    """SHA-256 over the record line's fields (KeyError, TypeError, ValueError when one is malformed)."""
    bodies = [None if line[key] is None else base64.b64decode(line[key], validate=True) for key in _BODY_KEYS]
    if not isinstance(line["truncated"], bool) or not isinstance(line["id"], int):
        raise TypeError("id must be a number and truncated true or false")
    client_request, provider_request, provider_response, client_response = bodies
    entry = MessageEntry(
        {},
        line["client"],
        line["service"],
        client_request,
        provider_request,
        provider_response,
        client_response,
        truncated=line["truncated"],
        injected=line["injected"],
    )
    digest = hashlib.sha256()
    encode_fields(digest.update, [str(line["id"]).encode(), line["prevHash"].encode(), line["hash"].encode()])
    encode_fields(digest.update, record_fields(line["record"], entry, line["violations"]))
    return digest.hexdigest()


def _signed(header_line: bytes, manifest: Sequence[Sequence[Any]]) -> bytes:
    return _CONTEXT + header_line + b"\n" + orjson.dumps(manifest)


async def export_bundle(store: Store, from_ms: int, to_ms: int, now_ms: int) -> tuple[bytes, ChainReport, int]:
    """(the bundle, the chain report, how many records it holds): the records from the first exchange
    that started in ``[from_ms, to_ms)`` to the last one, with every record logged between them (records
    are logged when exchanges end, so a slow one can sit among later ones: the slice stays unbroken).
    When the chain does not verify the bundle is empty (b"") and the report says why."""
    span: list[int] = []  # the ids of the first and the last record in the range

    def pick(m: StoredMessage) -> None:
        if from_ms <= m.request_in_ts < to_ms:
            if not span:
                span.append(m.id)
            span[1:] = [m.id]

    report = await verify_chain(store, visit=pick)
    if not report.ok:
        return b"", report, 0
    chosen: list[StoredMessage] = []
    if span:
        first, last = span[0], span[-1]
        after = first - 1
        while after < last and (batch := await store.scan_messages(after, min(500, last - after))):
            chosen += [m for m in batch if m.id <= last]
            after = batch[-1].id
    key = store.key
    header = orjson.dumps(
        {
            "format": BUNDLE_FORMAT,
            "publicKey": base64.b64encode(key.public_key).decode(),
            "keyFingerprint": key.fingerprint,
            "fromMs": from_ms,
            "toMs": to_ms,
            "exportedMs": now_ms,
            "records": len(chosen),
        }
    )
    lines = [orjson.dumps(_record_line(m)) for m in chosen]
    manifest = [[m.id, _digest(orjson.loads(line))] for m, line in zip(chosen, lines, strict=True)]
    signature = key.sign(_signed(header, manifest))
    trailer = orjson.dumps({"manifest": manifest, "signature": base64.b64encode(signature).decode()})
    return b"\n".join([header, *lines, trailer]) + b"\n", report, len(chosen)


@dataclass(frozen=True, slots=True)
class BundleReport:
    """``reason`` empty means the bundle is intact; ``record_id`` names the record at fault, if one is."""

    checked: int
    fingerprint: str = ""
    reason: str = ""
    record_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.reason

    def describe(self) -> str:
        if self.ok:
            return f"ok: {self.checked} records, signature valid (key {self.fingerprint})"
        where = f" at record {self.record_id}" if self.record_id is not None else ""
        return f"BROKEN{where}: {self.reason}"


def _json(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None


def verify_bundle(data: bytes) -> BundleReport:
    """Check a bundle with nothing but its own bytes; the first fault is named."""
    lines = data.rstrip(b"\n").split(b"\n")
    if len(lines) < 2:
        return BundleReport(0, reason="not a bundle: it needs a header line and a signature line")
    try:
        header, trailer = _json(lines[0]), _json(lines[-1])
        public_key = base64.b64decode(header["publicKey"], validate=True)
        signature = base64.b64decode(trailer["signature"], validate=True)
        manifest = trailer["manifest"]
        if header.get("format") != BUNDLE_FORMAT:
            return BundleReport(0, reason=f"unknown format {header.get('format')!r} (expected {BUNDLE_FORMAT})")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        return BundleReport(0, reason=f"the header or the signature line is malformed: {exc}")
    print_ = fingerprint(public_key)
    try:
        valid = verify_signature(public_key, signature, _signed(lines[0], manifest))
    except ValueError:
        return BundleReport(0, print_, "the public key is not an Ed25519 public key")
    if not valid:
        return BundleReport(
            0,
            print_,
            "the signature does not verify with the bundle's public key: the header, "
            "the signed list of records, the signature or the key was changed",
        )
    return _check_records(lines[1:-1], manifest, print_)


def _check_records(lines: Sequence[bytes], manifest: Sequence[Any], print_: str) -> BundleReport:
    if len(lines) != len(manifest):
        reason = f"the bundle holds {len(lines)} record lines but its signed list {len(manifest)}"
        return BundleReport(0, print_, reason)
    previous: dict[str, Any] | None = None
    for checked, (line, (record_id, digest)) in enumerate(zip(lines, manifest, strict=True)):
        try:
            parsed = _json(line)
            actual = _digest(parsed)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            return BundleReport(checked, print_, f"its line is malformed: {exc}", record_id)
        if parsed["id"] != record_id or actual != digest:
            return BundleReport(checked, print_, "its content does not match its signed digest", record_id)
        if previous is not None and parsed["prevHash"] != previous["hash"]:
            return BundleReport(checked, print_, f"it does not follow record {previous['id']} in the chain", record_id)
        previous = parsed
    return BundleReport(len(lines), print_)
