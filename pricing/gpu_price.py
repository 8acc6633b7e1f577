"""The hourly price of a rented GPU: a named, deterministic policy over the dated offers of data/hosting.yaml.

Default policy, `market-median`: for the GPU, the price tier and the replica size asked for,
  1. candidates = every offer of that GPU with a price in the tier whose rent unit divides the
     GPUs per replica (an 8-GPU-only instance is never offered to a 1-, 2- or 4-GPU replica; an
     NVL72 rack only to multiples of 72; an offer silent on its smallest rental counts as 8);
  2. keep the specialist GPU clouds (not hyperscalers, not marketplaces);
  3. keep prices read within the last 180 days (STALE_DAYS) when any exist; otherwise use the
     older ones and say so;
  4. one vote per provider: its cheapest qualifying offer (ties broken by offer id);
  5. the price is the median of those votes (the mean of the two middle ones for an even count).
If step 2 leaves nothing, all provider kinds are used (with a warning). If the tier has no price at
all, on-demand is used (with a warning).

Alternatives (Overrides.gpu_price_policy): `cheapest-reputable` (the lowest vote among specialist
clouds and hyperscalers, marketplaces excluded), `hyperscaler` (median over AWS, GCP, Azure, OCI),
`market-median-all` (median over every provider kind, marketplaces included), and `provider:<id>`
(that provider's cheapest qualifying offer, no fallback). The tier (on-demand, spot, 1-year,
3-year) is the self-hosting option's price_type. The user's own price (Overrides.gpu_usd_per_hour)
overrides every policy; that is applied by pricing.selfhost, before any policy is asked.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pricing.errors import InputError
from pricing.schema import CloudOffer

STALE_DAYS = 180
DEFAULT_POLICY = "market-median"
TIER_FIELD = {
    "on_demand": "usd_per_hour_on_demand", "spot": "usd_per_hour_spot",
    "reserved": "usd_per_hour_reserved", "reserved_3y": "usd_per_hour_reserved_3y",
}
TIER_LABEL = {"on_demand": "on-demand", "spot": "spot", "reserved": "1-year", "reserved_3y": "3-year"}


@dataclass(frozen=True)
class Policy:
    """A named way to choose one hourly price from many offers."""

    id: str
    label: str
    kinds: tuple[str, ...]  # provider kinds that vote
    how: str  # "median" or "min"


POLICIES: dict[str, Policy] = {
    "market-median": Policy("market-median", "median of current specialist-cloud prices",
                            ("specialist",), "median"),
    "cheapest-reputable": Policy("cheapest-reputable", "cheapest current specialist-cloud or hyperscaler price",
                                 ("specialist", "hyperscaler"), "min"),
    "hyperscaler": Policy("hyperscaler", "median of current hyperscaler prices (AWS, GCP, Azure, OCI)",
                          ("hyperscaler",), "median"),
    "market-median-all": Policy("market-median-all", "median of current prices of every provider, marketplaces included",
                                ("specialist", "hyperscaler", "marketplace"), "median"),
}
PROVIDER_PREFIX = "provider:"


def policy_choices(providers: Iterable[str]) -> list[str]:
    """Every policy a user can pick: the named ones, then one per provider."""
    return [*POLICIES, *(f"{PROVIDER_PREFIX}{p}" for p in sorted(set(providers)))]


def policy_label(policy: str) -> str:
    """What a policy id means, in words."""
    if policy.startswith(PROVIDER_PREFIX):
        return f"cheapest current price at {policy[len(PROVIDER_PREFIX):]}"
    return POLICIES[policy].label if policy in POLICIES else policy


def check_policy(policy: str | None, providers: Iterable[str] = ()) -> str:
    """The policy id to use (None = the default); InputError naming the choices when unknown."""
    p = policy or DEFAULT_POLICY
    if p in POLICIES:
        return p
    if p.startswith(PROVIDER_PREFIX):
        name = p[len(PROVIDER_PREFIX):]
        known = sorted(set(providers))
        if known and name not in known:
            raise InputError(f"gpu_price_policy {p!r}: no provider {name!r}; known: {', '.join(known)}")
        return p
    raise InputError(f"gpu_price_policy {p!r} is unknown; use one of {', '.join(POLICIES)} "
                     f"or {PROVIDER_PREFIX}<provider>")


def per_gpu_hour(o: CloudOffer, tier: str) -> float | None:
    """The offer's price per GPU-hour in a tier, or None when it has none."""
    v = getattr(o, TIER_FIELD[tier])
    return None if v is None else float(v) / o.gpu_count


