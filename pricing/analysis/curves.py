"""Monthly cost of one route as a function of volume: the common input of every analysis."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pricing import api_cost, selfhost
from pricing.catalog import Catalog
from pricing.compare import BREAKDOWN_COLUMNS, compare, default_options, per_task_workload
from pricing.schema import Overrides, Scenario, SelfHostChoice, SelfHostSpec, Workload

F = npt.NDArray[np.float64]
Curve = Callable[[F], F]

SELFHOST_KINDS = ("selfhost-cloud", "selfhost-owned")
# Breakdown columns whose cost scales with the hardware price (GPU rent, or purchase for owned).
HARDWARE_COLUMNS = ("usd_gpu_rent", "usd_capex")


@dataclass(frozen=True)
class RouteCurve:
    """One route for one workload: cost(requests/month) -> monthly USD, vectorised.

    `shares` splits the monthly cost into breakdown columns (fractions summing to 1, read at
    the workload's own volume); for self-hosting they are taken as constant along the
    staircase, exact when every component is proportional to GPU-hours. `load_shape` is the
    hourly load relative to the peak hour (24 values, max 1; flat = peaks assumed to coincide).
    """

    workload: str
    route_id: str
    label: str
    route_kind: str
    tokens_per_request: float
    base_requests: float
    cost: Curve
    shares: Mapping[str, float] = field(default_factory=dict)
    gpus_at_base: float = 0.0
    load_shape: tuple[float, ...] = (1.0,) * 24
    # API routes: (effective_from, effective_until, cost factor vs the listed price) of scheduled prices
    price_steps: tuple[tuple[dt.date, dt.date | None, float], ...] = ()
    retires_on: dt.date | None = None
    successor: str | None = None

    @property
    def is_selfhost(self) -> bool:
        """True for a self-hosted route (a staircase in volume)."""
        return self.route_kind in SELFHOST_KINDS

    @property
    def hardware_share(self) -> float:
        """Share of the cost that scales with the GPU price (rent or purchase)."""
        return float(sum(self.shares.get(c, 0.0) for c in HARDWARE_COLUMNS))

    @property
    def power_share(self) -> float:
        """Share of the cost that scales with the electricity price."""
        return float(self.shares.get("usd_power", 0.0))

    def at(self, requests: float) -> float:
        """Monthly USD at one volume."""
        return float(self.cost(np.array([float(requests)]))[0])

    @cached_property
    def first_step(self) -> float:
        """Requests/month the smallest deployment serves before the cost steps up (inf if it never does)."""
        return first_step(self.cost)


MAX_REQUESTS = 1e13


def first_step(cost: Curve, points: int = 513) -> float:
    """Last volume before a monotone cost curve first rises: a log grid, then k-ary search to 1 request."""
    grid = np.concatenate(([1.0], np.round(np.geomspace(2.0, MAX_REQUESTS, points))))
    c = cost(grid)
    c1 = c[0]
    if not math.isfinite(c1):
        return math.inf
    up = np.flatnonzero(c > c1 * (1 + 1e-12))
    if up.size == 0:
        return math.inf
    lo, hi = float(grid[up[0] - 1]), float(grid[up[0]])
    while hi - lo > 1:
        pts = np.unique(np.round(np.linspace(lo, hi, points)))
        j = int(np.flatnonzero(cost(pts) > c1 * (1 + 1e-12))[0])
        lo, hi = float(pts[j - 1]), float(pts[j])
    return lo


def linear_curve(usd_per_request: float) -> Curve:
    """A token-metered API: monthly cost is proportional to requests."""
    def cost(v: F) -> F:
        return np.asarray(v, dtype=float) * usd_per_request
    return cost


def staircase_curve(usd_per_step: float, requests_per_step: float, fixed_usd: float = 0.0,
                    min_steps: int = 1) -> Curve:
    """Whole replicas: fixed + usd_per_step x max(min_steps, ceil(requests / requests_per_step))."""
    def cost(v: F) -> F:
        # 1e-12 relative slack: a load that is a whole number of replicas up to float noise needs
        # exactly that many (else pooled sums like 0.7 + 0.3 could round up to an extra replica)
        exact = np.asarray(v, dtype=float) / requests_per_step
        steps = np.maximum(np.ceil(exact * (1 - 1e-12)), min_steps)
        out: F = fixed_usd + usd_per_step * steps
        return out
    return cost


def load_shape(w: Workload) -> tuple[float, ...]:
    """24 hourly loads relative to the peak hour (batch share flat); no profile: every hour is peak."""
    if not w.hourly_profile:
        return (1.0,) * 24
    prof = np.asarray(w.hourly_profile, dtype=float)
    load = (1.0 - w.batch_fraction) * prof / prof.mean() + w.batch_fraction
    return tuple(float(x) for x in load / load.max())


def with_options(scenario: Scenario, catalog: Catalog, today: dt.date | None = None) -> Scenario:
    """The scenario with its options spelled out (defaults resolved once, so reruns compare the same routes)."""
    if scenario.options:
        return scenario
    opts = default_options(scenario.workloads, catalog, today=today or scenario.as_of)
    return scenario.model_copy(update={"options": tuple(opts)})


def selfhost_specs(scenario: Scenario, catalog: Catalog) -> dict[str, SelfHostSpec]:
    """Route id -> self-hosting spec for the scenario's self-hosted options."""
    ov = scenario.overrides
    return {
        selfhost.route_id(o.selfhost, selfhost.resolve_price(catalog, o.selfhost, ov)): o.selfhost
        for o in scenario.options if isinstance(o, SelfHostChoice)
    }


def _api_per_request(catalog: Catalog, route_id: str, w: Workload, ov: Overrides) -> float:
    one = w.model_copy(update={"requests_per_month": 1.0})
    df = api_cost.api_cost_frame(catalog, [route_id], [one], provider_discount=ov.provider_discount)
    return float(df["monthly_usd"].iloc[0])


def _price_steps(catalog: Catalog, rid: str, w: Workload, ov: Overrides,
                 base: float) -> tuple[tuple[dt.date, dt.date | None, float], ...]:
    """Cost factor of each scheduled price of an API offer for one request of the workload."""
    o = catalog.offers.get(rid)
    if o is None or not o.scheduled or not (base > 0 and math.isfinite(base)):
        return ()
    one = w.model_copy(update={"requests_per_month": 1.0})
    prov = catalog.offer_provider.get(rid, rid.split("/", 1)[0])
    disc = {k: v for k, v in ov.provider_discount.items() if k == prov}
    out = []
    for s in o.scheduled:
        df = api_cost.api_cost_frame({rid: o.priced_on(s.effective_from)}, [rid], [one], provider_discount=disc)
        out.append((s.effective_from, s.effective_until, float(df["monthly_usd"].iloc[0]) / base))
    return tuple(out)


def route_curves(scenario: Scenario, catalog: Catalog, df: pd.DataFrame | None = None,
                 today: dt.date | None = None) -> list[RouteCurve]:
    """One cost curve per (workload, route) row of compare(): linear for APIs, the staircase for GPUs."""
    scenario = with_options(scenario, catalog, today)
    if df is None:
        df = compare(scenario, catalog, today=today)
    specs = selfhost_specs(scenario, catalog)
    ov = scenario.overrides
    by_name = {w.name: w for w in scenario.workloads}
    out: list[RouteCurve] = []
    row: Any
    for row in (SimpleNamespace(**{str(k): v for k, v in r.items()}) for r in df.to_dict(orient="records")):
        w = by_name[str(row.workload)]
        m = float(getattr(row, "task_tokens_multiplier", 1.0))
        if math.isfinite(m) and m != 1.0:  # cost per task: this model's own output and reasoning tokens
            w = per_task_workload(w, m)
        kind = str(row.route_kind)
        rid = str(row.route_id)
        monthly = float(row.monthly_usd)
        shares = {c: float(getattr(row, c)) / monthly for c in BREAKDOWN_COLUMNS
                  if math.isfinite(monthly) and monthly > 0}
        steps: tuple[tuple[dt.date, dt.date | None, float], ...] = ()
        offer = None
        if kind in SELFHOST_KINDS:
            spec = specs[rid]
            cost = _selfhost_curve(catalog, spec, w, ov, today or scenario.as_of)
        else:
            per_req = monthly / w.requests_per_month if w.requests_per_month > 0 else \
                _api_per_request(catalog, rid, w, ov)
            cost = linear_curve(per_req)
            offer = catalog.offers.get(rid)
            steps = _price_steps(catalog, rid, w, ov, per_req)
        tokens = w.input_tokens + w.output_tokens + w.reasoning_tokens
        gpus = float(row.gpus) if row.gpus == row.gpus and row.gpus is not None else 0.0
        out.append(RouteCurve(
            workload=w.name, route_id=rid, label=str(row.label), route_kind=kind,
            tokens_per_request=tokens, base_requests=w.requests_per_month, cost=cost,
            shares=shares, gpus_at_base=gpus, load_shape=load_shape(w), price_steps=steps,
            retires_on=offer.retires_on if offer else None, successor=offer.successor if offer else None,
        ))
    return out


def _selfhost_curve(catalog: Catalog, spec: SelfHostSpec, w: Workload, ov: Overrides,
                    today: dt.date | None = None) -> Curve:
    def cost(v: F) -> F:  # today: the report date, so the GPU price policy's staleness cut is the report's
        return selfhost.selfhost_cost_curve(catalog, spec, w, np.asarray(v, dtype=float), ov, today)
    return cost
