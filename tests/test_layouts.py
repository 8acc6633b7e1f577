"""Deployment layouts (issue 9 items 1, 2, 4): the planner, pins, engine profiles, disaggregated pools."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pricing import calibrate, perf, selfhost
from pricing.cli import main as cli_main
from pricing.errors import InputError
from pricing.perf import Layout, PerfParams
from pricing.schema import SelfHostSpec, Workload

L8 = "meta-llama/Llama-3.1-8B-Instruct"
L70 = "meta-llama/Llama-3.3-70B-Instruct"
V3 = "deepseek-ai/DeepSeek-V3"


@pytest.fixture(scope="module")
def p(catalog):
    return PerfParams.from_factors(catalog.efficiency)


def test_planner_prefers_replicas_to_one_wide_group_when_faster(catalog, p):
    r = perf.throughput(catalog.model(L8), catalog.gpu("h100-sxm"), 8, "fp8", 1000, 1000, p)
    assert r["layout"]["tp"] == 1 and r["layout"]["dp"] == 8
    wide = perf.throughput(catalog.model(L8), catalog.gpu("h100-sxm"), 8, "fp8", 1000, 1000, p, tp=8)
    assert wide["layout"] == {"tp": 8, "dp": 1, "ep": 1, "pp": 1, "nodes": 1, "attention_dp": False}
    assert r["output_tokens_per_s"] > 1.5 * wide["output_tokens_per_s"]


def test_planner_uses_expert_parallelism_for_a_large_moe(catalog, p):
    r = perf.throughput(catalog.model(V3), catalog.gpu("h200"), 16, "fp8", 2000, 500, p)
    assert r["fits"] and r["layout"]["ep"] > 1
    no_ep = perf.throughput(catalog.model(V3), catalog.gpu("h200"), 16, "fp8", 2000, 500, p, ep=1)
    assert r["output_tokens_per_s"] >= no_ep["output_tokens_per_s"]


def test_planner_result_is_the_best_candidate(catalog, p):
    m, g = catalog.model(L70), catalog.gpu("h100-sxm")
    lay, best, cands = perf.plan(m, g, 8, "fp8", 2000, 300, p, max_tpot_ms=50)
    r = perf.rows([(m, g, "fp8", c.instance_gpus) for c in cands], p, None, cands)
    res = perf.evaluate(r, 2000, 300, p, max_tpot_ms=50)
    total = np.where((res["fits"] > 0) & (res["latency_ok"] > 0),
                     res["output_tokens_per_s"] * [c.dp for c in cands], 0)
    assert best["output_tokens_per_s"] * lay.dp == pytest.approx(total.max())


@pytest.mark.parametrize(("kw", "msg"), [
    ({"tp": 16}, "does not divide"),
    ({"tp": 3}, "does not divide"),
    ({"ep": 2}, "dense model"),
    ({"pp": 0}, "does not divide"),
])
def test_impossible_pins_are_clear_errors(catalog, p, kw, msg):
    with pytest.raises(InputError, match=msg):
        perf.throughput(catalog.model(L70), catalog.gpu("h100-sxm"), 8, "fp8", 1000, 1000, p, **kw)


def test_tp_beyond_the_nvlink_domain_is_refused(catalog, p):
    with pytest.raises(InputError, match="NVLink domain"):
        perf.throughput(catalog.model(L70), catalog.gpu("h100-sxm"), 16, "fp8", 1000, 1000, p, tp=16)


def test_pcie_gpus_do_not_span_nodes(catalog):
    lays = perf.instance_layouts(catalog.model(L70), catalog.gpu("l40s"), 16)
    assert lays == []


def test_cli_names_the_layout(capsys):
    rc = cli_main(["throughput", "--model", L8, "--gpu", "h100-sxm", "--gpus", "8", "--precision", "fp8",
                   "--input-tokens", "1000", "--output-tokens", "500", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and set(doc["layout"]) == {"tp", "dp", "ep", "pp", "nodes", "attention_dp"}
    assert doc["layout"]["tp"] * doc["layout"]["pp"] * doc["layout"]["dp"] == 8
    rc = cli_main(["throughput", "--model", L8, "--gpu", "h100-sxm", "--gpus", "8", "--precision", "fp8",
                   "--input-tokens", "1000", "--output-tokens", "500", "--tp", "16"])
    assert rc != 0 and "--tp 16" in capsys.readouterr().err


def test_selfhost_json_names_the_layout_and_engine(capsys):
    rc = cli_main(["selfhost-cost", "--model", L70, "--gpu", "h100-sxm", "--precision", "fp8", "--requests", "1e7",
                   "--input-tokens", "1000", "--output-tokens", "300", "--engine", "vllm",
                   "--cached-input-fraction", "0.5", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["engine"] == "vllm"
    assert doc["layout"]["tp"] >= 1 and doc["layout"]["dp"] >= 1
    assert doc["gpus"] == doc["layout"]["tp"] * doc["layout"]["pp"] * doc["layout"]["dp"]


def test_cached_input_lowers_selfhost_cost(catalog):
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8")
    base = Workload(name="w", requests_per_month=3e7, input_tokens=8000, output_tokens=200, max_ttft_ms=3000)
    warm = base.model_copy(update={"cached_input_fraction": 0.8})
    v = np.array([3e7])
    assert (selfhost.selfhost_cost_curve(catalog, spec, warm, v)[0]
            < selfhost.selfhost_cost_curve(catalog, spec, base, v)[0])


def test_engine_profiles_are_reproducible_from_the_calibration_file(catalog):
    eff = catalog.efficiency
    rows, _ = calibrate.load_rows(catalog)
    shared = PerfParams.from_factors(eff)
    for engine in calibrate.PROFILE_ENGINES:
        stored = eff.engines[engine]
        assert stored.rows == sum(r.engine == engine for r in rows)
        assert stored.shrinkage == pytest.approx(calibrate.PRIOR_ROWS / (calibrate.PRIOR_ROWS + stored.rows), abs=1e-3)
        mult, _n, _ = calibrate.fit_engine(catalog, rows, shared, engine, passes=4)
        refit = calibrate.engine_params(shared, engine, mult)
        for k, v in stored.factors.items():
            assert getattr(refit, k) == pytest.approx(v, rel=0.15), (engine, k)


def test_unknown_engine_is_a_clear_error(catalog):
    with pytest.raises(InputError, match="engine 'tgi'"):
        PerfParams.from_factors(catalog.efficiency, "tgi")


def test_disaggregation_sizes_two_pools_that_serve_the_workload(catalog, p):
    m, g = catalog.model(V3), catalog.gpu("h200")
    req = 50.0
    out = perf.disaggregated_pools(m, g, "fp8", Layout(tp=16, ep=16, attention_dp=True),
                                   Layout(tp=32, ep=32, attention_dp=True), 3000, 600, req, p,
                                   max_tpot_ms=60, cached_fraction=0.5)
    assert out["fits"]
    assert out["prefill_instances"] >= 1 and out["decode_instances"] >= 1
    assert out["prefill_instances"] * out["prefill_input_tokens_per_s_per_instance"] >= req * 3000
    assert out["decode_instances"] * out["decode_output_tokens_per_s_per_instance"] >= req * 600
    assert (out["prefill_instances"] - 1) * out["prefill_input_tokens_per_s_per_instance"] < req * 3000
    assert out["decode_tpot_ms"] <= 60 + 1e-6
    assert out["prefill_gpus"] == out["prefill_instances"] * 16 and out["decode_gpus"] == out["decode_instances"] * 32
    assert math.isfinite(out["prefill_gpus"] + out["decode_gpus"])
