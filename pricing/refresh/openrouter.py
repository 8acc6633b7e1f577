"""OpenRouter's models API as a refresh feed: pricing.feeds.openrouter maps it, this wraps it as a diffable Feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pricing.feeds.openrouter import (
    DEFAULT_URL,
    FEED_FIELDS,
    NO_CACHE_WRITE,
    PRICE_MAP,
    offers_from_openrouter,
)
from pricing.refresh.diff import Feed
from pricing.schema import ApiOffer

__all__ = ["DEFAULT_URL", "FEED_FIELDS", "NO_CACHE_WRITE", "PRICE_MAP", "feed_from_openrouter"]


def feed_from_openrouter(raw: Any, url: str, today: dt.date, ours: dict[str, ApiOffer]) -> Feed:
    """Map an OpenRouter models answer onto the offers in `ours` (offer id -> our offer) via PRICE_MAP."""
    offers, expected = offers_from_openrouter(raw, url, today, ours)
    return Feed(name="openrouter", url=url, offers=offers, expected=expected, fields=FEED_FIELDS)
