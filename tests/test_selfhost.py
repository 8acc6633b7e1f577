"""Sizing and monthly cost of self-hosting: hand-checked money, warnings, route ids, and invariants."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import gpu_price, selfhost
from pricing.errors import InputError, UnknownIdError
from pricing.schema import Overrides, SelfHostSpec, Workload

R1 = "deepseek-ai/DeepSeek-R1"
L70 = "meta-llama/Llama-3.3-70B-Instruct"
CHAT = Workload(name="chat", requests_per_month=3e6, input_tokens=1200, output_tokens=300,
                peak_to_average=3, max_ttft_ms=2000, min_output_tokens_per_s=20)
TODAY = dt.date(2026, 11, 29)


def frame(catalog, specs, workloads=(CHAT,), ov=None):
    return selfhost.selfhost_frame(catalog, specs, list(workloads), ov, today=TODAY)


def test_columns_and_one_row_per_workload_and_spec(catalog):
    specs = [SelfHostSpec(model=R1, gpu="h200", precision="fp8"),
             SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8", hosting="owned")]
    w2 = CHAT.model_copy(update={"name": "other", "requests_per_month": 1e5})
    df = frame(catalog, specs, [CHAT, w2])
    assert list(df.columns) == list(selfhost.COLUMNS)
    assert len(df) == 4
    assert list(df["workload"]) == ["chat", "chat", "other", "other"]
    assert df["fits"].all()
    assert (df["monthly_usd"] > 0).all()
    parts = df[["usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops"]].sum(axis=1)
    assert np.allclose(parts, df["monthly_usd"])
    assert np.allclose(df["usd_per_mtok"], df["monthly_usd"] / df["tokens_per_month"] * 1e6)
    assert (df["gpus"] == df["replicas"] * df["gpus_per_replica"]).all()


def test_route_id_and_label(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8", hosting="aws/p5en.48xlarge")
    row = frame(catalog, [spec]).iloc[0]
    assert row["route_id"] == "self/deepseek-ai/DeepSeek-R1/h200/fp8/aws/p5en.48xlarge/on_demand"
    assert re.fullmatch(r"DeepSeek-R1 on \d+x H200, fp8, rented \(aws, on-demand\)", row["label"])
    assert row["layout"].startswith("tp=") and row["engine"] == "default"
    owned = frame(catalog, [spec.model_copy(update={"hosting": "owned"})]).iloc[0]
    assert owned["route_id"] == "self/deepseek-ai/DeepSeek-R1/h200/fp8/owned/purchase"
    assert owned["ownership"] == "owned" and owned["label"].endswith("owned")


def test_cloud_rent_is_whole_instances_times_hours(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8", hosting="aws/p5en.48xlarge")
    row = frame(catalog, [spec]).iloc[0]
    offer = catalog.cloud["aws/p5en.48xlarge"]
    instances = math.ceil(row["gpus"] / offer.gpu_count)
    assert row["usd_gpu_rent"] == pytest.approx(instances * offer.usd_per_hour_on_demand * 730)


def test_default_price_is_the_market_median_policy_for_the_replica_size(catalog):
    row = frame(catalog, [SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8")]).iloc[0]
    q = gpu_price.quote(catalog.cloud.values(), "h100-sxm", TODAY, gpus_per_replica=int(row["gpus_per_replica"]))
    assert row["price_policy"] == "market-median" and q.policy == "market-median"
    assert row["gpu_usd_per_hour"] == pytest.approx(q.usd_per_gpu_hour)
    assert row["usd_gpu_rent"] == pytest.approx(row["gpus"] * q.usd_per_gpu_hour * 730)
    assert "market median" in row["label"] and "median of current specialist-cloud prices" in row["price_source"]


def test_owned_cost_hand_computed(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8", hosting="owned")
    row = frame(catalog, [spec]).iloc[0]
    a, g = catalog.owned["default"], catalog.gpu("h200")
    gpus = row["gpus"]
    capex = (g.purchase_usd + a.server_usd_per_8_gpus / 8) * (1 + a.networking_fraction) \
        * (1 - a.residual_value_fraction) / (a.amortization_years * 12) * gpus
    kw = g.tdp_w * a.node_power_multiplier / 1000 * gpus
    assert row["usd_capex"] == pytest.approx(capex)
    assert row["usd_power"] == pytest.approx(kw * a.average_power_fraction * a.pue * 730 * a.usd_per_kwh)
    assert row["usd_colocation"] == pytest.approx(kw * a.colocation_usd_per_kw_month)
    assert row["usd_ops"] == pytest.approx(math.ceil(gpus / 8) * a.ops_usd_per_node_month)
    assert row["usd_gpu_rent"] == 0


def test_owned_overrides(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8", hosting="owned")
    base = frame(catalog, [spec]).iloc[0]
    cheap = frame(catalog, [spec], ov=Overrides(gpu_purchase_usd={"h200": 20000}, usd_per_kwh=0.16)).iloc[0]
    assert cheap["usd_capex"] < base["usd_capex"]
    assert cheap["usd_power"] == pytest.approx(2 * base["usd_power"])
    assert cheap["price_source"].startswith("GPU: user override")


def test_does_not_fit_is_kept_with_nan_and_warning(catalog):
    spec = SelfHostSpec(model=R1, gpu="h100-sxm", precision="fp8", gpus=8)
    row = frame(catalog, [spec]).iloc[0]
    assert not row["fits"]
    assert math.isnan(row["monthly_usd"])
    assert row["warnings"].startswith("does not fit")
    # without forcing 8 GPUs, instances of two or more nodes of H100 serve it
    ok = frame(catalog, [spec.model_copy(update={"gpus": None})]).iloc[0]
    assert ok["fits"] and ok["gpus_per_replica"] >= 16 and ok["gpus_per_replica"] % 8 == 0


def test_latency_target_infeasible(catalog):
    w = CHAT.model_copy(update={"max_tpot_ms": 2.0, "min_output_tokens_per_s": None})
    row = frame(catalog, [SelfHostSpec(model=R1, gpu="h200", precision="fp8")], [w]).iloc[0]
    assert not row["fits"] and math.isnan(row["monthly_usd"])
    assert "latency target infeasible" in row["warnings"]


def test_latency_is_met(catalog):
    row = frame(catalog, [SelfHostSpec(model=R1, gpu="h200", precision="fp8")]).iloc[0]
    assert row["tpot_ms"] <= 50 + 1e-6 and row["ttft_ms"] <= 2000


def test_stale_price_warning(catalog):
    spec = SelfHostSpec(model=L70, gpu="a100-80gb", precision="bf16", hosting="azure/nd96amsr-a100-v4")
    row = frame(catalog, [spec]).iloc[0]
    assert "days old" in row["warnings"]
    fresh = selfhost.selfhost_frame(catalog, [spec], [CHAT], today=catalog.cloud[spec.hosting].as_of).iloc[0]
    assert "days old" not in fresh["warnings"]


def test_spot_without_spot_prices_falls_back_with_warning(catalog):
    row = frame(catalog, [SelfHostSpec(model=L70, gpu="mi300x", precision="fp8", price_type="spot")]).iloc[0]
    assert "on-demand used" in row["warnings"]


def test_hosting_for_another_gpu_is_an_error(catalog):
    with pytest.raises(InputError, match="rents"):
        frame(catalog, [SelfHostSpec(model=L70, gpu="h200", precision="fp8", hosting="aws/p5.48xlarge")])
    with pytest.raises(UnknownIdError):
        frame(catalog, [SelfHostSpec(model=L70, gpu="h200", precision="fp8", hosting="aws/nope")])


def test_batch_share_does_not_add_to_the_peak(catalog):
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8", gpus=2)
    w = CHAT.model_copy(update={"requests_per_month": 3e7})
    peak = frame(catalog, [spec], [w]).iloc[0]
    half = frame(catalog, [spec], [w.model_copy(update={"batch_fraction": 0.5})]).iloc[0]
    assert half["replicas"] < peak["replicas"]
    flat = frame(catalog, [spec], [w.model_copy(update={"batch_fraction": 1.0})]).iloc[0]
    assert flat["replicas"] == pytest.approx(
        frame(catalog, [spec], [w.model_copy(update={"peak_to_average": 1})]).iloc[0]["replicas"])


def test_headroom_and_n_plus_one_add_capacity(catalog):
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8", gpus=2)
    w = CHAT.model_copy(update={"requests_per_month": 3e7})
    base = frame(catalog, [spec], [w]).iloc[0]
    n1 = frame(catalog, [spec.model_copy(update={"n_plus_one": True})], [w]).iloc[0]
    assert n1["replicas"] == base["replicas"] + 1
    assert n1["route_id"].endswith("/n+1")
    room = frame(catalog, [spec], [w], Overrides(headroom_fraction=0.5)).iloc[0]
    assert room["replicas"] >= 2 * base["replicas"] - 1


def test_autoscale_follows_the_hourly_profile(catalog):
    prof = tuple([1.0] * 8 + [4.0] * 8 + [1.0] * 8)
    w = CHAT.model_copy(update={"requests_per_month": 3e7, "hourly_profile": prof})
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8", gpus=2)
    on = frame(catalog, [spec], [w]).iloc[0]
    auto = frame(catalog, [spec.model_copy(update={"autoscale": True})], [w]).iloc[0]
    assert auto["monthly_usd"] < on["monthly_usd"]
    assert auto["utilization"] > on["utilization"]
    assert on["replicas"] == auto["replicas"]  # the peak fleet is the same


def test_no_price_anywhere_gives_nan_and_warning(catalog):
    nowhere = Overrides(gpu_price_policy="provider:lambda")  # Lambda rents no MI300X
    row = frame(catalog, [SelfHostSpec(model=L70, gpu="mi300x", precision="fp8")], ov=nowhere).iloc[0]
    assert math.isnan(row["monthly_usd"]) and "lambda has no on-demand price for mi300x" in row["warnings"]
    priced = frame(catalog, [SelfHostSpec(model=L70, gpu="mi300x", precision="fp8")],
                   ov=nowhere.model_copy(update={"gpu_usd_per_hour": {"mi300x": 2.0}})).iloc[0]
    assert priced["monthly_usd"] == pytest.approx(priced["gpus"] * 2.0 * 730)
    assert priced["price_policy"] == "own-price" and priced["gpu_usd_per_hour"] == 2.0


def test_cost_curve_is_a_staircase_matching_the_frame(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8")
    vols = np.array([1e3, 3e6, 1e8, 1e9])
    curve = selfhost.selfhost_cost_curve(catalog, spec, CHAT, vols)
    assert curve.shape == (4,)
    assert curve[0] <= curve[1]  # one unit minimum
    assert curve[3] > curve[2] > curve[1]
    assert curve[1] == pytest.approx(frame(catalog, [spec]).iloc[0]["monthly_usd"])


def test_best_deployments_fit_and_are_sorted(catalog):
    best = selfhost.best_deployments(catalog, R1, CHAT, limit=3, today=TODAY)
    assert 1 <= len(best) <= 3
    df = frame(catalog, best)
    assert df["fits"].all()
    assert list(df["monthly_usd"]) == sorted(df["monthly_usd"])
    assert all(s.precision == "fp8" for s in best)  # DeepSeek-R1's native precision


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), v1=st.floats(1e3, 1e10), v2=st.floats(1e3, 1e10))
def test_more_traffic_never_lowers_cost(catalog, data, v1, v2):
    model = data.draw(st.sampled_from([R1, L70, "Qwen/Qwen3-235B-A22B", "openai/gpt-oss-120b"]))
    g = data.draw(st.sampled_from(["h100-sxm", "h200", "a100-80gb", "l40s"]))
    owned = data.draw(st.booleans())
    spec = SelfHostSpec(model=model, gpu=g, precision="fp8", hosting="owned" if owned else None)
    lo, hi = sorted((v1, v2))
    c = selfhost.selfhost_cost_curve(catalog, spec, CHAT, np.array([lo, hi]))
    if np.isfinite(c).all():
        assert c[1] >= c[0]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=st.floats(0.2, 50), vol=st.floats(1e4, 1e9))
def test_doubling_gpu_price_doubles_the_gpu_share(catalog, price, vol):
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8")
    w = CHAT.model_copy(update={"requests_per_month": vol})
    a = frame(catalog, [spec], [w], Overrides(gpu_usd_per_hour={"h100-sxm": price})).iloc[0]
    b = frame(catalog, [spec], [w], Overrides(gpu_usd_per_hour={"h100-sxm": 2 * price})).iloc[0]
    assert b["usd_gpu_rent"] == pytest.approx(2 * a["usd_gpu_rent"])
    assert b["gpus"] == a["gpus"]


def test_sweep_shape_and_consistency(catalog):
    vols = np.geomspace(1e4, 1e9, 5)
    specs, cost = selfhost.sweep(catalog, [R1, L70], ["h200", "h100-sxm"], ["fp8", "bf16"], CHAT, vols)
    assert cost.shape == (8, 5)
    for i, s in enumerate(specs):
        np.testing.assert_allclose(cost[i], selfhost.selfhost_cost_curve(catalog, s, CHAT, vols))


def test_efficiency_scale_lowers_cost_at_volume(catalog):
    spec = SelfHostSpec(model=L70, gpu="h100-sxm", precision="fp8")
    w = CHAT.model_copy(update={"requests_per_month": 1e8})
    base = frame(catalog, [spec], [w]).iloc[0]
    fast = frame(catalog, [spec], [w], Overrides(efficiency_scale=2.0)).iloc[0]
    assert fast["monthly_usd"] < base["monthly_usd"]


def test_owned_assumption_overrides(catalog):
    spec = SelfHostSpec(model=R1, gpu="h200", precision="fp8", hosting="owned")
    base = frame(catalog, [spec]).iloc[0]
    a = catalog.owned["default"]
    ov = Overrides(amortization_years=a.amortization_years * 2, pue=a.pue * 1.5,
                   colocation_usd_per_kw_month=0, ops_usd_per_node_month=a.ops_usd_per_node_month * 3,
                   residual_value_fraction=a.residual_value_fraction)
    row = frame(catalog, [spec], ov=ov).iloc[0]
    assert row["usd_capex"] == pytest.approx(base["usd_capex"] / 2)
    assert row["usd_power"] == pytest.approx(base["usd_power"] * 1.5)
    assert row["usd_colocation"] == 0
    assert row["usd_ops"] == pytest.approx(base["usd_ops"] * 3)
    assert selfhost.owned_assumptions(catalog, Overrides(usd_per_kwh=0.2)).usd_per_kwh == 0.2
