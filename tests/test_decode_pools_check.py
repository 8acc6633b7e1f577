"""benchmarks/decode_pools_check.py: decode pool rows at their stated batch, and a step split that adds up."""

from __future__ import annotations

from types import ModuleType

import pytest

from pricing.perf import PerfParams
from tests.bench_helpers import load_benchmark


@pytest.fixture(scope="module")
def dpc() -> ModuleType:
    return load_benchmark("decode_pools_check")


def test_each_decode_row_is_checked_at_its_stated_batch(dpc, catalog):
    p = PerfParams.from_factors(catalog.efficiency)
    res = dpc.check(catalog, p)
    assert {x["row"].gpu for x in res} >= {"h100-sxm", "gb200", "h800"}
    for x in res:
        row, s = x["row"], x["split"]
        assert row.pool == "decode" and x["measured_gpu"] > 0 and x["predicted_gpu"] > 0
        if row.concurrency:  # the stated batch per GPU caps the model's (it fits in KV on these rows)
            assert x["stated"] and x["batch_gpu"] == pytest.approx(row.concurrency / row.gpus, rel=1e-6)
            assert x["measured_step_ms"] == pytest.approx(x["batch_gpu"] / x["measured_gpu"] * 1e3)
        # the split adds up to the step perf.decode_pool_rate uses (no speculative drafts: tpot = step)
        parts = s["wG"] + s["kvat"] + s["a2a"] + s["overhead"]
        assert parts * 1e3 == pytest.approx(x["predicted_step_ms"], rel=1e-6)
        assert s["mode"] in ("one batch", "two halves")
