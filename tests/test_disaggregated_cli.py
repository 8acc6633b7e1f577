"""Disaggregated prefill/decode deployments (pricing.disagg) and `--disaggregate` on throughput / selfhost-cost."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import disagg, perf
from pricing.cli import main
from pricing.errors import InputError
from pricing.perf import PerfParams

V3 = "deepseek-ai/DeepSeek-V3"
L70 = "meta-llama/Llama-3.3-70B-Instruct"
TP = ["throughput", "--model", V3, "--gpu", "h100-sxm", "--gpus", "256", "--precision", "fp8",
      "--input-tokens", "4000", "--output-tokens", "1000", "--cached-input-fraction", "0.5", "--max-tpot-ms", "50"]
# 100 requests/s on average: 100 x 3600 x 730 a month
SH = ["selfhost-cost", "--model", V3, "--gpu", "h100-sxm", "--precision", "fp8", "--requests", "262800000",
      "--input-tokens", "4000", "--output-tokens", "1000", "--cached-input-fraction", "0.5", "--max-tpot-ms", "50"]


@pytest.fixture(scope="module")
def p(catalog) -> PerfParams:
    return PerfParams.from_factors(catalog.efficiency)


def req(catalog, p, model=V3, gpu="h100-sxm", **kw) -> disagg.Request:
    base = {"input_tokens": 4000.0, "output_tokens": 1000.0, "max_tpot_ms": 50.0, "cached_fraction": 0.5}
    base.update(kw)
    return disagg.Request(catalog.model(model), catalog.gpu(gpu), "fp8", params=p, **base)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


# --------------------------------------------------------------------------- the planner


def test_two_pools_whose_sum_serves_the_workload_with_the_fewest_gpus(catalog, p):
    q = req(catalog, p, redundant_experts=32)
    rate = 100.0
    plan = disagg.plan(q, rate)
    pre, dec = plan.prefill, plan.decode
    # each pool covers its share of the work, and one instance fewer would not
    assert pre.instances * pre.rate >= rate * 4000 > (pre.instances - 1) * pre.rate
    assert dec.instances * dec.rate >= rate * 1000 > (dec.instances - 1) * dec.rate
    assert plan.capacity_requests_per_s >= rate
    assert pre.utilization == pytest.approx(p.planned_utilization)
    assert dec.tpot_ms <= 50 + 1e-6
    # large MoE: both pools are expert parallel with attention DP, across nodes
    for pool in (pre, dec):
        assert pool.layout.ep == pool.layout.tp > 8 and pool.layout.attention_dp
    # no other candidate layout serves the same load on fewer GPUs
    pc, dc = disagg.candidates(q)
    assert pre.gpus == np.min(pc.instances_for(rate * 4000) * pc.gpus)
    assert dec.gpus == np.min(dc.instances_for(rate * 1000) * dc.gpus)
    assert plan.gpus == pre.gpus + dec.gpus


def test_pools_agree_with_perf_disaggregated_pools(catalog, p):
    q = req(catalog, p, redundant_experts=32)
    plan = disagg.plan(q, 100.0)
    ref = perf.disaggregated_pools(q.model, q.gpu, "fp8", plan.prefill.layout, plan.decode.layout, 4000, 1000, 100.0,
                                   p, max_tpot_ms=50, cached_fraction=0.5, redundant_experts=32)
    assert plan.prefill.capacity == pytest.approx(ref["prefill_input_tokens_per_s_per_instance"])
    assert plan.decode.rate == pytest.approx(ref["decode_output_tokens_per_s_per_instance"])
    assert plan.prefill.ttft_ms == pytest.approx(ref["prefill_ttft_ms"])  # 2,000 new tokens: one step per prompt
    assert (plan.prefill.instances, plan.decode.instances) == (ref["prefill_instances"], ref["decode_instances"])


def test_cached_prefixes_shrink_the_prefill_pool_only(catalog, p):
    cold = disagg.plan(req(catalog, p, cached_fraction=0.0), 100.0)
    warm = disagg.plan(req(catalog, p, cached_fraction=0.8), 100.0)
    assert warm.prefill.gpus < cold.prefill.gpus
    assert warm.prefill.capacity > cold.prefill.capacity
    assert warm.decode.gpus == cold.decode.gpus


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rate=st.floats(0.5, 400), more=st.floats(1.0, 3.0))
def test_more_requests_never_fewer_gpus(catalog, p, rate, more):
    q = req(catalog, p)
    a, b = disagg.plan(q, rate), disagg.plan(q, rate * more)
    assert b.prefill.gpus >= a.prefill.gpus and b.decode.gpus >= a.decode.gpus
    assert b.capacity_requests_per_s >= rate * more * (1 - 1e-9)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from([V3, "Qwen/Qwen3-30B-A3B", L70]), gpu=st.sampled_from(["h100-sxm", "h200", "gb200"]),
       i_tok=st.floats(50, 16000), o_tok=st.floats(2, 4000), cached=st.floats(0, 0.9), rate=st.floats(0.1, 500),
       tpot=st.sampled_from([None, 30.0, 60.0]), ttft=st.sampled_from([None, 3000.0]))
def test_the_pools_always_serve_the_workload(catalog, p, model, gpu, i_tok, o_tok, cached, rate, tpot, ttft):
    q = req(catalog, p, model=model, gpu=gpu, input_tokens=i_tok, output_tokens=o_tok, cached_fraction=cached,
            max_tpot_ms=tpot, max_ttft_ms=ttft)
    try:
        plan = disagg.plan(q, rate)
    except InputError:
        return  # a target no layout meets (checked by the error tests)
    assert plan.prefill.instances * plan.prefill.rate >= rate * i_tok * (1 - 1e-9)
    assert plan.decode.instances * plan.decode.rate >= rate * o_tok * (1 - 1e-9)
    assert plan.prefill.utilization <= p.planned_utilization + 1e-12
    if tpot is not None:
        assert plan.decode.tpot_ms <= tpot * (1 + 1e-9)
    if ttft is not None:
        assert plan.prefill.ttft_ms <= ttft * (1 + 1e-9)


def test_pinned_instance_sizes(catalog, p):
    plan = disagg.plan(req(catalog, p, prefill_gpus=32, decode_gpus=16), 50.0)
    assert plan.prefill.layout.instance_gpus == 32 and plan.decode.layout.instance_gpus == 16
    free = disagg.plan(req(catalog, p), 50.0)
    assert free.gpus <= plan.gpus  # pinning can only cost GPUs


@pytest.mark.parametrize(("kw", "words"), [
    ({"prefill_gpus": 8}, ("--prefill-gpus 8", "does not fit", "8 x h100-sxm")),
    ({"decode_gpus": 3}, ("--decode-gpus 3", "does not fit", "exceed the usable memory")),
    ({"decode_gpus": 16, "model": L70, "gpu": "l40s"}, ("--decode-gpus 16: no layout of 16 x l40s", "PCIe")),
    ({"decode_gpus": 16, "max_tpot_ms": 3.0}, ("--decode-gpus 16", "--max-tpot-ms 3", "fastest step")),
    ({"max_ttft_ms": 1.0}, ("prefill pool", "--max-ttft-ms 1")),
    ({"redundant_experts": -1.0}, ("--redundant-experts",)),
])
def test_impossible_pins_and_targets_are_clear_errors(catalog, p, kw, words):
    with pytest.raises(InputError) as e:
        disagg.plan(req(catalog, p, **kw), 10.0)
    for w in words:
        assert w in str(e.value)


def test_a_ttft_target_shortens_prefill_steps_then_lowers_the_load(catalog, p):
    loose = disagg.plan(req(catalog, p), 100.0)
    assert loose.prefill.chunk_tokens == p.prefill_chunk_tokens and loose.prefill.ttft_ms > 1000
    gpus = [loose.prefill.gpus]
    for target in (1000.0, 400.0, 250.0, 175.0):
        tight = disagg.plan(req(catalog, p, max_ttft_ms=target), 100.0)
        assert tight.prefill.ttft_ms <= target + 1e-6
        assert tight.prefill.chunk_tokens < p.prefill_chunk_tokens or tight.prefill.utilization < p.planned_utilization
        assert (tight.decode.layout, tight.decode.instances) == (loose.decode.layout, loose.decode.instances)
        gpus.append(tight.prefill.gpus)
    assert gpus == sorted(gpus) and gpus[-1] > gpus[0]  # tighter targets never take fewer prefill GPUs


def test_dense_model_gets_tensor_parallel_replicas(catalog, p):
    plan = disagg.plan(req(catalog, p, model=L70, redundant_experts=32), 20.0)
    for pool in (plan.prefill, plan.decode):
        assert pool.layout.ep == 1 and not pool.layout.attention_dp and pool.layout.instance_gpus <= 8
    assert any("dense" in n for n in plan.notes)


def test_split_total_serves_the_most_with_the_gpus_given(catalog, p):
    q = req(catalog, p)
    plan = disagg.split_total(q, 256)
    assert plan.gpus <= 256
    assert plan.requests_per_s == pytest.approx(plan.capacity_requests_per_s)
    # planning for what it serves needs no more GPUs than it used
    assert disagg.plan(q, plan.requests_per_s * (1 - 1e-6)).gpus <= plan.gpus
    with pytest.raises(InputError, match="--gpus 16: too few"):
        disagg.split_total(q, 16)


# --------------------------------------------------------------------------- CLI


def test_throughput_disaggregate_json(capsys):
    rc, out, _ = run(capsys, *TP, "--disaggregate", "--redundant-experts", "32", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["disaggregated"] is True and doc["gpus"] == 256 and doc["gpus_used"] <= 256
    assert set(doc["layout"]) == {"prefill", "decode"}
    for role in ("prefill", "decode"):
        assert set(doc["layout"][role]) == {"tp", "dp", "ep", "pp", "nodes", "attention_dp"}
        assert doc["layout"][role]["dp"] == doc[role]["instances"]
    assert doc["prefill"]["input_tokens_per_s_per_gpu"] > 0 and doc["decode"]["output_tokens_per_s_per_gpu"] > 0
    assert doc["decode"]["tpot_ms"] <= 50 + 1e-6 and doc["tpot_ms"] == doc["decode"]["tpot_ms"]
    # the pool ratio is the mix's: prefill GPU-seconds per decode GPU-second of one request
    ratio = (4000 / doc["prefill"]["input_tokens_per_s_per_gpu"]) / (1000 / doc["decode"]["output_tokens_per_s_per_gpu"])
    assert doc["prefill_gpus_per_decode_gpu"] == pytest.approx(ratio)
    assert doc["output_tokens_per_s"] == pytest.approx(doc["requests_per_s"] * 1000)
    assert doc["redundant_experts"] == 32


def test_throughput_disaggregate_text_and_pins(capsys):
    rc, out, _ = run(capsys, *TP, "--disaggregate", "--prefill-gpus", "32", "--decode-gpus", "64")
    assert rc == 0
    assert "prefill pool:" in out and "decode pool:" in out and "prefill GPUs per decode GPU" in out
    assert "x 32 GPUs" in out and "x 64 GPUs" in out


def test_selfhost_disaggregate_prices_both_pools_with_the_usual_rules(capsys):
    rc, out, _ = run(capsys, *SH, "--disaggregate", "--gpu-usd-per-hour", "2", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["disaggregated"] is True and set(doc["layout"]) == {"prefill", "decode"}
    gpus = doc["prefill"]["gpus"] + doc["decode"]["gpus"]
    assert doc["gpus"] == gpus
    assert doc["monthly_usd"] == pytest.approx(gpus * 2 * 730)
    assert doc["monthly_usd"] == pytest.approx(doc["prefill"]["monthly_usd"] + doc["decode"]["monthly_usd"])
    assert doc["breakdown"]["usd_gpu_rent"] == pytest.approx(doc["monthly_usd"])
    assert doc["sized_requests_per_s"] == pytest.approx(100.0)
    assert doc["route_id"].endswith("/disagg")
    # the pools serve the peak: instances x rate per instance cover the tokens per second
    assert doc["prefill"]["instances"] * doc["prefill"]["input_tokens_per_s_per_instance"] >= 100 * 4000
    assert doc["decode"]["instances"] * doc["decode"]["output_tokens_per_s_per_instance"] >= 100 * 1000
    rc, out, _ = run(capsys, *SH, "--disaggregate", "--gpu-usd-per-hour", "2", "--n-plus-one", "--json")
    spare = json.loads(out)
    assert spare["prefill"]["instances"] == doc["prefill"]["instances"] + 1
    assert spare["decode"]["instances"] == doc["decode"]["instances"] + 1


def test_selfhost_disaggregate_text_policy_price_and_owned(capsys):
    rc, out, _ = run(capsys, *SH, "--disaggregate")
    assert rc == 0 and "prefill:" in out and "decode:" in out and "per month" in out
    rc, out, _ = run(capsys, *SH, "--disaggregate", "--hosting", "owned", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ownership"] == "owned" and doc["breakdown"]["usd_capex"] > 0
    assert math.isfinite(doc["monthly_usd"])


def test_selfhost_disaggregate_cheaper_per_gpu_than_more_work(capsys):
    """A cached prefix lowers the bill through the prefill pool (same decode pool)."""
    rc, out, _ = run(capsys, *SH, "--disaggregate", "--gpu-usd-per-hour", "2", "--json")
    warm = json.loads(out)
    cold_argv = list(SH)
    cold_argv[cold_argv.index("--cached-input-fraction") + 1] = "0"
    assert rc == 0
    rc, out, _ = run(capsys, *cold_argv, "--disaggregate", "--gpu-usd-per-hour", "2", "--json")
    cold = json.loads(out)
    assert rc == 0
    assert warm["prefill"]["gpus"] < cold["prefill"]["gpus"] and warm["monthly_usd"] < cold["monthly_usd"]
    assert warm["decode"]["gpus"] == cold["decode"]["gpus"]


@pytest.mark.parametrize(("argv", "words"), [
    ([*TP, "--prefill-gpus", "32"], "--prefill-gpus needs --disaggregate"),
    ([*TP, "--redundant-experts", "32"], "--redundant-experts needs --disaggregate"),
    ([*TP, "--disaggregate", "--tp", "8"], "--tp does not apply with --disaggregate"),
    ([*SH, "--disaggregate", "--gpus", "32"], "--gpus does not apply with --disaggregate"),
    ([*TP, "--disaggregate", "--decode-gpus", "0"], "--decode-gpus must be a positive"),
    ([*TP, "--disaggregate", "--prefill-gpus", "8"], "--prefill-gpus 8: deepseek-ai/DeepSeek-V3 at fp8 does not fit"),
    ([*SH, "--disaggregate", "--decode-gpus", "16", "--max-tpot-ms", "3"], "--decode-gpus 16: no decode layout"),
])
def test_bad_disaggregation_flags_exit_2_naming_the_flag(capsys, argv, words):
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == ""
    assert words in err


def test_without_disaggregate_the_json_is_unchanged(capsys):
    rc, out, _ = run(capsys, *SH, "--json")
    doc = json.loads(out)
    assert rc == 0 and "disaggregated" not in doc and set(doc["layout"]) >= {"tp", "dp", "ep", "pp"}


def test_speculative_decoding_reaches_the_decode_pool(capsys):
    rc, out, _ = run(capsys, *SH, "--disaggregate", "--gpu-usd-per-hour", "2", "--json")
    plain = json.loads(out)
    rc2, out, _ = run(capsys, *SH, "--disaggregate", "--gpu-usd-per-hour", "2", "--spec-tokens", "1",
                      "--spec-acceptance", "0.85", "--json")
    mtp = json.loads(out)
    assert rc == rc2 == 0
    assert mtp["speculative_decoding"]["tokens_per_step"] == pytest.approx(1.85)
    assert mtp["decode"]["output_tokens_per_s_per_gpu"] > plain["decode"]["output_tokens_per_s_per_gpu"]
    assert mtp["decode"]["gpus"] <= plain["decode"]["gpus"] and mtp["decode"]["tpot_ms"] <= 50 + 1e-6
    assert mtp["prefill"] == plain["prefill"]
    rc, out, _ = run(capsys, *TP, "--disaggregate", "--spec-tokens", "1", "--spec-acceptance", "0.85", "--json")
    assert rc == 0 and json.loads(out)["speculative_decoding"]["draft_tokens"] == 1


def test_decode_instances_hold_the_workloads_longest_context(catalog, p):
    """A workload that must hold a long context (min_context_tokens) rules out decode instances without room for it."""
    short = disagg.candidates(req(catalog, p, model=L70, gpu="l40s"))[1]
    longest = catalog.model(L70).max_context_tokens
    long_ = disagg.candidates(req(catalog, p, model=L70, gpu="l40s", min_context_tokens=float(longest)))[1]
    assert long_.fits.sum() < short.fits.sum() and not (long_.fits & ~short.fits).any()
    with pytest.raises(InputError, match="decode pool"):
        disagg.candidates(req(catalog, p, model=L70, gpu="l40s", min_context_tokens=float(longest) * 2))


def test_deepseek_check_prints_the_planners_own_layouts(catalog):
    from tests.bench_helpers import load_benchmark

    bench = load_benchmark("deepseek_production")
    x = bench.planned(catalog, "default")
    assert x["prefill"].layout.ep >= 8 and x["decode"].layout.ep >= 8  # wide expert parallelism, both pools
    assert x["usd_month"] == pytest.approx(x["nodes"] * 8 * 2 * 730)
    assert bench.planned(catalog, "default", mtp=True)["nodes"] < x["nodes"]
