"""LiteLLM's price map as a refresh feed, through the importer's pure `offers_from_litellm`.

The curated list (pricing/importers/curation.py) decides which entries we carry; a newer map
refreshes their prices. A curated entry the map no longer prices is "missing from feed".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from pricing.importers import litellm as imp
from pricing.importers.curation import CURATED
from pricing.refresh import FeedRejected, RefreshError
from pricing.refresh.diff import Feed
from pricing.schema import ApiOffer

DEFAULT_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"


def expected_ids() -> frozenset[str]:
    """Offer ids the curation takes from LiteLLM."""
    return frozenset(
        f"{p}/{pick.model or imp.model_name(p, pick.key)}" for p, picks in CURATED.items() for pick in picks
    )


def _numbers(node: Any, path: str) -> Iterator[tuple[str, float]]:
    """(path, value) of every number under a *cost* key, nested lists and dicts included."""
    if isinstance(node, Mapping):
        for k, v in node.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(node, int | float) and not isinstance(node, bool) and "cost" in path.rsplit(".", 1)[-1]:
        yield path, float(node)


def feed_from_litellm(raw: Any, url: str, today: dt.date) -> Feed:
    """Map a downloaded LiteLLM price map to our offers; RefreshError on a schema mismatch, FeedRejected on negative prices."""
    if not isinstance(raw, dict):
        raise RefreshError(f"{url}: schema mismatch: expected a JSON object of model entries, got {type(raw).__name__}")
    keys = [p.key for picks in CURATED.values() for p in picks]
    negative = [
        f"{key}: {path.lstrip('.')} = {v:g} (negative price)"
        for key in keys if isinstance(raw.get(key), dict)
        for path, v in _numbers(raw[key], "") if v < 0
    ]
    if negative:
        raise FeedRejected(negative)
    present = [k for k in keys if isinstance(raw.get(k), dict)]
    if present and not any(imp._priced(raw[k]) for k in present):
        raise RefreshError(
            f"{url}: schema mismatch: none of the {len(present)} curated entries has input_cost_per_token "
            "or tiered_pricing (did the format change?)"
        )
    source = f"LiteLLM price map, {url}"
    try:
        by_provider = imp.offers_from_litellm(raw, today, source)
    except (ValidationError, ValueError, TypeError, KeyError, AttributeError) as e:
        raise RefreshError(f"{url}: schema mismatch: {_locate(raw, today, source) or e}") from e
    offers = {p: {o.model: o for o in os} for p, os in by_provider.items()}
    return Feed(name="litellm", url=url, offers=offers, expected=expected_ids(), new_file=_new_file)


def _locate(raw: dict[str, Any], today: dt.date, source: str) -> str | None:
    """The first curated entry that does not convert, with the reason."""
    for provider, picks in CURATED.items():
        for pick in picks:
            entry = raw.get(pick.key)
            if not isinstance(entry, dict) or not imp._priced(entry):
                continue
            try:
                imp.offer_from_entry(provider, pick, entry, today, source)
            except ValidationError as e:
                err = e.errors(include_url=False)[0]
                loc = ".".join(str(x) for x in err["loc"])
                return f"entry {pick.key!r}: {loc or 'value'}: {err['msg']}"
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                return f"entry {pick.key!r}: {type(e).__name__}: {e}"
    return None


def _new_file(provider: str, offers: list[ApiOffer]) -> Any:
    return imp.provider_file(provider, offers)
