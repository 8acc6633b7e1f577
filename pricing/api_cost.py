"""Token-metered cost of workloads on API offers, billed as providers bill, vectorised with numpy.

Billing rules (per request; a workload's mean token counts stand for each of its requests):
- Input tokens split into cache reads (`cached_input_fraction`), cache writes
  (`cache_write_fraction`) and the rest, billed at the cache-read, cache-write and input prices.
  The two fractions may not sum above 1.
- Output tokens at the output price; hidden reasoning tokens at the reasoning price (None: output).
- Tiers: a request whose prompt (all input tokens, cached included) is strictly above a tier's
  `above_input_tokens` is billed entirely at that tier's prices; exactly at it is not above.
- Batch: the workload's `batch_fraction` of requests goes through the batch API where the offer has
  one (else it is billed like any other request). Batch prices are the provider's table: batch
  input, batch output and, where listed, batch cache read (cache and batch discounts combined as
  the provider lists them). Where the table is silent: batch cache read = the lower of the
  standard cache-read price and the batch input price; batch cache write, reasoning and tier prices
  = the standard price scaled by the batch/standard ratio of input (input classes) or output
  (output classes).
- Off-peak: the share of the non-batch requests sent inside the offer's off-peak windows is
  billed at its off-peak prices (batch and off-peak shares never overlap: a batch request has
  its own price). The share is the workload's `off_peak_fraction` when stated, else the share of
  its weekly traffic shape inside the offer's windows (pricing.traffic; flat traffic on DeepSeek
  V4's windows: 133/168 of the week). `api_cost_matrix` takes the share as given (0 by default). Off-peak cache write, reasoning and tier prices scale as
  for batch; an off-peak cache read missing from the table = min(cache read, off-peak input).
- Missing prices: cache read None = input price; cache write None = input price; reasoning None =
  output price; tier cache read / write / reasoning None = the tier price scaled by the base
  ratio (e.g. tier cache read = tier input x cache read / input).
- Per-request fees: `usd_per_request` on every request.
- `provider_discount` (a negotiated discount per provider, 0..1) scales every component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pricing import traffic
from pricing.errors import InputError, UnknownIdError
from pricing.schema import ApiOffer, Workload

F = npt.NDArray[np.float64]
CLASSES = ("input", "cached_input", "cache_write", "output", "reasoning")
REGIMES = ("", "batch_", "off_peak_")
BREAKDOWN = ("usd_input", "usd_cached_input", "usd_cache_write", "usd_output", "usd_reasoning", "usd_request_fees")
COLUMNS = (
    "workload", "route_id", "provider", "requests_per_month", "tokens_per_month", "monthly_usd",
    "usd_per_mtok", *BREAKDOWN, "tier_applied", "batch_share", "off_peak_share", "warnings",
)
_INPUT_CLASSES = (0, 1, 2)


def _col(regime: str, cls: str, tier: int = 0) -> str:
    t = f"tier{tier}_" if tier else ""
    return f"{regime}{t}usd_per_mtok_{cls}"


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 1.0


def _offer_row(oid: str, provider: str, o: ApiOffer, n_tiers: int) -> dict[str, Any]:
    """One price-table row with every fallback resolved to a number."""
    inp, out = o.usd_per_mtok_input, o.usd_per_mtok_output
    std = {
        "input": inp,
        "cached_input": inp if o.usd_per_mtok_cached_input is None else o.usd_per_mtok_cached_input,
        "cache_write": inp if o.usd_per_mtok_cache_write is None else o.usd_per_mtok_cache_write,
        "output": out,
        "reasoning": out if o.usd_per_mtok_reasoning is None else o.usd_per_mtok_reasoning,
    }
    in_ratio = {c: _ratio(std[c], inp) for c in ("cached_input", "cache_write")}
    rsn_ratio = _ratio(std["reasoning"], out)
    row: dict[str, Any] = {
        "route_id": oid,
        "provider": provider,
        "context_tokens": float(o.context_tokens) if o.context_tokens else np.inf,
        "max_output_tokens": float(o.max_output_tokens) if o.max_output_tokens else np.inf,
        "usd_per_request": o.usd_per_request,
        "has_batch": o.batch is not None,
        "says_no_batch": o.no_batch_api,
        "cache_unknown": o.usd_per_mtok_cached_input is None and not o.no_cache_price,
        "has_off_peak": o.off_peak is not None,
        "n_tiers": len(o.tiers),
    }
    tiers: list[dict[str, float]] = [std]
    for k in range(1, n_tiers + 1):
        if k <= len(o.tiers):
            t = o.tiers[k - 1]
            ti, to = t.usd_per_mtok_input, t.usd_per_mtok_output
            tier = {
                "input": ti,
                "cached_input": ti * in_ratio["cached_input"] if t.usd_per_mtok_cached_input is None else t.usd_per_mtok_cached_input,
                "cache_write": ti * in_ratio["cache_write"] if t.usd_per_mtok_cache_write is None else t.usd_per_mtok_cache_write,
                "output": to,
                "reasoning": to * rsn_ratio if t.usd_per_mtok_reasoning is None else t.usd_per_mtok_reasoning,
            }
            row[f"tier{k}_above_input_tokens"] = float(t.above_input_tokens)
        else:
            tier = dict(tiers[-1])
            row[f"tier{k}_above_input_tokens"] = np.inf
        tiers.append(tier)
    for k, tier in enumerate(tiers):
        for c in CLASSES:
            row[_col("", c, k)] = tier[c]
    for regime, disc in (("batch_", o.batch), ("off_peak_", o.off_peak)):
        if disc is None:
            r_in = r_out = 1.0
            base_cached = std["cached_input"]
        else:
            r_in, r_out = _ratio(disc.usd_per_mtok_input, inp), _ratio(disc.usd_per_mtok_output, out)
            base_cached = (
                min(std["cached_input"], disc.usd_per_mtok_input)
                if disc.usd_per_mtok_cached_input is None else disc.usd_per_mtok_cached_input
            )
        for k, tier in enumerate(tiers):
            for c in CLASSES:
                r = r_in if CLASSES.index(c) in _INPUT_CLASSES else r_out
                row[_col(regime, c, k)] = tier[c] * r
            if disc is not None and k == 0:
                row[_col(regime, "input")] = disc.usd_per_mtok_input
                row[_col(regime, "output")] = disc.usd_per_mtok_output
            if k == 0:
                row[_col(regime, "cached_input")] = base_cached
            else:
                row[_col(regime, "cached_input", k)] = tier["cached_input"] * _ratio(base_cached, std["cached_input"]) \
                    if std["cached_input"] > 0 else tier["cached_input"] * r_in
    return row


def offer_price_table(offers: Mapping[str, ApiOffer], providers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per offer (index = offer id), every price resolved to a number (no None left)."""
    n_tiers = max((len(o.tiers) for o in offers.values()), default=0)
    rows = [
        _offer_row(oid, (providers or {}).get(oid) or oid.split("/", 1)[0], o, n_tiers)
        for oid, o in offers.items()
    ]
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=["route_id"]).set_index("route_id")
    return df.set_index("route_id", drop=False).rename_axis(None)


