"""compare(): one tidy row per (workload, route), API and self-hosted side by side."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pricing.compare import (
    COLUMNS,
    compare,
    default_options,
    dump_scenario,
    load_scenario,
    portfolio,
    presets,
    to_currency,
    winner_sentence,
)
from pricing.errors import DataError
from pricing.schema import ApiChoice, Scenario, SelfHostChoice, SelfHostSpec, Workload

TODAY = dt.date(2026, 11, 29)
CHAT = presets()["chat assistant"]


def _three_routes(catalog, model_id: str, gpu: str) -> Scenario:
    frame = catalog.offers_frame()
    apis = [ApiChoice(api=i) for i in frame[frame["open_model"] == model_id]["id"]]
    hosted = [SelfHostChoice(selfhost=SelfHostSpec(model=model_id, gpu=gpu, precision="fp8", hosting=h))
              for h in (None, "owned")]
    return Scenario(name="three routes", workloads=(CHAT,), options=(*apis, *hosted))


@pytest.mark.parametrize("model_id,gpu", [
    ("deepseek-ai/DeepSeek-R1", "h200"), ("Qwen/Qwen3-235B-A22B", "h100-sxm"),
    ("zai-org/GLM-4.5", "h200"), ("moonshotai/Kimi-K2-Instruct", "h200"),
    ("deepseek-ai/DeepSeek-V4-Pro", "b200"),
])
def test_the_same_weights_via_apis_rented_and_owned_in_one_table(catalog, model_id: str, gpu: str) -> None:
    df = compare(_three_routes(catalog, model_id, gpu), catalog, today=TODAY)
    kinds = set(df["route_kind"])
    assert "api-open-host" in kinds
    assert {"selfhost-cloud", "selfhost-owned"} <= kinds
    assert (df["open_model"] == model_id).all()
    served = df[df["fits"].astype(bool)]
    assert len(served) >= 3 and served["monthly_usd"].gt(0).all()


def test_maker_api_sits_beside_hosts_where_the_maker_still_sells_the_model(catalog) -> None:
    df = compare(_three_routes(catalog, "zai-org/GLM-4.5", "h200"), catalog, today=TODAY)
    assert "zai/glm-4.5" in set(df[df["route_kind"] == "api-open-first-party"]["route_id"])


def test_columns_rank_and_breakdown_add_up(catalog) -> None:
    s = Scenario(name="s", workloads=(CHAT, presets()["coding agent"]))
    df = compare(s, catalog, today=TODAY)
    assert list(df.columns) == list(COLUMNS)
    for _, g in df.groupby("workload"):
        costs = g.sort_values("rank")["monthly_usd"].dropna().tolist()
        assert costs == sorted(costs)
    ok = df[df["monthly_usd"].notna()]
    parts = ok[[c for c in df.columns if c.startswith("usd_") and c not in
                ("usd_per_mtok", "usd_per_quality_point")]].sum(axis=1)
    assert (abs(parts - ok["monthly_usd"]) <= 1e-6 * ok["monthly_usd"] + 1e-6).all()


def test_defaults_cover_closed_maker_hosts_and_selfhosting(catalog) -> None:
    opts = default_options([CHAT], catalog)
    api = {o.api for o in opts if isinstance(o, ApiChoice)}
    assert any(i.startswith("openai/") for i in api) and any(i.startswith("anthropic/") for i in api)
    assert any(i.startswith("deepseek/") for i in api)
    assert any(catalog.providers[catalog.offer_provider[i]].kind == "open-host" for i in api)
    hosted = [o.selfhost for o in opts if isinstance(o, SelfHostChoice)]
    assert {h.hosting == "owned" for h in hosted} == {True, False}


def test_more_traffic_never_costs_less(catalog) -> None:
    opts = (ApiChoice(api="openai/gpt-4o-mini"),
            SelfHostChoice(selfhost=SelfHostSpec(model="meta-llama/Llama-3.3-70B-Instruct", gpu="h100-sxm")))
    lo = compare(Scenario(name="a", workloads=(CHAT,), options=opts), catalog, today=TODAY)
    big = CHAT.model_copy(update={"requests_per_month": CHAT.requests_per_month * 10})
    hi = compare(Scenario(name="a", workloads=(big,), options=opts), catalog, today=TODAY)
    a, b = lo.set_index("route_id")["monthly_usd"], hi.set_index("route_id")["monthly_usd"]
    assert (b >= a).all() and b["openai/gpt-4o-mini"] == pytest.approx(10 * a["openai/gpt-4o-mini"])


def test_provider_discount_applies(catalog) -> None:
    s = Scenario(name="d", workloads=(CHAT,), options=(ApiChoice(api="openai/gpt-4o"),))
    base = compare(s, catalog, today=TODAY)["monthly_usd"].iloc[0]
    disc = s.model_copy(update={"overrides": s.overrides.model_copy(update={"provider_discount": {"openai": 0.2}})})
    assert compare(disc, catalog, today=TODAY)["monthly_usd"].iloc[0] == pytest.approx(0.8 * base)


def test_unknown_ids_in_a_scenario_are_named(catalog) -> None:
    s = Scenario(name="bad", workloads=(CHAT,), options=(
        ApiChoice(api="openai/gpt-4o-minii"),
        SelfHostChoice(selfhost=SelfHostSpec(model="deepseek-ai/DeepSeek-R1", gpu="h900"))))
    with pytest.raises(DataError) as e:
        compare(s, catalog)
    text = str(e.value)
    assert "options[0]: api" in text and "openai/gpt-4o-mini" in text
    assert "options[1]: selfhost.gpu" in text and "h900" in text


def test_winner_sentence_and_portfolio(catalog) -> None:
    s = Scenario(name="p", workloads=(CHAT, presets()["RAG over documents"]), options=(
        ApiChoice(api="openai/gpt-4o"), ApiChoice(api="openai/gpt-4o-mini")))
    df = compare(s, catalog, today=TODAY)
    text = winner_sentence(df)
    assert "gpt-4o-mini" in text.split("cheapest")[0] and "all workloads" in text
    pf = portfolio(df)
    assert pf["monthly_usd"].iloc[0] == pytest.approx(df[df["route_id"] == "openai/gpt-4o-mini"]["monthly_usd"].sum())
    one = winner_sentence(df, workload="chat assistant", currency="EUR", rate=0.5)
    assert "EUR" in one


def test_missing_quality_stays_missing(catalog) -> None:
    s = Scenario(name="q", workloads=(CHAT,), options=(ApiChoice(api="openai/gpt-4o"),
                 SelfHostChoice(selfhost=SelfHostSpec(model="meta-llama/Llama-3.1-8B-Instruct", gpu="l4"))))
    q = compare(s, catalog, today=TODAY)["quality_index"]
    assert not (q == 0).any()
    assert all(math.isnan(v) or v > 0 for v in q)


def test_scenario_yaml_round_trip_and_errors() -> None:
    s = Scenario(name="rt", workloads=(CHAT,), options=(ApiChoice(api="openai/gpt-4o"),))
    assert load_scenario(dump_scenario(s)) == s
    with pytest.raises(DataError, match="workloads"):
        load_scenario("name: x\nworkloads: []\n", "up.yaml")
    with pytest.raises(DataError, match=r"up.yaml.*workloads\[0\] \(w\).*requests_per_month"):
        load_scenario("name: x\nworkloads:\n  - {name: w, requests_per_month: -5, input_tokens: 1, output_tokens: 1}\n",
                      "up.yaml")
    with pytest.raises(DataError, match="over"):
        load_scenario("name: x\n" + "#" * 1_100_000, "big.yaml")


def test_currency_conversion_renames_money_columns(catalog) -> None:
    s = Scenario(name="c", workloads=(Workload(name="w", requests_per_month=1000, input_tokens=100,
                                               output_tokens=10),), options=(ApiChoice(api="openai/gpt-4o"),))
    df = compare(s, catalog, today=TODAY)
    eur = to_currency(df, "EUR", 0.9)
    assert eur["monthly_eur"].iloc[0] == pytest.approx(0.9 * df["monthly_usd"].iloc[0])
    assert "monthly_usd" not in eur
