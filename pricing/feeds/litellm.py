"""LiteLLM's price map (USD per token per model key) mapped to our ApiOffer, with the curated layer merged.

Pure functions (no file or network I/O): the importer feeds them the pinned snapshot in
data/sources/litellm/, `pricing refresh` a freshly downloaded map, the history builder each release.

Conversion rules (LiteLLM key -> ApiOffer field):
- `*_cost_per_token` x 1e6 -> `usd_per_mtok_*`, rounded to 6 decimals (no 2.5000000000000004).
- `cache_read_input_token_cost` -> cached input; `cache_creation_input_token_cost` -> cache write,
  except a cache-write price of exactly 0 next to a paid cache read (DeepSeek, Z.ai): those
  providers bill cache misses at the input price and have no separate write charge, so the field
  is left empty (= input price) rather than making written tokens free.
- `output_cost_per_reasoning_token` -> reasoning price (None = output price).
- `*_batches` -> `batch` (input, output, cached input).
- `*_above_<N>k_tokens` -> a tier above N*1000 prompt tokens (whole request billed at the tier);
  `tiered_pricing` ranges -> the first range is the base price, each later range a tier above
  its lower bound.
- `off_peak_pricing` -> `off_peak`: its prices, the longest daily window, the full weekly
  schedule in the notes (the schema holds one daily window; pricing.traffic reads the full one).
- `input_cost_per_request` -> `usd_per_request`; `max_input_tokens` / `max_output_tokens` ->
  context and output limits; `source` -> the offer's source (else the provider's pricing page).
- `deprecation_date` -> `retires_on` (LiteLLM's date after which the provider no longer serves
  the model), unless the curation gives lifecycle dates from the provider's own page.
Curated additions (data/curation.yaml): cache-read and batch prices the provider publishes but
the map lacks (each with its source), "publishes none" markers, scheduled prices, lifecycle.
Priority, flex, regional uplifts, audio/image and tool-call prices are out of scope.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from pricing.feeds import FeedError, FeedRejected
from pricing.feeds.curation import Curation, Pick, default_curation
from pricing.schema import (
    ApiOffer,
    BatchPrice,
    OffPeak,
    OffPeakWindow,
    PriceTier,
    ProviderFile,
    ScheduledPrice,
)

DEFAULT_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
LITELLM_REPO = "https://github.com/BerriAI/litellm"
_TIER_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
# Dates per offer id from the price history: (checked_on, changed_on).
Dates = Mapping[str, tuple[dt.date | None, dt.date | None]]


def mtok(per_token: Any) -> float | None:
    """USD per token -> USD per million tokens, rounded to 6 decimals; None stays None."""
    if per_token is None:
        return None
    return round(float(per_token) * 1e6, 6) + 0.0


def model_name(provider: str, key: str, cur: Curation | None = None) -> str:
    """The provider's own model name: the LiteLLM key without its routing prefix."""
    cur = cur or default_curation()
    for prefix in sorted(cur.providers[provider].prefixes, key=len, reverse=True):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def offer_id(provider: str, pick: Pick, cur: Curation | None = None) -> str:
    """Our offer id for a curated pick."""
    return f"{provider}/{pick.model or model_name(provider, pick.key, cur)}"


def _cache_write(entry: Mapping[str, Any], suffix: str = "") -> float | None:
    cw = mtok(entry.get("cache_creation_input_token_cost" + suffix))
    cr = mtok(entry.get("cache_read_input_token_cost" + suffix))
    if cw == 0.0 and cr:
        return None
    return cw


def _tiers(entry: Mapping[str, Any], context: int | None) -> tuple[list[PriceTier], list[str]]:
    """Long-context tiers from `_above_<N>k_tokens` keys and `tiered_pricing` ranges."""
    tiers: dict[int, PriceTier] = {}
    notes: list[str] = []
    for key in entry:
        m = _TIER_KEY.match(key)
        if not m:
            continue
        suffix = f"_above_{m.group(1)}k_tokens"
        tiers[int(m.group(1)) * 1000] = PriceTier(
            above_input_tokens=int(m.group(1)) * 1000,
            usd_per_mtok_input=mtok(entry[key]) or 0.0,
            usd_per_mtok_output=mtok(entry.get("output_cost_per_token" + suffix)) or 0.0,
            usd_per_mtok_cached_input=mtok(entry.get("cache_read_input_token_cost" + suffix)),
            usd_per_mtok_cache_write=_cache_write(entry, suffix),
            usd_per_mtok_reasoning=mtok(entry.get("output_cost_per_reasoning_token" + suffix)),
        )
    for rng in sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])[1:]:
        start = int(rng["range"][0])
        tiers[start] = PriceTier(
            above_input_tokens=start,
            usd_per_mtok_input=mtok(rng.get("input_cost_per_token")) or 0.0,
            usd_per_mtok_output=mtok(rng.get("output_cost_per_token")) or 0.0,
            usd_per_mtok_cached_input=mtok(rng.get("cache_read_input_token_cost")),
            usd_per_mtok_cache_write=_cache_write(rng),
            usd_per_mtok_reasoning=mtok(rng.get("output_cost_per_reasoning_token")),
        )
    out = []
    for thr in sorted(tiers):
        if context is not None and thr >= context:
            notes.append(f"LiteLLM lists a tier above {thr} tokens, at or past the context window; dropped.")
            continue
        out.append(tiers[thr])
    return out, notes


