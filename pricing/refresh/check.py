"""Where our prices and a feed's disagree by more than a tolerance (1%), for a person to decide."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pricing.catalog import Catalog
from pricing.refresh.diff import Feed
from pricing.schema import ApiOffer
from pricing.staleness import price_age

TOLERANCE = 0.01
COLUMNS = (
    "offer_id", "field", "ours", "feed", "pct_diff",
    "ours_as_of", "ours_age_badge", "ours_source", "feed_as_of", "feed_source",
)


def effective(o: ApiOffer) -> dict[str, float]:
    """Base prices as billed: an empty cached/cache-write price is the input price, an empty reasoning price the output price."""
    return {
        "usd_per_mtok_input": o.usd_per_mtok_input,
        "usd_per_mtok_cached_input": (
            o.usd_per_mtok_input if o.usd_per_mtok_cached_input is None else o.usd_per_mtok_cached_input
        ),
        "usd_per_mtok_cache_write": (
            o.usd_per_mtok_input if o.usd_per_mtok_cache_write is None else o.usd_per_mtok_cache_write
        ),
        "usd_per_mtok_output": o.usd_per_mtok_output,
        "usd_per_mtok_reasoning": (
            o.usd_per_mtok_output if o.usd_per_mtok_reasoning is None else o.usd_per_mtok_reasoning
        ),
    }


def stated(o: ApiOffer) -> set[str]:
    """The base price fields an offer states explicitly (input and output always)."""
    return {"usd_per_mtok_input", "usd_per_mtok_output"} | {
        f for f in ("usd_per_mtok_cached_input", "usd_per_mtok_cache_write", "usd_per_mtok_reasoning")
        if getattr(o, f) is not None
    }


def compare_offers(
    ours: Mapping[str, ApiOffer], feed: Mapping[str, ApiOffer], tolerance: float = TOLERANCE
) -> pd.DataFrame:
    """One row per (offer, base price field) present on both sides and apart by more than `tolerance`.

    Only fields the feed states are compared; ours are taken as billed (see `effective`).
    Long-context tiers and batch prices are not compared.
    """
    rows = []
    for oid in sorted(set(ours) & set(feed)):
        a, b = ours[oid], feed[oid]
        ea, eb = effective(a), effective(b)
        for f in sorted(stated(b), key=list(ea).index):
            x, y = ea[f], eb[f]
            base = max(abs(x), abs(y))
            if base == 0 or abs(x - y) <= tolerance * base:
                continue
            rows.append({
                "offer_id": oid, "field": f, "ours": x, "feed": y,
                "pct_diff": (y - x) / x * 100.0 if x else float("inf"),
                "ours_as_of": a.as_of, "ours_age_badge": price_age(a.as_of)[1], "ours_source": a.source,
                "feed_as_of": b.as_of, "feed_source": b.source,
            })
    return pd.DataFrame(rows, columns=list(COLUMNS))


def disagreements(
    catalog: Catalog, feed_offers: Feed | Mapping[str, ApiOffer], tolerance: float = TOLERANCE
) -> pd.DataFrame:
    """Offers where the catalog and a feed disagree beyond `tolerance` (default 1%), one row per field."""
    offers = feed_offers.offer_ids() if isinstance(feed_offers, Feed) else dict(feed_offers)
    return compare_offers(dict(catalog.offers), offers, tolerance)
