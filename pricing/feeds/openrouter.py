"""OpenRouter's models API (`GET /api/v1/models`) mapped to our offers by an explicit table (pure, no I/O).

Which OpenRouter prices map to which of our offers:
- Closed-weight models (OpenRouter gives no `hugging_face_id`) are resold at the vendor's list
  price, so `openai/gpt-4o` on OpenRouter prices our first-party offer `openai/gpt-4o`. The table
  `openrouter_price_map` in data/curation.yaml lists every such pair we carry; it was built by matching names (x-ai -> xai,
  z-ai -> zai, mistralai -> mistral, qwen -> alibaba, dots -> dashes in Claude versions) and
  checked by hand. `deepseek/deepseek-chat` is left out: on OpenRouter it is DeepSeek-V3
  (hugging_face_id deepseek-ai/DeepSeek-V3), while our alias bills DeepSeek-V3.2.
- Open-weight models are routed across many hosts and OpenRouter's list price is one host's,
  not the first party's (deepseek/deepseek-v4-pro: 0.435/0.87 on OpenRouter, 1.32/3.96 at
  DeepSeek), so they price none of our offers. Their `hugging_face_id` still ties their quality
  indices to our open models (pricing/importers/quality.py).
Used offline by the quality importer (data/sources/openrouter/) and online by `pricing refresh`.
Conversion (`input_cache_write` is ignored for Gemini, see NO_CACHE_WRITE): per-token decimal strings x 1e6 -> USD per 1M tokens (6 decimals); `prompt`,
`completion`, `input_cache_read`, `input_cache_write`, `internal_reasoning` (kept only where it
differs from `completion`); `overrides[].min_prompt_tokens` -> a tier above that many prompt
tokens; `context_length` and `top_provider.max_completion_tokens` -> context and output limits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from pricing.feeds import FeedError, FeedRejected
from pricing.feeds.curation import default_curation
from pricing.schema import ApiOffer, PriceTier

DEFAULT_URL = "https://openrouter.ai/api/v1/models"

# OpenRouter id -> our offer id (closed weights, first-party list price). Checked by hand; data/curation.yaml.
PRICE_MAP: dict[str, str] = dict(default_curation().openrouter_price_map)
PRICE_FIELDS = (
    "usd_per_mtok_input", "usd_per_mtok_cached_input", "usd_per_mtok_cache_write",
    "usd_per_mtok_output", "usd_per_mtok_reasoning",
)

_FIELDS = {
    "prompt": "usd_per_mtok_input",
    "completion": "usd_per_mtok_output",
    "input_cache_read": "usd_per_mtok_cached_input",
    "input_cache_write": "usd_per_mtok_cache_write",
    "internal_reasoning": "usd_per_mtok_reasoning",
}
FEED_FIELDS = frozenset((*PRICE_FIELDS, "tiers", "context_tokens", "max_output_tokens"))
# OpenRouter's `input_cache_write` for Gemini holds only Google's cache storage surcharge
# (1/12 USD per 1M for five minutes at 1 USD per 1M per hour), not a write price: ignored there.
NO_CACHE_WRITE = ("google/",)


def mtok(url: str, model_id: str, key: str, value: Any) -> float | None:
    """A per-token decimal string -> USD per 1M tokens; FeedError naming the entry if it is not a number."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise FeedError(f"{url}: schema mismatch: {model_id}: pricing.{key} = {value!r} is not a number") from None
    if not d.is_finite():
        raise FeedError(f"{url}: schema mismatch: {model_id}: pricing.{key} = {value!r} is not a number")
    return round(float(d * 1_000_000), 6) + 0.0


def _entries(raw: Any, url: str) -> dict[str, dict[str, Any]]:
    """OpenRouter id -> entry, after checking the envelope."""
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        got = sorted(raw)[:5] if isinstance(raw, dict) else type(raw).__name__
        raise FeedError(f"{url}: schema mismatch: expected an object with a 'data' list of models, got {got}")
    out = {}
    for i, e in enumerate(raw["data"]):
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            raise FeedError(f"{url}: schema mismatch: data[{i}] has no string 'id'")
        out[e["id"]] = e
    return out