def _tensor(prices: pd.DataFrame) -> tuple[F, F]:
    """(offers, regimes, tiers, classes) prices and (offers, tiers-1) thresholds from a price table."""
    n_t = int(sum(1 for c in prices.columns if c.endswith("_above_input_tokens")))
    p = np.empty((len(prices), len(REGIMES), n_t + 1, len(CLASSES)))
    for r, regime in enumerate(REGIMES):
        for k in range(n_t + 1):
            for c, cls in enumerate(CLASSES):
                p[:, r, k, c] = prices[_col(regime, cls, k)].to_numpy(dtype=float)
    thr = np.column_stack([prices[f"tier{k}_above_input_tokens"].to_numpy(dtype=float) for k in range(1, n_t + 1)]) \
        if n_t else np.empty((len(prices), 0))
    return p, thr


def _arr(name: str, v: Any, n: int | None = None) -> F:
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.ndim != 1:
        raise InputError(f"{name} must be a number or a 1-d sequence")
    if not np.all(np.isfinite(a)):
        raise InputError(f"{name} must be finite numbers")
    if np.any(a < 0):
        raise InputError(f"{name} must not be negative (got {a[a < 0][0]:g})")
    if n is not None and len(a) not in (1, n):
        raise InputError(f"{name} has {len(a)} values; expected 1 or {n}")
    return a


