"""Quality vs cost: which routes are on the efficient (Pareto) frontier."""

from __future__ import annotations

import numpy as np
import pandas as pd


def efficient_frontier(df: pd.DataFrame, cost: str = "monthly_usd", quality: str = "quality_index") -> pd.Series:
    """True for each row that no other row beats on both cost and quality; rows missing either are False."""
    c = pd.to_numeric(df[cost], errors="coerce").to_numpy(dtype=float)
    q = pd.to_numeric(df[quality], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(c) & np.isfinite(q)
    out = np.zeros(len(df), dtype=bool)
    idx = np.flatnonzero(ok)
    if idx.size:
        order = idx[np.lexsort((-q[idx], c[idx]))]  # cheapest first, best quality first among equal costs
        best_before = np.concatenate(([-np.inf], np.maximum.accumulate(q[order])[:-1]))
        out[order] = q[order] > best_before
    return pd.Series(out, index=df.index, name="on_frontier")