def offer_from_entry(url: str, entry: dict[str, Any], ours: ApiOffer, today: dt.date) -> ApiOffer:
    """Our offer re-priced from one OpenRouter entry (curated fields come from `ours`)."""
    mid = entry["id"]
    pricing = entry.get("pricing")
    if not isinstance(pricing, dict):
        raise FeedError(f"{url}: schema mismatch: {mid}: 'pricing' is missing")
    for key in ("prompt", "completion"):
        if key not in pricing:
            raise FeedError(f"{url}: schema mismatch: {mid}: pricing.{key} is missing")
    vals = {f: mtok(url, mid, k, pricing.get(k)) for k, f in _FIELDS.items()}
    if mid.startswith(NO_CACHE_WRITE):
        vals["usd_per_mtok_cache_write"] = None
    if vals["usd_per_mtok_reasoning"] == vals["usd_per_mtok_output"]:
        vals["usd_per_mtok_reasoning"] = None
    context = entry.get("context_length")
    context = int(context) if isinstance(context, int | float) and context > 0 else None
    top = entry.get("top_provider") if isinstance(entry.get("top_provider"), dict) else {}
    max_out = top.get("max_completion_tokens") if top else None
    tiers = []
    for j, ov in enumerate(pricing.get("overrides") or []):
        if not isinstance(ov, dict) or not isinstance(ov.get("min_prompt_tokens"), int):
            raise FeedError(f"{url}: schema mismatch: {mid}: pricing.overrides[{j}].min_prompt_tokens is missing")
        thr = ov["min_prompt_tokens"]
        if context is not None and thr >= context:
            continue
        t = {f: mtok(url, mid, k, ov.get(k)) for k, f in _FIELDS.items()}
        if mid.startswith(NO_CACHE_WRITE):
            t["usd_per_mtok_cache_write"] = None
        if t["usd_per_mtok_input"] is None or t["usd_per_mtok_output"] is None:
            continue
        if t["usd_per_mtok_reasoning"] == t["usd_per_mtok_output"]:
            t["usd_per_mtok_reasoning"] = None
        tiers.append(PriceTier(above_input_tokens=thr, **t))
    data = ours.model_dump()
    data.update({k: v for k, v in vals.items()})
    data.update(
        context_tokens=context, max_output_tokens=int(max_out) if isinstance(max_out, int) and max_out > 0 else None,
        tiers=tuple(t.model_dump() for t in sorted(tiers, key=lambda t: t.above_input_tokens)),
        source=f"OpenRouter models API ({mid}), {url}", as_of=today,
    )
    try:
        return ApiOffer.model_validate(data)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        raise FeedError(f"{url}: {mid}: does not fit our schema: {'.'.join(map(str, err['loc']))}: {err['msg']}") from e


def offers_from_openrouter(
    raw: Any, url: str, today: dt.date, ours: dict[str, ApiOffer]
) -> tuple[dict[str, dict[str, ApiOffer]], frozenset[str]]:
    """(provider -> model -> re-priced offer, ids expected) for the offers in `ours` named by PRICE_MAP."""
    entries = _entries(raw, url)
    negative = []
    for or_id, oid in PRICE_MAP.items():
        e = entries.get(or_id)
        if e is None or oid not in ours or not isinstance(e.get("pricing"), dict):
            continue
        for key, v in [*e["pricing"].items(), *(
            (f"overrides[{j}].{k}", v) for j, ov in enumerate(e["pricing"].get("overrides") or [])
            if isinstance(ov, dict) for k, v in ov.items() if k in _FIELDS
        )]:
            if key.split(".")[-1] in _FIELDS and isinstance(v, str | int | float):
                val = mtok(url, or_id, key, v)
                if val is not None and val < 0:
                    negative.append(f"{or_id} ({oid}): pricing.{key} = {v} (negative price)")
    if negative:
        raise FeedRejected(negative)
    offers: dict[str, dict[str, ApiOffer]] = {}
    for or_id, oid in PRICE_MAP.items():
        e = entries.get(or_id)
        if e is None or oid not in ours:
            continue
        o = offer_from_entry(url, e, ours[oid], today)
        offers.setdefault(oid.split("/", 1)[0], {})[o.model] = o
    expected = frozenset(oid for oid in PRICE_MAP.values() if oid in ours)
    return offers, expected
