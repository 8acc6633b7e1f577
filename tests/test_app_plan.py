"""Plan page: growth raises the cumulative totals; the price-trend assumptions move them."""

from __future__ import annotations

from tests.app_helpers import new_app, no_exceptions


def _totals(at):
    df = at.dataframe[0].value
    return df.set_index("Route")[next(c for c in df.columns if c.startswith("Total after"))]


def test_growth_and_trends_move_the_plan() -> None:
    at = new_app()
    at.run()
    at.switch_page("views/plan.py")
    at.run()
    no_exceptions(at)
    flat = _totals(at)
    at.switch_page("views/compare.py")
    at.run()
    at.number_input(key="w0_growth").set_value(0.1)
    at.run()
    at.switch_page("views/plan.py")
    at.run()
    no_exceptions(at)
    grown = _totals(at)
    common = flat.index.intersection(grown.index)
    assert len(common)
    # growth never lowers a total; API routes pay per token so they always grow (a self-hosted route
    # with spare capacity, e.g. one cheap GPU far from full, can cost the same)
    assert (grown[common] >= flat[common]).all()
    api = [r for r in common if " via " in r]
    assert api and (grown[api] > flat[api]).all()
    assert at.checkbox(key="plan_api_measured").value  # the measured trend is the default
    at.checkbox(key="plan_api_measured").uncheck()
    at.run()
    at.number_input(key="plan_api").set_value(0.0)
    at.run()
    no_exceptions(at)
    steady = _totals(at)
    assert all(steady[r] > grown[r] for r in api if r in steady.index)
    assert at.query_params["plan_api"] == "0" and at.query_params["plan_api_measured"] == "0"


def test_plan_table_shows_kind_and_price_age_within_the_page() -> None:
    import json

    at = new_app()
    at.run()
    at.switch_page("views/plan.py").run()
    no_exceptions(at)
    table = at.dataframe[0]
    df = table.value
    assert list(df.columns) == ["Route", "Kind", "Total after 24 months", "GPUs at the end", "Price age"]
    assert df["Price age"].str.match(r"^(fresh|aging|STALE) \(\d+ d\)$").all(), list(df["Price age"])
    cols = json.loads(table.proto.columns)
    assert sum(cols[c]["width"] for c in df.columns) <= 978  # the grid: 980 px less its borders
    assert cols["Total after 24 months"]["label"] == "Total after 24 months ($)"
