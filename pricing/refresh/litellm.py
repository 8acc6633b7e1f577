"""LiteLLM's price map as a refresh feed: pricing.feeds.litellm maps it, this wraps it as a diffable Feed.

The curated list (data/curation.yaml) decides which entries we carry; a newer map refreshes
their prices. A curated entry the map no longer prices is "missing from feed".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pricing.feeds import litellm as feed
from pricing.feeds.litellm import DEFAULT_URL
from pricing.refresh.diff import Feed
from pricing.schema import ApiOffer, ProviderFile

__all__ = ["DEFAULT_URL", "expected_ids", "feed_from_litellm"]
expected_ids = feed.expected_ids


def feed_from_litellm(raw: Any, url: str, today: dt.date) -> Feed:
    """Map a downloaded LiteLLM price map to our offers; RefreshError on a schema mismatch, FeedRejected on negative prices."""
    by_provider = feed.checked_offers(raw, url, today)
    offers = {p: {o.model: o for o in os} for p, os in by_provider.items()}
    return Feed(name="litellm", url=url, offers=offers, expected=feed.expected_ids(), new_file=_new_file)


def _new_file(provider: str, offers: list[ApiOffer]) -> ProviderFile:
    return feed.provider_file(provider, offers)
