"""Public price feeds mapped to our schema: one module per feed, shared by importers and refresh.

- `litellm`: LiteLLM's price map (USD per token per model key) -> ApiOffer.
- `openrouter`: OpenRouter's models API -> ApiOffer re-pricing and quality indices.
- `curation`: data/curation.yaml, the hand-curated layer (which entries we carry and what a feed lacks).
- `history`: dated price points per offer from successive LiteLLM releases.

The importers (pricing/importers/) read the pinned snapshots in data/sources/ (offline); refresh
(pricing/refresh/) fetches the same feeds online. Neither imports the other's feed code: both
import from here, and nothing here imports pricing.importers or pricing.refresh.
"""

from __future__ import annotations

from pathlib import Path

from pricing.errors import PricingError

REPO_DIR = Path(__file__).resolve().parent.parent.parent
SOURCES_DIR = REPO_DIR / "data" / "sources"


class FeedError(PricingError):
    """A feed could not be fetched or read: names the URL (or file) and the cause."""


class FeedRejected(FeedError):
    """A feed was read but its changes were refused by a guard (negative, 10x, mass removal)."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("feed rejected, nothing written:\n  " + "\n  ".join(self.reasons))


__all__ = ["SOURCES_DIR", "FeedError", "FeedRejected"]
