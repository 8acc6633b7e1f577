"""Month-by-month plan: traffic growth, price trends, owned GPUs bought up front (cash) or amortised.

API prices: each month is billed at the price in effect on its first day (scheduled price changes
such as the end of an introductory price, `ApiOffer.scheduled`), times the yearly price trend:
by default the trend measured on the price history (pricing.history: yearly change of the price per
quality point, closed and open weights separately), else the user's figure. Offers retiring within
the plan are named in `plan_frame(...).attrs["warnings"]`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from pricing.analysis.curves import F, RouteCurve
from pricing.analysis.portfolio import pool_cost
from pricing.catalog import Catalog
from pricing.history import measured_trend

COLUMNS = ("view", "month", "route_id", "label", "route_kind", "requests_per_month", "gpus",
           "monthly_usd", "cumulative_usd")
OVERTAKE_COLUMNS = ("view", "route_id", "label", "overtakes_route_id", "overtakes_label", "month",
                    "cumulative_usd", "sentence")
VIEWS = ("cash", "amortised")


API_PRICE_ASSUMPTION = -0.20  # used only when no price history is loaded: an assumption


@dataclass(frozen=True)
class PlanAssumptions:
    """Trends over the plan. The API trend defaults to the measured one (closed / open weights)."""

    months: int = 24
    api_price_change_per_year: float | None = None  # None = the measured trend for the route's kind
    gpu_price_change_per_year: float = -0.15  # assumption: rent and purchase of a given GPU fall
    amortization_months: float = 48.0  # owned: from data/hosting.yaml `owned` when built by for_catalog
    residual_value_fraction: float = 0.0
    api_trend_closed: float = API_PRICE_ASSUMPTION  # measured by for_catalog when the history allows
    api_trend_open: float = API_PRICE_ASSUMPTION
    api_trend_source: str = "assumption (no price history loaded)"
    start: dt.date | None = None  # month 1 is the month holding this day; None = undated (no schedules)

    @classmethod
    def for_catalog(cls, catalog: Catalog, months: int = 24, today: dt.date | None = None,
                    **kw: Any) -> PlanAssumptions:
        """Defaults: amortisation from the catalog's owned hardware, API trends measured on its price history."""
        owned = catalog.owned.get("default") or next(iter(catalog.owned.values()), None)
        if owned is not None:
            kw.setdefault("amortization_months", owned.amortization_years * 12)
            kw.setdefault("residual_value_fraction", owned.residual_value_fraction)
        trend = measured_trend(catalog)
        if trend is not None:
            if trend.closed.per_year is not None:
                kw.setdefault("api_trend_closed", round(trend.closed.per_year, 4))
            if trend.open.per_year is not None:
                kw.setdefault("api_trend_open", round(trend.open.per_year, 4))
            kw.setdefault("api_trend_source", trend.source)
        return cls(months=months, start=today, **kw)

    def api_trend(self, route_kind: str) -> float:
        """Yearly API price change for a route kind: the user's figure, else the measured one."""
        if self.api_price_change_per_year is not None:
            return self.api_price_change_per_year
        return self.api_trend_closed if route_kind == "api-closed" else self.api_trend_open

    def month_start(self, i: int) -> dt.date | None:
        """First day of plan month i (0-based); None for an undated plan."""
        if self.start is None:
            return None
        m = self.start.month - 1 + i
        return dt.date(self.start.year + m // 12, m % 12 + 1, 1)

    def as_dict(self) -> dict[str, Any]:
        """For reports: every assumption by name."""
        return asdict(self)


def volumes(curves: Sequence[RouteCurve], growth: dict[str, float], months: int) -> F:
    """(workloads, months) requests/month: each workload compounds at its monthly growth."""
    m = np.arange(months, dtype=float)
    out: F = np.array([c.base_requests * (1 + growth.get(c.workload, 0.0)) ** m for c in curves])
    return out


def price_factors(c: RouteCurve, a: PlanAssumptions, months: int) -> F:
    """Per month, the route's cost at the price in effect on the month's first day over its listed cost."""
    out: F = np.ones(months)
    if not c.price_steps or a.start is None:
        return out
    for i in range(months):
        day = a.month_start(i)
        for since, until, factor in c.price_steps:
            if day is not None and since <= day and (until is None or day < until):
                out[i] = factor
    return out


def _route_plan(cs: Sequence[RouteCurve], vol: F, a: PlanAssumptions) -> dict[str, F]:
    """Monthly USD per view (and GPUs) of one route serving every workload."""
    m = np.arange(vol.shape[1], dtype=float)
    first = cs[0]
    if not first.is_selfhost:
        cost = np.sum([c.cost(vol[i]) * price_factors(c, a, vol.shape[1]) for i, c in enumerate(cs)], axis=0)
        usd = cost * (1 + a.api_trend(first.route_kind)) ** (m / 12)
        nan = np.full_like(usd, np.nan)
        return {"cash": usd, "amortised": usd, "gpus": nan}
    trend = (1 + a.gpu_price_change_per_year) ** (m / 12)
    base = pool_cost(cs, vol).usd
    ref = max(cs, key=lambda c: c.at(c.base_requests) if math.isfinite(c.at(c.base_requests)) else -1.0)
    per_gpu = ref.at(ref.base_requests) / ref.gpus_at_base if ref.gpus_at_base else math.nan
    gpus = np.round(base / per_gpu) if math.isfinite(per_gpu) else np.full_like(base, np.nan)
    if first.route_kind != "selfhost-owned":
        usd = base * (1 + first.hardware_share * (trend - 1))
        return {"cash": usd, "amortised": usd, "gpus": gpus}
    capex_share = first.shares.get("usd_capex", 0.0)
    fleet = np.maximum.accumulate(np.nan_to_num(gpus))
    buys = np.diff(fleet, prepend=0.0)
    capex_gpu_month = capex_share * per_gpu
    running = (1 - capex_share) * per_gpu * fleet
    upfront = capex_gpu_month * a.amortization_months / max(1e-9, 1 - a.residual_value_fraction)
    cash = buys * upfront * trend + running
    age = m[:, None] - m[None, :]  # month x purchase month
    live = (age >= 0) & (age < a.amortization_months)
    amortised = live.astype(float) @ (buys * capex_gpu_month * trend) + running
    bad = np.isnan(base)
    return {"cash": np.where(bad, np.nan, cash), "amortised": np.where(bad, np.nan, amortised),
            "gpus": np.where(bad, np.nan, fleet)}


def plan_frame(curves: Sequence[RouteCurve], growth: dict[str, float],
               assumptions: PlanAssumptions) -> pd.DataFrame:
    """Tidy month-by-month cost and cumulative cost per route (routes serving every workload), per view.

    Cash view: owned GPUs are paid in the month they are bought (the fleet never shrinks);
    amortised view: their price is spread over the amortisation period. Rented and API routes
    are the same in both views. Self-hosted routes shared by several workloads are costed as one
    pool (portfolio.pool_cost); their GPU count is the pool's cost over the cost per GPU of the
    costliest workload's own deployment (an estimate where ops are charged per whole node).
    """
    workloads = list(dict.fromkeys(c.workload for c in curves))
    by_route: dict[str, list[RouteCurve]] = {}
    for c in curves:
        by_route.setdefault(c.route_id, []).append(c)
    rows = []
    warnings: list[str] = []
    months = assumptions.months
    end = assumptions.month_start(months)
    for rid, cs in by_route.items():
        if len(cs) != len(workloads):
            continue
        r = cs[0].retires_on
        if r is not None and assumptions.start is not None and end is not None and r < end:
            when = "already retired" if r <= assumptions.start else "retires"
            warnings.append(f"{cs[0].label} {when} on {r}, within the {months}-month plan"
                            + (f"; successor {cs[0].successor}" if cs[0].successor else "") + ".")
        vol = volumes(cs, growth, months)
        p = _route_plan(cs, vol, assumptions)
        total = vol.sum(axis=0)
        for view in VIEWS:
            cum = np.cumsum(p[view])
            for i in range(months):
                rows.append((view, i + 1, rid, cs[0].label, cs[0].route_kind, float(total[i]),
                             float(p["gpus"][i]), float(p[view][i]), float(cum[i])))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out.attrs["warnings"] = warnings
    return out


def overtakes(plan: pd.DataFrame, view: str = "cash", top: int = 6) -> pd.DataFrame:
    """Months where one route's cumulative cost drops below another's (among the `top` at the end)."""
    p = plan[(plan["view"] == view) & np.isfinite(plan["cumulative_usd"])]
    if p.empty:
        return pd.DataFrame(columns=list(OVERTAKE_COLUMNS))
    cum = p.pivot(index="month", columns="route_id", values="cumulative_usd")
    labels = dict(zip(p["route_id"], p["label"], strict=False))
    final = cum.iloc[-1].sort_values()
    keep = list(final.index[:top])
    rows = []
    for b in keep:
        for a_ in keep:
            if a_ == b:
                continue
            diff = (cum[b] - cum[a_]).to_numpy()
            if diff[0] > 0 and diff[-1] < 0:
                month = int(cum.index[int(np.argmax(diff < 0))])
                usd = float(cum.loc[month, b])
                rows.append({
                    "view": view, "route_id": b, "label": labels[b], "overtakes_route_id": a_,
                    "overtakes_label": labels[a_], "month": month, "cumulative_usd": usd,
                    "sentence": f"{labels[b]} becomes cheaper in total than {labels[a_]} in month "
                                f"{month} ({view} view).",
                })
    out = pd.DataFrame(rows, columns=list(OVERTAKE_COLUMNS))
    return out.sort_values(["month", "route_id"], kind="stable").reset_index(drop=True)
