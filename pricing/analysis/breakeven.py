"""Break-even volume between two routes: every crossing of their cost curves, to one request."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from pricing.analysis.curves import Curve, F, RouteCurve
from pricing.errors import InputError

DEFAULT_MIN_REQUESTS = 100.0
DEFAULT_MAX_REQUESTS = 1e11
GRID_POINTS = 4001
K = 256  # pieces per bracket and step of the k-ary refinement
Status = Literal["crossing", "always", "never", "equal"]
COLUMNS = (
    "workload", "route_a", "route_b", "label_a", "label_b", "status", "n_crossings",
    "requests_per_month", "tokens_per_month", "cheaper_above", "cheaper_below",
    "crossings_requests", "min_requests", "max_requests", "sentence",
)


@dataclass(frozen=True)
class Crossing:
    """The cheaper route changes at `requests` (first whole request on the new side)."""

    requests: float
    a_cheaper_above: bool


@dataclass(frozen=True)
class BreakEven:
    """Crossings of route a's and route b's cost over [lo, hi] requests/month.

    status (from a's side): crossing; always (a is cheaper at every volume in the range);
    never (b is cheaper or equal everywhere); equal (same cost everywhere).
    """

    status: Status
    crossings: tuple[Crossing, ...]
    lo: float
    hi: float
    a_cheaper_at_lo: bool
    a_cheaper_at_hi: bool


def _sign(a: F, b: F) -> F:
    """-1 where a is cheaper, +1 where b is, 0 where they tie (to a relative 1e-9).

    NaN (the route cannot serve that volume) counts as dearer than any price.
    """
    na, nb = np.isnan(a), np.isnan(b)
    with np.errstate(invalid="ignore"):
        d = a - b
        tol = 1e-9 * np.maximum(np.abs(a), np.abs(b))
        out: F = np.where(np.abs(d) <= tol, 0.0, np.sign(d))
    out = np.where(na & nb, 0.0, np.where(na, 1.0, np.where(nb, -1.0, out)))
    return out


def breakeven(cost_a: Curve, cost_b: Curve, lo: float = DEFAULT_MIN_REQUESTS,
              hi: float = DEFAULT_MAX_REQUESTS, points: int = GRID_POINTS) -> BreakEven:
    """Find all crossings on a log grid of whole requests, then refine each (k-ary search) to one request."""
    lo, hi = max(1.0, math.floor(lo)), max(math.ceil(hi), math.floor(lo) + 1)
    grid = np.unique(np.round(np.geomspace(lo, hi, points)))
    s = _sign(cost_a(grid), cost_b(grid))
    nz = np.flatnonzero(s)
    if nz.size == 0:
        return BreakEven("equal", (), lo, hi, False, False)
    # carry the last non-zero sign across ties; a crossing is where the carried sign flips
    idx = nz
    flips = np.flatnonzero(s[idx][1:] != s[idx][:-1])
    left = grid[idx[flips]].astype(float)
    right = grid[idx[flips + 1]].astype(float)
    s_left = s[idx[flips]]
    while left.size and np.any(right - left > 1):
        # k-ary search: every bracket split into K pieces, all brackets in one vectorised call
        pts = np.round(left[:, None] + (right - left)[:, None] * np.linspace(0.0, 1.0, K + 1)[None, :])
        sp = _sign(cost_a(pts.ravel()), cost_b(pts.ravel())).reshape(pts.shape)
        changed = sp != s_left[:, None]
        j = np.argmax(changed, axis=1)  # first point off the left side (the last point always is)
        rows = np.arange(len(j))
        tie = sp[rows, j] == 0
        new_right = pts[rows, j]
        new_left = np.where(tie, new_right - 1, pts[rows, np.maximum(j - 1, 0)])
        done = right - left <= 1
        left = np.where(done, left, new_left)
        right = np.where(done, right, new_right)
    crossings = tuple(Crossing(float(r), bool(sl > 0)) for r, sl in zip(right, s_left, strict=True))
    first, last = s[nz[0]], s[nz[-1]]
    if crossings:
        status: Status = "crossing"
    else:
        status = "always" if first < 0 else "never"
    return BreakEven(status, crossings, lo, hi, bool(first < 0), bool(last < 0))


def fmt_count(x: float) -> str:
    """A volume for people: 2.1B, 340M, 12k, 800."""
    if not math.isfinite(x):
        return "n/a"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            v = x / div
            return f"{v:.2g}{suf}" if v < 10 else f"{v:.0f}{suf}"
    return f"{x:.0f}"


def sentence(be: BreakEven, label_a: str, label_b: str, tokens_per_request: float) -> str:
    """The break-even in one sentence, with its direction and the range searched."""
    def tok(r: float) -> str:
        return f"{fmt_count(r * tokens_per_request)} tokens/month ({fmt_count(r)} requests)"

    span = f"from {fmt_count(be.lo * tokens_per_request)} to {fmt_count(be.hi * tokens_per_request)} tokens/month"
    if be.status == "equal":
        return f"{label_a} and {label_b} cost the same at every volume {span}."
    if be.status == "always":
        return f"{label_a} is cheaper than {label_b} at every volume {span}: no break-even."
    if be.status == "never":
        return f"{label_b} is cheaper than {label_a} at every volume {span}: no break-even."
    last = be.crossings[-1]
    win, lose = (label_a, label_b) if last.a_cheaper_above else (label_b, label_a)
    if len(be.crossings) == 1:
        return f"{win} beats {lose} above {tok(last.requests)}."
    first = be.crossings[0]
    below = label_b if first.a_cheaper_above else label_a
    return (
        f"{win} beats {lose} for good above {tok(last.requests)}; below {tok(first.requests)} "
        f"{below} is cheaper, and in between they trade places {len(be.crossings) - 1} times "
        f"as whole GPUs are added."
    )


def breakeven_row(a: RouteCurve, b: RouteCurve, lo: float = DEFAULT_MIN_REQUESTS,
                  hi: float = DEFAULT_MAX_REQUESTS) -> dict[str, object]:
    """One tidy row: status, the last crossing (requests and tokens), direction and sentence."""
    be = breakeven(a.cost, b.cost, lo, hi)
    last = be.crossings[-1] if be.crossings else None
    above = below = None
    if be.status in ("always", "never"):
        above = below = a.route_id if be.status == "always" else b.route_id
    elif last is not None:
        above = a.route_id if last.a_cheaper_above else b.route_id
        below = b.route_id if be.crossings[0].a_cheaper_above else a.route_id
    r = last.requests if last else math.nan
    return {
        "workload": a.workload, "route_a": a.route_id, "route_b": b.route_id,
        "label_a": a.label, "label_b": b.label, "status": be.status,
        "n_crossings": len(be.crossings), "requests_per_month": r,
        "tokens_per_month": r * a.tokens_per_request, "cheaper_above": above, "cheaper_below": below,
        "crossings_requests": ";".join(f"{c.requests:.0f}" for c in be.crossings),
        "min_requests": be.lo, "max_requests": be.hi,
        "sentence": sentence(be, a.label, b.label, a.tokens_per_request),
    }


def breakeven_between(curves: Sequence[RouteCurve], workload: str, route_a: str, route_b: str,
                      lo: float = DEFAULT_MIN_REQUESTS, hi: float = DEFAULT_MAX_REQUESTS) -> dict[str, object]:
    """Break-even row of two named routes of one workload (for the dashboard's own pick)."""
    by_key = {(c.workload, c.route_id): c for c in curves}
    missing = [r for r in (route_a, route_b) if (workload, r) not in by_key]
    if missing:
        raise InputError(f"no route {missing[0]!r} for workload {workload!r}")
    return breakeven_row(by_key[(workload, route_a)], by_key[(workload, route_b)], lo, hi)


def key_pairs(curves: Sequence[RouteCurve], max_selfhost: int = 3) -> list[tuple[RouteCurve, RouteCurve]]:
    """Per workload: the cheapest self-hosted routes (up to max_selfhost) each against the cheapest
    API route, the cheapest self-hosted route against the cheapest closed API (the usual default),
    and the winner against the runner-up."""
    out: list[tuple[RouteCurve, RouteCurve]] = []
    for w in dict.fromkeys(c.workload for c in curves):
        sub = [c for c in curves if c.workload == w and math.isfinite(c.at(c.base_requests))]
        sub.sort(key=lambda c: c.at(c.base_requests))
        sh = [c for c in sub if c.is_selfhost]
        api = [c for c in sub if not c.is_selfhost]
        pairs = [(s, api[0]) for s in sh[:max_selfhost]] if api else []
        closed = [c for c in api if c.route_kind == "api-closed"]
        if sh and closed and closed[0] is not api[0]:
            pairs.append((sh[0], closed[0]))
        seen = [{a.route_id, b.route_id} for a, b in pairs]
        if len(sub) >= 2 and {sub[0].route_id, sub[1].route_id} not in seen:
            pairs.append((sub[0], sub[1]))
        out.extend(pairs)
    return out


def breakeven_frame(curves: Sequence[RouteCurve],
                    pairs: Sequence[tuple[RouteCurve, RouteCurve]] | None = None,
                    lo: float = DEFAULT_MIN_REQUESTS, hi: float = DEFAULT_MAX_REQUESTS) -> pd.DataFrame:
    """Break-even of each pair (default: key_pairs) as one tidy row each."""
    rows = [breakeven_row(a, b, lo, hi) for a, b in (key_pairs(curves) if pairs is None else pairs)]
    return pd.DataFrame(rows, columns=list(COLUMNS))
