"""Strict pydantic models of every data file and of a Scenario; units live in field names."""

from __future__ import annotations

import datetime as dt
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pricing import clock

PRECISIONS: tuple[str, ...] = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")
Precision = Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"]
BYTES_PER_PARAM: dict[str, float] = {
    "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5, "fp4": 0.5,
}

# Bounds that catch typos (a price in USD per token instead of per million, a GPU with 8 TB).
MAX_USD_PER_MTOK = 1000.0
MAX_USD_PER_GPU_HOUR = 200.0

Usd = Annotated[float, Field(ge=0, le=MAX_USD_PER_MTOK)]
OptUsd = Annotated[float | None, Field(default=None, ge=0, le=MAX_USD_PER_MTOK)]
Fraction = Annotated[float, Field(ge=0, le=1)]
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _bool_where_number(annotation: Any, value: Any) -> str | None:
    """Where value (or an element of it) is a bool that the annotation wants as a number ("" = itself)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _bool_where_number(args[0], value)
    if annotation in (float, int):
        return "" if isinstance(value, bool) else None
    if origin in (Union, types.UnionType):
        if bool in args:
            return None
        return next((w for a in args if (w := _bool_where_number(a, value)) is not None), None)
    if origin in (tuple, list) and isinstance(value, list | tuple) and args:
        return next((f"[{i}]" for i, v in enumerate(value) if _bool_where_number(args[0], v) is not None), None)
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return next((f"[{k!r}]" for k, v in value.items() if _bool_where_number(args[1], v) is not None), None)
    return None


class Strict(BaseModel):
    """Base: unknown keys are errors, instances are immutable, numbers are finite and never booleans.

    `allow_inf_nan=False` makes every float of every schema refuse NaN and infinity (also inside
    tuples and dicts); the validator below refuses `true`/`false` where a number is expected
    (pydantic would read them as 1 and 0).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        f = cls.model_fields.get(info.field_name or "")
        where = None if f is None else _bool_where_number(f.annotation, v)
        if where is not None:
            raise ValueError(f"expected a number{' at ' + where if where else ''}, got a boolean (true/false)")
        return v


class Sourced(Strict):
    """A record that says where its numbers came from and when they were true."""

    source: str = Field(min_length=3, description="URL or document the numbers come from")
    as_of: dt.date = Field(description="date the numbers were read from the source")

    @field_validator("as_of")
    @classmethod
    def _not_future(cls, v: dt.date) -> dt.date:
        if v > clock.today() + dt.timedelta(days=1):
            raise ValueError(f"as_of {v} is in the future")
        if v.year < 2015:
            raise ValueError(f"as_of {v} is implausibly old")
        return v


# --------------------------------------------------------------------------- API offers


class BatchPrice(Strict):
    """Prices through the provider's asynchronous batch API (usually half)."""

    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    source: str | None = Field(None, description="where the batch price comes from, when not the offer's source")


class ScheduledPrice(Strict):
    """A published base price valid from `effective_from` (until `effective_until`, exclusive, if set).

    Tiers, batch and off-peak prices follow a scheduled price in proportion (input classes by the
    input ratio, output classes by the output ratio); cache read follows the input ratio when not given.
    """

    effective_from: dt.date
    effective_until: dt.date | None = None
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    source: str = Field(min_length=3)
    notes: str | None = None

    @model_validator(mode="after")
    def _span(self) -> ScheduledPrice:
        if self.effective_until is not None and self.effective_until <= self.effective_from:
            raise ValueError("effective_until must be after effective_from")
        return self


class PriceTier(Strict):
    """Prices once a request's prompt exceeds `above_input_tokens`: the whole request is billed here."""

    above_input_tokens: int = Field(gt=0)
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    usd_per_mtok_cache_write: OptUsd = None
    usd_per_mtok_reasoning: OptUsd = None


