"""Uncertainty: collapsed ranges give the deterministic answer; sampling is seeded and calibrated."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.analysis.curves import RouteCurve, linear_curve, staircase_curve
from pricing.analysis.uncertainty import Z90, Ranges, sample_costs, uncertainty_frame


def _routes(volume: float = 1.5e6) -> list[RouteCurve]:
    return [
        RouteCurve("w", "sh", "SH", "selfhost-cloud", 1000, volume, staircase_curve(1000, 1e6),
                   {"usd_gpu_rent": 1.0}),
        RouteCurve("w", "own", "OWN", "selfhost-owned", 1000, volume, staircase_curve(900, 1e6, 300),
                   {"usd_capex": 0.6, "usd_power": 0.3, "usd_ops": 0.1}),
        RouteCurve("w", "api", "API", "api-closed", 1000, volume, linear_curve(0.0011)),
    ]


@settings(max_examples=40, deadline=None)
@given(volume=st.floats(1e3, 1e9), step=st.floats(1, 1e5), width=st.floats(1e3, 1e8),
       per_req=st.floats(1e-7, 1e-1), seed=st.integers(0, 2**31))
def test_p50_equals_deterministic_when_ranges_collapse(volume, step, width, per_req, seed) -> None:
    curves = [
        RouteCurve("w", "sh", "SH", "selfhost-cloud", 500, volume, staircase_curve(step, width),
                   {"usd_gpu_rent": 1.0}),
        RouteCurve("w", "api", "API", "api-closed", 500, volume, linear_curve(per_req)),
    ]
    df = uncertainty_frame(curves, Ranges().collapsed(), samples=500, seed=seed)
    for row in df.itertuples():
        assert row.p10_usd == pytest.approx(row.deterministic_usd, rel=1e-12)
        assert row.p50_usd == pytest.approx(row.deterministic_usd, rel=1e-12)
        assert row.p90_usd == pytest.approx(row.deterministic_usd, rel=1e-12)


def test_seeded_and_probabilities_sum_to_one() -> None:
    r = Ranges.from_calibration(0.13)
    a = uncertainty_frame(_routes(), r, samples=5000, seed=7)
    b = uncertainty_frame(_routes(), r, samples=5000, seed=7)
    c = uncertainty_frame(_routes(), r, samples=5000, seed=8)
    assert a.equals(b)
    assert not a["p50_usd"].equals(c["p50_usd"])
    assert a["p_cheapest"].sum() == pytest.approx(1.0)
    assert (a["p10_usd"] <= a["p50_usd"]).all() and (a["p50_usd"] <= a["p90_usd"]).all()


def test_efficiency_band_matches_the_calibration_error() -> None:
    # the median |log error| of the sampled efficiency equals log(1 + median error)
    r = Ranges.from_calibration(0.131)
    sigma = (math.log(r.efficiency[1]) - math.log(r.efficiency[0])) / (2 * Z90)
    z = np.random.default_rng(0).standard_normal(200_000) * sigma
    assert np.median(np.abs(z)) == pytest.approx(math.log1p(0.131), rel=0.01)
    assert Ranges.from_calibration(13.1) == r  # a percentage is read as one


def test_p10_p90_of_a_linear_route_follow_volume_and_price() -> None:
    # API cost = base x volume factor x price factor: with only volume uncertain the band is the volume band
    r = Ranges(volume=(0.8, 1.25), api_price=(1, 1), gpu_price=(1, 1), electricity=(1, 1))
    df = uncertainty_frame(_routes()[2:], r, samples=40_000, seed=1)
    row = df.iloc[0]
    assert row.p10_usd / row.deterministic_usd == pytest.approx(0.8, rel=0.02)
    assert row.p90_usd / row.deterministic_usd == pytest.approx(1.25, rel=0.02)


def test_only_hardware_and_power_shares_move_with_their_prices() -> None:
    only_gpu = Ranges(volume=(1, 1), api_price=(1, 1), gpu_price=(0.5, 2.0), electricity=(1, 1))
    costs = sample_costs(_routes(), only_gpu, samples=2000, seed=3)
    # rented: 2 replicas x 1000, all rent -> 2000 g; owned: 300 + 2 x 900 = 2100, 60% capex moves with g
    g = costs[0] / 2000
    assert np.ptp(g) > 0.5
    np.testing.assert_allclose(costs[1], 2100 * (1 + 0.6 * (g - 1)), rtol=1e-12)
    assert np.ptp(costs[2]) == 0  # the API does not care about GPU prices


def test_ten_thousand_samples_are_fast() -> None:
    curves = _routes() * 10  # 30 routes
    t = time.perf_counter()
    sample_costs(curves, Ranges.from_calibration(0.13), samples=10_000, seed=0)
    assert time.perf_counter() - t < 2.0  # benchmarks/uncertainty_speed.py prints the real figure


def test_bad_range_is_refused() -> None:
    with pytest.raises(ValueError, match="P10"):
        sample_costs(_routes(), Ranges(volume=(1.2, 0.8)), samples=10)


def test_real_scenario_collapsed_p50_is_the_compare_result(catalog) -> None:
    from pricing.analysis.curves import route_curves, with_options
    from pricing.compare import compare, load_scenario
    from tests.conftest import DATA

    sc = with_options(load_scenario(DATA / "scenarios" / "rag-documents.yaml"), catalog)
    df = compare(sc, catalog)
    unc = uncertainty_frame(route_curves(sc, catalog, df), Ranges().collapsed(), samples=200, seed=0)
    merged = df.merge(unc, on=["workload", "route_id"])
    assert len(merged) == len(df)
    np.testing.assert_allclose(merged["p50_usd"], merged["monthly_usd"], rtol=1e-9)
