"""Decisions that hold up: break-even, sensitivity, uncertainty, portfolio and multi-month plan."""

from __future__ import annotations

from pricing.analysis.breakeven import (
    BreakEven,
    Crossing,
    breakeven,
    breakeven_between,
    breakeven_frame,
    key_pairs,
    sentence,
)
from pricing.analysis.curves import (
    RouteCurve,
    linear_curve,
    route_curves,
    staircase_curve,
    with_options,
)
from pricing.analysis.plan import PlanAssumptions, overtakes, plan_frame
from pricing.analysis.portfolio import Pool, pool_cost, portfolio_frame
from pricing.analysis.sensitivity import DEFAULT_DRIVERS, Driver, drivers, sensitivity
from pricing.analysis.uncertainty import Ranges, sample_costs, uncertainty_frame

__all__ = [
    "DEFAULT_DRIVERS",
    "BreakEven",
    "Crossing",
    "Driver",
    "PlanAssumptions",
    "Pool",
    "Ranges",
    "RouteCurve",
    "breakeven",
    "breakeven_between",
    "breakeven_frame",
    "drivers",
    "key_pairs",
    "linear_curve",
    "overtakes",
    "plan_frame",
    "pool_cost",
    "portfolio_frame",
    "route_curves",
    "sample_costs",
    "sensitivity",
    "sentence",
    "staircase_curve",
    "uncertainty_frame",
    "with_options",
]