def _workload_arrays(
    requests: Any, input_tokens: Any, output_tokens: Any, reasoning_tokens: Any,
    cached_fraction: Any, cache_write_fraction: Any, batch_fraction: Any, off_peak_fraction: Any,
) -> dict[str, F]:
    raw = {
        "requests": requests, "input_tokens": input_tokens, "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens, "cached_fraction": cached_fraction,
        "cache_write_fraction": cache_write_fraction, "batch_fraction": batch_fraction,
        "off_peak_fraction": off_peak_fraction,
    }
    n = max(np.atleast_1d(np.asarray(v)).shape[0] if np.ndim(v) else 1 for v in raw.values())
    arrs = {k: np.broadcast_to(_arr(k, v, n), (n,)) for k, v in raw.items()}
    for k in ("cached_fraction", "cache_write_fraction", "batch_fraction", "off_peak_fraction"):
        if np.any(arrs[k] > 1):
            raise InputError(f"{k} must be between 0 and 1")
    if np.any(arrs["cached_fraction"] + arrs["cache_write_fraction"] > 1 + 1e-9):
        raise InputError("cached_fraction + cache_write_fraction must not exceed 1")
    return arrs


def _components(p: F, thr: F, has_batch: F, has_op: F, fee: F, disc: F, w: dict[str, F],
                op_share: F | None = None) -> dict[str, Any]:
    """Monthly USD per token class, shares and tier flags, each of shape (offers, workloads).

    `op_share` (offers, workloads) replaces has_op x off_peak_fraction when given.
    """
    prompt = w["input_tokens"]
    tier = (prompt[None, :, None] > thr[:, None, :]).sum(axis=2) if thr.shape[1] else np.zeros((p.shape[0], len(prompt)), dtype=np.int64)
    cached = prompt * w["cached_fraction"]
    write = prompt * w["cache_write_fraction"]
    fresh = np.maximum(prompt - cached - write, 0.0)
    tokens = (fresh, cached, write, w["output_tokens"], w["reasoning_tokens"])
    s_batch = has_batch[:, None] * w["batch_fraction"][None, :]
    op = has_op[:, None] * w["off_peak_fraction"][None, :] if op_share is None else op_share
    s_op = (1.0 - s_batch) * op
    s_std = 1.0 - s_batch - s_op
    shares = (s_std, s_batch, s_op)
    scale = w["requests"][None, :] * (1.0 - disc)[:, None] / 1e6
    out: dict[str, Any] = {}
    for c, name in enumerate(BREAKDOWN[:5]):
        per_tok = np.zeros(tier.shape)
        for r in range(len(REGIMES)):
            price = np.take_along_axis(p[:, r, :, c], tier, axis=1)
            per_tok += shares[r] * price
        out[name] = per_tok * tokens[c][None, :] * scale
    out["usd_request_fees"] = (fee * (1.0 - disc))[:, None] * w["requests"][None, :]
    out["tier_applied"] = tier > 0
    out["batch_share"] = s_batch
    out["off_peak_share"] = s_op
    return out


