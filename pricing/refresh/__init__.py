"""Refresh API prices from public feeds (LiteLLM, OpenRouter): fetch, map, diff, guard, write atomically.

Modules: http (fetch with timeouts, retries, size limit), litellm / openrouter (a fetched feed ->
a diffable Feed, through pricing.feeds), diff (what changed and the guards), write (atomic multi-file write), check (where
our data and a feed disagree). The bundled data stays the default; refresh is an explicit act.
"""

from __future__ import annotations

from pricing.feeds import FeedError, FeedRejected
from pricing.staleness import price_age

# One error family for feeds offline and online: pricing.feeds raises it while mapping.
RefreshError = FeedError


__all__ = ["FeedRejected", "RefreshError", "price_age"]
