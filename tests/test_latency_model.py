"""The latency side of the throughput model against published concurrency sweeps, and the harness models
the calibration uses (closed-loop concurrency caps, finite ShareGPT bursts)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import calibrate, perf
from pricing.perf import Layout, PerfParams

L70 = "meta-llama/Llama-3.3-70B-Instruct"
NIM = "docs.nvidia.com/nim/benchmarking"


@pytest.fixture(scope="module")
def p(catalog):
    return PerfParams.from_factors(catalog.efficiency, "trtllm")


def _tp2(catalog, p):
    return perf.rows([(catalog.model(L70), catalog.gpu("h100-sxm"), "fp8", 2)], p, None, [Layout(tp=2)])


def test_nim_concurrency_rows_are_used_with_their_regimes(catalog):
    rows, _ = calibrate.load_rows(catalog)
    nim = [r for r in rows if NIM in r.source]
    assert len(nim) >= 8
    assert {r.regime for r in nim} == {"interactive", "server", "offline"}
    assert {r.metric for r in nim} == {"output_tokens_per_s", "ttft_ms"}
    assert all(r.max_batch == int(r.max_batch or 0) and (r.max_batch or 0) >= 1 for r in nim)


def test_interactive_share_of_offline_matches_the_nim_sweep(catalog, p):
    """Concurrency 5 (46 tok/s per user) delivered 218 of the saturated 920 tok/s (0.24): the model, fitted
    on shared factors, must put the interactive point at a similar share, not near offline (issue 9)."""
    r = _tp2(catalog, p)
    lo = perf.evaluate(r, 5000.0, 500.0, p, max_batch=5.0)["output_tokens_per_s"][0]
    hi = perf.evaluate(r, 5000.0, 500.0, p, max_batch=250.0)["output_tokens_per_s"][0]
    assert lo / hi == pytest.approx(218.48 / 920.12, rel=0.3)


def test_concurrency_cap_counts_requests_still_prefilling(catalog, p):
    """A closed-loop client at concurrency 1 waits for the prompt's prefill too: one request in the system."""
    r = _tp2(catalog, p)
    res = perf.evaluate(r, 20000.0, 50.0, p, max_batch=1.0)
    chunks = np.ceil(20000.0 / p.prefill_chunk_tokens)
    per_step = res["requests_per_s"][0] * res["decode_step_ms"][0] / 1e3
    assert per_step == pytest.approx(1.0 / (49.0 + chunks), rel=1e-6)
    assert res["batch"][0] < 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c1=st.floats(1, 500), k=st.floats(1, 10), i=st.floats(10, 20000), o=st.floats(2, 3000))
def test_more_concurrency_never_lowers_throughput(catalog, p, c1, k, i, o):
    r = _tp2(catalog, p)
    a = perf.evaluate(r, i, o, p, max_batch=c1)["output_tokens_per_s"][0]
    b = perf.evaluate(r, i, o, p, max_batch=c1 * k)["output_tokens_per_s"][0]
    assert b >= a * (1 - 1e-6)


def test_a_finite_burst_drains_slower_than_steady_state(catalog, p):
    m, g = catalog.model("Qwen/Qwen3-14B"), catalog.gpu("h100-sxm")
    r = perf.rows([(m, g, "bf16", 1)], p, ["bf16"])
    steady = perf.evaluate(r, 230.0, 203.0, p)["output_tokens_per_s"][0]
    rates = [perf.burst_output_rate(r, 230.0, 203.0, n, p)[0] for n in (100.0, 1000.0, 10_000.0, 1e6)]
    assert all(x < steady for x in rates)
    assert rates == sorted(rates)  # the longer the burst, the less its tail weighs
    assert rates[-1] == pytest.approx(steady, rel=0.02)