def eligible(o: CloudOffer, gpus_per_replica: int | None) -> bool:
    """True when a replica of that many GPUs rents whole instances of the offer (None = any size)."""
    return gpus_per_replica is None or gpus_per_replica % o.rent_unit == 0


def is_stale(as_of: dt.date | None, today: dt.date) -> bool:
    """True for a price read more than STALE_DAYS before today."""
    return as_of is not None and (today - as_of).days > STALE_DAYS


@dataclass(frozen=True)
class Quote:
    """The chosen hourly price of one GPU and everything needed to show how it was chosen."""

    gpu: str
    policy: str
    price_type: str  # the tier actually used
    usd_per_gpu_hour: float  # NaN when no offer qualifies
    votes: tuple[tuple[float, CloudOffer], ...]  # one per provider, cheapest first
    offer: CloudOffer | None  # the deciding offer (min policies, or a median that is one vote)
    as_of: dt.date | None  # oldest read date among the votes
    stale: bool
    warnings: tuple[str, ...] = ()

    @property
    def instance_gpus(self) -> int:
        """GPUs billed together: the deciding offer's instance, else 1 (a median is a per-GPU rate)."""
        return self.offer.gpu_count if self.offer is not None else 1

    @property
    def providers(self) -> tuple[str, ...]:
        """Providers whose prices voted."""
        return tuple(o.provider for _, o in self.votes)

    def describe(self) -> str:
        """One line: policy, price, tier, the offers behind it and their age."""
        if not math.isfinite(self.usd_per_gpu_hour):
            return f"{policy_label(self.policy)}: no {TIER_LABEL[self.price_type]} price for {self.gpu}"
        shown = ", ".join(f"{o.provider} ${p:.2f}" for p, o in self.votes[:8])
        more = f" and {len(self.votes) - 8} more" if len(self.votes) > 8 else ""
        age = f"; STALE: read {self.as_of}" if self.stale else (f"; read {self.as_of} or later" if self.as_of else "")
        return (f"{policy_label(self.policy)}: ${self.usd_per_gpu_hour:.2f}/GPU-hour "
                f"{TIER_LABEL[self.price_type]} for {self.gpu} from {shown}{more}{age}")


def _votes(cands: Sequence[tuple[float, CloudOffer]]) -> list[tuple[float, CloudOffer]]:
    best: dict[str, tuple[float, CloudOffer]] = {}
    for pr, o in sorted(cands, key=lambda t: (t[0], t[1].id)):
        best.setdefault(o.provider, (pr, o))
    return sorted(best.values(), key=lambda t: (t[0], t[1].id))


