"""Speculative decoding (draft heads such as DeepSeek's MTP): tokens per step, step cost, latency, CLI and cost."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import perf
from pricing.cli import main
from pricing.perf import Layout, PerfParams
from pricing.schema import SelfHostSpec, Workload
from pricing.selfhost import selfhost_frame

L70 = "meta-llama/Llama-3.3-70B-Instruct"
V3 = "deepseek-ai/DeepSeek-V3"


@pytest.fixture(scope="module")
def p(catalog) -> PerfParams:
    return PerfParams.from_factors(catalog.efficiency)


def _rows(catalog, p, model=L70, gpu="h100-sxm", precision="fp8", gpus=1):
    return perf.rows([(catalog.model(model), catalog.gpu(gpu), precision, gpus)], p)


@pytest.mark.parametrize(("k", "a", "want"), [
    (0, 0.9, 1.0), (1, 0.0, 1.0), (1, 0.85, 1.85), (2, 0.5, 1.75), (3, 1.0, 4.0), (4, 0.8, 1 + 0.8 + 0.64 + 0.512 + 0.4096)])
def test_tokens_per_step_is_the_accepted_run_plus_the_target_token(k, a, want):
    assert perf.spec_gain(PerfParams(spec_tokens=k, spec_acceptance=a)) == pytest.approx(want)


def test_off_is_the_plain_model_bit_for_bit(catalog, p):
    r = _rows(catalog, p, gpus=2)
    base = perf.evaluate(r, 2000, 500, p, max_tpot_ms=40)
    off = perf.evaluate(r, 2000, 500, replace(p, spec_acceptance=0.9), max_tpot_ms=40)  # no drafts: acceptance moot
    for k, v in base.items():
        np.testing.assert_array_equal(v, off[k], err_msg=k)


def test_a_step_that_verifies_drafts_costs_more_but_emits_more(catalog, p):
    r = _rows(catalog, p)
    z, b, ctx = np.zeros(1), np.array([32.0]), np.array([2000.0])
    plain = perf.step_s(r, b, z, z, ctx, p)[0][0]
    spec = perf.step_s(r, b, z, z, ctx, replace(p, spec_tokens=1, spec_acceptance=0.85))[0][0]
    assert plain < spec < 1.85 * plain  # verifying a draft (and drafting it) is cheaper than a second step


def test_wasted_drafts_lower_throughput(catalog, p):
    r = _rows(catalog, p, gpus=2)
    off = perf.evaluate(r, 2000, 500, p)["output_tokens_per_s"][0]
    wasted = perf.evaluate(r, 2000, 500, replace(p, spec_tokens=2, spec_acceptance=0.0))["output_tokens_per_s"][0]
    assert wasted < off


def test_interactive_target_gains_most(catalog, p):
    """A 70B model on two H100s at 30 ms per token (weights alone take ~26 ms a step): drafts accepted 80% of
    the time turn a target it barely meets into one it meets at a large batch; at 25 ms only drafts meet it."""
    r = _rows(catalog, p, gpus=2)
    q = replace(p, spec_tokens=1, spec_acceptance=0.8)
    off = perf.evaluate(r, 1000, 300, p, max_tpot_ms=30)
    on = perf.evaluate(r, 1000, 300, q, max_tpot_ms=30)
    assert off["latency_ok"][0] == on["latency_ok"][0] == 1.0
    assert on["output_tokens_per_s"][0] > 3 * off["output_tokens_per_s"][0]
    assert on["tpot_ms"][0] <= 30 * (1 + 1e-6)
    assert perf.evaluate(r, 1000, 300, p, max_tpot_ms=25)["latency_ok"][0] == 0.0
    assert perf.evaluate(r, 1000, 300, q, max_tpot_ms=25)["latency_ok"][0] == 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a1=st.floats(0.0, 1.0), a2=st.floats(0.0, 1.0), k=st.integers(1, 4),
       tpot=st.sampled_from([15.0, 30.0, 60.0, math.inf]))
def test_higher_acceptance_never_serves_less(catalog, p, a1, a2, k, tpot):
    lo, hi = sorted((a1, a2))
    r = _rows(catalog, p, gpus=2)
    lim = None if math.isinf(tpot) else tpot
    t_lo = perf.evaluate(r, 1500, 400, replace(p, spec_tokens=k, spec_acceptance=lo), max_tpot_ms=lim)
    t_hi = perf.evaluate(r, 1500, 400, replace(p, spec_tokens=k, spec_acceptance=hi), max_tpot_ms=lim)
    assert t_hi["output_tokens_per_s"][0] >= t_lo["output_tokens_per_s"][0] * (1 - 2e-3)


def test_decode_pool_serves_more_at_a_per_user_speed(catalog, p):
    lay = Layout(tp=16, ep=16, attention_dp=True)
    r = perf.rows([(catalog.model(V3), catalog.gpu("h800"), "fp8", 16)], p, ["bf16"], [lay])
    off = perf.decode_pool_rate(r, 4000, 1000, p, max_tpot_ms=50)
    on = perf.decode_pool_rate(r, 4000, 1000, replace(p, spec_tokens=1, spec_acceptance=0.85), max_tpot_ms=50)
    assert on["tpot_ms"][0] <= 50 * (1 + 1e-6)
    assert on["output_tokens_per_s"][0] > off["output_tokens_per_s"][0]


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


THROUGHPUT = ["throughput", "--model", L70, "--gpu", "h100-sxm", "--gpus", "2", "--precision", "fp8",
              "--input-tokens", "1000", "--output-tokens", "300", "--max-tpot-ms", "20"]


def test_cli_throughput_reports_the_drafts(capsys):
    rc, out, _ = _cli(capsys, *THROUGHPUT, "--json")
    plain = json.loads(out)
    rc2, out2, _ = _cli(capsys, *THROUGHPUT, "--spec-tokens", "1", "--spec-acceptance", "0.8", "--json")
    assert rc == rc2 == 0
    doc = json.loads(out2)
    assert doc["speculative_decoding"] == {"draft_tokens": 1, "acceptance": 0.8, "tokens_per_step": pytest.approx(1.8)}
    assert plain["speculative_decoding"]["tokens_per_step"] == 1.0
    assert doc["output_tokens_per_s"] > plain["output_tokens_per_s"]
    rc3, text, _ = _cli(capsys, *THROUGHPUT, "--spec-tokens", "1", "--spec-acceptance", "0.8")
    assert rc3 == 0 and "1 draft token(s)/step, 80% accepted (1.80 tokens/step)" in text


@pytest.mark.parametrize(("flags", "needle"), [
    (["--spec-tokens", "1"], "--spec-tokens needs --spec-acceptance"),
    (["--spec-acceptance", "0.8"], "--spec-acceptance without --spec-tokens"),
    (["--spec-tokens", "1", "--spec-acceptance", "1.5"], "--spec-acceptance must be between 0 and 1"),
    (["--spec-tokens", "1", "--spec-acceptance", "nan"], "--spec-acceptance must be between 0 and 1"),
    (["--spec-tokens", "-1", "--spec-acceptance", "0.5"], "--spec-tokens must be between 0 and 8"),
    (["--spec-tokens", "99", "--spec-acceptance", "0.5"], "--spec-tokens must be between 0 and 8"),
])
def test_cli_bad_speculative_flags_are_named(capsys, flags, needle):
    rc, _, err = _cli(capsys, *THROUGHPUT, *flags)
    assert rc == 2 and needle in err


def test_selfhost_cost_with_drafts_is_its_own_route_and_cheaper_under_a_tight_target(catalog):
    w = Workload(name="chat", requests_per_month=20e6, input_tokens=1000, output_tokens=300, max_tpot_ms=30)
    plain = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8")
    drafts = plain.model_copy(update={"spec_tokens": 1, "spec_acceptance": 0.8})
    df = selfhost_frame(catalog, [plain, drafts], [w])
    assert len(df) == 2 and df["route_id"].nunique() == 2
    spec_row = df[df["route_id"].str.contains("/spec1@80%")]
    plain_row = df[~df["route_id"].str.contains("/spec")]
    assert len(spec_row) == 1 and len(plain_row) == 1
    assert spec_row["monthly_usd"].iloc[0] < plain_row["monthly_usd"].iloc[0]
    assert spec_row["route_id"].iloc[0].endswith("/spec1@80%")
    assert spec_row["route_id"].iloc[0].removesuffix("/spec1@80%") == plain_row["route_id"].iloc[0]


def test_scenario_field_bounds():
    with pytest.raises(ValueError, match="spec_acceptance"):
        SelfHostSpec(model=L70, gpu="h100-sxm", spec_tokens=1, spec_acceptance=1.2)
    with pytest.raises(ValueError, match="spec_tokens"):
        SelfHostSpec(model=L70, gpu="h100-sxm", spec_tokens=9, spec_acceptance=0.5)
