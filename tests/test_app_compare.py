"""Compare page behaviour: widgets change the ranked table and the stated winner as the core says they should."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pricing.api_cost import api_cost_frame
from pricing.catalog import default_catalog
from pricing.compare import presets
from tests.app_helpers import new_app, no_exceptions, ranked, winner

A, B = "openai/gpt-4o-mini", "deepseek/deepseek-v4-flash"  # deepseek-chat retired 2026-07-24


@pytest.fixture
def at(monkeypatch):
    # A and B are fixed ids, both on sale on this date (gpt-4o-mini retires 2027-01-14): pin it
    monkeypatch.setenv("PRICING_TODAY", "2026-11-30")
    app = new_app()
    app.run()
    no_exceptions(app)
    return app


def test_default_view_ranks_by_monthly_cost_and_names_the_winner(at) -> None:
    df = ranked(at)
    assert len(df) >= 10
    money = df["Monthly cost"].dropna()
    assert money.is_monotonic_increasing
    assert df["Rank"].iloc[0] == 1
    assert df["Route"].iloc[0] in winner(at)
    kinds = set(df["Kind"])
    assert {"Closed API", "Self-hosted, rented", "Hosted open weights"} <= kinds


def test_volume_change_scales_api_costs_and_updates_table(at) -> None:
    before = ranked(at).set_index("Route id")["Monthly cost"]
    at.number_input(key="w0_req").set_value(at.session_state["w0_req"] * 100)
    at.run()
    no_exceptions(at)
    after = ranked(at).set_index("Route id")["Monthly cost"]
    api = [r for r in before.index if not r.startswith("self/") and r in after.index]
    assert api
    for r in api:
        assert after[r] == pytest.approx(before[r] * 100, rel=1e-9)


def _choose(at, ids: list[str]) -> None:
    at.session_state["cands"] = "chosen"
    at.session_state["api"] = ids
    at.session_state["sh"] = []
    at.run()
    no_exceptions(at)


def test_chosen_candidates_and_a_discount_flip_the_winner(at) -> None:
    _choose(at, [A, B])
    df = ranked(at)
    assert set(df["Route id"]) == {A, B}
    w = presets()["chat assistant"]
    core = api_cost_frame(default_catalog(), [A, B], [w])
    cost = dict(zip(core["route_id"], core["monthly_usd"], strict=True))
    cheap, dear = (A, B) if cost[A] < cost[B] else (B, A)
    assert df["Route id"].iloc[0] == cheap
    first = winner(at)
    assert df["Route"].iloc[0] in first
    # a negotiated discount on the dearer route's provider, big enough to make it cheaper
    need = 1 - cost[cheap] / cost[dear]
    disc = min(0.99, round(need + 0.05, 2))
    provider = dear.split("/")[0]
    at.switch_page("views/catalog.py")
    at.run()
    at.number_input(key=f"disc_{provider}").set_value(disc)
    at.run()
    no_exceptions(at)
    at.switch_page("views/compare.py")
    at.run()
    no_exceptions(at)
    df2 = ranked(at)
    assert df2["Route id"].iloc[0] == dear
    assert df2["Monthly cost"].iloc[0] == pytest.approx(cost[dear] * (1 - disc), rel=1e-9)
    assert winner(at) != first
    assert df2["Route"].iloc[0] in winner(at)


def test_currency_converts_every_amount_at_the_typed_rate(at) -> None:
    usd = ranked(at).set_index("Route id")["Monthly cost"]
    at.text_input(key="cur").input("EUR")
    at.run()
    at.number_input(key="rate").set_value(0.5)
    at.run()
    no_exceptions(at)
    eur = ranked(at).set_index("Route id")["Monthly cost"]
    for r in usd.index[:5]:
        assert eur[r] == pytest.approx(usd[r] * 0.5)
    assert "EUR" in winner(at)
    assert any("your assumption" in c.value for c in at.caption)


def test_minimum_quality_hides_unscored_and_weaker_routes(at) -> None:
    df = ranked(at)
    q = df["Quality"].astype(float)
    scored = q.dropna()
    floor = float(scored.median()) if len(scored) else 1.0
    at.number_input(key="minq").set_value(floor)
    at.run()
    no_exceptions(at)
    shown = ranked(at)
    expected = int((q >= floor).sum())
    assert len(shown) == expected
    assert all(x >= floor for x in shown["Quality"].astype(float))
    if expected < len(df):
        assert any("hidden by the quality floor" in i.value for i in at.info)


def test_missing_quality_stays_missing_not_zero(at) -> None:
    q = ranked(at)["Quality"].astype(float)
    assert not (q == 0).any()
    assert q.isna().any() or q.notna().all()
    per_point = ranked(at)["Per quality point"].astype(float)
    assert all(math.isnan(p) for p, x in zip(per_point, q, strict=True) if math.isnan(x))


def test_preset_resets_fields_and_day_toggle_keeps_the_monthly_volume(at) -> None:
    at.selectbox(key="w0_preset").set_value("coding agent")
    at.run()
    no_exceptions(at)
    p = presets()["coding agent"]
    assert at.session_state["w0_in"] == p.input_tokens
    assert at.session_state["w0_req"] == p.requests_per_month
    before = ranked(at).set_index("Route id")["Monthly cost"]
    at.radio(key="w0_per").set_value("day")
    at.run()
    no_exceptions(at)
    assert at.session_state["w0_req"] < p.requests_per_month / 25
    after = ranked(at).set_index("Route id")["Monthly cost"]
    common = before.index.intersection(after.index)
    assert (after[common] - before[common]).abs().max() < 1e-6 * before[common].max()


def test_two_workloads_give_a_portfolio_and_one_sentence_each(at) -> None:
    at.number_input(key="wn").set_value(2)
    at.run()
    no_exceptions(at)
    assert any("all workloads together" in i.value for i in at.info)
    names = [at.session_state["w0_name"], at.session_state["w1_name"]]
    answers = " ".join(str(m.value) for m in at.success)
    assert all(f"For {n}," in answers for n in names)
    at.selectbox(key="focus").set_value(names[1])
    at.run()
    no_exceptions(at)
    assert f"For {names[1]}," in winner(at)


def test_inputs_survive_switching_pages(at) -> None:
    at.number_input(key="w0_out").set_value(777.0)
    at.run()
    for page in ("views/catalog.py", "views/breakeven.py", "views/scenario.py", "views/compare.py"):
        at.switch_page(page)
        at.run()
        no_exceptions(at)
    assert at.number_input(key="w0_out").value == 777.0
    assert at.query_params["w0_out"] == "777"


def test_start_from_the_defaults_then_remove_a_route(at) -> None:
    default_ids = set(ranked(at)["Route id"])
    at.button(key="edit_defaults").click()
    at.run()
    no_exceptions(at)
    assert at.session_state["cands"] == "chosen"
    assert set(ranked(at)["Route id"]) == default_ids
    api = list(at.session_state["api"])
    gone = api[0]
    at.multiselect(key="api").unselect(gone)
    at.run()
    no_exceptions(at)
    assert set(ranked(at)["Route id"]) == default_ids - {gone}


def test_quality_scores_give_a_frontier_and_a_working_filter(monkeypatch) -> None:
    import streamlit as st

    import pricing.compare as cmp_mod

    scores = {"openai/gpt-6-luna": 40.0, "openai/gpt-6.1-sol": 70.0, "deepseek-ai/DeepSeek-V4-Pro": 60.0,
              "anthropic/claude-haiku-5-5": 45.0}
    monkeypatch.setattr(cmp_mod.quality, "score", lambda catalog, key, *a, **k: scores.get(key))
    st.cache_data.clear()
    try:
        at = new_app()
        at.run()
        no_exceptions(at)
        df = ranked(at)
        scored = df[df["Quality"].notna()]
        assert len(scored) >= 3
        assert np.allclose(scored["Per quality point"], scored["Monthly cost"] / scored["Quality"], rtol=1e-12,
                           equal_nan=True)
        assert len(at.get("plotly_chart")) == 2  # component bars and the frontier
        assert any(c.value.startswith("On the frontier") for c in at.caption)
        at.number_input(key="minq").set_value(50.0)
        at.run()
        no_exceptions(at)
        shown = ranked(at)
        assert len(shown) == int((df["Quality"] >= 50).sum())
        assert shown["Quality"].min() >= 50
    finally:
        st.cache_data.clear()


def test_add_a_self_hosted_route(at) -> None:
    at.session_state["cands"] = "chosen"
    at.session_state["api"] = [A]
    at.session_state["sh"] = []
    at.run()
    at.selectbox(key="add_model").set_value("Qwen/Qwen3-32B")
    at.selectbox(key="add_gpu").set_value("h100-sxm")
    at.selectbox(key="add_price").set_value("spot")
    at.run()
    at.button(key="add_route").click()
    at.run()
    no_exceptions(at)
    assert at.session_state["sh"] == ["Qwen/Qwen3-32B@h100-sxm:fp8:cloud:spot"]
    ids = list(ranked(at)["Route id"])
    assert A in ids and any(i.startswith("self/Qwen/Qwen3-32B/h100-sxm/fp8/") for i in ids)
    assert len(ids) == 2
