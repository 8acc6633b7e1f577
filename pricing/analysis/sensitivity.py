"""Sensitivity: each driver moved to the low and high end of a visible range; who wins at each end."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from pricing.analysis.curves import HARDWARE_COLUMNS, SELFHOST_KINDS
from pricing.schema import Overrides, Scenario, Workload

ALL = "all workloads"
Runner = Callable[[Scenario], pd.DataFrame]
COLUMNS = (
    "scope", "driver", "label", "unit", "low", "high", "base_winner", "base_usd", "margin_base_usd",
    "winner_low", "winner_high", "margin_low_usd", "margin_high_usd",
    "winner_usd_low", "winner_usd_high", "swing_usd", "changes_winner",
)
COST_COLUMNS = ("scope", "driver", "end", "value", "route_id", "label", "monthly_usd")


@dataclass(frozen=True)
class Driver:
    """One input to move: its id, what people call it, the unit and the low/high ends (editable)."""

    id: str
    label: str
    unit: str
    low: float
    high: float
    how: Literal["scenario", "price"]


DEFAULT_DRIVERS: tuple[Driver, ...] = (
    Driver("traffic", "Traffic (requests/month)", "x", 0.5, 1.5, "scenario"),
    Driver("tokens", "Tokens per request", "x", 0.5, 1.5, "scenario"),
    Driver("cache", "Cached share of input", "+/- share", -0.25, 0.25, "scenario"),
    Driver("peak", "Peak-to-average (utilisation)", "x (peak - 1)", 0.5, 1.5, "scenario"),
    Driver("efficiency", "Throughput efficiency", "x", 0.75, 1.25, "scenario"),
    Driver("gpu_price", "GPU price (rent or purchase)", "x", 0.7, 1.3, "price"),
    Driver("api_price", "API price change", "x", 0.7, 1.1, "price"),
    Driver("electricity", "Electricity price", "x", 0.5, 2.0, "price"),
)


def with_gpu_price_range(base: Sequence[Driver], low_high: tuple[float, float] | None) -> tuple[Driver, ...]:
    """The drivers with the GPU price driver's ends set (e.g. the market's P10-P90); unchanged when None."""
    if low_high is None:
        return tuple(base)
    lo, hi = (round(x, 2) for x in low_high)
    return tuple(replace(d, low=lo, high=hi, unit="x (market P10-P90)") if d.id == "gpu_price" else d
                 for d in base)


def drivers(**ranges: tuple[float, float]) -> tuple[Driver, ...]:
    """The default drivers with some ranges changed, e.g. drivers(traffic=(0.8, 1.2))."""
    unknown = set(ranges) - {d.id for d in DEFAULT_DRIVERS}
    if unknown:
        raise ValueError(f"unknown drivers {sorted(unknown)}; known: {[d.id for d in DEFAULT_DRIVERS]}")
    return tuple(replace(d, low=ranges[d.id][0], high=ranges[d.id][1]) if d.id in ranges else d
                 for d in DEFAULT_DRIVERS)


def _within(model: type[BaseModel], field: str, value: float) -> float:
    """value clamped to the field's inclusive schema bounds (ge/le), so a moved driver stays a valid input."""
    for m in model.model_fields[field].metadata:
        lo, hi = getattr(m, "ge", None), getattr(m, "le", None)
        if lo is not None:
            value = max(value, float(lo))
        if hi is not None:
            value = min(value, float(hi))
    return value


def _workload(w: Workload, driver: str, x: float) -> Workload:
    if driver == "traffic":
        return w.model_copy(update={"requests_per_month": _within(Workload, "requests_per_month",
                                                                  w.requests_per_month * x)})
    if driver == "tokens":
        return w.model_copy(update={k: _within(Workload, k, getattr(w, k) * x)
                                    for k in ("input_tokens", "output_tokens", "reasoning_tokens")})
    if driver == "cache":
        c = min(max(w.cached_input_fraction + x, 0.0), 1.0 - w.cache_write_fraction)
        return w.model_copy(update={"cached_input_fraction": c})
    if driver == "peak":
        if w.hourly_profile:
            prof = np.asarray(w.hourly_profile, dtype=float)
            new = np.maximum(prof.mean() + (prof - prof.mean()) * x, 0.0)
            return w.model_copy(update={"hourly_profile": tuple(float(v) for v in new)})
        return w.model_copy(update={"peak_to_average": _within(Workload, "peak_to_average",
                                                               max(1.0, 1 + (w.peak_to_average - 1) * x))})
    return w


def apply_driver(scenario: Scenario, driver: Driver, x: float) -> Scenario:
    """The scenario with one workload-or-model driver moved to x (price drivers act on results)."""
    if driver.id == "efficiency":
        scale = _within(Overrides, "efficiency_scale", scenario.overrides.efficiency_scale * x)
        ov = scenario.overrides.model_copy(update={"efficiency_scale": scale})
        return scenario.model_copy(update={"overrides": ov})
    return scenario.model_copy(update={"workloads": tuple(_workload(w, driver.id, x) for w in scenario.workloads)})


