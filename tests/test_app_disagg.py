"""Dashboard: prefill/decode disaggregation in the Self-hosting detail (MoE models only, kept in the URL) and
in the Compare page's candidate picker (the ':disagg' token)."""

from __future__ import annotations

import datetime as dt

import pytest

from app import state
from pricing import selfhost
from pricing.compare import PRESETS
from pricing.schema import Overrides, SelfHostSpec, Workload
from tests.app_helpers import new_app, no_exceptions

V3 = "deepseek-ai/DeepSeek-V3"
BIG = {"w0_req": "262800000", "w0_in": "4000", "w0_out": "1000", "w0_rsn": "0", "w0_cache": "0.5",
       "w0_tps": "20", "w0_ttft": "0"}


def _detail(model: str, **query: str):
    at = new_app()
    for k, v in {"sd_pick": "other", "sd_model": model, "sd_gpu": "h200", **BIG, **query}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("views/selfhost.py").run()
    no_exceptions(at)
    return at


def test_the_section_shows_both_pools_next_to_the_aggregated_deployment(catalog) -> None:
    at = _detail(V3, sd_disagg="1")
    assert any(h.value == "Prefill/decode disaggregated" for h in at.subheader)
    table = next(d.value for d in at.dataframe if "Deployment" in d.value.columns)
    assert list(table["Deployment"]) == ["Prefill pool", "Decode pool", "Both pools", "Aggregated (best layout)"]
    assert "None" not in table.to_string() and "nan" not in table.to_string()
    # every figure comes from pricing: the same spec priced by selfhost.disaggregated_cost
    w = next(x for x in _scenario_workloads(at))
    d = selfhost.disaggregated_cost(catalog, SelfHostSpec(model=V3, gpu="h200", precision="fp8", disaggregate=True),
                                    w, Overrides(), today=_today())
    assert table["GPUs"].iloc[2] == f"{d['gpus']:,}"
    assert table["Monthly"].iloc[2] == f"{d['monthly_usd']:,.0f}"
    assert table["Layout"].iloc[1] == f"EP{d['decode']['layout']['ep']}"
    assert table["TPOT (ms)"].iloc[1] == f"{d['decode']['tpot_ms']:,.1f}"
    metrics = {m.label: m.value for m in at.metric}
    assert "Both pools, per month" in metrics and "Aggregated, per month" in metrics
    assert metrics["Pools vs aggregated"].endswith("%")
    # the redundant experts input changes the plan's route and is kept in the URL
    at.number_input(key="sd_red").set_value(32).run()
    no_exceptions(at)
    assert at.query_params.get("sd_red") in (["32"], "32")


def test_the_toggle_is_kept_in_the_url_and_off_by_default() -> None:
    at = _detail(V3)
    box = at.checkbox(key="sd_disagg")
    assert box.value is False
    assert not any("Deployment" in d.value.columns for d in at.dataframe)
    box.check().run()
    no_exceptions(at)
    assert at.query_params.get("sd_disagg") in (["1"], "1", ["true"], "true")
    assert any("Deployment" in d.value.columns for d in at.dataframe)


def test_a_dense_model_has_no_disaggregated_section() -> None:
    at = _detail("meta-llama/Llama-3.3-70B-Instruct", sd_disagg="1")
    assert not any(h.value == "Prefill/decode disaggregated" for h in at.subheader)


def test_the_picker_token_carries_the_pools() -> None:
    s = SelfHostSpec(model=V3, gpu="h200", disaggregate=True, prefill_gpus=16, decode_gpus=32, redundant_experts=32)
    token = state.spec_to_str(s)
    assert token == f"{V3}@h200:fp8:cloud:disagg:pre16:dec32:red32"
    assert state.str_to_spec(token) == s
    with pytest.raises(ValueError, match="prefill_gpus needs disaggregate"):
        state.str_to_spec(f"{V3}@h200:fp8:cloud:pre16")
    with pytest.raises(ValueError, match="disaggregate"):
        state.str_to_spec(f"{V3}@h200:fp8:cloud:16:disagg")


def test_compare_prices_a_disaggregated_candidate_from_the_link() -> None:
    at = new_app()
    for k, v in {"cands": "chosen", "sh": f"{V3}@h200:fp8:cloud,{V3}@h200:fp8:cloud:disagg", **BIG}.items():
        at.query_params[k] = v
    at.run()
    no_exceptions(at)
    routes = " ".join(at.dataframe[0].value["Route"].astype(str))
    assert "DeepSeek-V3 P/D on " in routes and "DeepSeek-V3 on " in routes
    at.checkbox(key="add_disagg").check().run()
    at.selectbox(key="add_model").set_value(V3)
    at.selectbox(key="add_gpu").set_value("b200")
    at.button(key="add_route").click().run()
    no_exceptions(at)
    assert f"{V3}@b200:fp8:cloud:disagg" in at.session_state["sh"]


def _scenario_workloads(at) -> list[Workload]:
    """The workload the page shows: the first preset with BIG's fields (the caption names it)."""
    assert any("Workload: **chat assistant**, 4,000 input and 1,000 output" in c.value for c in at.caption)
    base = PRESETS["chat assistant"].model_dump()
    return [Workload.model_validate({**base, "requests_per_month": 262_800_000, "input_tokens": 4000,
                                     "output_tokens": 1000, "reasoning_tokens": 0, "cached_input_fraction": 0.5,
                                     "min_output_tokens_per_s": 20, "max_ttft_ms": None})]


def _today() -> dt.date:
    from pricing import clock

    return clock.today()
