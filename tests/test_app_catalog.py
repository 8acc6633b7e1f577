"""Catalog page: search filters the tables, sources are links, and the user's own prices change the results."""

from __future__ import annotations

import pytest

from tests.app_helpers import new_app, no_exceptions, ranked


@pytest.fixture
def at():
    app = new_app()
    app.run()
    app.switch_page("views/catalog.py")
    app.run()
    no_exceptions(app)
    return app


def test_tables_carry_age_and_source(at, catalog) -> None:
    offers = at.dataframe[0].value
    assert len(offers) == len(catalog.offers)
    assert offers["Price age"].str.match(r"^(fresh|aging|STALE) \(\d+ d\)$").all()
    assert offers["Source"].replace("", None).dropna().str.startswith("http").all()
    assert "provider_kind" not in offers.columns and "Provider kind" in offers.columns


def test_search_filters_every_table(at, catalog) -> None:
    at.text_input(key="cat_q").input("h100")
    at.run()
    no_exceptions(at)
    for df in at.dataframe:
        table = df.value
        if len(table):
            assert table.astype(str).apply(lambda c: c.str.lower().str.contains("h100")).any(axis=1).all()
    gpus = next(d.value for d in at.dataframe if "Bandwidth (TB/s)" in d.value.columns)
    assert set(gpus["Id"]) == {g for g in catalog.gpus if "h100" in g or "h100" in catalog.gpus[g].name.lower()}


def test_own_gpu_price_changes_the_rent_of_self_hosted_routes(at, catalog) -> None:
    at.switch_page("views/compare.py")
    at.run()
    before = ranked(at).set_index("Route id")
    route = next(r for r in before.index if r.startswith("self/") and "/owned/" not in r)
    gpu_id = next(g for g in catalog.gpus if f"/{g}/" in route)
    at.switch_page("views/catalog.py")
    at.run()
    at.number_input(key=f"gpuhr_{gpu_id}").set_value(50.0)
    at.run()
    no_exceptions(at)
    at.switch_page("views/compare.py")
    at.run()
    no_exceptions(at)
    after = ranked(at).set_index("Route id")
    now = [r for r in after.index if r.startswith("self/") and f"/{gpu_id}/" in r and "/owned/" not in r]
    assert now, "the rented route on that GPU disappeared"
    assert after.loc[now[0], "Monthly cost"] > before.loc[route, "Monthly cost"]
    assert at.query_params[f"gpuhr_{gpu_id}"] == "50"


def test_headroom_and_months_travel_with_the_scenario(at) -> None:
    at.number_input(key="headroom").set_value(0.5)
    at.run()
    no_exceptions(at)
    at.switch_page("views/scenario.py")
    at.run()
    from pricing.compare import load_scenario

    scn = load_scenario(at.code[-1].value)
    assert scn.overrides.headroom_fraction == 0.5
    assert scn.months == at.session_state["plan_months"]


def test_retired_offers_struck_through_and_price_history_chart(at, catalog) -> None:
    offers = at.dataframe[0].value.set_index("Id")
    row = offers.loc["deepseek/deepseek-chat"]
    assert row["Status"] == "retired 2026-07-24; use deepseek/deepseek-v4-flash"
    assert "\u0336" in row["Name"]
    assert "\u0336" not in offers.loc["deepseek/deepseek-v4-flash", "Name"]
    assert offers["Price age"].str.startswith(("fresh", "aging", "STALE")).all()
    assert (offers["Price checked"] == "2026-11-20").all()
    at.multiselect(key="cat_hist").set_value(["google/gemini-3.8-flash", "openai/gpt-4o"])
    at.run()
    no_exceptions(at)
    chart = at.get("plotly_chart")[0]
    assert "gemini-3.8-flash scheduled input" in chart.proto.spec
    import json

    spec = json.loads(chart.proto.spec)
    ticks = spec["layout"]["yaxis"]["ticktext"]  # money on the log axis, not bare digits '3 4 5 ... 1 2'
    assert len(ticks) >= 2 and all(t.startswith("$") for t in ticks), ticks
    by_name = {t["name"].replace("<br>", " "): t["line"]["color"] for t in spec["data"] if t.get("line")}
    assert by_name["openai/gpt-4o input"] == by_name["openai/gpt-4o output"]  # one colour per offer
    assert by_name["openai/gpt-4o input"] != by_name["google/gemini-3.8-flash input"]
    assert any("price per quality point" in c.value for c in at.caption)


def test_price_history_of_a_family(at) -> None:
    at.selectbox(key="cat_hist_family").set_value("gemini")
    at.run()
    no_exceptions(at)
    assert any("gemini: google/" in c.value for c in at.caption)


def test_cache_and_batch_columns_never_blank(at, catalog) -> None:
    """An offer without a cache-read or batch price says why (none published, or not known), never a blank."""
    offers = at.dataframe[0].value.set_index("Id")
    for col in ("Cache read", "Batch API"):
        assert offers[col].astype(str).str.len().gt(0).all()
    assert offers.loc["groq/qwen/qwen3.8-27b", "Cache read"] == "no cache discount published"
    assert offers.loc["deepseek/deepseek-v4-pro", "Batch API"] == "no batch API"
    priced = catalog.offers["anthropic/claude-haiku-4-5"]
    assert offers.loc["anthropic/claude-haiku-4-5", "Cache read"] == f"${priced.usd_per_mtok_cached_input:g}/1M"