class OffPeakWindow(Strict):
    """Hours of some weekdays (ISO 1 = Monday .. 7 = Sunday) when off-peak prices apply, UTC."""

    weekdays: tuple[int, ...] = Field(min_length=1)
    hours_utc: tuple[str, ...] = Field(min_length=1, description='"HH:MM-HH:MM"; "00:00-00:00" = the whole day')

    @field_validator("weekdays")
    @classmethod
    def _iso(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 or d > 7 for d in v):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
        return v

    @field_validator("hours_utc")
    @classmethod
    def _spans(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for h in v:
            a, _, b = h.partition("-")
            if not (_HHMM.match(a) and _HHMM.match(b)):
                raise ValueError(f"{h!r} is not a span HH:MM-HH:MM (UTC)")
        return v


class OffPeak(Strict):
    """Lower prices at some hours (UTC), e.g. DeepSeek's: a daily window, or the full weekly `windows`."""

    start_utc: str
    end_utc: str
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    windows: tuple[OffPeakWindow, ...] = Field(
        (), description="the full weekly schedule; empty = start_utc..end_utc every day"
    )

    @field_validator("start_utc", "end_utc")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError(f"{v!r} is not a time of day as HH:MM (UTC)")
        return v

    @property
    def hours(self) -> float:
        """Length of the window in hours."""
        h0, m0 = map(int, self.start_utc.split(":"))
        h1, m1 = map(int, self.end_utc.split(":"))
        return ((h1 * 60 + m1 - h0 * 60 - m0) % (24 * 60)) / 60


# what an offer says of its cache-read and batch prices (catalog page, `pricing catalog --json`)
CACHE_PRICED = "cache-read price published"
NO_CACHE_DISCOUNT = "no cache discount published"
BATCH_PRICED = "batch price published"
NO_BATCH_API = "no batch API"
NOT_KNOWN = "not known (no source found)"


class ApiOffer(Sourced):
    """One model sold per token by one provider."""

    model: str = Field(min_length=1, description="the provider's own model name")
    display_name: str | None = None
    open_model: str | None = Field(None, description="Hugging Face id when the weights are open")
    family: str | None = None
    reasoning: bool = False
    context_tokens: int | None = Field(None, gt=0, le=100_000_000)
    max_output_tokens: int | None = Field(None, gt=0, le=100_000_000)
    usd_per_mtok_input: Usd
    usd_per_mtok_cached_input: OptUsd = Field(None, description="cache read; None = no discount")
    usd_per_mtok_cache_write: OptUsd = Field(None, description="cache write; None = input price")
    usd_per_mtok_output: Usd
    usd_per_mtok_reasoning: OptUsd = Field(None, description="hidden reasoning; None = output price")
    usd_per_request: float = Field(0.0, ge=0, le=10)
    batch: BatchPrice | None = None
    tiers: tuple[PriceTier, ...] = ()
    off_peak: OffPeak | None = None
    notes: str | None = None
    # lifecycle: None = not announced / unknown
    released_on: dt.date | None = Field(None, description="date the model was first offered")
    deprecated_on: dt.date | None = Field(None, description="date the provider deprecated it")
    retires_on: dt.date | None = Field(None, description="date it stops being served")
    successor: str | None = Field(None, description="offer id the provider names as replacement")
    lifecycle_source: str | None = Field(None, description="where the lifecycle dates come from")
    # provenance of the price over time
    checked_on: dt.date | None = Field(None, description="newest date a source confirmed this price")
    changed_on: dt.date | None = Field(
        None, description="date the price took its current value (first listing if it never changed)"
    )
    # scheduled prices: the listed price ends on price_effective_until; `scheduled` follows
    price_effective_until: dt.date | None = Field(None, description="the listed price applies until this date")
    scheduled: tuple[ScheduledPrice, ...] = ()
    # explicit gaps: the provider publishes no cache price / sells no batch API for this offer
    cached_input_source: str | None = Field(None, description="where the cache-read price comes from, if not `source`")
    no_cache_price: bool = Field(False, description="the provider publishes no cache-read price")
    no_batch_api: bool = Field(False, description="the provider sells no batch API for this offer")

    def cache_read_status(self) -> str:
        """What is known of the cache-read price: a price, none published (said so), or not known."""
        if self.usd_per_mtok_cached_input is not None:
            return CACHE_PRICED
        return NO_CACHE_DISCOUNT if self.no_cache_price else NOT_KNOWN

    def batch_status(self) -> str:
        """What is known of batch pricing: a price, no batch API (said so), or not known."""
        if self.batch is not None:
            return BATCH_PRICED
        return NO_BATCH_API if self.no_batch_api else NOT_KNOWN

    def is_retired(self, on: dt.date) -> bool:
        """True once `on` has reached the retirement date."""
        return self.retires_on is not None and on >= self.retires_on

    def retires_within(self, start: dt.date, end: dt.date) -> bool:
        """True when the retirement date falls in [start, end)."""
        return self.retires_on is not None and start <= self.retires_on < end

    def price_on(self, day: dt.date) -> ScheduledPrice | None:
        """The scheduled price in effect on `day`, None while the listed price applies."""
        for s in reversed(self.scheduled):
            if s.effective_from <= day and (s.effective_until is None or day < s.effective_until):
                return s
        return None

    def priced_on(self, day: dt.date) -> ApiOffer:
        """This offer as billed on `day`: base prices from the scheduled price in effect, the rest scaled."""
        s = self.price_on(day)
        if s is None:
            return self
        r_in = s.usd_per_mtok_input / self.usd_per_mtok_input if self.usd_per_mtok_input else 1.0
        r_out = s.usd_per_mtok_output / self.usd_per_mtok_output if self.usd_per_mtok_output else 1.0

        def sc(v: float | None, r: float) -> float | None:
            return None if v is None else round(v * r, 6)

        cached = s.usd_per_mtok_cached_input if s.usd_per_mtok_cached_input is not None \
            else sc(self.usd_per_mtok_cached_input, r_in)
        upd: dict[str, object] = {
            "usd_per_mtok_input": s.usd_per_mtok_input, "usd_per_mtok_output": s.usd_per_mtok_output,
            "usd_per_mtok_cached_input": cached,
            "usd_per_mtok_cache_write": sc(self.usd_per_mtok_cache_write, r_in),
            "usd_per_mtok_reasoning": sc(self.usd_per_mtok_reasoning, r_out),
            "tiers": tuple(t.model_copy(update={
                "usd_per_mtok_input": round(t.usd_per_mtok_input * r_in, 6),
                "usd_per_mtok_output": round(t.usd_per_mtok_output * r_out, 6),
                "usd_per_mtok_cached_input": sc(t.usd_per_mtok_cached_input, r_in),
                "usd_per_mtok_cache_write": sc(t.usd_per_mtok_cache_write, r_in),
                "usd_per_mtok_reasoning": sc(t.usd_per_mtok_reasoning, r_out),
            }) for t in self.tiers),
            "batch": self.batch and self.batch.model_copy(update={
                "usd_per_mtok_input": round(self.batch.usd_per_mtok_input * r_in, 6),
                "usd_per_mtok_output": round(self.batch.usd_per_mtok_output * r_out, 6),
                "usd_per_mtok_cached_input": sc(self.batch.usd_per_mtok_cached_input, r_in),
            }),
            "off_peak": self.off_peak and self.off_peak.model_copy(update={
                "usd_per_mtok_input": round(self.off_peak.usd_per_mtok_input * r_in, 6),
                "usd_per_mtok_output": round(self.off_peak.usd_per_mtok_output * r_out, 6),
                "usd_per_mtok_cached_input": sc(self.off_peak.usd_per_mtok_cached_input, r_in),
            }),
            "price_effective_until": s.effective_until, "scheduled": (),
        }
        return self.model_copy(update=upd)

    @model_validator(mode="after")
    def _coherent(self) -> ApiOffer:
        thresholds = [t.above_input_tokens for t in self.tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("tiers must have strictly increasing above_input_tokens")
        if self.context_tokens and any(t >= self.context_tokens for t in thresholds):
            raise ValueError("a tier threshold is at or above the context window")
        if (
            self.usd_per_mtok_cached_input is not None
            and self.usd_per_mtok_cached_input > self.usd_per_mtok_input * 1.0001
        ):
            raise ValueError("usd_per_mtok_cached_input is above usd_per_mtok_input")
        if self.no_cache_price and self.usd_per_mtok_cached_input is not None:
            raise ValueError("no_cache_price is set but usd_per_mtok_cached_input is given")
        if self.no_batch_api and self.batch is not None:
            raise ValueError("no_batch_api is set but a batch price is given")
        starts = [s.effective_from for s in self.scheduled]
        if starts != sorted(set(starts)):
            raise ValueError("scheduled prices must have strictly increasing effective_from")
        for a, b in zip(self.scheduled, self.scheduled[1:], strict=False):
            if a.effective_until is not None and a.effective_until > b.effective_from:
                raise ValueError(f"scheduled prices overlap: {a.effective_from} .. {a.effective_until} and {b.effective_from}")
        if self.scheduled and self.price_effective_until is not None and self.price_effective_until > starts[0]:
            raise ValueError("price_effective_until is after the first scheduled effective_from")
        if self.checked_on and self.changed_on and self.changed_on > self.checked_on:
            raise ValueError("changed_on is after checked_on")
        if self.deprecated_on and self.retires_on and self.deprecated_on > self.retires_on:
            raise ValueError("deprecated_on is after retires_on")
        return self


class ProviderFile(Strict):
    """One file data/api/<provider>.yaml: a provider and its offers."""

    provider: str = Field(description="lower-case provider id, also the file name")
    name: str
    kind: Literal["closed", "first-party-open", "open-host", "mixed"] = "mixed"
    pricing_page: str | None = None
    offers: tuple[ApiOffer, ...]

    @field_validator("provider")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"provider id {v!r} must be lower-case letters, digits, . _ -")
        return v


# --------------------------------------------------------------------------- price history


class Release(Strict):
    """One LiteLLM release on PyPI whose price map is a dated snapshot."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+(\.post\d+)?$")
    released_on: dt.date = Field(description="PyPI upload date (UTC) of the release's first wheel")
    source: str = Field(min_length=3)


class PricePoint(Strict):
    """An offer's base price as a dated source listed it (only changes are kept)."""

    since: dt.date
    release: str | None = Field(None, description="LiteLLM release that listed it; None for an announcement")
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    source: str | None = Field(None, description="for announcements: where the price was announced")


class OfferHistory(Strict):
    """The dated price points of one offer, oldest first."""

    offer: str
    points: tuple[PricePoint, ...] = Field(min_length=1)

    @field_validator("points")
    @classmethod
    def _ordered(cls, v: tuple[PricePoint, ...]) -> tuple[PricePoint, ...]:
        days = [p.since for p in v]
        if days != sorted(set(days)):
            raise ValueError("points must be strictly ordered by date")
        return v


class PriceHistoryFile(Strict):
    """data/history/api_prices.yaml."""

    source: str
    releases: tuple[Release, ...]
    offers: tuple[OfferHistory, ...]

    @model_validator(mode="after")
    def _known_releases(self) -> PriceHistoryFile:
        known = {r.version for r in self.releases}
        days = [r.released_on for r in self.releases]
        if days != sorted(days):
            raise ValueError("releases must be ordered by released_on")
        for h in self.offers:
            for pt in h.points:
                if pt.release is not None and pt.release not in known:
                    raise ValueError(f"{h.offer}: point of {pt.since} names unknown release {pt.release!r}")
                if pt.release is None and not pt.source:
                    raise ValueError(f"{h.offer}: point of {pt.since} has neither release nor source")
        return self


# --------------------------------------------------------------------------- models


class ModelArch(Sourced):
    """Architecture of an open-weight model, as its config.json gives it."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="Hugging Face repo id")
    family: str
    params_b_total: float = Field(gt=0, le=10_000)
    params_b_active: float = Field(gt=0, le=10_000)
    layers: int = Field(gt=0, le=1000)
    hidden_size: int = Field(gt=0)
    attention_heads: int = Field(gt=0)
    kv_heads: int = Field(gt=0)
    head_dim: int = Field(gt=0)
    attention: Literal["gqa", "mla"] = "gqa"
    kv_lora_rank: int | None = Field(None, gt=0)
    qk_rope_head_dim: int | None = Field(None, ge=0, description="cached RoPE key dims of MLA (0: NoPE MLA)")
    qk_nope_head_dim: int | None = Field(
        None, gt=0, description="MLA: non-RoPE query/key dims per head of the prefill (MHA) form; None = head_dim"
    )
    v_head_dim: int | None = Field(None, gt=0, description="MLA: value dims per head; None = head_dim")
    intermediate_size: int | None = Field(None, gt=0)
    moe_intermediate_size: int | None = Field(None, gt=0)
    experts_routed: int = Field(0, ge=0)
    experts_active: int = Field(0, ge=0)
    experts_shared: int = Field(0, ge=0)
    dense_layers: int = Field(0, ge=0, description="leading dense (non-MoE) layers of an MoE model")
    sliding_window_tokens: int | None = Field(None, gt=0)
    sliding_window_layers: int = Field(0, ge=0)
    linear_attention_layers: int = Field(
        0, ge=0, description="layers with a fixed-size recurrent state instead of a KV cache (hybrid models)"
    )
    attention_chunk_tokens: int | None = Field(
        None, gt=0, description="chunked local attention: a token attends only within its chunk (Llama 4)"
    )
    chunked_attention_layers: int = Field(0, ge=0, description="layers using chunked local attention")
    key_value_shared: bool = Field(
        False, description="one cached vector per KV head serves as both key and value (DeepSeek V4)"
    )
    full_attention_kv_heads: int | None = Field(
        None, gt=0, description="KV heads of the full-attention layers when they differ from the windowed ones (Gemma 4)"
    )
    full_attention_head_dim: int | None = Field(None, gt=0, description="head_dim of those full-attention layers")
    full_attention_key_value_shared: bool = Field(
        False, description="the full-attention layers cache one vector as key and value (Gemma 4 attention_k_eq_v)"
    )
    kv_compress_ratio_layers: dict[int, int] | None = Field(
        None,
        description="compressed-KV layers: tokens merged per cache entry -> number of layers (DeepSeek V4 "
        "CSA 4, HCA 128); such layers also keep an uncompressed local window of sliding_window_tokens",
    )
    index_head_dim: int | None = Field(None, gt=0, description="sparse-attention indexer key width (DSA)")
    indexer_layers: int = Field(0, ge=0, description="layers that cache an indexer key per token (DSA)")
    indexer_compress_ratio: int = Field(1, gt=0, description="tokens per cached indexer key (V4 CSA: 4)")
    indexer_key_precision: Precision | None = Field(
        None, description="storage of indexer keys; None = the KV-cache precision"
    )
    indexer_scale_bytes: int = Field(0, ge=0, description="bytes of quantisation scale per cached indexer key")
    max_context_tokens: int = Field(gt=0)
    native_precision: Precision = "bf16"
    reasoning: bool = False
    license: str
    release_date: dt.date | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> ModelArch:
        if self.params_b_active > self.params_b_total:
            raise ValueError("params_b_active is above params_b_total")
        if self.attention == "mla" and (self.kv_lora_rank is None or self.qk_rope_head_dim is None):
            raise ValueError("attention mla needs kv_lora_rank and qk_rope_head_dim")
        if self.attention_heads % self.kv_heads:
            raise ValueError("attention_heads is not a multiple of kv_heads")
        if self.experts_active > self.experts_routed:
            raise ValueError("experts_active is above experts_routed")
        compressed = sum((self.kv_compress_ratio_layers or {}).values())
        if (self.sliding_window_layers + self.linear_attention_layers + self.chunked_attention_layers
                + compressed > self.layers):
            raise ValueError("sliding-window + linear-attention + chunked + compressed layers are above layers")
        if self.sliding_window_layers and not self.sliding_window_tokens:
            raise ValueError("sliding_window_layers needs sliding_window_tokens")
        if self.chunked_attention_layers and not self.attention_chunk_tokens:
            raise ValueError("chunked_attention_layers needs attention_chunk_tokens")
        if self.chunked_attention_layers and self.sliding_window_layers:
            raise ValueError("a model has either sliding-window or chunked-attention layers, not both")
        if any(r < 2 or n < 0 for r, n in (self.kv_compress_ratio_layers or {}).items()):
            raise ValueError("kv_compress_ratio_layers maps a ratio >= 2 to a number of layers >= 0")
        if compressed and self.attention != "gqa":
            raise ValueError("kv_compress_ratio_layers applies to gqa-style attention only")
        if self.indexer_layers and not self.index_head_dim:
            raise ValueError("indexer_layers needs index_head_dim")
        if self.indexer_layers > self.layers:
            raise ValueError("indexer_layers is above layers")
        return self

    @property
    def is_moe(self) -> bool:
        """True for a mixture-of-experts model."""
        return self.experts_routed > 0


class ModelsFile(Strict):
    """data/models.yaml."""

    models: tuple[ModelArch, ...]


# --------------------------------------------------------------------------- GPUs


class Gpu(Sourced):
    """One accelerator's datasheet figures (dense, not sparse, throughput)."""

    id: str
    name: str
    vendor: Literal["nvidia", "amd", "intel", "google", "other"]
    memory_gb: float = Field(
        gt=0, le=1024,
        description="memory as the vendor states it (datasheet GB; HBM sizes are binary, 80 GB = 80 x 2^30 bytes)",
    )
    mem_bandwidth_tbs: float = Field(gt=0, le=50)
    bf16_tflops_dense: float = Field(gt=0, le=50_000)
    fp8_tflops_dense: float | None = Field(None, gt=0, le=50_000)
    fp4_tflops_dense: float | None = Field(None, gt=0, le=100_000)
    int8_tops_dense: float | None = Field(None, gt=0, le=50_000)
    int4_tops_dense: float | None = Field(None, gt=0, le=100_000)
    tdp_w: float = Field(gt=0, le=5000)
    interconnect: Literal["nvlink", "pcie", "infinity-fabric"]
    interconnect_gbs: float = Field(gt=0, le=20_000, description="per-GPU bidirectional GB/s")
    max_gpus_per_node: int = Field(8, gt=0, le=72)
    scale_up_domain_gpus: int | None = Field(
        None, gt=0, le=576, description="GPUs in one NVLink/Infinity-Fabric domain (8 HGX, 72 NVL72)"
    )
    scale_out_gbps_per_gpu: float | None = Field(
        None, gt=0, le=10_000, description="inter-node network per GPU, Gb/s (e.g. 400 for NDR IB)"
    )
    purchase_usd: float | None = Field(None, gt=0, le=1_000_000)
    purchase_source: str | None = None
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"GPU id {v!r} must be short lower-case, e.g. h100-sxm")
        return v

    @model_validator(mode="after")
    def _price_sourced(self) -> Gpu:
        if self.purchase_usd is not None and not self.purchase_source:
            raise ValueError("purchase_usd needs purchase_source")
        return self


