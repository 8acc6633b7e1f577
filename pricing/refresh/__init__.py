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


def outcome_lines(rejected: list[str], accept_hint: str, dry_run: bool, written: list[str]) -> list[str]:
    """The closing lines of every refresh report: refused (and how to accept), dry run, written, or nothing to do."""
    if rejected:
        return [f"rejected (nothing written; {accept_hint}):", *(f"  ! {r}" for r in rejected)]
    if dry_run:
        return ["dry run: nothing written"]
    if written:
        return ["wrote: " + ", ".join(written)]
    return ["nothing to write: the data already matches the feed"]


__all__ = ["FeedRejected", "RefreshError", "outcome_lines", "price_age"]
