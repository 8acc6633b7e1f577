"""Merge a feed's prices into our provider files: what is new, changed, missing, and which guards refuse it.

Merge rules (a feed never overwrites what a person curated):
- Only the fields a feed covers (`Feed.fields`) are taken from it; display_name, open_model, family,
  reasoning, off_peak and notes always stay ours. A field the feed leaves empty keeps our value.
- Fields the user pinned in `<data-dir>/pins.yaml` keep our value (reported as pinned).
- A changed offer gets `as_of` = `checked_on` = today and the feed's `source` (`changed_on` = today
  when a price moved); an unchanged offer keeps all of them (a refresh that changes nothing writes nothing).
- An offer the feed should carry but does not is kept and reported "missing from feed" (`prune`
  removes it). Offers the feed does not cover at all are left alone.
Guards (refused unless `allow_large`): a price moving more than 10x either way (or to/from 0),
and a feed missing more than 30% (and at least 2) of a provider's offers it should carry (a truncated or
re-shaped feed). Refused unless `allow_shrink` (a separate flag, never implied by `allow_large`): a result
keeping fewer than half of a provider's offers, or of the whole catalog's. Always refused: a feed that
maps none of the offers it should carry, values that do not fit our schema, negative prices.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from pricing.catalog import parse_model, read_yaml
from pricing.errors import DataError, Issue
from pricing.refresh import FeedRejected
from pricing.schema import ApiOffer, ProviderFile, Strict

MAX_FACTOR = 10.0
MAX_MISSING_FRACTION = 0.30
MIN_MISSING = 2  # one discontinued model never blocks a refresh
MIN_KEEP_FRACTION = 0.5  # a result keeping fewer than half a provider's offers is refused (--allow-shrink)
PRICE_FIELDS = (
    "usd_per_mtok_input", "usd_per_mtok_cached_input", "usd_per_mtok_cache_write",
    "usd_per_mtok_output", "usd_per_mtok_reasoning",
)
# Fields a feed may set; everything else on an offer is curated and never taken from a feed.
FEED_FIELDS = frozenset(
    (*PRICE_FIELDS, "usd_per_request", "batch", "tiers", "context_tokens", "max_output_tokens")
)
CURATED_FIELDS = ("display_name", "open_model", "family", "reasoning", "off_peak", "notes")


@dataclass(frozen=True)
class Feed:
    """One source's offers, already mapped to our ids, with what it covers."""

    name: str
    url: str
    offers: Mapping[str, Mapping[str, ApiOffer]]  # provider -> model -> offer
    expected: frozenset[str]  # offer ids this feed should carry (for "missing" and the removal guard)
    fields: frozenset[str] = FEED_FIELDS
    new_file: Callable[[str, list[ApiOffer]], ProviderFile] | None = None  # header for a new provider

    def offer_ids(self) -> dict[str, ApiOffer]:
        """Offer id -> offer, flat."""
        return {f"{p}/{m}": o for p, ms in self.offers.items() for m, o in ms.items()}


@dataclass(frozen=True)
class FieldChange:
    """One field of one offer, old -> new (percent when both are non-zero numbers)."""

    offer_id: str
    field: str
    old: Any
    new: Any

    @property
    def pct(self) -> float | None:
        """Percent change, None when it is not a number-to-number change from non-zero."""
        if isinstance(self.old, int | float) and isinstance(self.new, int | float) and self.old:
            return (self.new - self.old) / abs(self.old) * 100.0
        return None

    @property
    def is_price(self) -> bool:
        """True for a USD field (the 10x guard applies)."""
        return "usd_" in self.field

    @property
    def factor(self) -> float:
        """new / old for prices (inf when one side is zero and the other not)."""
        o, n = self.old, self.new
        if not (isinstance(o, int | float) and isinstance(n, int | float)):
            return 1.0
        if o == n:
            return 1.0
        if o == 0 or n == 0:
            return math.inf
        return max(n / o, o / n)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"offer": self.offer_id, "field": self.field, "old": self.old, "new": self.new,
                "pct": None if self.pct is None else round(self.pct, 2)}

    def __str__(self) -> str:
        pct = f" ({self.pct:+.1f}%)" if self.pct is not None else ""
        return f"{self.offer_id}: {self.field}: {_fmt(self.old)} -> {_fmt(self.new)}{pct}"


