"""edXML fixtures shared by the exchange tests: agencies, documents, status messages, a seeded axis."""

from __future__ import annotations

from typing import Any

from adapters.edxml import build_edoc, build_status
from ngsp_sim.clock import Clock
from ngsp_sim.exchange import DeliveryConfig, Exchange
from ngsp_sim.store import SqliteStore
from ngsp_sim.store.exchange import NewEdoc
from ngsp_sim.transport import WebhookSender

G01 = {"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"}
H29 = {"OrganId": "000.00.00.H29", "OrganName": "UBND Thành phố Hồ Chí Minh"}
H56 = {"OrganId": "000.00.00.H56", "OrganName": "UBND tỉnh Thanh Hóa"}
NAMES = {a["OrganId"]: a["OrganName"] for a in (G01, H29, H56)}

QLVB = {code: f"VN/GOV/{code}/QLVB" for code in NAMES}
VDXP = "VN/GOV/000.00.00.G22/VDXP"

SEEDED = {
    "OrganId": "000.00.00.G01",
    "Code": "1/VP",
    "PromulgationDate": "2025/11/21",
    "DocumentId": "000.00.00.G01,2025/11/21,1/VP",
}


def edoc(sender: dict[str, str], recipients: list[dict[str, str]], number: str = "7", **options: Any) -> bytes:
    options.setdefault("subject", "Về việc triển khai Đề án 06")
    return build_edoc(sender, recipients, number=number, notation="BCA-VP", date="2025/11/21", **options)


def reply_for(sender: dict[str, str], number: str = "7", notation: str = "BCA-VP") -> dict[str, str]:
    """The ``ResponseFor`` of ``edoc(sender, ..., number)``."""
    return {
        "OrganId": sender["OrganId"],
        "Code": f"{number}/{notation}",
        "PromulgationDate": "2025/11/21",
        "DocumentId": f"{sender['OrganId']},2025/11/21,{number}/{notation}",
    }


def status_of(document: dict[str, str], sender: dict[str, str], code: str) -> bytes:
    return build_status(document, sender, code, "2025/11/21 09:30:00", "Đã tiếp nhận")


async def seeded_exchange(clock: Clock) -> tuple[Exchange, SqliteStore]:
    """An axis over an in-memory store holding document ``DEMO`` (``SEEDED``) from G01 to H29, and that
    store (the caller closes it)."""
    store = SqliteStore(":memory:")
    await store.open()
    exchange = Exchange(store.exchange, clock, DeliveryConfig(), WebhookSender(None, {}), lambda: NAMES)  # type: ignore[arg-type]
    body = build_edoc(G01, [H29], number="1", notation="VP", date="2025/11/21", subject="Seeded")
    seeded = NewEdoc("DEMO", "edoc", G01["OrganId"], SEEDED["DocumentId"], 0, "Seeded", None, None, body, "0" * 64, 0)
    await store.exchange.accept(seeded, [H29["OrganId"]], [])
    return exchange, store
