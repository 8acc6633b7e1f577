"""JSON report: results plus break-even, sensitivity, uncertainty, portfolio and the plan."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from pricing.report.build import Report
from pricing.report.tables import results_table


def _clean(v: Any) -> Any:
    """JSON-safe value: NaN/inf -> None, numpy -> Python, floats to 10 significant digits."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return float(f"{f:.10g}") if math.isfinite(f) else None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts."""
    return [{str(k): _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def report_dict(r: Report, plan_top: int = 6) -> dict[str, Any]:
    """The report as plain data (what to_json serialises)."""
    plan = r.plan
    if not plan.empty:
        last = plan[plan["month"] == plan["month"].max()]
        top = set()
        for view in ("cash", "amortised"):
            top |= set(last[last["view"] == view].nsmallest(plan_top, "cumulative_usd")["route_id"])
        plan = plan[plan["route_id"].isin(top)]
    return {
        "scenario": r.scenario.name,
        "description": r.scenario.description,
        "as_of": r.today.isoformat(),
        "winners": r.winners,
        "results": records(results_table(r.scenario, r.results)),
        "breakeven": records(r.breakeven),
        "sensitivity": records(r.tornado),
        "sensitivity_costs": records(r.sensitivity_costs),
        "uncertainty": {
            "samples": r.samples, "seed": r.seed,
            "ranges_p10_p90": _clean(r.ranges.__dict__),
            "throughput_calibration": r.efficiency_note,
            "routes": records(r.uncertainty),
        },
        "gpu_prices": list(r.gpu_price_lines),
        "portfolio": records(r.portfolio),
        "plan": {
            "assumptions": _clean(r.plan_assumptions.as_dict()),
            "warnings": list(r.plan.attrs.get("warnings", [])),
            "overtakes": records(r.overtakes),
            "months": records(plan),
        },
        "scenario_file": json.loads(r.scenario.model_dump_json(exclude_defaults=True)),
    }


def to_json(r: Report) -> str:
    """The report as indented, key-stable JSON (no NaN)."""
    return json.dumps(report_dict(r), indent=2, allow_nan=False, ensure_ascii=False) + "\n"