class GpusFile(Strict):
    """data/gpus.yaml."""

    gpus: tuple[Gpu, ...]


# --------------------------------------------------------------------------- hosting


PROVIDER_KINDS: tuple[str, ...] = ("hyperscaler", "specialist", "marketplace")
ProviderKind = Literal["hyperscaler", "specialist", "marketplace"]
UNKNOWN_MIN_GPUS = 8  # an offer that does not say how few GPUs it rents is treated as an 8-GPU board


class CloudOffer(Sourced):
    """A rentable GPU instance with its hourly prices (per instance) per price tier."""

    id: str
    provider: str
    provider_kind: ProviderKind = Field(
        "specialist", description="hyperscaler (AWS, GCP, Azure, OCI), specialist GPU cloud, or marketplace"
    )
    instance_type: str
    gpu: str = Field(description="GPU id from data/gpus.yaml")
    gpu_count: int = Field(gt=0, le=64, description="GPUs per instance (the price below is per instance)")
    min_gpus: int | None = Field(
        None, gt=0, le=1024,
        description="fewest GPUs one deployment can rent here (1 = single GPUs rentable, 72 = NVL72 rack); "
        f"None = not stated, treated as {UNKNOWN_MIN_GPUS}",
    )
    region: str | None = None
    usd_per_hour_on_demand: float | None = Field(None, gt=0, le=MAX_USD_PER_GPU_HOUR * 64)
    usd_per_hour_spot: float | None = Field(None, gt=0, le=MAX_USD_PER_GPU_HOUR * 64)
    usd_per_hour_reserved: float | None = Field(
        None, gt=0, le=MAX_USD_PER_GPU_HOUR * 64, description="1-year commitment, hourly"
    )
    usd_per_hour_reserved_3y: float | None = Field(
        None, gt=0, le=MAX_USD_PER_GPU_HOUR * 64, description="3-year commitment, hourly"
    )
    via: str | None = Field(None, description="where the source page was transcribed, when not read directly")
    notes: str | None = None

    @model_validator(mode="after")
    def _some_price(self) -> CloudOffer:
        if not any((self.usd_per_hour_on_demand, self.usd_per_hour_spot, self.usd_per_hour_reserved,
                    self.usd_per_hour_reserved_3y)):
            raise ValueError("needs at least one of on-demand, spot, 1-year or 3-year hourly price")
        if self.min_gpus is not None and self.min_gpus % self.gpu_count:
            raise ValueError(f"min_gpus {self.min_gpus} is not a multiple of gpu_count {self.gpu_count}")
        return self

    @property
    def rent_unit(self) -> int:
        """GPUs per replica must be a multiple of this for the offer to apply (whole instances, no waste)."""
        return max(self.gpu_count, self.min_gpus if self.min_gpus is not None else UNKNOWN_MIN_GPUS)

    @property
    def single_gpu_rentable(self) -> bool:
        """True when one GPU can be rented on its own."""
        return self.rent_unit == 1


