"""Message-log writer benchmark: the records/s the writer sustains, with bodies, on SQLite and PostgreSQL.

Queues N population-lookup-sized records (the four bodies of a real 037 exchange: JSON request, SOAP
request, SOAP response, JSON answer) and times the writer's flush through the real write path (one
transaction per batch, the hash chain, executemany), per batch size. Also times sealing alone (the
serialisation and hash chain, CPU only), which is the share of the work that is not the database.
PostgreSQL runs when it is reachable (``--pg URL``, default the test server on 127.0.0.1) in a fresh
schema that is dropped afterwards. Loopback only; bounded by ``--records``.

The first row per store is the hub's own configuration (``MessageLogConfig()``: it wakes at 500 waiting
records and writes a backlog in transactions of up to 2,000); ``--batch`` adds rows of fixed batches.
Each row also says how late a 1 ms timer on the event loop fires while the writer works (the share of
a request's latency the writer causes: the GIL held by its sealing thread, the loop blocked), and, for
a PostgreSQL server on this machine, the CPU its backend spent per record (the store then has one
connection, whose process is read in /proc): on a shared machine the two CPU figures, this process's and
the server's, compare across runs where records/s cannot.

    .venv/bin/python bench/log_writer.py [--records 50000] [--batch 100 500 2000] [--pg URL | --pg none]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import orjson

from adapters.soap import build_envelope
from ngsp_sim.config import MessageLogConfig
from ngsp_sim.contracts.examples import lookup_example
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.store import MessageEntry, Store, store_from_url
from ngsp_sim.store.chain import seal
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.sqlstore import SqlStore
from schemas.population import NAMESPACE

LOOKUP = lookup_example(MaYeuCau="BENCH", MaCanBo="bench")
CITIZEN = {
    "SoDinhDanh": "079090001234",
    "HoVaTen": "Nguyễn Văn An",
    "NgayThangNamSinh": "19900101",
    "GioiTinh": "1",
    "QueQuan": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
    "DanToc": "01",
    "TonGiao": "00",
    "QuocTich": "VN",
    "NoiThuongTru": "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
}
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def exchange(n: int) -> MessageEntry:
    ts = 1_760_000_000_000 + n
    record = {
        "messageId": uuid.uuid4().hex,
        "requestInTs": ts,
        "requestOutTs": ts + 1,
        "responseInTs": ts + 3,
        "responseOutTs": ts + 4,
        "monitoringDataTs": ts + 4,
        "securityServerType": "Client",
        "clientXRoadInstance": "VN",
        "clientMemberClass": "GOV",
        "clientMemberCode": "000.00.00.H29",
        "clientSubsystemCode": "MOTCUA",
        "serviceXRoadInstance": "VN",
        "serviceMemberClass": "GOV",
        "serviceMemberCode": "000.00.00.G01",
        "serviceSubsystemCode": "CSDLQGDC",
        "serviceCode": "TraCuuThongTinCongDan",
        "serviceVersion": "v1",
        "restMethod": "POST",
        "restPath": "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan",
        "messageId2": None,
        "requestSize": 150,
        "responseSize": 900,
        "succeeded": True,
        "statusCode": 200,
        "traceId": uuid.uuid4().hex,
        "providerMethod": "POST",
        "providerPath": "/dancuquocgia/ws",
        "providerStatus": 200,
    }
    return MessageEntry(
        record,
        client="VN/GOV/000.00.00.H29/MOTCUA",
        service="VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan",
        client_request=REQUEST,
        provider_request=SOAP_REQUEST,
        provider_response=SOAP_RESPONSE,
        client_response=ANSWER,
    )


REQUEST = orjson.dumps(LOOKUP)
SOAP_REQUEST = build_envelope("TraCuuThongTinCongDan", NAMESPACE, LOOKUP)
SOAP_RESPONSE = build_envelope("TraCuuThongTinCongDanResponse", NAMESPACE, {"CongDan": CITIZEN})
ANSWER = orjson.dumps({"CongdanCollection": {"CongDan": [CITIZEN]}, "MaYeuCau": "BENCH"})


def config(batch: int | None, records: int) -> MessageLogConfig:
    """The hub's writer configuration (``batch`` ``None``), or one writing batches of exactly ``batch``."""
    hub = MessageLogConfig()
    size, backlog = (hub.batch_size, hub.backlog_batch) if batch is None else (batch, batch)
    return MessageLogConfig(batch_size=size, backlog_batch=backlog, high_water=records, max_pending=records)