def _fmt(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class Pin(Strict):
    """A user's own value for an offer that no feed may overwrite (all feed fields when `fields` is empty)."""

    offer: str
    fields: tuple[str, ...] = ()
    reason: str | None = None


class PinsFile(Strict):
    """Optional <data-dir>/pins.yaml: the user's overrides of bundled prices."""

    pins: tuple[Pin, ...] = Field(default=())


def load_pins(data_dir: Path) -> dict[str, frozenset[str]]:
    """Offer id -> pinned feed fields, from <data-dir>/pins.yaml when it exists."""
    path = data_dir / "pins.yaml"
    if not path.exists():
        return {}
    pf = parse_model(PinsFile, read_yaml(path), str(path))
    bad = [f for p in pf.pins for f in p.fields if f not in FEED_FIELDS]
    if bad:
        raise DataError([Issue(str(path), "pins", "fields", f"{f!r} is not a feed field; one of {sorted(FEED_FIELDS)}")
                         for f in bad])
    return {p.offer: frozenset(p.fields) or FEED_FIELDS for p in pf.pins}


def flatten(o: ApiOffer) -> dict[str, Any]:
    """The feed-covered values of an offer as path -> scalar (batch.x, tiers[>N].x)."""
    out: dict[str, Any] = {f: getattr(o, f) for f in (*PRICE_FIELDS, "usd_per_request", "context_tokens", "max_output_tokens")}
    if o.batch:
        for k, v in o.batch.model_dump().items():
            out[f"batch.{k}"] = v
    for t in o.tiers:
        for k, v in t.model_dump().items():
            if k != "above_input_tokens":
                out[f"tiers[>{t.above_input_tokens}].{k}"] = v
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def field_changes(offer_id: str, old: ApiOffer, new: ApiOffer) -> list[FieldChange]:
    """Every feed-covered value that differs between two versions of an offer."""
    a, b = flatten(old), flatten(new)
    return [
        FieldChange(offer_id, k, a.get(k), b.get(k))
        for k in dict.fromkeys([*a, *b])
        if not _same(a.get(k), b.get(k))
    ]


def merge_offer(ours: ApiOffer, feed: ApiOffer, fields: frozenset[str]) -> ApiOffer:
    """Our offer with the feed's values for `fields`; a field the feed leaves empty keeps ours."""
    merged = ours.model_dump()
    fresh = feed.model_dump()
    for f in fields:
        if fresh[f] is None or (f == "tiers" and not fresh[f]):
            continue
        merged[f] = fresh[f]
    return ApiOffer.model_validate(merged)


@dataclass
class Plan:
    """The outcome of comparing a feed with our files: changes, guards, and the files to write."""

    feed: Feed
    changes: list[FieldChange] = field(default_factory=list)
    new_offers: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    pinned: list[FieldChange] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    files: dict[str, ProviderFile] = field(default_factory=dict)  # provider -> new content (changed only)

    @property
    def changed_offers(self) -> list[str]:
        """Offer ids with at least one changed field."""
        return list(dict.fromkeys(c.offer_id for c in self.changes))

    def summary(self) -> dict[str, Any]:
        """JSON-friendly report."""
        return {
            "source": self.feed.name, "url": self.feed.url,
            "changed_offers": len(self.changed_offers), "new_offers": self.new_offers,
            "missing_from_feed": self.missing, "pruned": self.pruned,
            "changes": [c.as_dict() for c in self.changes],
            "pinned": [c.as_dict() for c in self.pinned],
            "unchanged_offers": self.unchanged, "rejected": self.rejected,
            "files": sorted(self.files),
        }

    def raise_if_rejected(self) -> None:
        """FeedRejected listing every guard that fired."""
        if self.rejected:
            raise FeedRejected(self.rejected)


def read_provider_files(data_dir: Path) -> dict[str, tuple[Path, ProviderFile]]:
    """Provider id -> (path, parsed file) for every data/api/*.yaml (DataError if one is invalid)."""
    out = {}
    for path in sorted((data_dir / "api").glob("*.yaml")):
        out[path.stem] = (path, parse_model(ProviderFile, read_yaml(path), str(path)))
    return out


def plan(
    data_dir: Path,
    feed: Feed,
    today: dt.date,
    *,
    allow_large: bool = False,
    prune: bool = False,
    allow_shrink: bool = False,
) -> Plan:
    """Compare the feed with data_dir/api and build the new provider files (nothing is written here)."""
    files = read_provider_files(data_dir)
    pins = load_pins(data_dir)
    out = Plan(feed=feed)
    feed_ids = feed.offer_ids()
    large: list[str] = []  # refused unless allow_large
    shrink: list[str] = []  # refused unless allow_shrink (a separate, explicit flag)
    providers = sorted(set(files) | set(feed.offers))
    for pid in providers:
        path_pf = files.get(pid)
        ours = list(path_pf[1].offers) if path_pf else []
        feed_models = dict(feed.offers.get(pid, {}))
        new_list: list[ApiOffer] = []
        changed = False
        expected_here = [o for o in ours if f"{pid}/{o.model}" in feed.expected]
        missing_here: list[str] = []
        for o in ours:
            oid = f"{pid}/{o.model}"
            f = feed_models.pop(o.model, None)
            if f is None:
                if oid in feed.expected:
                    missing_here.append(oid)
                    if prune:
                        out.pruned.append(oid)
                        changed = True
                        continue
                new_list.append(o)
                continue
            pinned = pins.get(oid, frozenset())
            try:
                merged = merge_offer(o, f, feed.fields - pinned)
                if pinned:
                    shadow = merge_offer(o, f, feed.fields & pinned)
                    out.pinned += field_changes(oid, o, shadow)
            except ValidationError as e:
                err = e.errors(include_url=False)[0]
                out.rejected.append(f"{oid}: the feed's values do not fit our schema: "
                                    f"{'.'.join(map(str, err['loc'])) or 'offer'}: {err['msg']}")
                new_list.append(o)
                continue
            diffs = field_changes(oid, o, merged)
            if diffs:
                upd: dict[str, Any] = {"as_of": today, "checked_on": today, "source": f.source}
                if any(c.is_price for c in diffs):
                    upd["changed_on"] = today
                merged = merged.model_copy(update=upd)
                out.changes += diffs
                changed = True
            else:
                merged = o
                out.unchanged += 1
            new_list.append(merged)
        for model, f in feed_models.items():
            out.new_offers.append(f"{pid}/{model}")
            new_list.append(f.model_copy(update={"as_of": today, "checked_on": today, "changed_on": today}))
            changed = True
        out.missing += missing_here
        floor = math.ceil(len(ours) * MIN_KEEP_FRACTION)
        if len(new_list) < floor:
            shrink.append(
                f"{pid}: the result keeps {len(new_list)} of its {len(ours)} offers, below the floor of {floor} "
                f"(half the current count); --allow-shrink to accept"
            )
        if len(missing_here) >= MIN_MISSING and len(missing_here) / len(expected_here) > MAX_MISSING_FRACTION:
            large.append(
                f"{pid}: the feed lacks {len(missing_here)} of the {len(expected_here)} offers it should carry "
                f"({len(missing_here) / len(expected_here):.0%} > {MAX_MISSING_FRACTION:.0%}: truncated or changed feed?): "
                + ", ".join(missing_here[:5]) + (" ..." if len(missing_here) > 5 else "")
            )
        if changed:
            if path_pf:
                out.files[pid] = path_pf[1].model_copy(update={"offers": tuple(new_list)})
            elif feed.new_file is not None:
                out.files[pid] = feed.new_file(pid, new_list)
            else:
                out.new_offers = [n for n in out.new_offers if not n.startswith(f"{pid}/")]
    guarded: list[str] = []
    for c in out.changes:
        if c.is_price and c.factor > MAX_FACTOR:
            guarded.append(
                f"{c}: moves more than {MAX_FACTOR:g}x"
                + (" (to or from zero)" if math.isinf(c.factor) else f" ({c.factor:.1f}x)")
            )
    before = sum(len(pf.offers) for _, pf in files.values())
    after = before - len(out.pruned) + len(out.new_offers)
    if after < math.ceil(before * MIN_KEEP_FRACTION):
        shrink.append(f"the catalog would keep {after} of its {before} offers (below half); --allow-shrink to accept")
    if not feed_ids and feed.expected:
        out.rejected.insert(0, f"the feed maps none of the {len(feed.expected)} offers it should carry (schema change?)")
    if not allow_large:
        out.rejected += large + guarded
    if not allow_shrink:
        out.rejected += shrink
    return out