class FieldSource(Strict):
    """Where one owned-hardware figure comes from: a source and date, or the user's own assumption."""

    source: str = Field(min_length=3)
    as_of: dt.date | None = None
    assumption: bool = False

    @model_validator(mode="after")
    def _dated_or_assumed(self) -> FieldSource:
        if not self.assumption and self.as_of is None:
            raise ValueError("a sourced figure needs as_of (or mark it assumption: true)")
        return self


OWNED_FIELDS: tuple[str, ...] = (
    "amortization_years", "residual_value_fraction", "server_usd_per_8_gpus", "networking_fraction",
    "usd_per_kwh", "pue", "node_power_multiplier", "colocation_usd_per_kw_month", "ops_usd_per_node_month",
    "average_power_fraction",
)


class OwnedAssumptions(Sourced):
    """Defaults for buying GPUs: amortisation, power, hosting, staff. Users override these."""

    id: str
    amortization_years: float = Field(gt=0, le=10)
    residual_value_fraction: Fraction
    server_usd_per_8_gpus: float = Field(ge=0, le=1_000_000, description="non-GPU server parts")
    networking_fraction: Fraction = Field(description="networking as a share of server+GPU cost")
    usd_per_kwh: float = Field(ge=0, le=2)
    pue: float = Field(ge=1, le=3)
    node_power_multiplier: float = Field(ge=1, le=4, description="server draw / GPUs' TDP")
    colocation_usd_per_kw_month: float = Field(ge=0, le=2000)
    ops_usd_per_node_month: float = Field(
        ge=0, le=100_000, description="operations staff share per 8-GPU node (an assumption)"
    )
    average_power_fraction: Fraction = Field(description="average draw / full draw at idle-to-busy mix")
    field_sources: dict[str, FieldSource] = Field(
        default_factory=dict, description="per figure: its source and date, or 'assumption'"
    )

    @model_validator(mode="after")
    def _every_figure_sourced(self) -> OwnedAssumptions:
        if self.field_sources:
            missing = [f for f in OWNED_FIELDS if f not in self.field_sources]
            if missing:
                raise ValueError(f"field_sources lacks {missing}")
            unknown = sorted(set(self.field_sources) - set(OWNED_FIELDS))
            if unknown:
                raise ValueError(f"field_sources names unknown fields {unknown}")
        return self