async def writer_rate(store: Store, records: int, batch: int | None) -> tuple[float, float, float | None, list[float]]:
    """(records/s, this process's CPU seconds per record: the writer's threads included, a database
    server's not; the server's CPU seconds per record when it can be read; how late a 1 ms timer on
    the event loop fired while the writer worked, ms)."""
    writer = MessageLog(store, config(batch, records))
    for n in range(records):
        writer.submit(exchange(n))
    backend = await server_process(store)
    late: list[float] = []
    ticker = asyncio.create_task(_tick(late))
    started, cpu, server = time.perf_counter(), time.process_time(), process_cpu(backend)
    await writer.flush()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server = None if server is None or (after := process_cpu(backend)) is None else after - server
    ticker.cancel()
    assert writer.written == records and writer.dropped == 0
    return records / elapsed, cpu / records, None if server is None else server / records, late


async def server_process(store: Store) -> int | None:
    """The process id of the PostgreSQL backend serving ``store`` (its pool holds one connection)."""
    if not isinstance(store, SqlStore) or store.dialect.name != "postgresql":
        return None
    row = await store.dialect.fetchrow("SELECT pg_backend_pid()")
    return None if row is None else int(row[0])


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds (user and system) of process ``pid`` on this machine, or ``None`` (not here, not readable)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _tick(late: list[float]) -> None:
    """What a request's callbacks see while the writer works: the loop's lateness (GIL and blocking)."""
    while True:
        began = time.perf_counter()
        await asyncio.sleep(0.001)
        late.append((time.perf_counter() - began - 0.001) * 1000)


def seal_rate(records: int) -> float:
    entries = [exchange(n) for n in range(records)]
    key = LogKey.ephemeral()
    started = time.perf_counter()
    seal(key, "", entries)
    return records / (time.perf_counter() - started)


async def bench(name: str, url: str, records: int, batches: list[int | None]) -> None:
    for batch in batches:
        store = store_from_url(url)
        if url.startswith("postgresql"):
            from ngsp_sim.store.postgres import PostgresStore  # asyncpg is optional

            assert isinstance(store, PostgresStore)
            store.pool_size = 1  # one backend, whose CPU time is read
        await store.open()
        try:
            rate, cpu, server, late = await writer_rate(store, records, batch)
        finally:
            await store.close()
        hub = MessageLogConfig()
        label = f"hub's {hub.batch_size}/{hub.backlog_batch}" if batch is None else f"batch {batch:>5}"
        lag = statistics.quantiles(late, n=100)[98] if len(late) > 1 else 0.0
        server_cpu = "" if server is None else f" + server {server * 1e6:>3.0f}"
        print(
            f"{name:<11} {label:<15}: {rate:>8.0f} records/s  {cpu * 1e6:>5.0f}{server_cpu} us CPU/record"
            f"  loop late p99 {lag:5.1f} ms, max {max(late, default=0):5.1f} ms ({records} records)",
            flush=True,
        )


async def drop_schema(url: str) -> None:
    import asyncpg

    base, _, schema = url.partition("?schema=")
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def pg_reachable(url: str) -> bool:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(url), 5)
    except Exception:  # any failure to connect means "not here"
        return False
    await conn.close()
    return True


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument(
        "--batch", type=int, nargs="*", default=[100, 2000], help="fixed batch sizes to compare with the hub's"
    )
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL, or 'none'")
    args = parser.parse_args()
    sizes = [len(b) for b in (REQUEST, SOAP_REQUEST, SOAP_RESPONSE, ANSWER)]
    print(f"bodies per record: {sizes} bytes (client request, provider request, provider response, answer)")
    print(f"sealing alone (serialise + hash chain, CPU): {seal_rate(args.records):.0f} records/s")
    with tempfile.TemporaryDirectory(prefix="ngsp-logbench-") as tmp:
        await bench("SQLite", f"sqlite://{Path(tmp) / 'log.sqlite3'}", args.records, [None, *args.batch])
    if args.pg != "none" and await pg_reachable(args.pg):
        for batch in [None, *args.batch]:
            url = f"{args.pg}?schema=logbench_{uuid.uuid4().hex[:8]}"
            try:
                await bench("PostgreSQL", url, args.records, [batch])
            finally:
                await drop_schema(url)
    else:
        print("PostgreSQL: not reachable, skipped")


if __name__ == "__main__":
    asyncio.run(main())
