"""The GPU price policy: named, documented, deterministic; whole instances only; stale shown; own price wins."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics

import pytest

from pricing import gpu_price, selfhost
from pricing.errors import InputError
from pricing.schema import CloudOffer, Overrides, SelfHostSpec, Workload

TODAY = dt.date(2026, 11, 30)
L70 = "meta-llama/Llama-3.3-70B-Instruct"
L8 = "meta-llama/Llama-3.1-8B-Instruct"
CHAT = Workload(name="chat", requests_per_month=3e6, input_tokens=1200, output_tokens=300,
                peak_to_average=3, max_ttft_ms=2000, min_output_tokens_per_s=20)


def offer(provider: str, price: float, n: int = 1, min_gpus: int | None = 1, kind: str = "specialist",
          as_of: dt.date = dt.date(2026, 10, 1), gpu: str = "h100-sxm", spot: float | None = None) -> CloudOffer:
    return CloudOffer(id=f"{provider}/{n}x-{price}", provider=provider, provider_kind=kind, instance_type=f"{n}x",
                      gpu=gpu, gpu_count=n, min_gpus=min_gpus, usd_per_hour_on_demand=price * n,
                      usd_per_hour_spot=spot * n if spot else None, source="https://example.com/prices", as_of=as_of)


MARKET = [
    offer("a", 3.0), offer("a", 2.5, n=8, min_gpus=8), offer("b", 4.0), offer("c", 5.0), offer("d", 3.5),
    offer("hyper", 7.0, n=8, min_gpus=8, kind="hyperscaler"), offer("hyper2", 6.0, kind="hyperscaler"),
    offer("bazaar", 1.5, kind="marketplace"), offer("old", 1.0, as_of=dt.date(2025, 3, 1)),
]


def test_default_is_the_median_of_current_specialist_votes_one_per_provider() -> None:
    q = gpu_price.quote(MARKET, "h100-sxm", TODAY, gpus_per_replica=1)
    assert q.policy == gpu_price.DEFAULT_POLICY == "market-median"
    assert sorted(q.providers) == ["a", "b", "c", "d"]  # no hyperscaler, marketplace or stale vote
    assert q.usd_per_gpu_hour == statistics.median([3.0, 4.0, 5.0, 3.5])
    # an 8-GPU replica may use provider a's cheaper 8-GPU machine: a votes 2.5
    q8 = gpu_price.quote(MARKET, "h100-sxm", TODAY, gpus_per_replica=8)
    assert dict((o.provider, p) for p, o in q8.votes)["a"] == 2.5


def test_policy_is_deterministic_whatever_the_order_of_offers() -> None:
    first = gpu_price.quote(MARKET, "h100-sxm", TODAY, gpus_per_replica=1)
    for seed in range(5):
        shuffled = MARKET[:]
        random.Random(seed).shuffle(shuffled)
        again = gpu_price.quote(shuffled, "h100-sxm", TODAY, gpus_per_replica=1)
        assert (again.usd_per_gpu_hour, again.providers, again.describe()) == \
            (first.usd_per_gpu_hour, first.providers, first.describe())


def test_every_policy_is_documented_in_the_module_docstring() -> None:
    doc = gpu_price.__doc__ or ""
    for pid, pol in gpu_price.POLICIES.items():
        assert f"`{pid}`" in doc and pol.label
    assert "180 days" in doc and "provider:<id>" in doc and "overrides every" in doc


@pytest.mark.parametrize("policy", [*gpu_price.POLICIES, "provider:a", "provider:hyper"])
@pytest.mark.parametrize("size", [1, 2, 4])
def test_an_8_gpu_only_instance_is_never_offered_to_a_smaller_replica(policy: str, size: int) -> None:
    q = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy=policy, gpus_per_replica=size)
    assert all(size % o.rent_unit == 0 for _, o in q.votes)
    assert all(o.gpu_count == 1 for _, o in q.votes)


def test_8_gpu_only_instance_never_prices_a_1_gpu_replica_in_the_bundled_data(catalog) -> None:
    for gpu in catalog.gpus:
        q = gpu_price.quote(catalog.cloud.values(), gpu, TODAY, gpus_per_replica=1)
        assert all(o.single_gpu_rentable for _, o in q.votes), gpu
    # and end to end: Llama 8B fits one H100, and its 1-GPU replica is priced from single-GPU offers only
    row = selfhost.selfhost_frame(catalog, [SelfHostSpec(model=L8, gpu="h100-sxm", precision="fp8")], [CHAT],
                                  today=TODAY).iloc[0]
    assert row["gpus_per_replica"] == 1
    single = gpu_price.quote([o for o in catalog.cloud.values() if o.single_gpu_rentable], "h100-sxm", TODAY)
    assert row["gpu_usd_per_hour"] == pytest.approx(single.usd_per_gpu_hour)


def test_only_8_gpu_offers_move_the_replica_to_8_gpus(catalog) -> None:
    only8 = Overrides(gpu_price_policy="provider:coreweave")  # CoreWeave rents H100 in 8-GPU machines only
    row = selfhost.selfhost_frame(catalog, [SelfHostSpec(model=L8, gpu="h100-sxm", precision="fp8")], [CHAT],
                                  only8, today=TODAY).iloc[0]
    assert row["gpus_per_replica"] % 8 == 0 and math.isfinite(row["monthly_usd"])
    assert row["price_policy"] == "provider:coreweave"


def test_stale_prices_are_shown_stale() -> None:
    only_old = [offer("x", 2.0, as_of=dt.date(2025, 1, 1)), offer("y", 3.0, as_of=dt.date(2025, 2, 1))]
    q = gpu_price.quote(only_old, "h100-sxm", TODAY, gpus_per_replica=1)
    assert q.stale and q.as_of == dt.date(2025, 1, 1)
    assert "STALE" in q.describe() and any("older than 180 days" in w for w in q.warnings)
    fresh = gpu_price.quote([*only_old, offer("z", 9.0)], "h100-sxm", TODAY, gpus_per_replica=1)
    assert not fresh.stale and fresh.usd_per_gpu_hour == 9.0  # old prices do not feed the default


def test_stale_price_is_flagged_in_the_selfhost_row(catalog) -> None:
    far = dt.date(2028, 1, 1)  # every bundled price is old by then
    row = selfhost.selfhost_frame(catalog, [SelfHostSpec(model=L70, gpu="h200", precision="fp8")], [CHAT],
                                  today=far).iloc[0]
    assert "GPU price is stale" in row["warnings"] and "STALE" in row["price_source"]


@pytest.mark.parametrize("policy", [None, *gpu_price.POLICIES, "provider:lambda", "provider:aws"])
@pytest.mark.parametrize("tier", ["on_demand", "spot", "reserved", "reserved_3y"])
def test_own_price_overrides_every_policy(catalog, policy: str | None, tier: str) -> None:
    ov = Overrides(gpu_price_policy=policy, gpu_usd_per_hour={"h200": 1.23})
    row = selfhost.selfhost_frame(catalog, [SelfHostSpec(model=L70, gpu="h200", precision="fp8", price_type=tier)],
                                  [CHAT], ov, today=TODAY).iloc[0]
    assert row["gpu_usd_per_hour"] == 1.23 and row["price_policy"] == "own-price"
    assert row["usd_gpu_rent"] == pytest.approx(row["gpus"] * 1.23 * 730)


def test_alternative_policies() -> None:
    cheap = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy="cheapest-reputable", gpus_per_replica=1)
    assert (cheap.usd_per_gpu_hour, cheap.offer.provider if cheap.offer else None) == (3.0, "a")
    hyper = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy="hyperscaler", gpus_per_replica=8)
    assert hyper.usd_per_gpu_hour == statistics.median([6.0, 7.0])
    every = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy="market-median-all", gpus_per_replica=1)
    assert "bazaar" in every.providers
    prov = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy="provider:c", gpus_per_replica=1)
    assert prov.usd_per_gpu_hour == 5.0
    none = gpu_price.quote(MARKET, "h100-sxm", TODAY, policy="provider:nobody")
    assert math.isnan(none.usd_per_gpu_hour) and "nobody has no" in none.warnings[0]


def test_spot_tier_and_fallback() -> None:
    offers = [offer("a", 3.0, spot=1.2), offer("b", 4.0)]
    spot = gpu_price.quote(offers, "h100-sxm", TODAY, "spot", gpus_per_replica=1)
    assert (spot.price_type, spot.usd_per_gpu_hour) == ("spot", 1.2)
    no_spot = gpu_price.quote([offer("b", 4.0)], "h100-sxm", TODAY, "reserved_3y")
    assert no_spot.price_type == "on_demand" and "on-demand used" in no_spot.warnings[0]


def test_unknown_policy_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="gpu_price_policy 'cheapest' is unknown"):
        gpu_price.check_policy("cheapest")
    with pytest.raises(InputError, match="no provider 'nobody'"):
        gpu_price.check_policy("provider:nobody", ["lambda", "aws"])


def test_market_spread_and_range_multipliers(catalog) -> None:
    p10, p50, p90, n = gpu_price.market_spread(catalog.cloud.values(), "h100-sxm", TODAY)
    assert n >= 6 and p10 < p50 < p90
    lo, hi = gpu_price.price_range_multipliers(list(catalog.cloud.values()), ["h100-sxm"], TODAY) or (0, 0)
    q = gpu_price.quote(catalog.cloud.values(), "h100-sxm", TODAY)
    assert lo == pytest.approx(min(p10 / q.usd_per_gpu_hour, 1.0)) and hi == pytest.approx(max(p90 / q.usd_per_gpu_hour, 1.0))
    assert gpu_price.price_range_multipliers(list(catalog.cloud.values()), ["no-such-gpu"], TODAY) is None


def test_moved_replica_costs_the_same_as_asking_for_that_size(catalog) -> None:
    only8 = Overrides(gpu_price_policy="provider:coreweave")
    moved = SelfHostSpec(model=L8, gpu="h100-sxm", precision="fp8")
    other = SelfHostSpec(model=L70, gpu="h200", precision="fp8", gpus=8)
    both = selfhost.selfhost_frame(catalog, [other, moved], [CHAT], only8, today=TODAY)
    forced = selfhost.selfhost_frame(catalog, [moved.model_copy(update={"gpus": 8})], [CHAT], only8, today=TODAY)
    alone = selfhost.selfhost_frame(catalog, [other], [CHAT], only8, today=TODAY)
    cols = ["monthly_usd", "gpus_per_replica", "replicas", "ttft_ms", "tpot_ms", "gpu_usd_per_hour"]
    assert both.iloc[1][cols].tolist() == pytest.approx(forced.iloc[0][cols].tolist())
    assert both.iloc[0][cols].tolist() == pytest.approx(alone.iloc[0][cols].tolist())