def off_peak_windows(entry: Mapping[str, Any]) -> list[tuple[list[int], list[str]]]:
    """LiteLLM's off-peak schedule as (ISO weekdays, ["HH:MM-HH:MM", ...] UTC) pairs."""
    op = entry.get("off_peak_pricing") or {}
    out = []
    for w in op.get("windows", []):
        hours = w.get("hours_utc")
        hours = [hours] if isinstance(hours, str) else list(hours or [])
        out.append(([int(d) for d in w.get("weekdays", [])], [str(h) for h in hours]))
    return out


def _off_peak(entry: Mapping[str, Any]) -> tuple[OffPeak | None, str | None]:
    """The off-peak prices, the longest daily window, and a note with LiteLLM's full schedule."""
    op = entry.get("off_peak_pricing")
    if not op:
        return None, None
    windows: list[str] = []
    described: list[str] = []
    for days, hours in off_peak_windows(entry):
        label = "weekdays" if days == [1, 2, 3, 4, 5] else ("weekends" if days == [6, 7] else f"ISO days {days}")
        spans = ", ".join("all day" if h == "00:00-00:00" else h for h in hours)
        described.append(f"{label} {spans}")
        windows.extend(h for h in hours if h != "00:00-00:00")

    def span(h: str) -> int:
        a, b = h.split("-")
        return (int(b[:2]) * 60 + int(b[3:]) - int(a[:2]) * 60 - int(a[3:])) % 1440

    best = max(windows, key=span) if windows else "00:00-00:00"
    start, end = best.split("-")
    off = OffPeak(
        start_utc=start,
        end_utc=end,
        usd_per_mtok_input=mtok(op.get("input_cost_per_token")) or 0.0,
        usd_per_mtok_output=mtok(op.get("output_cost_per_token")) or 0.0,
        usd_per_mtok_cached_input=mtok(op.get("cache_read_input_token_cost")),
        windows=tuple(OffPeakWindow(weekdays=tuple(days), hours_utc=tuple(hours))
                      for days, hours in off_peak_windows(entry) if days and hours),
    )
    note = (
        f"Off-peak prices apply (per LiteLLM) {'; '.join(described)} UTC (`windows`). The cost engine "
        "bills the off-peak share of the workload's traffic shape inside them (or the share a workload states)."
    )
    return off, note


def _date(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)[:10]) if v else None
    except ValueError:
        return None