def api_cost_matrix(
    prices: pd.DataFrame,
    requests: Any,
    input_tokens: Any,
    output_tokens: Any,
    reasoning_tokens: Any = 0.0,
    cached_fraction: Any = 0.0,
    cache_write_fraction: Any = 0.0,
    batch_fraction: Any = 0.0,
    off_peak_fraction: Any = 0.0,
    discount: Any = 0.0,
) -> F:
    """Monthly USD, shape (offers in `prices`, workloads); inputs broadcast over workloads.

    The fast path for sweeps: `prices` comes from offer_price_table, each workload argument is a
    number or a 1-d array (one value per workload); `discount` is a number or one per offer.
    """
    w = _workload_arrays(requests, input_tokens, output_tokens, reasoning_tokens, cached_fraction,
                         cache_write_fraction, batch_fraction, off_peak_fraction)
    p, thr = _tensor(prices)
    disc = np.broadcast_to(_arr("discount", discount, len(prices)), (len(prices),))
    if np.any(disc > 1):
        raise InputError("discount must be between 0 and 1")
    comp = _components(p, thr, prices["has_batch"].to_numpy(float), prices["has_off_peak"].to_numpy(float),
                       prices["usd_per_request"].to_numpy(float), disc, w)
    total: F = sum((comp[k] for k in BREAKDOWN), np.zeros((len(prices), len(w["requests"]))))
    return total


def _off_peak_shares(offers: Sequence[ApiOffer], wl: Sequence[Workload]) -> F:
    """(offers, workloads) share of requests in each offer's off-peak windows: stated, else from the traffic shape."""
    out: F = np.zeros((len(offers), len(wl)))
    if not any(o.off_peak is not None for o in offers):
        return out
    stated = np.array([np.nan if x.off_peak_fraction is None else x.off_peak_fraction for x in wl])
    flat = np.full(168, 1 / 168)
    shapes = np.array([np.asarray(x.week_shape(), dtype=float).ravel() if x.has_shape else flat for x in wl])
    for i, o in enumerate(offers):
        if o.off_peak is not None:
            out[i] = np.where(np.isnan(stated), shapes @ traffic.window_mask(o.off_peak).ravel(), stated)
    return out


def _resolve(catalog_or_offers: Any, offer_ids: Sequence[str] | None) -> tuple[dict[str, ApiOffer], dict[str, str], set[str]]:
    offers: Mapping[str, ApiOffer] = getattr(catalog_or_offers, "offers", catalog_or_offers)
    prov: Mapping[str, str] = getattr(catalog_or_offers, "offer_provider", {}) or {}
    ids = list(offers) if offer_ids is None else list(offer_ids)
    for oid in ids:
        if oid not in offers:
            raise UnknownIdError("API offer", oid, offers)
    providers = {oid: prov.get(oid) or oid.split("/", 1)[0] for oid in offers}
    return {i: offers[i] for i in dict.fromkeys(ids)}, providers, set(providers.values())


def _warnings(prices: pd.DataFrame, w: dict[str, F], names: Sequence[str]) -> npt.NDArray[np.object_]:
    """A message per (offer, workload): context overflow, output limit, missing batch/off-peak."""
    n_o, n_w = len(prices), len(names)
    msgs = np.full((n_o, n_w), "", dtype=object)
    ctx = prices["context_tokens"].to_numpy(float)[:, None]
    max_out = prices["max_output_tokens"].to_numpy(float)[:, None]
    gen = (w["output_tokens"] + w["reasoning_tokens"])[None, :]
    need = w["input_tokens"][None, :] + gen
    no_batch = (~prices["has_batch"].to_numpy(bool))[:, None] & (w["batch_fraction"] > 0)[None, :]
    said = prices["says_no_batch"].to_numpy(bool)
    cache_unknown = prices["cache_unknown"].to_numpy(bool)[:, None] & (w["cached_fraction"] > 0)[None, :]
    for kind, mask in (("ctx", need > ctx), ("out", gen > max_out), ("batch", no_batch), ("cache", cache_unknown)):
        for i, j in zip(*np.nonzero(mask), strict=True):
            if kind == "ctx":
                m = f"prompt + output ({need[0, j]:,.0f} tokens) exceed the {ctx[i, 0]:,.0f}-token context window"
            elif kind == "out":
                m = f"output + reasoning ({gen[0, j]:,.0f} tokens) exceed the {max_out[i, 0]:,.0f}-token output limit"
            elif kind == "cache":
                m = "cache-read price not known: cached input is billed at the full input price"
            elif said[i]:
                m = "no batch API: the batch share is billed at standard prices"
            else:
                m = "batch price not known: the batch share is billed at standard prices"
            msgs[i, j] = f"{msgs[i, j]}; {m}" if msgs[i, j] else m
    return msgs


