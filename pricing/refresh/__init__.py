"""Refresh API prices from public feeds (LiteLLM, OpenRouter): fetch, map, diff, guard, write atomically.

Modules: http (fetch with timeouts, retries, size limit), litellm / openrouter (feed -> our
offers), diff (what changed and the guards), write (atomic multi-file write), check (where
our data and a feed disagree). The bundled data stays the default; refresh is an explicit act.
"""

from __future__ import annotations

from pricing.errors import PricingError
from pricing.staleness import price_age


class RefreshError(PricingError):
    """A feed could not be fetched or read: names the URL and the cause."""


class FeedRejected(RefreshError):
    """A feed was read but its changes were refused by a guard (negative, 10x, mass removal)."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("feed rejected, nothing written:\n  " + "\n  ".join(self.reasons))


__all__ = ["FeedRejected", "RefreshError", "price_age"]
