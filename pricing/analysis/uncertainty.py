"""Uncertainty bands: seeded, vectorised sampling of uncertain inputs into P10/P50/P90 and P(cheapest)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pricing import gpu_price
from pricing.analysis.curves import F, RouteCurve
from pricing.catalog import Catalog
from pricing.schema import Scenario, SelfHostChoice

Z90 = 1.2815515655446004  # standard normal quantile at 0.9: P10/P90 sit at -/+ Z90 sigma
Z_MEDIAN_ABS = 0.6744897501960817  # median |z| of a standard normal
COLUMNS = (
    "workload", "route_id", "label", "route_kind", "deterministic_usd",
    "p10_usd", "p50_usd", "p90_usd", "mean_usd", "p_cheapest", "samples",
)


@dataclass(frozen=True)
class Ranges:
    """P10 and P90 multipliers of each uncertain input (1, 1 = known exactly); assumptions to edit.

    Throughput efficiency defaults to the calibration's median error (see from_calibration); the
    GPU price range defaults to the market's P10-P90 around the policy price (market_gpu_price_range);
    volume, API price, electricity and the fallback GPU price range are assumptions, shown with the result.
    """

    efficiency: tuple[float, float] = (1.0, 1.0)
    volume: tuple[float, float] = (0.8, 1.25)
    api_price: tuple[float, float] = (0.9, 1.1)
    gpu_price: tuple[float, float] = (0.85, 1.15)
    electricity: tuple[float, float] = (0.8, 1.25)

    @classmethod
    def from_calibration(cls, median_abs_pct_error: float | None, **kw: tuple[float, float]) -> Ranges:
        """Efficiency band from the throughput model's median error: |log error| median -> sigma."""
        if not median_abs_pct_error:
            return cls(**kw)
        m = median_abs_pct_error / 100 if median_abs_pct_error > 1 else median_abs_pct_error
        sigma = math.log1p(m) / Z_MEDIAN_ABS
        return cls(efficiency=(math.exp(-Z90 * sigma), math.exp(Z90 * sigma)), **kw)

    def collapsed(self) -> Ranges:
        """Every range shut: the deterministic case."""
        one = (1.0, 1.0)
        return Ranges(one, one, one, one, one)


def rented_gpus(scenario: Scenario) -> list[str]:
    """GPU ids of the scenario's rented self-hosting options (cloud, not owned), in order."""
    return list(dict.fromkeys(o.selfhost.gpu for o in scenario.options
                              if isinstance(o, SelfHostChoice) and o.selfhost.hosting != "owned"))


def market_gpu_price_range(catalog: Catalog, scenario: Scenario, today: dt.date) -> tuple[float, float] | None:
    """P10-P90 of current market prices of the scenario's rented GPUs, as multipliers of the policy price.

    The widest range over the GPUs with at least three current providers; None when none has
    (the caller then keeps its stated default). A user's own GPU price keeps its own number only.
    """
    gpus = [g for g in rented_gpus(scenario) if g not in scenario.overrides.gpu_usd_per_hour]
    return gpu_price.price_range_multipliers(list(catalog.cloud.values()), gpus, today,
                                             scenario.overrides.gpu_price_policy)


def _lognormal(rng: np.random.Generator, p10_p90: tuple[float, float], size: tuple[int, ...]) -> F:
    """Samples whose P10 and P90 are the given multipliers (lognormal; exactly 1 when both are 1)."""
    lo, hi = p10_p90
    if lo <= 0 or hi < lo:
        raise ValueError(f"range {p10_p90} needs 0 < P10 <= P90")
    mu = (math.log(lo) + math.log(hi)) / 2
    sigma = (math.log(hi) - math.log(lo)) / (2 * Z90)
    if sigma == 0:
        return np.full(size, math.exp(mu))
    out: F = np.exp(mu + sigma * rng.standard_normal(size))
    return out


def sample_costs(curves: Sequence[RouteCurve], ranges: Ranges, samples: int = 10_000,
                 seed: int = 0) -> F:
    """Monthly USD, shape (routes, samples), for routes of one workload.

    Volume, throughput efficiency, GPU and electricity prices are one draw per sample shared by
    all routes (one market, one model error); each API route's price moves on its own draw.
    Efficiency e enters as volume / e: a replica serving e times the tokens sizes like that.
    """
    rng = np.random.default_rng(seed)
    n = samples
    vol = _lognormal(rng, ranges.volume, (n,))
    eff = _lognormal(rng, ranges.efficiency, (n,))
    gpu = _lognormal(rng, ranges.gpu_price, (n,))
    kwh = _lognormal(rng, ranges.electricity, (n,))
    api = _lognormal(rng, ranges.api_price, (len(curves), n))
    out = np.empty((len(curves), n))
    for i, c in enumerate(curves):
        v = c.base_requests * vol
        if c.is_selfhost:
            scale = 1 + c.hardware_share * (gpu - 1) + c.power_share * (kwh - 1)
            out[i] = c.cost(v / eff) * scale
        else:
            out[i] = c.cost(v) * api[i]
    return out


def uncertainty_frame(curves: Sequence[RouteCurve], ranges: Ranges, samples: int = 10_000,
                      seed: int = 0) -> pd.DataFrame:
    """P10/P50/P90 and mean monthly USD per route, and the probability each route is cheapest."""
    rows = []
    for w in dict.fromkeys(c.workload for c in curves):
        sub = [c for c in curves if c.workload == w]
        costs = sample_costs(sub, ranges, samples, seed)
        finite = np.where(np.isfinite(costs), costs, np.inf)  # cannot serve: dearer than any price
        best = np.argmin(finite, axis=0)
        none = ~np.isfinite(finite.min(axis=0))
        # sample quantiles without interpolation, so 'cannot serve' (inf) never mixes with prices
        q = np.percentile(finite, [10, 50, 90], axis=1, method="inverted_cdf")
        q = np.where(np.isfinite(q), q, np.nan)
        for i, c in enumerate(sub):
            rows.append({
                "workload": w, "route_id": c.route_id, "label": c.label, "route_kind": c.route_kind,
                "deterministic_usd": c.at(c.base_requests),
                "p10_usd": q[0, i], "p50_usd": q[1, i], "p90_usd": q[2, i],
                "mean_usd": float(np.mean(costs[i])) if np.isfinite(costs[i]).all() else math.nan,
                "p_cheapest": float(np.mean((best == i) & ~none)), "samples": samples,
            })
    return pd.DataFrame(rows, columns=list(COLUMNS))