def offer_from_entry(
    provider: str, pick: Pick, entry: Mapping[str, Any], as_of: dt.date, source: str,
    cur: Curation | None = None, dates: Dates | None = None,
) -> ApiOffer:
    """One ApiOffer from a LiteLLM entry with the curated fields merged over the feed's."""
    cur = cur or default_curation()
    meta = cur.providers[provider]
    oid = offer_id(provider, pick, cur)
    notes: list[str] = [n for n in (pick.notes, pick.check) if n]
    base = dict(entry)
    ranges = sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])
    if ranges and base.get("input_cost_per_token") is None:
        base.update({k: v for k, v in ranges[0].items() if k != "range"})
    context = entry.get("max_input_tokens")
    context = int(context) if context else None
    tiers, tier_notes = _tiers(entry, context)
    notes += tier_notes
    batch = None
    if entry.get("input_cost_per_token_batches") is not None and entry.get("output_cost_per_token_batches") is not None:
        batch = BatchPrice(
            usd_per_mtok_input=mtok(entry["input_cost_per_token_batches"]) or 0.0,
            usd_per_mtok_output=mtok(entry["output_cost_per_token_batches"]) or 0.0,
            usd_per_mtok_cached_input=mtok(entry.get("cache_read_input_token_cost_batches")),
        )
    elif pick.batch is not None or (pick.no_batch_api is None and meta.batch is not None):
        b = pick.batch or meta.batch
        assert b is not None
        bi, bo, bc = b.prices(mtok(base.get("input_cost_per_token")) or 0.0, mtok(base.get("output_cost_per_token")) or 0.0)
        how = f"{b.fraction_of_list:g} x the list price; " if b.fraction_of_list is not None else ""
        batch = BatchPrice(usd_per_mtok_input=bi, usd_per_mtok_output=bo, usd_per_mtok_cached_input=bc,
                           source=f"{how}{b.source} (read {b.as_of})" + (f"; {b.note}" if b.note else ""))
    no_batch = pick.no_batch_api or (meta.no_batch_api if batch is None else None)
    if batch is None and no_batch is not None:
        notes.append(f"No batch API: {no_batch.note + ' ' if no_batch.note else ''}({no_batch.source}, read {no_batch.as_of}).")
    cached = mtok(base.get("cache_read_input_token_cost"))
    cached_src = None
    rule = pick.cache or (meta.cache if pick.no_cache_price is None else None)
    if cached is None and rule is not None:
        cached = rule.price(mtok(base.get("input_cost_per_token")) or 0.0)
        how = f"{rule.fraction_of_input:g} x the input price; " if rule.fraction_of_input is not None else ""
        cached_src = f"{how}{rule.source} (read {rule.as_of})" + (f"; {rule.note}" if rule.note else "")
    no_cache = pick.no_cache_price or (meta.no_cache_price if cached is None else None)
    if cached is None and no_cache is not None:
        notes.append(f"No cache-read price published: cached tokens bill at the input price. "
                     f"{no_cache.note + ' ' if no_cache.note else ''}({no_cache.source}, read {no_cache.as_of}).")
    off_peak, op_note = _off_peak(entry)
    if op_note:
        notes.append(op_note)
    life = pick.lifecycle
    retires_on = _date(entry.get("deprecation_date"))
    life_src = f"LiteLLM deprecation_date {retires_on}" if retires_on else None
    if life is not None:
        retires_on = life.retires_on or retires_on
        life_src = f"{life.source} (read {life.as_of})" + (f"; {life.note}" if life.note else "")
    scheduled = tuple(
        ScheduledPrice(effective_from=s.effective_from, effective_until=s.effective_until,
                       usd_per_mtok_input=s.usd_per_mtok_input, usd_per_mtok_output=s.usd_per_mtok_output,
                       usd_per_mtok_cached_input=s.usd_per_mtok_cached_input,
                       source=f"{s.source} (read {s.as_of})", notes=s.note)
        for s in pick.scheduled
    )
    src_url = entry.get("source")
    page = src_url if isinstance(src_url, str) and src_url.startswith("http") else meta.pricing_page
    model = pick.model or model_name(provider, pick.key, cur)
    reasoning = pick.reasoning if pick.reasoning is not None else bool(entry.get("supports_reasoning"))
    checked, changed = (dates or {}).get(oid, (None, None))
    return ApiOffer(
        source=f"{page} (via {source})",
        as_of=as_of,
        model=model,
        display_name=pick.display_name,
        open_model=pick.open_model,
        family=pick.family or cur.family_of(model),
        reasoning=reasoning,
        context_tokens=context,
        max_output_tokens=int(entry["max_output_tokens"]) if entry.get("max_output_tokens") else None,
        usd_per_mtok_input=mtok(base.get("input_cost_per_token")) or 0.0,
        usd_per_mtok_cached_input=cached,
        usd_per_mtok_cache_write=_cache_write(base),
        usd_per_mtok_output=mtok(base.get("output_cost_per_token")) or 0.0,
        usd_per_mtok_reasoning=mtok(base.get("output_cost_per_reasoning_token")),
        usd_per_request=float(entry.get("input_cost_per_request") or 0.0),
        batch=batch,
        tiers=tuple(tiers),
        off_peak=off_peak,
        notes=" ".join(notes) or None,
        released_on=life.released_on if life else None,
        deprecated_on=life.deprecated_on if life else None,
        retires_on=retires_on,
        successor=life.successor if life else None,
        lifecycle_source=life_src,
        checked_on=checked or as_of,
        changed_on=changed,
        price_effective_until=scheduled[0].effective_from if scheduled else None,
        scheduled=scheduled,
        cached_input_source=cached_src,
        no_cache_price=cached is None and no_cache is not None,
        no_batch_api=batch is None and no_batch is not None,
    )


