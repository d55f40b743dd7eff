"""The bench's memory sums (bench/memory.py): the whole server's PSS against a worker's RSS."""

from __future__ import annotations

import pytest

from bench.memory import MIB, ProcessMemory, sharing


def process(pid: int, role: str, rss: float, pss: float, uss: float) -> ProcessMemory:
    return ProcessMemory(pid, role, int(rss * MIB), int(pss * MIB), int(uss * MIB))


def test_every_process_pss_counts_against_the_smallest_worker_rss():
    found = sharing(
        [
            process(1, "master", 430, 160, 30),
            process(2, "worker", 400, 150, 40),
            process(3, "worker", 390, 145, 35),
            process(4, "other", 20, 5, 5),  # a worker's own child is the server too
        ]
    )
    assert found["pss_mib"] == pytest.approx(460)
    assert found["worker_rss_mib"] == pytest.approx(390)
    assert found["ratio"] == pytest.approx(460 / 390)
    assert found["master_pss_mib"] == pytest.approx(160)
    assert found["worker_uss_mib"] == [pytest.approx(40), pytest.approx(35)]


def test_workers_sharing_nothing_show_as_a_ratio_near_their_count():
    alone = [process(1, "master", 300, 300, 300)]
    alone += [process(p, "worker", 300, 300, 300) for p in (2, 3)]
    assert sharing(alone)["ratio"] == pytest.approx(3.0)


def test_a_server_without_workers_is_refused():
    with pytest.raises(ValueError, match="no worker"):
        sharing([process(1, "master", 300, 300, 300)])
