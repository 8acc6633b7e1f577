"""Price history of API offers (data/history/api_prices.yaml) and the measured price trend.

The trend is the yearly change of the price per quality point, measured on the history:
- blended price = (3 x input + 1 x output) / 4 USD per 1M tokens (Artificial Analysis' 3:1 blend),
  divided by the offer's Artificial Analysis Intelligence Index (data/quality.yaml) = USD per
  quality point;
- at each release date, for a quality level Q, the cheapest price per quality point among the
  offers listed by then whose index is at least Q (closed and open weights separately);
- log-linear least squares of that series over time, for Q at the 25th, 50th and 75th percentile
  of the group's indices; the trend is the median of the three fits: exp(slope per year) - 1.
Offers are listed from their first point on; quality indices are one snapshot (2026-08-01), so
the trend measures how fast the price of a fixed quality falls as prices are cut and cheaper
models of that quality appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pricing import quality
from pricing.catalog import Catalog, parse_model, read_yaml
from pricing.errors import UnknownIdError
from pricing.schema import PriceHistoryFile, PricePoint

BLEND_INPUT = 0.75
MIN_POINTS = 5
MIN_DAYS = 180
QUANTILES = (0.25, 0.5, 0.75)
HISTORY_FILE = "history/api_prices.yaml"


def price_history(catalog: Catalog) -> PriceHistoryFile | None:
    """The catalog's price history (None when data/ has none), read once per catalog."""
    cache = catalog._cache
    if "price_history" not in cache:
        path = catalog.data_dir / HISTORY_FILE
        cache["price_history"] = (
            parse_model(PriceHistoryFile, read_yaml(path), HISTORY_FILE) if path.exists() else None
        )
    h: PriceHistoryFile | None = cache["price_history"]
    return h


def offer_points(catalog: Catalog, offer_id: str) -> tuple[PricePoint, ...]:
    """Dated price points of one offer, oldest first; UnknownIdError for an id the catalog lacks."""
    if offer_id not in catalog.offers:
        raise UnknownIdError("API offer", offer_id, catalog.offers)
    h = price_history(catalog)
    for o in (h.offers if h else ()):
        if o.offer == offer_id:
            return o.points
    return ()


def blended(p: PricePoint) -> float:
    """USD per 1M tokens at 3 input : 1 output."""
    return BLEND_INPUT * p.usd_per_mtok_input + (1 - BLEND_INPUT) * p.usd_per_mtok_output


@dataclass(frozen=True)
class Trend:
    """Measured yearly change of price per quality point for one group (closed or open weights)."""

    group: str
    per_year: float | None  # -0.4 = 40% cheaper per year; None = too little history
    fits: tuple[float, ...]  # one per quality level
    offers: int
    first: dt.date | None
    last: dt.date | None

    def sentence(self) -> str:
        """The figure for people."""
        if self.per_year is None:
            return f"{self.group}: not enough history to measure"
        return (f"{self.group} weights: price per quality point {self.per_year:+.0%} per year "
                f"({self.offers} offers, {self.first} to {self.last}; fits {', '.join(f'{f:+.0%}' for f in self.fits)})")


@dataclass(frozen=True)
class PriceTrend:
    """The measured trends and where they come from."""

    closed: Trend
    open: Trend
    source: str

    def for_route(self, route_kind: str) -> float | None:
        """The measured yearly change for a route kind (api-closed vs open-weight APIs)."""
        return self.closed.per_year if route_kind == "api-closed" else self.open.per_year


def _fit(days: list[dt.date], values: list[float]) -> float | None:
    if len(values) < MIN_POINTS or (days[-1] - days[0]).days < MIN_DAYS:
        return None
    t = np.array([(d - days[0]).days / 365.25 for d in days])
    slope = float(np.polyfit(t, np.log(np.array(values)), 1)[0])
    return float(np.exp(slope) - 1)


def _group_trend(catalog: Catalog, h: PriceHistoryFile, group: str) -> Trend:
    rows: list[tuple[float, tuple[PricePoint, ...]]] = []
    for o in h.offers:
        offer = catalog.offers.get(o.offer)
        if offer is None or (offer.open_model is None) != (group == "closed"):
            continue
        q = quality.score(catalog, o.offer)
        if q is None or not q > 0:
            continue
        rows.append((float(q), o.points))
    dates = sorted({r.released_on for r in h.releases})
    if not rows or not dates:
        return Trend(group, None, (), len(rows), None, None)
    levels = [float(np.quantile([q for q, _ in rows], x)) for x in QUANTILES]
    fits = []
    for level in levels:
        xs, ys = [], []
        for d in dates:
            best = None
            for q, pts in rows:
                if q < level:
                    continue
                cur = [p for p in pts if p.since <= d]
                if cur and blended(cur[-1]) > 0:
                    v = blended(cur[-1]) / q
                    best = v if best is None else min(best, v)
            if best is not None:
                xs.append(d)
                ys.append(best)
        f = _fit(xs, ys)
        if f is not None:
            fits.append(f)
    per_year = float(np.median(fits)) if fits else None
    return Trend(group, per_year, tuple(fits), len(rows), dates[0], dates[-1])


def measured_trend(catalog: Catalog) -> PriceTrend | None:
    """Yearly change of price per quality point, closed and open weights; None without history."""
    cache = catalog._cache
    if "price_trend" not in cache:
        h = price_history(catalog)
        cache["price_trend"] = None if h is None else PriceTrend(
            closed=_group_trend(catalog, h, "closed"), open=_group_trend(catalog, h, "open"),
            source=(f"measured on {len(h.releases)} LiteLLM releases on PyPI ({h.releases[0].released_on} to "
                    f"{h.releases[-1].released_on}, data/history/api_prices.yaml) and Artificial Analysis "
                    "Intelligence Index (data/quality.yaml); pricing/history.py"),
        )
    t: PriceTrend | None = cache["price_trend"]
    return t
