"""Disaggregated prefill/decode deployments in scenarios: SelfHostSpec.disaggregate and its pins, priced by
selfhost_frame (hence compare and the reports) through selfhost.disaggregated_cost."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from pricing import compare, selfhost
from pricing.errors import DataError, InputError
from pricing.schema import Scenario, SelfHostChoice, SelfHostSpec, Workload

V3 = "deepseek-ai/DeepSeek-V3"
DAY = dt.date(2026, 11, 30)
# 100 requests/s on average, half the prompt cached, 50 ms per output token
BIG = Workload(name="big", requests_per_month=262_800_000, input_tokens=4000, output_tokens=1000,
               cached_input_fraction=0.5, max_tpot_ms=50)
SMALL = Workload(name="small", requests_per_month=2_000_000, input_tokens=2000, output_tokens=500)


def spec(**kw) -> SelfHostSpec:
    return SelfHostSpec(model=V3, gpu="h100-sxm", precision="fp8", **kw)


def test_scenario_round_trip_keeps_the_disaggregated_fields() -> None:
    s = Scenario(name="pd", workloads=(BIG,), options=(
        SelfHostChoice(selfhost=spec(disaggregate=True, prefill_gpus=16, decode_gpus=32, redundant_experts=32)),
        SelfHostChoice(selfhost=spec())))
    text = compare.dump_scenario(s)
    assert "disaggregate: true" in text and "prefill_gpus: 16" in text and "redundant_experts: 32" in text
    back = compare.load_scenario(text, "round-trip")
    assert back == s
    assert back.options[1].selfhost.disaggregate is False  # type: ignore[union-attr]


@pytest.mark.parametrize(("kw", "field"), [
    ({"prefill_gpus": 16}, "prefill_gpus"),
    ({"decode_gpus": 8}, "decode_gpus"),
    ({"redundant_experts": 32}, "redundant_experts"),
    ({"disaggregate": True, "gpus": 16}, "disaggregate"),
    ({"disaggregate": True, "tp": 8}, "disaggregate"),
    ({"disaggregate": True, "redundant_experts": 600}, "redundant_experts"),
    ({"disaggregate": True, "prefill_gpus": 0}, "prefill_gpus"),
])
def test_bad_fields_are_named(kw, field) -> None:
    text = ("name: x\nworkloads: [{name: a, requests_per_month: 1000, input_tokens: 10, output_tokens: 10}]\n"
            f"options:\n  - selfhost: {{model: {V3}, gpu: h100-sxm, "
            + ", ".join(f"{k}: {str(v).lower()}" for k, v in kw.items()) + "}\n")
    with pytest.raises(DataError) as e:
        compare.load_scenario(text, "bad.yaml")
    msg = str(e.value)
    assert "bad.yaml" in msg and field in msg


def test_a_pin_no_layout_has_is_named_with_its_field(catalog) -> None:
    bad = SelfHostSpec(model=V3, gpu="l40s", precision="fp8", disaggregate=True, prefill_gpus=8, decode_gpus=16)
    s = Scenario(name="pins", workloads=(BIG,), options=(SelfHostChoice(selfhost=bad),))
    with pytest.raises(DataError) as e:
        compare.check_scenario_ids(s, catalog)
    assert [(i.entry, i.field) for i in e.value.issues] == [("options[0]", "selfhost.decode_gpus")]
    assert "16 x l40s" in str(e.value) and "PCIe" in str(e.value)
    with pytest.raises(InputError, match=r"selfhost\.decode_gpus 16"):
        selfhost.selfhost_frame(catalog, [bad], [BIG], today=DAY)


def test_a_pin_too_small_for_the_model_gives_a_warning_naming_it(catalog) -> None:
    row = selfhost.selfhost_frame(catalog, [spec(disaggregate=True, prefill_gpus=3)], [BIG], today=DAY).iloc[0]
    assert math.isnan(row["monthly_usd"]) and not row["fits"]
    assert "selfhost.prefill_gpus 3" in row["warnings"] and "does not fit" in row["warnings"]
    assert row["route_id"].endswith("/disagg/prefill3gpus")


def test_frame_row_is_disaggregated_cost(catalog) -> None:
    for kw in ({}, {"prefill_gpus": 16, "redundant_experts": 32}, {"hosting": "owned"}):
        s = spec(disaggregate=True, **kw)
        row = selfhost.selfhost_frame(catalog, [s], [BIG], today=DAY).iloc[0]
        d = selfhost.disaggregated_cost(catalog, s, BIG, today=DAY)
        assert row["monthly_usd"] == pytest.approx(d["monthly_usd"])
        assert row["gpus"] == d["gpus"] == d["prefill"]["gpus"] + d["decode"]["gpus"]
        assert row["route_id"] == d["route_id"]
        assert row["ttft_ms"] == pytest.approx(d["ttft_ms"]) and row["tpot_ms"] == pytest.approx(d["tpot_ms"])
        for k, v in d["breakdown"].items():
            assert row[k] == pytest.approx(v)
        pre, dec = d["prefill"], d["decode"]
        assert row["layout"] == (f"prefill {pre['instances']} x EP{pre['layout']['ep']} + "
                                 f"decode {dec['instances']} x EP{dec['layout']['ep']}")
        assert row["replicas"] == pre["instances"] + dec["instances"]
        assert 0 < row["utilization"] <= 1 and row["fits"]
        assert row["ownership"] == ("owned" if kw.get("hosting") else "cloud")
    # the same pins passed as arguments (the CLI's way) give the same plan
    d2 = selfhost.disaggregated_cost(catalog, spec(disaggregate=True), BIG, today=DAY, prefill_gpus=16,
                                     redundant_experts=32)
    assert d2["route_id"].endswith("/disagg/prefill16gpus/red32")


def test_mixed_specs_keep_their_order_and_the_aggregated_rows(catalog) -> None:
    agg, dis = spec(), spec(disaggregate=True)
    alone = selfhost.selfhost_frame(catalog, [agg], [BIG, SMALL], today=DAY)
    mixed = selfhost.selfhost_frame(catalog, [dis, agg, spec(disaggregate=True, decode_gpus=16)], [BIG, SMALL],
                                    today=DAY)
    assert list(mixed["workload"]) == ["big"] * 3 + ["small"] * 3
    assert list(mixed.columns) == list(selfhost.COLUMNS)
    ids = list(mixed["route_id"][:3])
    assert len(set(ids)) == 3 and ids[0].endswith("/disagg") and ids[2].endswith("/disagg/decode16gpus")
    assert ids[1] == alone["route_id"][0]
    for k in (0, 1):
        assert mixed["monthly_usd"][3 * k + 1] == alone["monthly_usd"][k]
    # at 100 requests/s the pools beat the aggregated deployment; at 0.8 requests/s they cost more
    assert mixed["monthly_usd"][0] < mixed["monthly_usd"][1]
    assert mixed["monthly_usd"][3] > mixed["monthly_usd"][4]


def test_a_target_no_pool_meets_gives_a_warning_row(catalog) -> None:
    w = BIG.model_copy(update={"max_ttft_ms": 1.0})
    row = selfhost.selfhost_frame(catalog, [spec(disaggregate=True)], [w], today=DAY).iloc[0]
    assert math.isnan(row["monthly_usd"]) and not row["fits"]
    assert row["warnings"].startswith("disaggregated: ") and "max_ttft_ms" in row["warnings"]
    assert "--" not in row["warnings"] and row["route_id"].endswith("/disagg")


def test_compare_ranks_the_disaggregated_route(catalog) -> None:
    s = Scenario(name="pd", workloads=(BIG,), options=(SelfHostChoice(selfhost=spec()),
                                                      SelfHostChoice(selfhost=spec(disaggregate=True))))
    df = compare.compare(s, catalog, today=DAY)
    assert str(df["route_id"].iloc[0]).endswith("/disagg")
    assert set(df["route_kind"]) == {"selfhost-cloud"}


def test_the_cost_curve_of_a_disaggregated_spec_is_disaggregated_cost_at_each_volume(catalog) -> None:
    """Break-even, plan and sensitivity read selfhost_cost_curve: it must price the pools, not an aggregated
    deployment, and agree with the frame wherever it is evaluated."""
    s = spec(disaggregate=True, redundant_experts=32)
    vols = np.array([2e6, 5e7, 2.628e8, 1e9])
    curve = selfhost.selfhost_cost_curve(catalog, s, BIG, vols, today=DAY)
    agg = selfhost.selfhost_cost_curve(catalog, spec(), BIG, vols, today=DAY)
    for v, c in zip(vols, curve, strict=True):
        w = BIG.model_copy(update={"requests_per_month": float(v)})
        assert c == pytest.approx(selfhost.disaggregated_cost(catalog, s, w, today=DAY)["monthly_usd"])
    assert not np.allclose(curve, agg)
    assert np.all(np.diff(curve) >= 0)
    # a target no pool meets: NaN, as the frame's row
    slow = BIG.model_copy(update={"max_ttft_ms": 1.0})
    assert np.isnan(selfhost.selfhost_cost_curve(catalog, s, slow, vols, today=DAY)).all()


def test_break_even_curves_follow_the_disaggregated_route(catalog) -> None:
    from pricing.analysis.curves import route_curves

    s = Scenario(name="pd", workloads=(BIG,), options=(SelfHostChoice(selfhost=spec()),
                                                      SelfHostChoice(selfhost=spec(disaggregate=True))))
    df = compare.compare(s, catalog, today=DAY)
    curves = {c.route_id: c for c in route_curves(s, catalog, df, today=DAY)}
    for rid, monthly in zip(df["route_id"], df["monthly_usd"], strict=True):
        assert float(curves[rid].cost(np.array([BIG.requests_per_month]))[0]) == pytest.approx(monthly)
