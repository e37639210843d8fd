"""The identifiers each exchange draws (``X-Road-Id``, ``X-Road-Request-Id``, trace ids) come from the
operating system's CSPRNG in blocks: every byte handed out once, per thread, and never shared with a
forked child."""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

from ngsp_sim import randomness
from ngsp_sim.randomness import random_bytes, token_hex, uuid4_text


def _counting() -> Callable[[int], bytes]:
    """An ``os.urandom`` whose bytes are numbered: two-byte words counting up across calls, so a byte
    handed out twice, or out of order, would show."""
    words: Iterator[int] = itertools.count(1)
    lock = threading.Lock()

    def urandom(n: int) -> bytes:
        with lock:
            return b"".join(next(words).to_bytes(2, "big") for _ in range(n // 2))

    return urandom


def _words(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "urandom", _counting())
    randomness._forget()


def test_uuid4_text_is_a_version_4_uuid_as_the_standard_library_writes_it() -> None:
    seen = set()
    for _ in range(2_000):
        text = uuid4_text()
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text
        seen.add(text)
    assert len(seen) == 2_000


def test_the_bytes_of_a_block_are_handed_out_once_each(counted: None) -> None:
    sizes = itertools.islice(itertools.cycle([16, 8, 16, 6]), 2_000)  # 23 blocks, none ending on a draw
    words = _words(b"".join(random_bytes(n) for n in sizes))
    assert all(a < b for a, b in itertools.pairwise(words))  # never twice, never back
    assert len(token_hex(8)) == 16
    big = random_bytes(6000)  # more than a block: read on its own
    assert len(big) == 6000 and _words(big)[0] > words[-1]


def test_each_thread_draws_from_its_own_block(counted: None) -> None:
    here = random_bytes(16)
    there: list[bytes] = []
    worker = threading.Thread(target=lambda: there.append(random_bytes(16)))
    worker.start()
    worker.join()
    after = random_bytes(16)
    assert _words(after)[0] == _words(here)[-1] + 1  # this thread goes on with its own block
    assert not set(_words(there[0])) & set(_words(here + after))  # the other thread drew from another


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_reuse_its_parents_bytes(counted: None) -> None:
    random_bytes(16)  # the parent holds a block with bytes left
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what it draws first goes to the parent
        os.write(write_end, random_bytes(16))
        os._exit(0)
    os.close(write_end)
    child = os.read(read_end, 16)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert child != random_bytes(16)  # without forgetting, the child would have drawn these very bytes