def apply_price(df: pd.DataFrame, driver: Driver, x: float) -> pd.DataFrame:
    """Results with one price scaled: each cost part is linear in its price, so this is exact."""
    out = df.copy()
    sh = out["route_kind"].isin(SELFHOST_KINDS)
    if driver.id == "api_price":
        out.loc[~sh, "monthly_usd"] = out.loc[~sh, "monthly_usd"] * x
        return out
    cols = list(HARDWARE_COLUMNS) if driver.id == "gpu_price" else ["usd_power"]
    extra = out.loc[sh, cols].sum(axis=1) * (x - 1)
    out.loc[sh, "monthly_usd"] = out.loc[sh, "monthly_usd"] + extra
    for c in cols:
        out.loc[sh, c] = out.loc[sh, c] * x
    return out


def _scopes(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per workload, plus all workloads together (routes serving each of them, sized separately)."""
    out = {str(w): g[["route_id", "label", "monthly_usd"]] for w, g in df.groupby("workload", sort=False)}
    n = df["workload"].nunique()
    if n > 1:
        g = df.groupby("route_id", sort=False).agg(
            label=("label", "first"), monthly_usd=("monthly_usd", "sum"),
            workloads=("workload", "nunique"), priced=("monthly_usd", "count"))
        g = g[g["workloads"] == n].reset_index()
        g.loc[g["priced"] < n, "monthly_usd"] = np.nan  # a route that cannot serve one workload
        out[ALL] = g[["route_id", "label", "monthly_usd"]]
    return out


def _winner(costs: pd.DataFrame) -> tuple[str | None, float]:
    ok = costs[np.isfinite(costs["monthly_usd"].astype(float))]
    if ok.empty:
        return None, math.nan
    i = int(np.argmin(ok["monthly_usd"].to_numpy(dtype=float)))
    return str(ok["route_id"].iloc[i]), float(ok["monthly_usd"].iloc[i])


def _margin(costs: pd.DataFrame, route: str | None) -> tuple[float, float]:
    """(cheapest alternative - route's cost, route's cost): negative when the route no longer wins."""
    ok = costs[np.isfinite(costs["monthly_usd"].astype(float))]
    mine = ok[ok["route_id"] == route]["monthly_usd"]
    others = ok[ok["route_id"] != route]["monthly_usd"]
    if mine.empty:
        return math.nan, math.nan
    own = float(mine.iloc[0])
    return (float(others.min()) - own if len(others) else math.nan), own


def sensitivity(scenario: Scenario, run: Runner,
                drivers: Sequence[Driver] = DEFAULT_DRIVERS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tornado, costs): one tornado row per scope x driver, and every route's cost at each end.

    `run` turns a scenario into compare()-shaped results; pass a scenario whose options are
    spelled out (curves.with_options) so every rerun compares the same routes.
    """
    base = run(scenario)
    base_scopes = _scopes(base)
    rows, cost_rows = [], []
    for d in drivers:
        ends = {}
        for end, x in (("low", d.low), ("high", d.high)):
            res = apply_price(base, d, x) if d.how == "price" else run(apply_driver(scenario, d, x))
            ends[end] = _scopes(res)
            for scope, costs in ends[end].items():
                for r in costs.itertuples(index=False):
                    cost_rows.append((scope, d.id, end, x, r.route_id, r.label, float(r.monthly_usd)))  # type: ignore[arg-type]
        for scope, costs in base_scopes.items():
            bw, busd = _winner(costs)
            mb, _ = _margin(costs, bw)
            wl, _ = _winner(ends["low"][scope])
            wh, _ = _winner(ends["high"][scope])
            ml, ul = _margin(ends["low"][scope], bw)
            mh, uh = _margin(ends["high"][scope], bw)
            rows.append({
                "scope": scope, "driver": d.id, "label": d.label, "unit": d.unit, "low": d.low,
                "high": d.high, "base_winner": bw, "base_usd": busd, "margin_base_usd": mb, "winner_low": wl,
                "winner_high": wh, "margin_low_usd": ml, "margin_high_usd": mh,
                "winner_usd_low": ul, "winner_usd_high": uh, "swing_usd": abs(uh - ul),
                "changes_winner": bool(wl != bw or wh != bw),
            })
    tornado = pd.DataFrame(rows, columns=list(COLUMNS))
    order = {s: i for i, s in enumerate(base_scopes)}
    tornado["_o"] = tornado["scope"].map(order)
    tornado = tornado.sort_values(["_o", "swing_usd"], ascending=[True, False], kind="stable",
                                  na_position="last").drop(columns="_o").reset_index(drop=True)
    return tornado, pd.DataFrame(cost_rows, columns=list(COST_COLUMNS))
