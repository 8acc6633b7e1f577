"""Multi-month plan: growth, price trends, owned GPUs in cash and amortised views, overtake months."""

from __future__ import annotations

import pytest

from pricing.analysis.curves import RouteCurve, linear_curve, staircase_curve
from pricing.analysis.plan import PlanAssumptions, overtakes, plan_frame

FLAT = PlanAssumptions(months=24, api_price_change_per_year=0.0, gpu_price_change_per_year=0.0,
                       amortization_months=36, residual_value_fraction=0.25)


def _api(volume: float = 1e6) -> RouteCurve:
    return RouteCurve("w", "api", "API", "api-closed", 1000, volume, linear_curve(0.001))


def _owned(volume: float = 0.5e6, gpus: float = 8) -> RouteCurve:
    # one 8-GPU replica per 1M requests at $1000/month: 50% capex, 30% power, 20% ops
    return RouteCurve("w", "own", "OWN", "selfhost-owned", 1000, volume, staircase_curve(1000, 1e6),
                      {"usd_capex": 0.5, "usd_power": 0.3, "usd_ops": 0.2}, gpus_at_base=gpus)


def _cost(plan, route, month, view="cash", col="monthly_usd") -> float:
    p = plan[(plan["route_id"] == route) & (plan["month"] == month) & (plan["view"] == view)]
    return float(p[col].iloc[0])


def test_api_price_trend_and_growth_compound() -> None:
    a = PlanAssumptions(months=25, api_price_change_per_year=-0.2)
    plan = plan_frame([_api()], {"w": 0.1}, a)
    assert _cost(plan, "api", 1) == pytest.approx(1000)
    assert _cost(plan, "api", 3) == pytest.approx(1000 * 1.1**2 * 0.8 ** (2 / 12))
    assert _cost(plan, "api", 13) == pytest.approx(1000 * 1.1**12 * 0.8)
    assert _cost(plan, "api", 25, col="cumulative_usd") == pytest.approx(
        sum(1000 * 1.1**m * 0.8 ** (m / 12) for m in range(25)))


def test_owned_cash_view_pays_up_front_amortised_view_spreads_it() -> None:
    plan = plan_frame([_owned()], {}, FLAT)
    # per GPU: $125/month of which $62.5 capex; up front = 62.5 x 36 / (1 - 0.25) = $3000 per GPU
    assert _cost(plan, "own", 1, "cash") == pytest.approx(8 * 3000 + 8 * 62.5)
    assert _cost(plan, "own", 2, "cash") == pytest.approx(500)
    assert _cost(plan, "own", 1, "amortised") == pytest.approx(1000)
    assert _cost(plan, "own", 24, "amortised") == pytest.approx(1000)


def test_amortisation_ends_and_growth_buys_more_gpus_at_the_trend_price() -> None:
    a = PlanAssumptions(months=6, api_price_change_per_year=0.0, gpu_price_change_per_year=-0.12,
                        amortization_months=2, residual_value_fraction=0.0)
    plan = plan_frame([_owned()], {"w": 0.5}, a)  # 0.5M, 0.75M, 1.125M (2nd replica in month 3)
    trend3 = 0.88 ** (2 / 12)
    assert _cost(plan, "own", 3, col="gpus") == 16
    assert _cost(plan, "own", 3, "cash") == pytest.approx(8 * 62.5 * 2 * trend3 + 16 * 62.5)
    # amortised: month 3 carries only the second cohort (the first ended after 2 months)
    assert _cost(plan, "own", 3, "amortised") == pytest.approx(8 * 62.5 * trend3 + 16 * 62.5)


def test_owned_fleet_never_shrinks() -> None:
    plan = plan_frame([_owned(1.5e6, gpus=16)], {"w": -0.3}, FLAT)
    gpus = plan[(plan["route_id"] == "own") & (plan["view"] == "cash")]["gpus"]
    assert gpus.iloc[0] == 16 and (gpus == 16).all()


def test_overtake_month_hand_solved() -> None:
    # cash: owned = 24,500 then 500 a month; API = 1000 a month: 24,500 + 500 (m - 1) < 1000 m from m = 49
    a = PlanAssumptions(months=60, api_price_change_per_year=0.0, gpu_price_change_per_year=0.0,
                        amortization_months=36, residual_value_fraction=0.25)
    plan = plan_frame([_api(0.5e6 * 2), _owned()], {}, a)
    ov = overtakes(plan, "cash")
    row = ov[(ov["route_id"] == "own") & (ov["overtakes_route_id"] == "api")].iloc[0]
    assert row.month == 49
    assert "in month 49 (cash view)" in row.sentence
    # amortised: owned costs 1000 from the start, the same as the API: nobody overtakes
    assert overtakes(plan, "amortised").empty


def test_for_catalog_reads_owned_assumptions(catalog) -> None:
    a = PlanAssumptions.for_catalog(catalog, months=18)
    owned = catalog.owned.get("default") or next(iter(catalog.owned.values()))
    assert a.months == 18
    assert a.amortization_months == owned.amortization_years * 12
    assert a.residual_value_fraction == owned.residual_value_fraction