def api_cost_frame(
    catalog_or_offers: Any,
    offer_ids: Sequence[str] | None,
    workloads: Sequence[Workload],
    provider_discount: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per (workload, offer): monthly USD, USD per 1M tokens, a breakdown and warnings."""
    offers, providers, known = _resolve(catalog_or_offers, offer_ids)
    for name, d in (provider_discount or {}).items():
        if name not in known:
            raise InputError(f"provider_discount names unknown provider {name!r}; known: {', '.join(sorted(known))}")
        if not 0 <= d <= 1:
            raise InputError(f"provider_discount for {name!r} must be between 0 and 1 (got {d})")
    wl = list(workloads)
    if not offers or not wl:
        return pd.DataFrame(columns=list(COLUMNS))
    prices = offer_price_table(offers, providers)
    w = _workload_arrays(
        [x.requests_per_month for x in wl], [x.input_tokens for x in wl], [x.output_tokens for x in wl],
        [x.reasoning_tokens for x in wl], [x.cached_input_fraction for x in wl],
        [x.cache_write_fraction for x in wl], [x.batch_fraction for x in wl],
        [x.off_peak_fraction or 0.0 for x in wl],
    )
    disc = np.array([(provider_discount or {}).get(p, 0.0) for p in prices["provider"]], dtype=float)
    p, thr = _tensor(prices)
    op_share = _off_peak_shares([offers[oid] for oid in prices.index], wl)
    comp = _components(p, thr, prices["has_batch"].to_numpy(float), prices["has_off_peak"].to_numpy(float),
                       prices["usd_per_request"].to_numpy(float), disc, w, op_share)
    warn = _warnings(prices, w, [x.name for x in wl])
    n_o, n_w = len(prices), len(wl)

    def flat(a: Any) -> Any:
        return np.asarray(a).T.reshape(-1)  # workload-major: all offers of workload 0, then 1, ...

    monthly = sum(comp[k] for k in BREAKDOWN)
    tokens = (w["input_tokens"] + w["output_tokens"] + w["reasoning_tokens"]) * w["requests"]
    tok_rows = np.repeat(tokens, n_o)
    monthly_rows = flat(monthly)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_mtok = np.where(tok_rows > 0, monthly_rows / tok_rows * 1e6, np.nan)
    def text(values: Any) -> pd.Series:
        # object dtype: converting 10^5 repeated strings to Arrow strings costs more than the billing
        return pd.Series(np.asarray(values, dtype=object), dtype=object)

    df = pd.DataFrame({
        "workload": text(np.repeat(np.array([x.name for x in wl], dtype=object), n_o)),
        "route_id": text(np.tile(prices["route_id"].to_numpy(dtype=object), n_w)),
        "provider": text(np.tile(prices["provider"].to_numpy(dtype=object), n_w)),
        "requests_per_month": np.repeat(w["requests"], n_o),
        "tokens_per_month": tok_rows,
        "monthly_usd": monthly_rows,
        "usd_per_mtok": per_mtok,
        **{k: flat(comp[k]) for k in BREAKDOWN},
        "tier_applied": flat(comp["tier_applied"]).astype(bool),
        "batch_share": flat(comp["batch_share"]),
        "off_peak_share": flat(comp["off_peak_share"]),
        "warnings": text(flat(warn)),
    })
    return df[list(COLUMNS)]


def request_cost(offer: ApiOffer, workload: Workload) -> float:
    """USD for one request of the workload on one offer (the engine, for a single pair)."""
    df = api_cost_frame({"x/offer": offer}, None, [workload.model_copy(update={"requests_per_month": 1.0})])
    return float(df["monthly_usd"].iloc[0])