class HostingFile(Strict):
    """data/hosting.yaml."""

    cloud: tuple[CloudOffer, ...]
    owned: tuple[OwnedAssumptions, ...]


# --------------------------------------------------------------------------- calibration


# Bounds of the named factors in EfficiencyFactors.extra: (low, high, low excluded); others 0..1e6.
EXTRA_FACTOR_BOUNDS: dict[str, tuple[float, float, bool]] = {
    "moe_efficiency": (0.0, 1.0, True),
    "pool_prefill_efficiency": (0.0, 1.0, True),
    "allreduce_latency_us": (0.0, 10_000.0, False),
    "max_batch": (1.0, 1_000_000.0, False),
    "useful_sequences": (1.0, 10_000.0, False),
}


ENGINES = ("default", "vllm", "sglang", "trtllm")
Engine = Literal["default", "vllm", "sglang", "trtllm"]


class EngineFactors(Strict):
    """One serving engine's efficiency factors (overriding the shared fit), fitted on that engine's rows."""

    factors: dict[str, Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]]
    rows: int = Field(ge=0, description="calibration rows of this engine")
    shrinkage: float = Field(ge=0, le=1, description="weight pulling the factors toward the shared fit")
    median_abs_pct_error: float | None = Field(None, ge=0)


class EfficiencyFactors(Sourced):
    """Fitted efficiency factors of the throughput model, with the data they were fitted on."""

    bandwidth_efficiency: float = Field(gt=0, le=1)
    decode_compute_efficiency: float = Field(gt=0, le=1)
    prefill_compute_efficiency: float = Field(gt=0, le=1)
    step_overhead_ms: float = Field(ge=0, le=100)
    interconnect_efficiency: float = Field(gt=0, le=1)
    usable_memory_fraction: float = Field(gt=0, le=1)
    runtime_overhead_gb: float = Field(ge=0, le=100)
    fitted_on: str
    median_abs_pct_error: float | None = Field(None, ge=0, le=10, description="a fraction: 0.14 = 14%")
    extra: dict[str, float] = Field(default_factory=dict)
    engines: dict[str, EngineFactors] = Field(
        default_factory=dict, description="per serving engine: factors that differ from the shared fit"
    )

    @field_validator("extra")
    @classmethod
    def _extra_bounds(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            lo, hi, lo_open = EXTRA_FACTOR_BOUNDS.get(k, (0.0, 1e6, False))
            if x > hi or x < lo or (lo_open and x == lo):
                side = ">" if lo_open else ">="
                raise ValueError(f"{k} = {x:g} is outside its bounds ({side} {lo:g} and <= {hi:g})")
        return v


class CalibrationFile(Strict):
    """data/calibration.yaml."""

    efficiency: EfficiencyFactors


# --------------------------------------------------------------------------- quality


class QualityScore(Sourced):
    """A quality index of a model (e.g. Artificial Analysis), keyed by HF id or offer id."""

    key: str
    index_name: str
    value: float = Field(ge=0, le=1000)


class QualityFile(Strict):
    """data/quality.yaml."""

    scores: tuple[QualityScore, ...]


class TaskTokensRow(Sourced):
    """Output tokens one model spends per task (Artificial Analysis Intelligence Index), keyed like quality."""

    key: str = Field(min_length=1, description="HF id, or offer id of a closed model")
    measured_as: str = Field(min_length=1, description="the model and reasoning setting that was measured")
    output_tokens: float = Field(gt=0, le=10_000_000, description="output tokens per task, reasoning included")
    reasoning_tokens: float = Field(0.0, ge=0, le=10_000_000, description="of which hidden reasoning")

    @model_validator(mode="after")
    def _parts(self) -> TaskTokensRow:
        if self.reasoning_tokens > self.output_tokens:
            raise ValueError("reasoning_tokens is part of output_tokens and cannot exceed it")
        return self


class TaskTokensFile(Strict):
    """data/tokens_per_task.yaml."""

    rows: tuple[TaskTokensRow, ...]


# --------------------------------------------------------------------------- workloads & scenarios


class Workload(Strict):
    """One workload: how many requests, what token mix, what traffic shape and latency target."""

    name: str = Field(min_length=1, max_length=200)
    requests_per_month: float = Field(ge=0, le=1e13)
    input_tokens: float = Field(ge=0, le=10_000_000)
    output_tokens: float = Field(ge=0, le=1_000_000)
    reasoning_tokens: float = Field(0, ge=0, le=1_000_000)
    cached_input_fraction: Fraction = 0.0
    cache_write_fraction: Fraction = Field(0.0, description="share of input tokens written to cache")
    batch_fraction: Fraction = 0.0
    off_peak_fraction: Fraction | None = Field(
        None, description="share of non-batch requests in an offer's off-peak hours; None = from the traffic shape"
    )
    peak_to_average: float = Field(1.0, ge=1, le=100)
    hourly_profile: tuple[float, ...] | None = Field(None, description="24 relative loads, UTC (weekdays, or every day)")
    weekend_hourly_profile: tuple[float, ...] | None = Field(
        None, description="24 relative loads on Saturday and Sunday, same scale; None = as hourly_profile"
    )
    max_ttft_ms: float | None = Field(None, gt=0, le=600_000)
    max_tpot_ms: float | None = Field(None, gt=0, le=60_000)
    min_output_tokens_per_s: float | None = Field(None, gt=0, le=10_000)
    monthly_growth: float = Field(0.0, ge=-0.5, le=5)
    min_context_tokens: int = Field(0, ge=0, le=100_000_000)

    @field_validator("hourly_profile", "weekend_hourly_profile")
    @classmethod
    def _profile(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is None:
            return v
        if len(v) != 24 or any(x < 0 for x in v) or sum(v) <= 0:
            raise ValueError("an hourly profile needs 24 non-negative numbers, not all zero")
        return v

    @model_validator(mode="after")
    def _cache_shares(self) -> Workload:
        if self.cached_input_fraction + self.cache_write_fraction > 1 + 1e-9:
            raise ValueError(
                f"cached_input_fraction ({self.cached_input_fraction:g}) + cache_write_fraction "
                f"({self.cache_write_fraction:g}) is above 1: they are shares of the same input tokens"
            )
        return self

    @property
    def has_shape(self) -> bool:
        """True when the workload gives an hourly (or weekend) traffic shape."""
        return bool(self.hourly_profile or self.weekend_hourly_profile)

    def week_shape(self) -> tuple[tuple[float, ...], ...]:
        """7 x 24 relative loads (ISO Monday first, UTC hours), summing to 1; flat without a profile."""
        top = max((*(self.hourly_profile or ()), *(self.weekend_hourly_profile or ()), 0.0))
        scale = 1.0 / top if top > 0 else 1.0  # relative loads: rescaled first so huge values cannot overflow
        wd = tuple(x * scale for x in self.hourly_profile) if self.hourly_profile else None
        we = tuple(x * scale for x in self.weekend_hourly_profile) if self.weekend_hourly_profile else None
        if wd is None:
            wd = (sum(we) / 24,) * 24 if we else (1.0,) * 24
        we = we or wd
        total = 5 * sum(wd) + 2 * sum(we)
        return tuple(tuple(x / total for x in (wd if d < 5 else we)) for d in range(7))

    @property
    def effective_peak_to_average(self) -> float:
        """Peak hour / mean hour over the week: from the traffic shape where given, else the stated ratio."""
        if self.has_shape:
            cells = [x for day in self.week_shape() for x in day]
            return max(cells) / (sum(cells) / len(cells))
        return self.peak_to_average

    @property
    def effective_max_tpot_ms(self) -> float | None:
        """The tighter of max_tpot_ms and 1000 / min_output_tokens_per_s."""
        limits = [x for x in (self.max_tpot_ms,) if x]
        if self.min_output_tokens_per_s:
            limits.append(1000.0 / self.min_output_tokens_per_s)
        return min(limits) if limits else None

    @property
    def prompt_tokens(self) -> float:
        """Input tokens per request (alias)."""
        return self.input_tokens


class ApiChoice(Strict):
    """A token-metered API offer to compare."""

    api: str


class SelfHostSpec(Strict):
    """A self-hosted deployment to compare."""

    model: str
    gpu: str
    precision: Precision = "fp8"
    hosting: str | None = Field(None, description="cloud offer id, 'owned', or None = the GPU price policy")
    gpus: int | None = Field(None, gt=0, le=4096, description="GPUs of one deployment block (the planner lays it out)")
    tp: int | None = Field(None, gt=0, le=512, description="pin tensor parallelism")
    ep: int | None = Field(None, gt=0, le=4096, description="pin expert parallelism")
    pp: int | None = Field(None, gt=0, le=64, description="pin pipeline stages")
    price_type: Literal["on_demand", "spot", "reserved", "reserved_3y"] = Field(
        "on_demand", description="price tier: on-demand, spot, 1-year (reserved) or 3-year commitment"
    )
    n_plus_one: bool = False
    autoscale: bool = False
    engine: Engine = Field("default", description="serving engine profile: default, vllm, sglang, trtllm")
    spec_tokens: int = Field(0, ge=0, le=8, description="speculative decoding: draft tokens per step (0 = off)")
    spec_acceptance: float = Field(0.0, ge=0, le=1, description="speculative decoding: chance each draft is accepted")
    disaggregate: bool = Field(
        False, description="serve as separate prefill and decode pools (prefill/decode disaggregation, pricing.disagg)"
    )
    prefill_gpus: int | None = Field(None, gt=0, le=4096, description="with disaggregate: pin GPUs per prefill instance")
    decode_gpus: int | None = Field(None, gt=0, le=4096, description="with disaggregate: pin GPUs per decode instance")
    redundant_experts: int = Field(
        0, ge=0, le=512, description="with disaggregate: redundant expert replicas per expert-parallel instance (EPLB)"
    )

    @field_validator("disaggregate")
    @classmethod
    def _whole_pools(cls, v: bool, info: ValidationInfo) -> bool:
        pins = [k for k in ("gpus", "tp", "ep", "pp") if info.data.get(k)]
        if v and pins:
            raise ValueError(f"{'/'.join(pins)} do not apply with disaggregate: pin each pool's instance size "
                             "with prefill_gpus / decode_gpus")
        return v

    @field_validator("prefill_gpus", "decode_gpus", "redundant_experts")
    @classmethod
    def _needs_disaggregate(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v and not info.data.get("disaggregate"):
            raise ValueError(f"{info.field_name} needs disaggregate: true")
        return v


class SelfHostChoice(Strict):
    """Wrapper so the scenario file reads `- selfhost: {...}`."""

    selfhost: SelfHostSpec


Option = ApiChoice | SelfHostChoice


class Overrides(Strict):
    """The user's own numbers, kept with the scenario: discounts, GPU prices, power."""

    provider_discount: dict[str, Fraction] = Field(default_factory=dict)
    gpu_usd_per_hour: dict[str, Annotated[float, Field(gt=0, le=MAX_USD_PER_GPU_HOUR)]] = Field(
        default_factory=dict
    )
    gpu_purchase_usd: dict[str, Annotated[float, Field(gt=0, le=1_000_000)]] = Field(
        default_factory=dict
    )
    gpu_price_policy: str | None = Field(
        None, description="how a rented GPU's hourly price is chosen (pricing.gpu_price.POLICIES); None = default"
    )
    usd_per_kwh: float | None = Field(None, ge=0, le=2)
    # owned hardware: None = the value in data/hosting.yaml `owned`
    amortization_years: float | None = Field(None, gt=0, le=10)
    residual_value_fraction: float | None = Field(None, ge=0, le=1)
    pue: float | None = Field(None, ge=1, le=3)
    colocation_usd_per_kw_month: float | None = Field(None, ge=0, le=2000)
    ops_usd_per_node_month: float | None = Field(None, ge=0, le=100_000)
    efficiency_scale: float = Field(1.0, gt=0, le=5, description="multiplies modelled throughput")
    headroom_fraction: float = Field(0.0, ge=0, le=0.9, description="spare capacity kept at peak")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    usd_to_currency: float = Field(1.0, gt=0, le=1_000_000)


class TaskTokens(Strict):
    """Cost per task: scale each model's output and reasoning tokens by its tokens per task.

    The workload's output_tokens and reasoning_tokens describe what the `reference` model spends.
    Every other model gets them times (its output tokens per task / the reference's), from
    data/tokens_per_task.yaml (Artificial Analysis) or your own figures in `own_tokens_per_task`.
    A model without a figure keeps the workload's tokens (x1.0) and the table says so.
    """

    reference: str = Field(
        min_length=1, max_length=300,
        description="offer id or Hugging Face id of the model whose tokens the workload describes",
    )
    own_tokens_per_task: dict[
        Annotated[str, Field(min_length=1, max_length=300)],
        Annotated[float, Field(gt=0, le=10_000_000, allow_inf_nan=False)],
    ] = Field(
        default_factory=dict,
        description="your own output tokens per task per model (offer id or HF id); wins over the sourced figure",
    )


class Scenario(Strict):
    """A scenario file: workloads, the options to compare, and the user's overrides."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    workloads: tuple[Workload, ...] = Field(min_length=1, max_length=50)
    options: tuple[Option, ...] = ()
    overrides: Overrides = Field(default_factory=Overrides)
    months: int = Field(12, ge=1, le=60)
    as_of: dt.date | None = Field(
        None, description="the date the report is for (price ages, plan months); None = today"
    )
    task_tokens: TaskTokens | None = Field(
        None, description="compare cost per task: scale output tokens per model relative to a reference; None = same tokens"
    )

    @field_validator("workloads")
    @classmethod
    def _unique_names(cls, v: tuple[Workload, ...]) -> tuple[Workload, ...]:
        names = [w.name for w in v]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"workload names must be unique; repeated: {sorted(dup)}")
        return v
