"""Where our prices and a feed's disagree by more than a tolerance (1%), for a person to decide."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pricing import clock
from pricing.catalog import Catalog
from pricing.refresh import RefreshError
from pricing.refresh.diff import Feed
from pricing.refresh.http import FetchPolicy, check_url, fetch_json
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


def check_feed(
    catalog: Catalog,
    source: str,
    url: str | None = None,
    policy: FetchPolicy | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Fetch a feed (litellm or openrouter) and list where it disagrees with the catalog; writes nothing."""
    from pricing.refresh.litellm import DEFAULT_URL as LITELLM_URL
    from pricing.refresh.litellm import feed_from_litellm
    from pricing.refresh.openrouter import DEFAULT_URL as OPENROUTER_URL
    from pricing.refresh.openrouter import feed_from_openrouter

    if source not in ("litellm", "openrouter"):
        raise RefreshError(f"unknown price source {source!r}; use litellm or openrouter")
    url = check_url(url or (LITELLM_URL if source == "litellm" else OPENROUTER_URL))
    raw = fetch_json(url, policy)
    day = today or clock.today()
    feed = (feed_from_litellm(raw, url, day) if source == "litellm"
            else feed_from_openrouter(raw, url, day, dict(catalog.offers)))
    return disagreements(catalog, feed)


def cross_feed(litellm_raw: object, openrouter_raw: object, today: dt.date) -> pd.DataFrame:
    """Disagreements between the LiteLLM map and OpenRouter on the offers both price (LiteLLM as 'ours')."""
    from pricing.refresh.litellm import feed_from_litellm
    from pricing.refresh.openrouter import feed_from_openrouter

    left = feed_from_litellm(litellm_raw, "litellm", today).offer_ids()
    right = feed_from_openrouter(openrouter_raw, "openrouter", today, left).offer_ids()
    df = compare_offers(left, right)
    df.attrs["compared"] = len(set(left) & set(right))
    return df


def main(argv: Sequence[str] | None = None) -> int:
    """Print how often the two pinned snapshots (data/sources/) disagree beyond 1% (rerunnable figure for the docs)."""
    from pricing.feeds.snapshots import LITELLM_SNAPSHOT, OPENROUTER_SNAPSHOT

    ap = argparse.ArgumentParser(prog="python -m pricing.refresh.check", description=main.__doc__)
    ap.add_argument("--litellm", type=Path, default=LITELLM_SNAPSHOT)
    ap.add_argument("--openrouter", type=Path, default=OPENROUTER_SNAPSHOT)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every disagreeing field")
    args = ap.parse_args(argv)
    df = cross_feed(json.loads(args.litellm.read_text()), json.loads(args.openrouter.read_text()), clock.today())
    print(f"{df.attrs['compared']} offers priced by both feeds; "
          f"{df['offer_id'].nunique()} disagree beyond 1%, on {len(df)} price fields")
    print(df.groupby("field")["offer_id"].nunique().to_string())
    if args.verbose:
        for r in df.itertuples(index=False):
            print(f"  {r.offer_id}: {r.field}: LiteLLM {r.ours:g} vs OpenRouter {r.feed:g} ({r.pct_diff:+.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
