"""CSV of results: one tidy row per workload x route with every assumption; formulas neutralised."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import pandas as pd

from pricing.schema import Scenario

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WORKLOAD_FIELDS = (
    "input_tokens", "output_tokens", "reasoning_tokens", "cached_input_fraction",
    "cache_write_fraction", "batch_fraction", "off_peak_fraction", "peak_to_average",
    "hourly_profile", "max_ttft_ms", "max_tpot_ms", "min_output_tokens_per_s", "monthly_growth",
    "min_context_tokens",
)
OVERRIDE_FIELDS = (
    "provider_discount", "gpu_usd_per_hour", "gpu_purchase_usd", "usd_per_kwh", "efficiency_scale",
    "headroom_fraction", "currency", "usd_to_currency",
)


def rows(df: pd.DataFrame) -> list[Any]:
    """Rows as objects with one attribute per column (typed Any: the cells are of mixed types)."""
    return [SimpleNamespace(**{str(k): v for k, v in r.items()}) for r in df.to_dict(orient="records")]


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet could execute (= + - @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, sort_keys=True)
    return v


def results_table(scenario: Scenario, results: pd.DataFrame) -> pd.DataFrame:
    """compare() results with the scenario, each workload's assumptions and the overrides as columns."""
    df = results.copy()
    df.insert(0, "scenario", scenario.name)
    by_name = {w.name: w for w in scenario.workloads}
    for f in WORKLOAD_FIELDS:
        df[f"workload_{f}"] = [_cell(getattr(by_name[str(w)], f)) for w in df["workload"]]
    ov = scenario.overrides
    for f in OVERRIDE_FIELDS:
        df[f"override_{f}"] = _cell(getattr(ov, f))
    return df


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.10g}"
    return neutralise(v) if isinstance(v, str) else v


def to_csv(df: pd.DataFrame) -> str:
    """CSV text with stable number formatting and every text cell made inert for spreadsheets."""
    out = df.copy()
    for col in out.columns:
        out[col] = [_fmt(v) if not isinstance(v, str) else neutralise(v) for v in out[col].tolist()]
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text
