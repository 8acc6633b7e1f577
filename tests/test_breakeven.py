"""Break-even: hand-solved crossings, 'never'/'always'/'equal', staircases, and crossings to one request."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.analysis.breakeven import (
    breakeven,
    breakeven_between,
    breakeven_frame,
    fmt_count,
    key_pairs,
    sentence,
)
from pricing.analysis.curves import RouteCurve, linear_curve, staircase_curve
from pricing.errors import InputError


def _d(a, b, v: float) -> float:
    x = np.array([float(v)])
    return float(a(x)[0] - b(x)[0])


def test_staircase_vs_api_single_crossing_hand_solved() -> None:
    # one replica = $1000/month up to 10M requests; API $0.0015/request: equal at 666,666.67
    # requests; at the next step (10M + 1) the API already costs $15,000, so no other crossing
    sh, api = staircase_curve(1000, 1e7), linear_curve(0.0015)
    be = breakeven(sh, api)
    assert be.status == "crossing"
    assert [c.requests for c in be.crossings] == [666_667.0]
    assert be.crossings[0].a_cheaper_above
    assert not be.a_cheaper_at_lo and be.a_cheaper_at_hi


def test_two_step_case_hand_solved() -> None:
    # $1000 per 1M requests vs $0.0015/request: SH wins from 666,667; at 1,000,001 the second
    # replica ($2000) loses to the API ($1500) until 1,333,334; from there on SH wins for good
    be = breakeven(staircase_curve(1000, 1e6), linear_curve(0.0015))
    assert [(c.requests, c.a_cheaper_above) for c in be.crossings] == [
        (666_667.0, True), (1_000_001.0, False), (1_333_334.0, True)]


def test_exact_tie_point_is_reported() -> None:
    # $0.002/request meets the $1000 step exactly at 500,000 requests
    be = breakeven(staircase_curve(1000, 1e6), linear_curve(0.002))
    assert [c.requests for c in be.crossings] == [500_000.0]


def test_never_and_always() -> None:
    # the API at $0.0005/request stays below $1000 per 1M requests at every volume
    be = breakeven(staircase_curve(1000, 1e6), linear_curve(0.0005))
    assert be.status == "never" and be.crossings == ()
    flipped = breakeven(linear_curve(0.0005), staircase_curve(1000, 1e6))
    assert flipped.status == "always"
    assert "no break-even" in sentence(be, "Self-hosted", "API", 1000)


def test_equal_curves() -> None:
    assert breakeven(linear_curve(1e-3), linear_curve(1e-3)).status == "equal"


def test_sawtooth_finds_every_crossing() -> None:
    # replica $1000 per 1M requests vs API $0.00105/request: r = 1000/1050; in step k (volume
    # (k-1)M..kM) the API crosses at k*1000/0.00105 while that is inside the step (k < 21), and it
    # falls back below at each step edge k*1M + 1 for k = 1..18; above 18.1M requests SH wins for good.
    be = breakeven(staircase_curve(1000, 1e6), linear_curve(0.00105))
    ups = [c.requests for c in be.crossings if c.a_cheaper_above]
    downs = [c.requests for c in be.crossings if not c.a_cheaper_above]
    expected_ups = [float(np.ceil(k * 1000 / 0.00105 + 1e-9)) for k in range(1, 20)]
    assert ups == pytest.approx(expected_ups, abs=1)
    assert downs == [k * 1e6 + 1 for k in range(1, 19)]
    text = sentence(be, "SH", "API", 1000)
    assert text.startswith("SH beats API for good above 18B tokens/month")


def test_range_limits_what_is_searched() -> None:
    be = breakeven(staircase_curve(1000, 1e7), linear_curve(0.0015), lo=1e6, hi=1e8)
    assert be.status == "always"


@settings(max_examples=60, deadline=None)
@given(
    step_usd=st.floats(10, 1e5), width=st.floats(1e3, 1e8), fixed=st.floats(0, 1e4),
    per_request=st.floats(1e-7, 1e-1),
)
def test_every_crossing_is_a_sign_change_within_one_request(step_usd, width, fixed, per_request) -> None:
    a, b = staircase_curve(step_usd, width, fixed), linear_curve(per_request)
    be = breakeven(a, b)
    for c in be.crossings:
        before, at = _d(a, b, c.requests - 1), _d(a, b, c.requests)
        tol = 1e-9 * max(abs(float(a(np.array([c.requests]))[0])), 1.0)
        assert abs(at) <= tol or np.sign(before) != np.sign(at)
        # the new side is the one the crossing names
        if abs(at) > tol:
            assert (at < 0) == c.a_cheaper_above


def test_fmt_count() -> None:
    assert fmt_count(2.1e9) == "2.1B"
    assert fmt_count(340e6) == "340M"
    assert fmt_count(800) == "800"


def _curve(w: str, rid: str, kind: str, cost) -> RouteCurve:
    return RouteCurve(workload=w, route_id=rid, label=rid.upper(), route_kind=kind, tokens_per_request=1000,
                      base_requests=2e6, cost=cost)


def test_frame_direction_and_sentence() -> None:
    curves = [_curve("w", "sh", "selfhost-cloud", staircase_curve(1000, 1e7)),
              _curve("w", "api", "api-closed", linear_curve(0.0015))]
    df = breakeven_frame(curves)
    row = df.iloc[0]
    assert (row.route_a, row.route_b) == ("sh", "api")
    assert row.status == "crossing" and row.requests_per_month == 666_667
    assert row.tokens_per_month == 666_667_000
    assert row.cheaper_above == "sh" and row.cheaper_below == "api"
    assert row.sentence == "SH beats API above 667M tokens/month (667k requests)."


def test_key_pairs_put_selfhost_against_cheapest_api() -> None:
    curves = [_curve("w", "sh1", "selfhost-cloud", staircase_curve(1000, 1e6)),
              _curve("w", "sh2", "selfhost-owned", staircase_curve(3000, 1e6)),
              _curve("w", "api1", "api-closed", linear_curve(0.002)),
              _curve("w", "api2", "api-closed", linear_curve(0.0001))]
    pairs = [(a.route_id, b.route_id) for a, b in key_pairs(curves)]
    assert pairs == [("sh1", "api2"), ("sh2", "api2")]  # winner vs runner-up is already a pair


def test_real_curves_cross_where_costs_cross(catalog) -> None:
    from pricing.analysis.curves import route_curves
    from pricing.compare import load_scenario
    from tests.conftest import DATA

    sc = load_scenario(DATA / "scenarios" / "batch-summaries.yaml")
    curves = route_curves(sc, catalog)
    df = breakeven_frame(curves)
    assert len(df)
    by_id = {c.route_id: c for c in curves}
    for row in df.itertuples():
        a, b = by_id[row.route_a], by_id[row.route_b]
        for r in [float(x) for x in row.crossings_requests.split(";") if x]:
            before, at = _d(a.cost, b.cost, r - 1), _d(a.cost, b.cost, r)
            scale = float(abs(a.cost(np.array([r]))[0])) + 1.0
            # equal up to float rounding (a $0.00001 gap on a $1k+ bill), or the sign flips
            assert abs(at) <= 1e-8 * scale or np.sign(before) != np.sign(at)


def test_a_route_that_cannot_serve_counts_as_dearer() -> None:
    # self-hosting that stops fitting above 5M requests (NaN) loses to the API from there on
    def capped(v):
        out = staircase_curve(1000, 1e7)(v)
        return np.where(np.asarray(v) > 5e6, np.nan, out)

    be = breakeven(capped, linear_curve(0.0015))
    assert [(c.requests, c.a_cheaper_above) for c in be.crossings] == [(666_667.0, True), (5_000_001.0, False)]
    nan = breakeven(lambda v: np.full(np.shape(v), np.nan), linear_curve(0.001))
    assert nan.status == "never"


def test_breakeven_between_named_routes() -> None:
    curves = [_curve("w", "sh", "selfhost-cloud", staircase_curve(1000, 1e7)),
              _curve("w", "api", "api-closed", linear_curve(0.0015))]
    row = breakeven_between(curves, "w", "api", "sh")
    assert row["status"] == "crossing" and row["cheaper_above"] == "sh"
    with pytest.raises(InputError, match="no route 'nope'"):
        breakeven_between(curves, "w", "nope", "sh")


def test_key_pairs_add_the_cheapest_closed_api_when_an_open_host_is_cheaper() -> None:
    curves = [_curve("w", "sh", "selfhost-cloud", staircase_curve(1000, 1e6)),
              _curve("w", "host", "api-open-host", linear_curve(0.0001)),
              _curve("w", "closed", "api-closed", linear_curve(0.002))]
    pairs = [(a.route_id, b.route_id) for a, b in key_pairs(curves)]
    assert pairs == [("sh", "host"), ("sh", "closed")]