def quote(
    offers: Iterable[CloudOffer],
    gpu: str,
    today: dt.date,
    price_type: str = "on_demand",
    policy: str | None = None,
    gpus_per_replica: int | None = None,
) -> Quote:
    """The hourly price of `gpu` under `policy` for a replica of `gpus_per_replica` GPUs (None = any)."""
    pol = check_policy(policy)
    offers = [o for o in offers if o.gpu == gpu]
    warns: list[str] = []
    tier = price_type

    def candidates(t: str) -> list[tuple[float, CloudOffer]]:
        return [(p, o) for o in offers if eligible(o, gpus_per_replica) and (p := per_gpu_hour(o, t)) is not None]

    cands = candidates(tier)
    if not cands and tier != "on_demand":
        tier = "on_demand"
        cands = candidates(tier)
        if cands:
            warns.append(f"no {TIER_LABEL[price_type]} price for {gpu}; on-demand used")
    size = f" for {gpus_per_replica}-GPU replicas" if gpus_per_replica else ""
    if pol.startswith(PROVIDER_PREFIX):
        name = pol[len(PROVIDER_PREFIX):]
        chosen = [c for c in cands if c[1].provider == name]
        how = "min"
        if not chosen:
            warns.append(f"{name} has no {TIER_LABEL[tier]} price for {gpu}{size}")
    else:
        spec = POLICIES[pol]
        how = spec.how
        chosen = [c for c in cands if c[1].provider_kind in spec.kinds]
        if not chosen and cands:
            chosen = cands
            warns.append(f"no {'/'.join(spec.kinds)} price for {gpu}{size}; every provider kind used")
    if not chosen:
        if not warns:
            warns.append(f"no {TIER_LABEL[tier]} cloud price for {gpu}{size}; set overrides.gpu_usd_per_hour")
        return Quote(gpu, pol, tier, math.nan, (), None, None, False, tuple(warns))
    fresh = [c for c in chosen if not is_stale(c[1].as_of, today)]
    if fresh:
        chosen = fresh
    else:
        newest = max(o.as_of for _, o in chosen)
        warns.append(f"every {gpu} price is older than {STALE_DAYS} days (newest read {newest})")
    votes = _votes(chosen)
    offer: CloudOffer | None
    if how == "min":
        price, offer = votes[0]
        used = votes[:1]
    else:
        price = float(statistics.median(p for p, _ in votes))
        offer = votes[0][1] if len(votes) == 1 else None
        used = votes
    as_of = min(o.as_of for _, o in used)
    return Quote(gpu, pol, tier, price, tuple(used), offer, as_of, is_stale(as_of, today), tuple(warns))


def market_spread(
    offers: Iterable[CloudOffer], gpu: str, today: dt.date, price_type: str = "on_demand",
) -> tuple[float, float, float, int]:
    """(P10, P50, P90, providers) of the current per-GPU-hour prices of a GPU, one vote per provider.

    Every provider kind votes (the market's spread, not one policy's); prices older than STALE_DAYS
    are left out while newer ones exist. NaNs and 0 when the GPU has no price in the tier.
    """
    cands = [(p, o) for o in offers if o.gpu == gpu and (p := per_gpu_hour(o, price_type)) is not None]
    fresh = [c for c in cands if not is_stale(c[1].as_of, today)]
    votes = _votes(fresh or cands)
    if not votes:
        return math.nan, math.nan, math.nan, 0
    arr = np.array([p for p, _ in votes])
    p10, p50, p90 = (float(x) for x in np.percentile(arr, [10, 50, 90]))
    return p10, p50, p90, len(votes)


def price_range_multipliers(
    offers: Sequence[CloudOffer], gpus: Iterable[str], today: dt.date, policy: str | None = None,
) -> tuple[float, float] | None:
    """P10 and P90 of the market as multipliers of each GPU's policy price; the widest over `gpus`.

    None when no GPU has at least three current providers (too few to call a spread).
    """
    lo, hi = math.inf, -math.inf
    for g in dict.fromkeys(gpus):
        p10, _, p90, n = market_spread(offers, g, today)
        q = quote(offers, g, today, policy=policy)
        if n < 3 or not math.isfinite(q.usd_per_gpu_hour):
            continue
        lo = min(lo, p10 / q.usd_per_gpu_hour)
        hi = max(hi, p90 / q.usd_per_gpu_hour)
    if not math.isfinite(lo):
        return None
    return min(lo, 1.0), max(hi, 1.0)
