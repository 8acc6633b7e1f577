"""Everything a report shows, computed once from a scenario: results and every analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from pricing import clock, gpu_price, task_tokens
from pricing.analysis.breakeven import breakeven_frame
from pricing.analysis.curves import route_curves, with_options
from pricing.analysis.plan import PlanAssumptions, overtakes, plan_frame
from pricing.analysis.portfolio import portfolio_frame
from pricing.analysis.sensitivity import (
    ALL,
    DEFAULT_DRIVERS,
    Driver,
    sensitivity,
    with_gpu_price_range,
)
from pricing.analysis.uncertainty import Ranges, market_gpu_price_range, uncertainty_frame
from pricing.catalog import Catalog
from pricing.compare import compare, money, winner_sentence
from pricing.schema import Scenario

DEFAULT_SEED = 20_260_101
DEFAULT_SAMPLES = 10_000


@dataclass(frozen=True)
class Report:
    """A scenario with its results, break-even, sensitivity, uncertainty, portfolio and plan."""

    scenario: Scenario
    today: dt.date
    results: pd.DataFrame
    winners: dict[str, str]
    breakeven: pd.DataFrame
    tornado: pd.DataFrame
    sensitivity_costs: pd.DataFrame
    uncertainty: pd.DataFrame
    ranges: Ranges
    seed: int
    samples: int
    portfolio: pd.DataFrame
    plan: pd.DataFrame
    overtakes: pd.DataFrame
    plan_assumptions: PlanAssumptions
    efficiency_note: str
    gpu_price_lines: tuple[str, ...] = ()
    task_tokens_line: str = ""


def build_report(scenario: Scenario, catalog: Catalog, today: dt.date | None = None,
                 seed: int = DEFAULT_SEED, samples: int = DEFAULT_SAMPLES,
                 drivers: Sequence[Driver] = DEFAULT_DRIVERS, months: int | None = None,
                 ranges: Ranges | None = None) -> Report:
    """Run compare() and every analysis on one scenario; deterministic for a fixed today and seed."""
    today = today or scenario.as_of or clock.today()
    scenario = with_options(scenario, catalog, today)

    def run(s: Scenario) -> pd.DataFrame:
        return compare(s, catalog, today=today)

    results = run(scenario)
    curves = route_curves(scenario, catalog, results, today=today)
    winners = {str(w): winner_sentence(results, str(w)) for w in results["workload"].unique()}
    port = portfolio_frame(curves)
    if len(scenario.workloads) > 1:
        winners[ALL] = portfolio_sentence(port)
    eff = catalog.efficiency
    market = market_gpu_price_range(catalog, scenario, today)
    rng = ranges or Ranges.from_calibration(eff.median_abs_pct_error if eff else None,
                                            **({"gpu_price": market} if market else {}))
    if drivers is DEFAULT_DRIVERS:
        # the tornado's GPU price range is the market's P10-P90, like the uncertainty band
        drivers = with_gpu_price_range(DEFAULT_DRIVERS, market)
        if rng.efficiency != (1.0, 1.0):
            # the tornado's efficiency range is the calibration's P10-P90, like the uncertainty band
            drivers = tuple(replace(d, low=round(rng.efficiency[0], 2), high=round(rng.efficiency[1], 2))
                            if d.id == "efficiency" else d for d in drivers)
    tornado, sens_costs = sensitivity(scenario, run, drivers)
    unc = uncertainty_frame(curves, rng, samples=samples, seed=seed)
    assumptions = PlanAssumptions.for_catalog(catalog, months=months or scenario.months, today=today)
    plan = plan_frame(curves, {w.name: w.monthly_growth for w in scenario.workloads}, assumptions)
    over = pd.concat([overtakes(plan, v) for v in ("cash", "amortised")], ignore_index=True)
    note = (f"throughput efficiency factors fitted on {eff.fitted_on.split(',')[0]}; median error "
            f"{(eff.median_abs_pct_error or 0) * (100 if (eff.median_abs_pct_error or 0) <= 1 else 1):.1f}%"
            if eff else "no throughput calibration loaded")
    tt = scenario.task_tokens
    tt_line = task_tokens.describe(tt, task_tokens.reference_figure(catalog, tt, scenario.name)) if tt else ""
    return Report(
        gpu_price_lines=gpu_price_lines(scenario, results), task_tokens_line=tt_line,
        scenario=scenario, today=today, results=results, winners=winners,
        breakeven=breakeven_frame(curves), tornado=tornado, sensitivity_costs=sens_costs, uncertainty=unc, ranges=rng,
        seed=seed, samples=samples, portfolio=port, plan=plan, overtakes=over,
        plan_assumptions=assumptions, efficiency_note=note,
    )


def gpu_price_lines(scenario: Scenario, results: pd.DataFrame) -> tuple[str, ...]:
    """The GPU price policy in force and, per rented route, the hourly price it chose and from what."""
    pol = gpu_price.check_policy(scenario.overrides.gpu_price_policy)
    default = "" if scenario.overrides.gpu_price_policy else " (the default; set overrides.gpu_price_policy to change it)"
    lines = [f"GPU price policy: {pol}, {gpu_price.policy_label(pol)}{default}; "
             "your own overrides.gpu_usd_per_hour overrides any policy."]
    cloud = results[results["route_kind"] == "selfhost-cloud"].drop_duplicates("route_id")
    for x in cloud.itertuples(index=False):
        price = float(x.gpu_usd_per_hour)  # type: ignore[arg-type]
        shown = f"${price:.2f}/GPU-hour" if price == price else "no price"
        lines.append(f"{x.label}: {shown}; {x.price_source}")
    return tuple(lines)


def portfolio_sentence(port: pd.DataFrame) -> str:
    """The cheapest way to run all workloads (shared GPU pools counted) and its lead over the next."""
    ok = port[port["pooled_usd"].notna()].sort_values("pooled_usd")
    if ok.empty:
        return "No single route can serve every workload with the chosen options."
    best = ok.iloc[0]
    pool = " with one shared GPU pool" if bool(best["pooled"]) else ""
    if len(ok) == 1:
        return f"For all workloads together, {best['label']}{pool} costs {money(best['pooled_usd'])}/month."
    nxt = ok.iloc[1]
    diff = float(nxt["pooled_usd"] - best["pooled_usd"])
    pct = diff / float(nxt["pooled_usd"]) * 100 if nxt["pooled_usd"] else 0.0
    return (f"For all workloads together, {best['label']}{pool} is cheapest at {money(best['pooled_usd'])}/month, "
            f"{money(diff)} ({pct:.0f}%) less than {nxt['label']}.")
