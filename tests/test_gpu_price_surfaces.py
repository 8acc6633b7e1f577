"""Where the GPU price policy shows: catalog JSON, the uncertainty/sensitivity range, reports, app pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pricing import gpu_price
from pricing.analysis.sensitivity import DEFAULT_DRIVERS, with_gpu_price_range
from pricing.analysis.uncertainty import market_gpu_price_range
from pricing.cli import main
from pricing.compare import gpu_price_note, load_scenario
from pricing.report.build import build_report
from tests.app_helpers import new_app, no_exceptions
from tests.conftest import DATA

TODAY = dt.date(2026, 11, 30)


def test_catalog_hosting_json_has_every_field_the_issue_lists(capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", TODAY.isoformat())
    assert main(["catalog", "--kind", "hosting", "--json"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["kind"] == "cloud"]
    assert len(rows) >= 100
    for r in rows:
        for key in ("provider", "gpu", "gpus_per_instance", "single_gpu_rentable", "usd_per_gpu_hour_on_demand",
                    "usd_per_gpu_hour_spot", "usd_per_gpu_hour_1y", "usd_per_gpu_hour_3y", "as_of", "source", "stale"):
            assert key in r, key
    p5 = next(r for r in rows if r["id"] == "aws/p5.48xlarge")
    assert (p5["gpus_per_instance"], p5["single_gpu_rentable"], p5["usd_per_gpu_hour_on_demand"]) == (8, False, 6.88)


def test_catalog_gpus_json_gives_default_price_and_policy(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", TODAY.isoformat())
    assert main(["catalog", "--kind", "gpus", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    h100 = rows["h100-sxm"]
    assert h100["price_policy"] == "market-median"
    assert h100["price_policy_label"] == "median of current specialist-cloud prices"
    assert h100["default_usd_per_gpu_hour"] > 0 and "lambda" in h100["default_price_basis"]
    assert h100["market_p10_usd_per_gpu_hour"] <= h100["market_median_usd_per_gpu_hour"] <= h100["market_p90_usd_per_gpu_hour"]
    assert main(["catalog", "--kind", "gpus", "--json", "--policy", "provider:lambda"]) == 0
    lam = {r["id"]: r for r in json.loads(capsys.readouterr().out)}["h100-sxm"]
    assert lam["price_policy"] == "provider:lambda" and lam["default_usd_per_gpu_hour"] == 4.29


def test_unknown_policy_in_a_scenario_is_a_clear_error(catalog) -> None:
    from pricing.compare import compare
    from pricing.errors import DataError

    s = load_scenario(DATA / "scenarios" / "batch-summaries.yaml")
    bad = s.model_copy(update={"overrides": s.overrides.model_copy(update={"gpu_price_policy": "cheapest"})})
    with pytest.raises(DataError, match="gpu_price_policy"):
        compare(bad, catalog, today=TODAY)


def test_market_spread_is_the_default_gpu_price_range(catalog) -> None:
    from pricing.analysis.curves import with_options

    s = with_options(load_scenario(DATA / "scenarios" / "batch-summaries.yaml"), catalog)
    lo, hi = market_gpu_price_range(catalog, s, TODAY) or (1.0, 1.0)
    p10, _, p90, _ = gpu_price.market_spread(catalog.cloud.values(), "h100-sxm", TODAY)
    q = gpu_price.quote(catalog.cloud.values(), "h100-sxm", TODAY)
    assert (lo, hi) == pytest.approx((p10 / q.usd_per_gpu_hour, p90 / q.usd_per_gpu_hour))
    r = build_report(s, catalog, today=TODAY, samples=200)
    assert r.ranges.gpu_price == pytest.approx((lo, hi))
    tornado = r.tornado[r.tornado["driver"] == "gpu_price"].iloc[0]
    assert (tornado["low"], tornado["high"]) == (round(lo, 2), round(hi, 2))
    assert r.gpu_price_lines[0].startswith("GPU price policy: market-median")
    assert any("$" in line and "/GPU-hour" in line for line in r.gpu_price_lines[1:])
    # a user's own price for every rented GPU leaves the stated default range
    own = s.model_copy(update={"overrides": s.overrides.model_copy(update={"gpu_usd_per_hour": {"h100-sxm": 2.0}})})
    assert market_gpu_price_range(catalog, own, TODAY) is None
    assert with_gpu_price_range(DEFAULT_DRIVERS, None) == DEFAULT_DRIVERS


def test_gpu_price_note_names_policy_and_prices(catalog) -> None:
    from pricing.compare import compare

    s = load_scenario(DATA / "scenarios" / "batch-summaries.yaml")
    note = gpu_price_note(compare(s, catalog, today=TODAY), None)
    assert note.startswith("GPU price policy: median of current specialist-cloud prices (`market-median`): h100-sxm $")


def test_compare_page_states_the_policy_and_selfhost_page_changes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", TODAY.isoformat())
    at = new_app()
    at.run()
    no_exceptions(at)
    assert any(c.value.startswith("GPU price policy: median of current specialist-cloud prices") for c in at.caption)
    at.switch_page("views/selfhost.py")
    at.run()
    no_exceptions(at)
    assert any(c.value.startswith("Rented price: median of current specialist-cloud prices") for c in at.caption)
    at.selectbox(key="gpupol").set_value("provider:lambda")
    at.run()
    no_exceptions(at)
    assert any(c.value.startswith("Rented price: cheapest current price at lambda") for c in at.caption)


def test_selfhost_cost_cli_takes_a_policy_and_refuses_an_unknown_one(capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", TODAY.isoformat())
    base = ["selfhost-cost", "--model", "meta-llama/Llama-3.3-70B-Instruct", "--gpu", "h200", "--precision", "fp8",
            "--requests", "3e6", "--input-tokens", "1200", "--output-tokens", "300", "--json"]
    assert main([*base, "--gpu-price-policy", "provider:nebius"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["price_policy"] == "provider:nebius" and doc["gpu_usd_per_hour"] == 4.5
    assert main([*base, "--gpu-price-policy", "provider:nobody"]) != 0
    assert "no provider 'nobody'" in capsys.readouterr().err
