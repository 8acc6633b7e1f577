"""How-sure page: one row per driver with its range, and a stated warning for each driver that changes the winner."""

from __future__ import annotations

from pricing.analysis import DEFAULT_DRIVERS
from tests.app_helpers import new_app, no_exceptions


def test_every_driver_is_listed_and_winner_changes_are_stated() -> None:
    at = new_app()
    at.query_params.update({"w0_preset": "coding agent", "w0_req": "20000000"})
    at.run()
    at.switch_page("views/sensitivity.py")
    at.run()
    no_exceptions(at)
    table = at.dataframe[0].value
    assert set(table["Driver"]) == {d.label for d in DEFAULT_DRIVERS}
    flips = table[table["Changes the winner"]]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == len(flips)
    for label in flips["Driver"]:
        assert any(w.startswith(label) for w in warnings)
    if flips.empty:
        assert at.success


def test_the_table_says_what_each_end_costs_and_fits_the_page() -> None:
    import json

    at = new_app()
    at.run()
    at.switch_page("views/sensitivity.py").run()
    no_exceptions(at)
    table = at.dataframe[0]
    df = table.value
    cols = json.loads(table.proto.columns)
    assert sum(cols[c]["width"] for c in df.columns) <= 978  # the grid: 980 px less its borders
    assert cols["Cost at low"]["label"] == "At low ($/mo)"
    assert (df["Cost at low"] <= df["Cost at high"]).sum() >= 1 and df[["Cost at low", "Cost at high"]].gt(0).all().all()