def test_burst_rows_are_the_sharegpt_runs(catalog):
    import csv

    with calibrate.CSV_PATH.open(newline="", encoding="utf-8") as fh:
        share = {line for line, rec in enumerate(csv.DictReader(fh), start=2) if rec["input_len"] == "ShareGPT"}
    rows, _ = calibrate.load_rows(catalog)
    assert share
    for r in rows:
        assert (r.burst == calibrate.SHAREGPT_PROMPTS) == (r.line in share), r.line


def test_gb200_and_gh200_rows_are_fitted(catalog):
    rows, excluded = calibrate.load_rows(catalog)
    assert {"gb200", "gh200"} <= {r.gpu for r in rows}
    assert not [e for e in excluded if ("GB200" in e.label or "GH200" in e.label) and "pool row" not in e.reason]


def test_gpt_oss_baselines_are_one_gpu_runs(catalog):
    """gpustack's baseline commands carry no -tp: one H100 each; the -tp 2 / -tp 4 runs are separate rows."""
    rows, _ = calibrate.load_rows(catalog)
    oss = sorted((r.gpus, r.engine) for r in rows if r.model == "openai/gpt-oss-120b")
    assert oss == [(1, "sglang"), (1, "vllm"), (2, "vllm"), (4, "vllm")]


def test_mxfp4_on_hopper_is_weight_only(catalog):
    h100, b200 = catalog.gpu("h100-sxm"), catalog.gpu("b200")
    assert perf.compute_precision("fp4", h100) == "bf16"
    assert perf.compute_precision("fp4", b200) == "fp4"
    assert perf.precision_note("fp4", h100)


def test_trtllm_kv_memory_is_a_share_of_the_memory_left_after_weights(catalog):
    """TensorRT-LLM's KvCacheConfig.free_gpu_memory_fraction (0.9 of what the weights leave) against vLLM's
    share of the whole GPU: Llama-70B fp8 on one H100 (70.6 GB of weights) gets ~2.5x the KV room."""
    trt = PerfParams.from_factors(catalog.efficiency, "trtllm")
    vll = PerfParams.from_factors(catalog.efficiency, "vllm")
    assert trt.kv_free_memory_fraction == pytest.approx(0.9)
    assert vll.kv_free_memory_fraction == 0.0
    m, g = catalog.model(L70), catalog.gpu("h100-sxm")
    r_t = perf.rows([(m, g, "fp8", 1)], trt)
    r_v = perf.rows([(m, g, "fp8", 1)], vll)
    kv_t, kv_v = perf.kv_memory(r_t, trt)[0], perf.kv_memory(r_v, vll)[0]
    weights = perf.weights_stored(r_t)[0]
    free = g.memory_gb * 2**30 - trt.runtime_overhead_gb * 1e9 - weights
    assert kv_t == pytest.approx(0.9 * free, rel=1e-9)
    assert kv_t > 2 * kv_v > 0


def test_four_bit_moe_checkpoints_keep_non_expert_weights_at_eight_bits(catalog):
    r1, l70 = catalog.model("deepseek-ai/DeepSeek-R1"), catalog.model(L70)
    assert perf.dense_precision(r1, "fp4") == "fp8"
    assert perf.dense_precision(r1, "fp8") == "fp8"
    assert perf.dense_precision(l70, "fp4") == "fp4"  # dense models: every linear layer at the precision
    dense_b = r1.params_b_active - r1.experts_active * (r1.params_b_total - r1.params_b_active) / (
        r1.experts_routed - r1.experts_active)
    assert perf.weights_bytes(r1, "fp4") == pytest.approx(
        (dense_b * 1.0 + (r1.params_b_total - dense_b) * 0.5) * 1e9, rel=1e-9)
    assert perf.weights_bytes(l70, "fp4") == pytest.approx(l70.params_b_total * 0.5e9, rel=1e-9)
    b200 = catalog.gpu("b200")
    r = perf.rows([(r1, b200, "fp4", 8)], PerfParams())
    assert r.flops_dense[0] == pytest.approx(b200.fp8_tflops_dense * 1e12)
    assert r.flops[0] == pytest.approx(b200.fp4_tflops_dense * 1e12)
