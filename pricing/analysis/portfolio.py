"""Portfolio: workloads that self-host the same model share one GPU pool sized on summed hourly load."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pricing.analysis.curves import F, RouteCurve

COLUMNS = (
    "route_id", "label", "route_kind", "workloads", "separate_usd", "pooled_usd", "saving_usd", "pooled",
)


@dataclass(frozen=True)
class Pool:
    """Monthly USD of one self-hosted route serving several workloads, per situation (column)."""

    usd: F  # what the portfolio pays: the shared pool, or separate pools where that is cheaper
    separate_usd: F  # each workload sized on its own
    shared_usd: F  # one pool sized on the summed hourly load
    equivalent_requests: F  # the shared load in the reference workload's requests/month


def pool_cost(curves: Sequence[RouteCurve], volumes: Any) -> Pool:
    """Cost of one self-hosted route shared by workloads; `volumes` is (workloads, situations).

    Each workload's load in units of one smallest deployment is volume / first_step x its hourly
    load shape; the pool holds the peak of the summed hourly load (peaks at different hours do
    not add) and is priced on the costliest workload's own staircase at that equivalent volume.
    """
    vol = np.atleast_2d(np.asarray(volumes, dtype=float))
    separate: F = np.sum([c.cost(vol[i]) for i, c in enumerate(curves)], axis=0)
    if len(curves) < 2:
        return Pool(separate, separate, separate, vol[0])
    width = np.array([c.first_step for c in curves])
    shape = np.array([c.load_shape for c in curves])  # (W, 24)
    units = np.where(np.isfinite(width), 1.0 / width, 0.0)
    load = (vol * units[:, None])[:, None, :] * shape[:, :, None]  # (W, 24, situations)
    peak = load.sum(axis=0).max(axis=0)
    base = np.array([c.at(c.base_requests) for c in curves])
    if not np.isfinite(base).any():
        return Pool(separate, separate, separate, vol[0])
    ref = int(np.nanargmax(base))
    eq = peak * width[ref] if math.isfinite(width[ref]) else np.ones_like(peak)
    shared: F = curves[ref].cost(eq)
    usd: F = np.where(np.isnan(separate) | np.isnan(shared), np.nan, np.fmin(shared, separate))
    return Pool(usd, separate, shared, eq)


def _route_row(rid: str, cs: Sequence[RouteCurve]) -> dict[str, Any]:
    vol = np.array([[c.base_requests] for c in cs])
    if cs[0].is_selfhost:
        p = pool_cost(cs, vol)
        sep, usd, pooled = float(p.separate_usd[0]), float(p.usd[0]), bool(p.shared_usd[0] < p.separate_usd[0])
    else:
        sep = usd = float(sum(c.at(c.base_requests) for c in cs))
        pooled = False
    return {
        "route_id": rid, "label": cs[0].label, "route_kind": cs[0].route_kind, "workloads": len(cs),
        "separate_usd": sep, "pooled_usd": usd, "saving_usd": sep - usd, "pooled": pooled,
    }


def portfolio_frame(curves: Sequence[RouteCurve]) -> pd.DataFrame:
    """Per route serving every workload: separate pools vs one shared pool; plus a best mix.

    The row route_id "mix" gives each workload its own cheapest route (sized alone), with
    workloads that land on the same self-hosted route sharing its pool.
    """
    workloads = list(dict.fromkeys(c.workload for c in curves))
    by_route: dict[str, list[RouteCurve]] = {}
    for c in curves:
        by_route.setdefault(c.route_id, []).append(c)
    rows = [_route_row(rid, cs) for rid, cs in by_route.items() if len(cs) == len(workloads)]
    best: dict[str, list[RouteCurve]] = {}
    for w in workloads:
        sub = [c for c in curves if c.workload == w and math.isfinite(c.at(c.base_requests))]
        if sub:
            pick = min(sub, key=lambda c: c.at(c.base_requests))
            best.setdefault(pick.route_id, []).append(pick)
    if len(best) > 1:
        parts = [(_route_row(rid, cs), cs) for rid, cs in best.items()]
        rows.append({
            "route_id": "mix",
            "label": "Best mix: " + "; ".join(
                f"{', '.join(c.workload for c in cs)} on {r['label']}" for r, cs in parts),
            "route_kind": "mix", "workloads": len(workloads),
            "separate_usd": sum(r["separate_usd"] for r, _ in parts),
            "pooled_usd": sum(r["pooled_usd"] for r, _ in parts),
            "saving_usd": sum(r["saving_usd"] for r, _ in parts),
            "pooled": any(r["pooled"] for r, _ in parts),
        })
    if not rows:
        return pd.DataFrame(columns=list(COLUMNS))
    df = pd.DataFrame(rows)[list(COLUMNS)]
    return df.sort_values("pooled_usd", na_position="last", kind="stable").reset_index(drop=True)
