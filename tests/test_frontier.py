"""The efficient frontier keeps exactly the routes nothing beats on both cost and quality."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pricing.frontier import efficient_frontier


def test_frontier_by_hand() -> None:
    df = pd.DataFrame({
        "monthly_usd": [100.0, 200.0, 150.0, 300.0, 50.0, 120.0],
        "quality_index": [40.0, 60.0, 30.0, 60.0, math.nan, 40.0],
    })
    # 100/40 on; 200/60 on; 150/30 dominated; 300/60 dominated (same quality, dearer);
    # NaN quality never; 120/40 dominated by 100/40
    assert efficient_frontier(df).tolist() == [True, True, False, False, False, False]


@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 100)), min_size=1, max_size=30))
def test_no_frontier_point_is_dominated(rows: list[tuple[float, float]]) -> None:
    df = pd.DataFrame(rows, columns=["monthly_usd", "quality_index"])
    on = efficient_frontier(df)
    assert on.any()
    for i in df.index[on]:
        c, q = df.loc[i, "monthly_usd"], df.loc[i, "quality_index"]
        dominated = ((df["monthly_usd"] <= c) & (df["quality_index"] >= q)
                     & ((df["monthly_usd"] < c) | (df["quality_index"] > q)))
        assert not dominated.any()
    for i in df.index[~on]:
        c, q = df.loc[i, "monthly_usd"], df.loc[i, "quality_index"]
        assert ((df["monthly_usd"] <= c) & (df["quality_index"] >= q) & (df.index != i)).any()
