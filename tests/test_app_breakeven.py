"""Break-even page: chosen routes give one row per pair, and a stated crossing is where their costs meet."""

from __future__ import annotations

import pytest

from tests.app_helpers import new_app, no_exceptions, ranked


@pytest.fixture
def at():
    app = new_app()
    app.run()
    app.switch_page("views/breakeven.py")
    app.run()
    no_exceptions(app)
    return app


def test_default_routes_are_the_cheapest_of_each_kind_with_every_pair(at) -> None:
    table = at.dataframe[0].value
    routes = set(table["Route A"]) | set(table["Route B"])
    n = len(routes)
    assert n >= 3
    assert len(table) == n * (n - 1) // 2
    assert set(table["Status"]) <= {"crossing", "always", "never", "equal"}


def test_two_chosen_routes_give_one_stated_pair() -> None:
    at = new_app()
    at.run()
    ids = list(ranked(at)["Route id"])
    api = next(i for i in ids if not i.startswith("self/"))
    sh = next(i for i in ids if i.startswith("self/"))
    at.switch_page("views/breakeven.py")
    at.run()
    at.multiselect(key="be_routes").set_value([api, sh])
    at.run()
    no_exceptions(at)
    table = at.dataframe[0].value
    assert len(table) == 1
    text = " ".join(m.value for m in at.markdown)
    assert table["Route A"].iloc[0] in text and table["Route B"].iloc[0] in text
    if table["Status"].iloc[0] == "crossing":
        assert "beats" in text and "tokens/month" in text
