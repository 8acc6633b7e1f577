"""Portfolio: shared GPU pools sized on summed hourly load; never dearer than separate pools."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.analysis.curves import RouteCurve, first_step, linear_curve, staircase_curve
from pricing.analysis.portfolio import pool_cost, portfolio_frame

DAY = tuple([0.2] * 12 + [1.0] * 12)
NIGHT = tuple([1.0] * 12 + [0.2] * 12)


def _sh(w: str, volume: float, shape=(1.0,) * 24, step=1000.0, width=1e6, rid="sh") -> RouteCurve:
    return RouteCurve(w, rid, "SH", "selfhost-cloud", 1000, volume, staircase_curve(step, width),
                      {"usd_gpu_rent": 1.0}, gpus_at_base=1, load_shape=shape)


def test_first_step_is_the_last_volume_of_one_replica() -> None:
    assert first_step(staircase_curve(1000, 1e6)) == 1e6
    assert first_step(staircase_curve(1000, 12_345.0)) == 12_345
    assert first_step(linear_curve(0.0)) == float("inf")


def test_day_and_night_share_one_pool() -> None:
    # 1.5 replicas of load each; by day 1.5 + 0.3 = 1.8 -> 2 replicas instead of 2 + 2
    p = pool_cost([_sh("chat", 1.5e6, DAY), _sh("batch", 1.5e6, NIGHT)], [[1.5e6], [1.5e6]])
    assert p.separate_usd[0] == 4000
    assert p.shared_usd[0] == 2000
    assert p.usd[0] == 2000


def test_coinciding_peaks_do_add() -> None:
    p = pool_cost([_sh("a", 1.5e6), _sh("b", 1.5e6)], [[1.5e6], [1.5e6]])
    assert p.shared_usd[0] == 3000  # 3.0 replicas of load at the same hour
    assert p.separate_usd[0] == 4000


def test_frame_has_pooled_route_api_sum_and_mix() -> None:
    curves = [_sh("chat", 1.5e6, DAY), _sh("batch", 1.5e6, NIGHT),
              RouteCurve("chat", "api", "API", "api-closed", 1000, 1.5e6, linear_curve(0.0011)),
              RouteCurve("batch", "api", "API", "api-closed", 1000, 1.5e6, linear_curve(0.0011))]
    df = portfolio_frame(curves).set_index("route_id")
    assert df.loc["sh", "pooled_usd"] == 2000 and df.loc["sh", "separate_usd"] == 4000
    assert bool(df.loc["sh", "pooled"])
    assert df.loc["api", "pooled_usd"] == pytest.approx(3300)
    assert "mix" not in df.index  # both workloads' cheapest alone is the API: no mix to show
    assert portfolio_frame(curves)["route_id"].iloc[0] == "sh"


shapes = st.lists(st.floats(0, 1), min_size=24, max_size=24).map(
    lambda v: tuple(x / max(max(v), 1e-9) if max(v) > 0 else 1.0 for x in v))


@settings(max_examples=60, deadline=None)
@given(vols=st.lists(st.floats(1, 1e8), min_size=2, max_size=5), data=st.data(),
       step=st.floats(1, 1e5), width=st.floats(1e3, 1e7))
def test_pool_never_costs_more_than_separate_pools(vols, data, step, width) -> None:
    curves = [_sh(f"w{i}", v, data.draw(shapes), step, width) for i, v in enumerate(vols)]
    volumes = np.array([[v, 2 * v] for v in vols])
    p = pool_cost(curves, volumes)
    assert np.all(p.usd <= p.separate_usd * (1 + 1e-12) + 1e-9)  # float sums of large amounts
    # identical staircases: the shared pool alone is already no dearer (ceil of a sum <= sum of ceils)
    assert np.all(p.shared_usd <= p.separate_usd * (1 + 1e-12) + 1e-9)


def test_company_plan_pools_cost_less_than_separate(catalog) -> None:
    from pricing.analysis.curves import route_curves
    from pricing.compare import load_scenario
    from tests.conftest import DATA

    curves = route_curves(load_scenario(DATA / "scenarios" / "company-plan.yaml"), catalog)
    df = portfolio_frame(curves)
    sh = df[df["route_kind"].str.startswith("selfhost")]
    assert len(sh) and (sh["pooled_usd"] <= sh["separate_usd"] + 1e-6).all()
    assert sh["pooled"].any()  # the night batch fills GPUs the daytime chat leaves idle


def test_routes_that_cannot_serve_stay_nan() -> None:
    def never(v):
        return np.full(np.shape(v), np.nan)

    curves = [RouteCurve(w, "sh", "SH", "selfhost-cloud", 1000, 1e6, never) for w in ("a", "b")]
    p = pool_cost(curves, [[1e6], [1e6]])
    assert np.isnan(p.usd[0]) and np.isnan(p.separate_usd[0])
    assert np.isnan(portfolio_frame(curves)["pooled_usd"].iloc[0])
