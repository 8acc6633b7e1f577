"""The hand-curated layer, data/curation.yaml, read through a strict schema (unknown keys are errors).

It says which LiteLLM entries we carry per provider and adds what a feed lacks: the model name as
the provider calls it, the Hugging Face id of open weights (`open_model`), a family, a display
name, a reasoning flag where LiteLLM is silent or wrong, notes and checks against pricing pages,
lifecycle dates with their source, prices a provider publishes that the feed misses (cache read,
batch), scheduled price changes, and explicit "publishes none" markers. It also holds the
OpenRouter id -> offer id table used to re-price closed models from OpenRouter.

Open-weight ids come from the models' Hugging Face pages, from `hugging_face_id` in the OpenRouter
snapshot (data/sources/openrouter/) and, for GLM-5.1, from NVIDIA's NeMo model coverage page
(docs.nvidia.com/nemo/automodel, "GLM-5 / GLM-5.1"); an offer whose weights we could not tie to a
Hugging Face repo keeps `open_model` empty rather than a guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pricing.catalog import parse_model, read_yaml
from pricing.feeds import REPO_DIR
from pricing.schema import OptUsd, Usd

CURATION_PATH = REPO_DIR / "data" / "curation.yaml"
ProviderKind = Literal["closed", "first-party-open", "open-host", "mixed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Sourced(_Strict):
    """Where a curated number or date comes from."""

    source: str = Field(min_length=3, description="URL or document")
    as_of: dt.date = Field(description="date the source was read")


class NonePublished(Sourced):
    """The provider publishes no such price (cache read) or API (batch): said, not implied by silence."""

    note: str | None = None


class CachePrice(Sourced):
    """A cache-read price the provider publishes but the feed lacks: a price, or the provider's rule as a
    fraction of the input price (e.g. 0.5 where the provider says cached tokens bill at half the input price)."""

    usd_per_mtok_cached_input: OptUsd = None
    fraction_of_input: float | None = Field(None, gt=0, le=1, description="cache read = this x the input price")
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> CachePrice:
        if (self.usd_per_mtok_cached_input is None) == (self.fraction_of_input is None):
            raise ValueError("give either usd_per_mtok_cached_input or fraction_of_input")
        return self

    def price(self, inp: float) -> float:
        """The cache-read price of an offer whose input is listed at inp."""
        if self.fraction_of_input is not None:
            return round(inp * self.fraction_of_input, 6) + 0.0
        assert self.usd_per_mtok_cached_input is not None
        return self.usd_per_mtok_cached_input


class Batch(Sourced):
    """A batch-API price the provider publishes but the feed lacks: prices, or a fraction of the list price."""

    usd_per_mtok_input: OptUsd = None
    usd_per_mtok_output: OptUsd = None
    usd_per_mtok_cached_input: OptUsd = None
    fraction_of_list: float | None = Field(None, gt=0, le=1, description="e.g. 0.5: half the listed input and output")
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Batch:
        prices = self.usd_per_mtok_input is not None and self.usd_per_mtok_output is not None
        if prices == (self.fraction_of_list is not None):
            raise ValueError("give either usd_per_mtok_input and usd_per_mtok_output, or fraction_of_list")
        return self

    def prices(self, inp: float, out: float) -> tuple[float, float, float | None]:
        """(input, output, cache read) of the batch price for an offer listed at inp / out."""
        if self.fraction_of_list is not None:
            return round(inp * self.fraction_of_list, 6) + 0.0, round(out * self.fraction_of_list, 6) + 0.0, None
        assert self.usd_per_mtok_input is not None and self.usd_per_mtok_output is not None
        return self.usd_per_mtok_input, self.usd_per_mtok_output, self.usd_per_mtok_cached_input


class Scheduled(Sourced):
    """A published price that takes effect later (or an introductory price that ends)."""

    effective_from: dt.date
    effective_until: dt.date | None = None
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None
    note: str | None = None


class Announced(Sourced):
    """A dated base price from a provider's announcement (price history before or between feed snapshots)."""

    since: dt.date
    usd_per_mtok_input: Usd
    usd_per_mtok_output: Usd
    usd_per_mtok_cached_input: OptUsd = None


class Lifecycle(Sourced):
    """Lifecycle dates from a provider's page (override or complete the feed's deprecation_date)."""

    released_on: dt.date | None = None
    deprecated_on: dt.date | None = None
    retires_on: dt.date | None = None
    successor: str | None = Field(None, description="offer id the provider names as replacement")
    note: str | None = None


class Provider(_Strict):
    """A provider file's header plus provider-wide facts."""

    name: str
    kind: ProviderKind
    pricing_page: str
    prefixes: tuple[str, ...] = ()
    cache: CachePrice | None = Field(
        None, description="cache-read rule (fraction of input) for offers the feed and the pick give none"
    )
    no_cache_price: NonePublished | None = Field(None, description="applies to offers the feed gives no cache price")
    no_batch_api: NonePublished | None = Field(None, description="applies to offers the feed gives no batch price")
    batch: Batch | None = Field(None, description="batch price of every offer the feed and the pick give none")


class Pick(_Strict):
    """One LiteLLM entry we keep, and the curated fields merged over the feed's values."""

    key: str = Field(min_length=1, description="the LiteLLM price-map key")
    model: str | None = None
    open_model: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    family: str | None = None
    display_name: str | None = None
    reasoning: bool | None = None
    notes: str | None = None
    check: str | None = Field(None, description="how the price was checked against the provider's page")
    lifecycle: Lifecycle | None = None
    cache: CachePrice | None = None
    batch: Batch | None = None
    no_cache_price: NonePublished | None = None
    no_batch_api: NonePublished | None = None
    scheduled: tuple[Scheduled, ...] = ()
    announced: tuple[Announced, ...] = Field((), description="price points from announcements, for the history")


class Family(_Strict):
    """A coarse family label for models whose name matches `pattern` (first match wins)."""

    pattern: str
    family: str

    @field_validator("pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"not a regular expression: {e}") from None
        return v


class Curation(_Strict):
    """data/curation.yaml."""

    providers: dict[str, Provider]
    families: tuple[Family, ...]
    offers: dict[str, tuple[Pick, ...]]
    openrouter_price_map: dict[str, str] = Field(
        default_factory=dict, description="OpenRouter id -> our offer id (closed weights, list price)"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Curation:
        unknown = sorted(set(self.offers) - set(self.providers))
        if unknown:
            raise ValueError(f"offers for providers not under providers: {unknown}")
        keys = [p.key for ps in self.offers.values() for p in ps]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"LiteLLM keys picked twice: {dup}")
        return self

    def family_of(self, model: str) -> str | None:
        """A coarse family label from a model name (deepseek-r1, qwen3, glm, kimi, llama-3, ...)."""
        low = model.lower()
        for f in self.families:
            if re.search(f.pattern, low):
                return f.family
        return None


def load_curation(path: Path = CURATION_PATH) -> Curation:
    """Parse and validate a curation file; DataError names file, entry and field."""
    return parse_model(Curation, read_yaml(path), str(path.name))


@functools.lru_cache(maxsize=1)
def default_curation() -> Curation:
    """data/curation.yaml, loaded once per process."""
    return load_curation(CURATION_PATH)
