"""check_feed: fetch a feed from a real local server and list where it disagrees with the catalog."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from pricing.errors import PricingError
from pricing.refresh.check import check_feed
from tests.app_helpers import new_app, no_exceptions
from tests.test_refresh_http import FAST, LITELLM_SMALL, FeedServer, Reply


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


def _changed() -> dict:
    raw = copy.deepcopy(LITELLM_SMALL)
    raw["gpt-4o"]["input_cost_per_token"] = raw["gpt-4o"]["input_cost_per_token"] * 1.5
    return raw


def test_a_changed_price_is_listed_with_both_values(server: FeedServer, catalog) -> None:
    url = server.serve_json("/prices.json", _changed())
    df = check_feed(catalog, "litellm", url, FAST)
    row = df[(df["offer_id"] == "openai/gpt-4o") & (df["field"] == "usd_per_mtok_input")]
    assert len(row) == 1
    assert row["feed"].iloc[0] == pytest.approx(1.5 * row["ours"].iloc[0])
    assert row["pct_diff"].iloc[0] == pytest.approx(50.0)


def test_the_same_prices_give_no_disagreement(server: FeedServer, catalog) -> None:
    url = server.serve_json("/prices.json", LITELLM_SMALL)
    assert "openai/gpt-4o" not in set(check_feed(catalog, "litellm", url, FAST)["offer_id"])


@pytest.mark.parametrize("reply,expected_error", [
    (Reply(500, b"oops"), "500"),
    (Reply(200, b'{"gpt-4o": {"input_cost_per'), "JSON"),
])
def test_broken_feeds_raise_a_user_error(server: FeedServer, catalog, reply: Reply, expected_error: str) -> None:
    url = server.serve("/bad.json", reply)
    with pytest.raises(PricingError, match=expected_error):
        check_feed(catalog, "litellm", url, FAST)


def test_only_http_urls_and_known_sources(catalog) -> None:
    with pytest.raises(PricingError, match="http"):
        check_feed(catalog, "litellm", "file:///etc/passwd", FAST)
    with pytest.raises(PricingError, match="unknown price source"):
        check_feed(catalog, "nope", "http://127.0.0.1:1/x", FAST)


def test_catalog_page_shows_the_disagreements_and_errors(server: FeedServer) -> None:
    at = new_app()
    at.run()
    at.switch_page("views/catalog.py")
    at.run()
    at.text_input(key="chk_url").input(server.serve_json("/prices.json", _changed()))
    at.get("form_submit_button")[0].click()
    at.run(timeout=60)
    no_exceptions(at)
    assert any("differ from litellm" in w.value for w in at.warning)
    diff = next(d.value for d in at.dataframe if "offer_id" in d.value.columns)
    assert "openai/gpt-4o" in set(diff["offer_id"])
    at.text_input(key="chk_url").input("ftp://example.org/x")
    at.get("form_submit_button")[0].click()
    at.run(timeout=60)
    no_exceptions(at)
    assert any("Could not check" in e.value for e in at.error)