def priced(entry: Mapping[str, Any]) -> bool:
    """True when a LiteLLM entry carries a base price."""
    return entry.get("input_cost_per_token") is not None or bool(entry.get("tiered_pricing"))


def offers_from_litellm(
    raw: Mapping[str, Any], as_of: dt.date, source: str, cur: Curation | None = None, dates: Dates | None = None,
) -> dict[str, list[ApiOffer]]:
    """Provider id -> its curated offers, priced from a LiteLLM price map (pure: no file I/O).

    Entries the curation names but the map lacks (or prices at nothing) are skipped, so a
    refresh against a newer map keeps working; `missing_picks` lists them.
    """
    cur = cur or default_curation()
    out: dict[str, list[ApiOffer]] = {}
    for provider, picks in cur.offers.items():
        offers = []
        for pick in picks:
            entry = raw.get(pick.key)
            if not isinstance(entry, dict) or not priced(entry):
                continue
            offers.append(offer_from_entry(provider, pick, entry, as_of, source, cur, dates))
        out[provider] = offers
    return out


def missing_picks(raw: Mapping[str, Any], cur: Curation | None = None) -> list[str]:
    """Curated LiteLLM keys that the map does not hold or does not price."""
    cur = cur or default_curation()
    return [
        p.key for picks in cur.offers.values() for p in picks
        if not isinstance(raw.get(p.key), dict) or not priced(raw[p.key])
    ]


def curated_keys(cur: Curation | None = None) -> dict[str, str]:
    """LiteLLM key -> our offer id, for every curated pick."""
    cur = cur or default_curation()
    return {p.key: offer_id(prov, p, cur) for prov, picks in cur.offers.items() for p in picks}


def expected_ids(cur: Curation | None = None) -> frozenset[str]:
    """Offer ids the curation takes from LiteLLM."""
    return frozenset(curated_keys(cur).values())


def provider_file(provider: str, offers: list[ApiOffer] | tuple[ApiOffer, ...], cur: Curation | None = None) -> ProviderFile:
    """The validated data/api/<provider>.yaml content."""
    meta = (cur or default_curation()).providers[provider]
    return ProviderFile(provider=provider, name=meta.name, kind=meta.kind, pricing_page=meta.pricing_page,
                        offers=tuple(offers))


# --------------------------------------------------------------------------- checks on a downloaded map


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


def checked_offers(raw: Any, url: str, today: dt.date, cur: Curation | None = None) -> dict[str, list[ApiOffer]]:
    """offers_from_litellm on an untrusted map: FeedError on a schema mismatch, FeedRejected on negative prices."""
    cur = cur or default_curation()
    if not isinstance(raw, dict):
        raise FeedError(f"{url}: schema mismatch: expected a JSON object of model entries, got {type(raw).__name__}")
    keys = [p.key for picks in cur.offers.values() for p in picks]
    negative = [
        f"{key}: {path.lstrip('.')} = {v:g} (negative price)"
        for key in keys if isinstance(raw.get(key), dict)
        for path, v in _numbers(raw[key], "") if v < 0
    ]
    if negative:
        raise FeedRejected(negative)
    present = [k for k in keys if isinstance(raw.get(k), dict)]
    if present and not any(priced(raw[k]) for k in present):
        raise FeedError(
            f"{url}: schema mismatch: none of the {len(present)} curated entries has input_cost_per_token "
            "or tiered_pricing (did the format change?)"
        )
    source = f"LiteLLM price map, {url}"
    try:
        return offers_from_litellm(raw, today, source, cur)
    except (ValidationError, ValueError, TypeError, KeyError, AttributeError) as e:
        raise FeedError(f"{url}: schema mismatch: {_locate(raw, today, source, cur) or e}") from e


def _locate(raw: dict[str, Any], today: dt.date, source: str, cur: Curation) -> str | None:
    """The first curated entry that does not convert, with the reason."""
    for provider, picks in cur.offers.items():
        for pick in picks:
            entry = raw.get(pick.key)
            if not isinstance(entry, dict) or not priced(entry):
                continue
            try:
                offer_from_entry(provider, pick, entry, today, source, cur)
            except ValidationError as e:
                err = e.errors(include_url=False)[0]
                loc = ".".join(str(x) for x in err["loc"])
                return f"entry {pick.key!r}: {loc or 'value'}: {err['msg']}"
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                return f"entry {pick.key!r}: {type(e).__name__}: {e}"
    return None
