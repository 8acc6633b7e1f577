"""Self-hosting: replicas and GPUs a workload needs at peak, and the monthly bill, rented or owned.

Sizing. Mean demand = requests per month / 730 h. The interactive share (1 - batch_fraction) must be
served at peak (x peak-to-average, from the hourly profile where given); the batch share is moved
off-peak, so it only has to fit in the month's average: required = mean x max((1 - batch) x peak, 1).
A unit serves `requests/s at the latency target` (pricing.perf, with the spec's engine profile and the
workload's prefix-cache share); with a TTFT target that capacity is taken at the planned utilisation
(PerfParams.planned_utilization, the load at which TTFT queueing was evaluated); units = ceil(required /
(per-unit x (1 - headroom))), at least 1, plus one with N+1. Units: one instance of every size the
planner lays out (1, 2, 4, 8 GPUs, then nodes of 8; tensor / pipeline / expert parallelism, attention
DP), the best layout per size; with `gpus` set, a block of exactly that many GPUs laid out as dp
instances. Units never cheaper at any volume (a size serving no more per GPU than a divisor size) are
dropped; every other one is costed and the cheapest wins at each volume (sweeps of more than 64
deployments cost the smallest and the two most efficient units per GPU).
Autoscaled (cloud only) follows the 24-hour profile: GPU-hours = sum over hours of the replicas
that hour needs (flat at the mean when no profile is given, with a warning).

Money. Rented: GPUs billed in whole instances x hourly price x 730 h (always-on) or x GPU-hours
(autoscaled). The hourly price: Overrides.gpu_usd_per_hour when the user gave one (it overrides every
policy), else the named offer (`hosting`), else the scenario's GPU price policy (pricing.gpu_price;
default: median of current specialist-cloud prices) asked separately for each candidate replica size,
so an 8-GPU-only instance only prices replicas of 8, 16, ... GPUs. Owned (data/hosting.yaml `owned`): (GPU price +
server share + networking) x (1 - residual) / amortisation months; power = TDP x node multiplier
x average power fraction x PUE x 730 h x USD/kWh; colocation per provisioned kW; ops per node.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from pricing import aicurves, clock, disagg, gpu_price, perf
from pricing.catalog import Catalog
from pricing.errors import InputError
from pricing.perf import BOUNDS, REPLICA_SIZES, PerfParams
from pricing.schema import (
    PRECISIONS,
    CloudOffer,
    Overrides,
    OwnedAssumptions,
    SelfHostSpec,
    Workload,
)

F = NDArray[np.float64]
HOURS_PER_MONTH = 730.0
STALE_DAYS = 180
COLUMNS = (
    "workload", "route_id", "label", "model", "gpu", "precision", "hosting", "ownership",
    "gpus_per_replica", "replicas", "gpus", "layout", "engine", "utilization", "fits", "bound", "ttft_ms", "tpot_ms",
    "output_tokens_per_s_per_replica", "requests_per_month", "tokens_per_month", "monthly_usd",
    "usd_per_mtok", "usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops",
    "price_source", "price_as_of", "warnings", "price_policy", "gpu_usd_per_hour", "throughput_model",
)
SWEEP_KEYS, SWEEP_UNITS = 64, 4  # beyond 64 deployments, cost at most 4 candidate units each (speed)
PRICE_FIELD = gpu_price.TIER_FIELD
PRICE_LABEL = gpu_price.TIER_LABEL
OWN_PRICE = "own-price"  # price_policy of a user's own hourly price


# --------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class GpuPrice:
    """What one GPU costs per month-hour (cloud) or per month (owned), and where the figure comes from."""

    ownership: str  # 'cloud' | 'owned'
    hosting: str  # cloud offer id, 'owned', or 'override'
    provider: str
    price_type: str
    usd_per_gpu_hour: float  # cloud; NaN for owned
    instance_gpus: int  # cloud instances are billed whole
    capex_per_gpu_month: float  # owned
    power_per_gpu_month: float
    colocation_per_gpu_month: float
    ops_per_node_month: float
    source: str
    as_of: dt.date | None
    warnings: tuple[str, ...] = ()
    policy: str = ""  # the price policy that chose the hourly price ('' for owned or a named offer)


def _offer_price(o: CloudOffer, price_type: str) -> float | None:
    v = getattr(o, PRICE_FIELD[price_type])
    return None if v is None else float(v) / o.gpu_count


def cloud_offers_for(catalog: Catalog, gpu_id: str, price_type: str = "on_demand") -> list[tuple[float, CloudOffer]]:
    """(USD per GPU-hour, offer) for every offer of this GPU with that price type, cheapest first."""
    out = [(pr, o) for o in catalog.cloud.values() if o.gpu == gpu_id
           and (pr := _offer_price(o, price_type)) is not None]
    return sorted(out, key=lambda t: (t[0], t[1].id))


OWNED_OVERRIDES = ("amortization_years", "residual_value_fraction", "pue", "colocation_usd_per_kw_month",
                   "ops_usd_per_node_month", "usd_per_kwh")


def owned_assumptions(catalog: Catalog, overrides: Overrides | None = None) -> OwnedAssumptions:
    """The owned-hardware assumptions of data/hosting.yaml with the user's overrides applied."""
    if not catalog.owned:
        raise InputError("data/hosting.yaml has no owned-hardware assumptions")
    a = catalog.owned.get("default") or next(iter(catalog.owned.values()))
    ov = overrides or Overrides()
    upd = {k: getattr(ov, k) for k in OWNED_OVERRIDES if getattr(ov, k) is not None}
    return a.model_copy(update=upd) if upd else a


def resolve_price(
    catalog: Catalog,
    spec: SelfHostSpec,
    overrides: Overrides | None = None,
    today: dt.date | None = None,
    gpus_per_replica: int | None = None,
) -> GpuPrice:
    """The GPU price for a spec: owned, the user's own price, a named cloud offer, or the price policy.

    gpus_per_replica (None = any size) restricts the policy to offers a replica of that size can rent.
    """
    ov = overrides or Overrides()
    gpu = catalog.gpu(spec.gpu)
    if spec.hosting == "owned":
        a = owned_assumptions(catalog, ov)
        warns: list[str] = []
        price = ov.gpu_purchase_usd.get(gpu.id, gpu.purchase_usd)
        if price is None:
            warns.append(f"no purchase price for {gpu.id}; set overrides.gpu_purchase_usd")
            price = math.nan
        server = a.server_usd_per_8_gpus / 8.0
        capex = (price + server) * (1 + a.networking_fraction) * (1 - a.residual_value_fraction) / (a.amortization_years * 12)
        kw = gpu.tdp_w * a.node_power_multiplier / 1000.0
        power = kw * a.average_power_fraction * a.pue * HOURS_PER_MONTH * a.usd_per_kwh
        src = "user override" if gpu.id in ov.gpu_purchase_usd else (gpu.purchase_source or gpu.source)
        return GpuPrice("owned", "owned", "owned", "owned", math.nan, 1, capex, power,
                        kw * a.colocation_usd_per_kw_month, a.ops_usd_per_node_month,
                        f"GPU: {src}; owned assumptions: {a.id} ({a.source[:120]}...)",
                        min(gpu.as_of, a.as_of), tuple(warns))
    if gpu.id in ov.gpu_usd_per_hour:
        hosting = spec.hosting or OWN_PRICE
        return GpuPrice("cloud", hosting, "own price", spec.price_type, float(ov.gpu_usd_per_hour[gpu.id]), 1,
                        0.0, 0.0, 0.0, 0.0, "user override (overrides.gpu_usd_per_hour)", None, (), OWN_PRICE)
    if spec.hosting is not None:
        o = catalog.cloud_offer(spec.hosting)
        if o.gpu != gpu.id:
            raise InputError(f"hosting {o.id!r} rents {o.gpu}, not {gpu.id}")
        pr = _offer_price(o, spec.price_type)
        warns = []
        ptype = spec.price_type
        if pr is None:
            pr, ptype = _offer_price(o, "on_demand"), "on_demand"
            warns.append(f"{o.id} has no {PRICE_LABEL[spec.price_type]} price; on-demand used")
        if pr is None:
            return _no_price(spec, f"{o.id} has no on-demand price")
        return GpuPrice("cloud", o.id, o.provider, ptype, pr, o.gpu_count, 0, 0, 0, 0, o.source, o.as_of, tuple(warns))
    return _policy_price(catalog, gpu.id, spec.price_type, ov.gpu_price_policy, today or clock.today(),
                         gpus_per_replica)


def _policy_price(catalog: Catalog, gpu_id: str, price_type: str, policy: str | None, today: dt.date,
                  gpus_per_replica: int | None) -> GpuPrice:
    """The price policy's hourly price of one GPU for one replica size, as a GpuPrice."""
    q = gpu_price.quote(catalog.cloud.values(), gpu_id, today, price_type, policy, gpus_per_replica)
    tag = q.policy.replace(":", "-")
    if not math.isfinite(q.usd_per_gpu_hour):
        return GpuPrice("cloud", tag, "none", q.price_type, math.nan, 1, 0, 0, 0, 0, q.describe(), None,
                        q.warnings, q.policy)
    provider = q.offer.provider if q.offer is not None else "market median"
    warns = list(q.warnings)
    if q.stale:
        warns.append(f"GPU price is stale: read {q.as_of}, more than {gpu_price.STALE_DAYS} days ago")
    return GpuPrice("cloud", tag, provider, q.price_type, q.usd_per_gpu_hour, q.instance_gpus, 0, 0, 0, 0,
                    q.describe(), q.as_of, tuple(warns), q.policy)


def price_grid(
    catalog: Catalog,
    specs: Sequence[SelfHostSpec],
    base: Sequence[GpuPrice],
    sizes: F,
    overrides: Overrides | None = None,
    today: dt.date | None = None,
) -> list[list[GpuPrice]]:
    """The price of each spec (rows) at each candidate replica size (columns of `sizes`, NaN = none).

    Only policy prices depend on the size; owned, own-price and named-offer prices are the same in every column.
    """
    ov = overrides or Overrides()
    day = today or clock.today()
    memo: dict[tuple[str, str, int], GpuPrice] = {}  # the policy price depends on GPU, tier and size only
    out: list[list[GpuPrice]] = []
    for s, b, row in zip(specs, base, np.asarray(sizes), strict=True):
        if b.ownership == "owned" or s.hosting is not None or b.policy == OWN_PRICE:
            out.append([b] * len(row))
            continue
        cells = []
        for n in row:
            if not math.isfinite(float(n)):
                cells.append(b)
                continue
            key = (s.gpu, s.price_type, int(n))
            if key not in memo:
                memo[key] = _policy_price(catalog, s.gpu, s.price_type, ov.gpu_price_policy, day, int(n))
            cells.append(memo[key])
        out.append(cells)
    return out


def base_prices(
    catalog: Catalog, specs: Sequence[SelfHostSpec], overrides: Overrides | None = None, today: dt.date | None = None,
) -> list[GpuPrice]:
    """resolve_price for each spec (any replica size), computing each GPU's policy price once."""
    ov = overrides or Overrides()
    day = today or clock.today()
    memo: dict[tuple[str, str], GpuPrice] = {}
    out = []
    for s in specs:
        if s.hosting is not None or s.gpu in ov.gpu_usd_per_hour:
            out.append(resolve_price(catalog, s, ov, day))
            continue
        key = (s.gpu, s.price_type)
        if key not in memo:
            memo[key] = resolve_price(catalog, s, ov, day)
        out.append(memo[key])
    return out


def rentable_capacity(
    catalog: Catalog,
    specs: Sequence[SelfHostSpec],
    base: Sequence[GpuPrice],
    workload: Workload,
    overrides: Overrides | None = None,
    today: dt.date | None = None,
) -> tuple[Capacity, list[list[GpuPrice]]]:
    """Capacity and prices per candidate unit, moving a spec to a rentable block of GPUs when needed.

    When no candidate unit of a policy-priced spec can be rented (e.g. only 8-GPU instances exist and
    the model fits on 1 GPU), the spec is costed as a block of the smallest multiple of an offer's
    rent unit that holds the model (laid out as data-parallel instances), instead of pricing a
    fraction of an 8-GPU machine.
    """
    cap = capacity(catalog, specs, workload, overrides)
    grid = price_grid(catalog, specs, base, cap.n, overrides, today)
    idx: list[int] = []
    moved: list[SelfHostSpec] = []
    rentable: dict[tuple[str, str, int], bool] = {}
    for i, (s, b) in enumerate(zip(specs, base, strict=True)):
        if b.policy in ("", OWN_PRICE) or s.gpus is not None or not cap.fits_any[i]:
            continue
        finite = cap.n[i][np.isfinite(cap.n[i])]
        if not len(finite) or any(math.isfinite(p.usd_per_gpu_hour)
                                  for p, n in zip(grid[i], cap.n[i], strict=True) if n == n):
            continue
        smallest = float(finite.min())
        sizes = sorted({int(math.ceil(smallest / o.rent_unit) * o.rent_unit)
                        for o in catalog.cloud.values() if o.gpu == s.gpu})
        for n in sizes:  # the smallest block whose price the policy can give
            if (s.gpu, s.price_type, n) not in rentable:
                rentable[(s.gpu, s.price_type, n)] = math.isfinite(
                    resolve_price(catalog, s, overrides, today, n).usd_per_gpu_hour)
            if rentable[(s.gpu, s.price_type, n)]:
                idx.append(i)
                moved.append(s.model_copy(update={"gpus": n}))
                break
    if idx:
        cap = _splice(cap, capacity(catalog, moved, workload, overrides), idx)
        grid = price_grid(catalog, specs, base, cap.n, overrides, today)
    return cap, grid


def _splice(cap: Capacity, sub: Capacity, idx: Sequence[int]) -> Capacity:
    """cap with the rows idx replaced by sub's rows (sub's evaluations and layouts appended)."""
    offset = len(cap.layouts)
    res = {k: np.concatenate([v, sub.res[k]]) for k, v in cap.res.items()} if cap.res else dict(sub.res)
    width = max(cap.n.shape[1], sub.n.shape[1])

    def pad(a: NDArray[Any], fill: float) -> NDArray[Any]:
        return np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=fill)

    n, req, flat = pad(cap.n, np.nan), pad(cap.req_s, np.nan), pad(cap.flat, -1)
    ii = np.asarray(idx, dtype=np.intp)
    n[ii], req[ii] = pad(sub.n, np.nan), pad(sub.req_s, np.nan)
    sflat = pad(sub.flat, -1)
    flat[ii] = np.where(sflat >= 0, sflat + offset, -1)
    fits, lat = cap.fits_any.copy(), cap.latency_any.copy()
    fits[ii], lat[ii] = sub.fits_any, sub.latency_any
    return Capacity(n, req, flat, res, [*cap.layouts, *sub.layouts], fits, lat)


def _no_price(spec: SelfHostSpec, why: str) -> GpuPrice:
    return GpuPrice("cloud", spec.hosting or "none", "none", spec.price_type, math.nan, 1, 0, 0, 0, 0, "", None, (why,))


def _grid_arrays(prices: Sequence[GpuPrice], grid: Sequence[Sequence[GpuPrice]] | None) -> tuple[F, F]:
    """(USD per GPU-hour, GPUs per billed instance) as (K, S, 1) arrays, or (K, 1, 1) without a grid."""
    if grid is None:
        rent = np.array([p.usd_per_gpu_hour for p in prices], dtype=float)[:, None, None]
        inst = np.array([p.instance_gpus for p in prices], dtype=float)[:, None, None]
        return rent, inst
    rent = np.array([[p.usd_per_gpu_hour for p in row] for row in grid], dtype=float)[:, :, None]
    inst = np.array([[p.instance_gpus for p in row] for row in grid], dtype=float)[:, :, None]
    return rent, inst


# --------------------------------------------------------------------------- capacity (vectorised)


@dataclass(frozen=True)
class Capacity:
    """Per spec: candidate deployment units (K, S) and what each serves at the latency target.

    A unit is one instance of g GPUs (the planner's layouts of g = 1, 2, 4, 8 GPUs and whole nodes,
    the best layout per size) or, where the spec gives `gpus`, a block of exactly that many GPUs laid
    out as dp instances. Volume decides how many units are bought.
    """

    n: F  # GPUs per unit; NaN where no candidate
    req_s: F  # requests/s one unit serves at the latency target (and planned utilisation)
    flat: NDArray[np.intp]  # index into `res` for each candidate (-1 none)
    res: dict[str, F]  # perf.evaluate results over every layout tried (flattened)
    layouts: list[perf.Layout]  # layout of every flat row (dp = instances per unit)
    fits_any: NDArray[np.bool_]  # some layout holds the model
    latency_any: NDArray[np.bool_]  # some fitting layout meets the latency target


def _decode_tokens(w: Workload) -> float:
    return w.output_tokens + w.reasoning_tokens


def _unit_layouts(catalog: Catalog, s: SelfHostSpec) -> list[tuple[int, perf.Layout]]:
    """(slot, layout) candidates of one spec; slot = instance-size index (or layout index if forced)."""
    model, gpu = catalog.model(s.model), catalog.gpu(s.gpu)
    if s.gpus:
        return list(enumerate(perf.layouts_for_total(model, gpu, s.gpus, s.tp, s.ep, s.pp)))
    out = []
    for j, g in enumerate(REPLICA_SIZES):
        for lay in perf.instance_layouts(model, gpu, g):
            if (s.tp is None or lay.tp == s.tp) and (s.ep is None or lay.ep == s.ep) and (
                    s.pp is None or lay.pp == s.pp):
                out.append((j, lay))
    if not out and (s.tp or s.ep or s.pp):
        pins = " ".join(f"--{k} {v}" for k, v in (("tp", s.tp), ("ep", s.ep), ("pp", s.pp)) if v)
        raise InputError(f"no layout of {s.gpu} instances for {s.model} matches {pins}")
    return out


def capacity(
    catalog: Catalog,
    specs: Sequence[SelfHostSpec],
    workload: Workload,
    overrides: Overrides | None = None,
) -> Capacity:
    """For each spec: candidate units (best layout per size) and per-unit capacity, vectorised."""
    ov = overrides or Overrides()
    # per (model, gpu, pins): the candidate layouts once, as arrays (slot, tp, pp, ep, adp, dp, gpus)
    cache: dict[tuple[Any, ...], tuple[list[perf.Layout], NDArray[np.float64]]] = {}
    key_parts: list[NDArray[np.intp]] = []
    arr_parts: list[NDArray[np.float64]] = []
    lays: list[perf.Layout] = []
    for i, s in enumerate(specs):
        ck = (s.model, s.gpu, s.gpus, s.tp, s.ep, s.pp)
        if ck not in cache:
            cand = _unit_layouts(catalog, s)
            cache[ck] = ([lay for _, lay in cand], np.array(
                [[j, lay.tp, lay.pp, lay.ep, 1.0 if lay.attention_dp else 0.0, lay.dp, lay.gpus] for j, lay in cand],
                dtype=float).reshape(len(cand), 7))
        ls, arr = cache[ck]
        lays.extend(ls)
        arr_parts.append(arr)
        key_parts.append(np.full(len(ls), i, dtype=np.intp))
    kidx = np.concatenate(key_parts) if key_parts else np.zeros(0, dtype=np.intp)
    la = np.concatenate(arr_parts) if arr_parts else np.zeros((0, 7))
    slot = la[:, 0].astype(np.intp)
    key_of = kidx
    n_keys = len(specs)
    n_slots = int(slot.max(initial=0)) + 1
    res: dict[str, F] = {}
    if lays:
        # one rows() pass per distinct (model, gpu, precision), then repeat per layout
        trip = [(s.model, s.gpu, s.precision) for s in specs]
        uniq = list(dict.fromkeys(trip))
        pos = {k: n for n, k in enumerate(uniq)}
        base = perf.rows([(catalog.model(m), catalog.gpu(g), pr, 1) for m, g, pr in uniq], _params(catalog, ov))
        upos = np.array([pos[t] for t in trip], dtype=np.intp)[kidx]
        r = perf.take(base, upos)
        r = perf.with_layout(r, la[:, 1], la[:, 2], la[:, 3], la[:, 4])
        # one evaluation per (engine, speculative decoding) group of specs
        keys = [(s.engine, s.spec_tokens, s.spec_acceptance) for s in specs]
        index = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        groups = list(index)
        group_of = np.array([index[k] for k in keys], dtype=np.intp)[key_of]
        parts: dict[str, F] = {k: np.full(len(lays), np.nan) for k in perf.RESULT_KEYS}
        parts["aiconfigurator"] = np.zeros(len(lays))
        for g, (eng, k_spec, a_spec) in enumerate(groups):
            p = replace(_params(catalog, ov, eng), spec_tokens=float(k_spec), spec_acceptance=a_spec)
            mine = group_of == g
            # instances that cannot hold the model are never candidates: evaluate only the others (speed)
            fit = perf.fits_mask(r, workload.input_tokens, _decode_tokens(workload), p,
                                 workload.cached_input_fraction, workload.min_context_tokens)
            sel = np.flatnonzero(mine & fit)
            parts["fits"][mine & ~fit] = 0.0
            parts["latency_ok"][mine & ~fit] = 0.0
            if not sel.size:
                continue
            out = perf.evaluate(perf.take(r, sel), workload.input_tokens, _decode_tokens(workload), p,
                                workload.effective_max_tpot_ms, workload.max_ttft_ms,
                                cached_fraction=workload.cached_input_fraction,
                                min_context_tokens=workload.min_context_tokens)
            if eng != "default" and perf.spec_gain(p) == 1.0:  # aiconfigurator-core's curves where measured better
                out = aicurves.apply(out, [_route_key(catalog, specs[key_of[i]], lays[i]) for i in sel],
                                     workload.input_tokens, _decode_tokens(workload), p,
                                     workload.effective_max_tpot_ms, workload.max_ttft_ms, workload.cached_input_fraction,
                                     efficiency_scale=ov.efficiency_scale, data_dir=catalog.data_dir)
            for k, v in out.items():
                parts[k][sel] = v
        res = parts
    fits = res["fits"] > 0 if lays else np.zeros(0, dtype=bool)
    ok = fits & (res["latency_ok"] > 0) if lays else np.zeros(0, dtype=bool)
    dp = la[:, 5]
    unit_n = la[:, 6]
    derate = 1.0
    if workload.max_ttft_ms is not None:
        derate = _params(catalog, ov).planned_utilization  # TTFT was evaluated with queueing at this load
    unit_req = res["requests_per_s"] * dp * derate if lays else np.zeros(0)
    score = np.where(ok, unit_req / np.maximum(unit_n, 1.0), -np.inf)
    cand_n = np.full((n_keys, n_slots), np.nan)
    cand_req = np.full((n_keys, n_slots), np.nan)
    cand_flat = np.full((n_keys, n_slots), -1, dtype=np.intp)
    fits_any = np.zeros(n_keys, dtype=bool)
    lat_any = np.zeros(n_keys, dtype=bool)
    if lays:
        # best layout per (key, slot): sort by key, slot, -score and take the first of each group
        order = np.lexsort((-score, slot, kidx))
        ks, ss = kidx[order], slot[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = (ks[1:] != ks[:-1]) | (ss[1:] != ss[:-1])
        pick = order[first]
        cand_flat[kidx[pick], slot[pick]] = pick
        good = ok[pick]
        cand_n[kidx[pick], slot[pick]] = np.where(good, unit_n[pick], np.nan)
        cand_req[kidx[pick], slot[pick]] = np.where(good, unit_req[pick], np.nan)
        np.logical_or.at(fits_any, kidx, fits)
        np.logical_or.at(lat_any, kidx, ok)
        cand_n, cand_req, cand_flat = _prune(cand_n, cand_req, cand_flat)
    return Capacity(cand_n, cand_req, cand_flat, res, lays, fits_any, lat_any)


def _route_key(catalog: Catalog, s: SelfHostSpec, lay: perf.Layout) -> aicurves.RouteKey:
    gpu = catalog.gpu(s.gpu)
    return aicurves.route_key(catalog.model(s.model), gpu, s.engine, s.precision,
                              perf.default_kv_precision(s.precision, gpu), lay)


def _prune(n: F, req: F, flat: NDArray[np.intp]) -> tuple[F, F, NDArray[np.intp]]:
    """Drop units that can never be cheapest: a unit of g GPUs serving no more per GPU than a unit of a
    divisor of g (m small units cost no more than one large one for any volume, billing and node
    counts being monotone in GPUs). Survivors move left; columns no key needs are cut (speed)."""
    eff = np.where(np.isfinite(req), req / np.where(np.isfinite(n), n, 1.0), np.nan)
    dominated = ~np.isfinite(n)
    for j in range(1, n.shape[1]):
        for i in range(j):
            divides = np.isfinite(n[:, i]) & np.isfinite(n[:, j]) & (np.mod(n[:, j], np.where(
                np.isfinite(n[:, i]), n[:, i], 1.0)) == 0)
            dominated[:, j] |= divides & (eff[:, i] >= eff[:, j])
    order = np.argsort(dominated, axis=1, kind="stable")
    keep = max(int((~dominated).sum(axis=1).max(initial=0)), 1)
    if n.shape[0] > SWEEP_KEYS and keep > SWEEP_UNITS:
        # large sweeps: the smallest surviving unit (low volumes) and the SWEEP_UNITS - 1 most
        # efficient per GPU (high volumes); exact for single deployments (selfhost_frame, cost curves)
        rank = np.where(dominated, np.inf, -eff)
        first = np.argmax(~dominated, axis=1)
        rank[np.arange(n.shape[0]), first] = -np.inf
        order = np.argsort(rank, axis=1, kind="stable")
        keep = SWEEP_UNITS
    order = order[:, :keep]
    rows_ = np.arange(n.shape[0])[:, None]
    dom = dominated[rows_, order]
    return (np.where(dom, np.nan, n[rows_, order]), np.where(dom, np.nan, req[rows_, order]),
            np.where(dom, -1, flat[rows_, order]))


def _peak_factor(w: Workload) -> float:
    return max((1.0 - w.batch_fraction) * w.effective_peak_to_average, 1.0)


def _hourly_load(w: Workload) -> F:
    """Relative load per UTC hour (mean 1): interactive share follows the profile, batch is flat."""
    if w.hourly_profile:
        prof = np.asarray(w.hourly_profile, dtype=float)
        prof = prof / prof.mean()
    else:
        prof = np.ones(24)
    return (1.0 - w.batch_fraction) * prof + w.batch_fraction


def _costs(
    cap: Capacity,
    prices: Sequence[GpuPrice],
    w: Workload,
    volumes: F,
    ov: Overrides,
    n_plus_one: NDArray[np.bool_],
    autoscale: NDArray[np.bool_],
    grid: Sequence[Sequence[GpuPrice]] | None = None,
) -> dict[str, F]:
    """Monthly cost parts for keys x candidate sizes x volumes, (K, S, V) arrays (grid: prices per size)."""
    mean = volumes[None, None, :] / (HOURS_PER_MONTH * 3600.0)
    per_rep = (cap.req_s * (1.0 - ov.headroom_fraction))[:, :, None]
    extra = n_plus_one.astype(float)[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = np.maximum(np.ceil(mean * _peak_factor(w) / per_rep - 1e-9), 1.0) + extra
    n = cap.n[:, :, None]
    gpus = reps * n
    rent_h, inst = _grid_arrays(prices, grid)
    cloud = np.array([p.ownership == "cloud" for p in prices])[:, None, None]
    billed = np.ceil(gpus / inst - 1e-9) * inst
    gpu_hours = billed * HOURS_PER_MONTH
    if autoscale.any():
        load = _hourly_load(w)  # (24,)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps_h = np.maximum(np.ceil(mean[..., None] * load / per_rep[..., None] - 1e-9), 1.0) + extra[..., None]
        billed_h = np.ceil(reps_h * n[..., None] / inst[..., None] - 1e-9) * inst[..., None]
        auto_hours = billed_h.sum(axis=-1) * HOURS_PER_MONTH / 24.0
        gpu_hours = np.where(autoscale[:, None, None] & cloud, auto_hours, gpu_hours)
    rent = np.where(cloud, gpu_hours * rent_h, 0.0)
    capex = np.where(cloud, 0.0, gpus * np.array([p.capex_per_gpu_month for p in prices])[:, None, None])
    power = np.where(cloud, 0.0, gpus * np.array([p.power_per_gpu_month for p in prices])[:, None, None])
    coloc = np.where(cloud, 0.0, gpus * np.array([p.colocation_per_gpu_month for p in prices])[:, None, None])
    ops = np.where(cloud, 0.0, np.ceil(gpus / perf.GPUS_PER_NODE - 1e-9)
                   * np.array([p.ops_per_node_month for p in prices])[:, None, None])
    total = rent + capex + power + coloc + ops
    served_cap = np.where(autoscale[:, None, None] & cloud, gpu_hours / HOURS_PER_MONTH / np.maximum(n, 1) * per_rep
                          / (1.0 - ov.headroom_fraction), reps * cap.req_s[:, :, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        util = mean / served_cap
    return {"total": total, "rent": rent, "capex": capex, "power": power, "coloc": coloc, "ops": ops,
            "reps": reps, "gpus": gpus, "util": util}


def _pick(parts: dict[str, F]) -> tuple[NDArray[np.intp], dict[str, F]]:
    """Cheapest candidate size per key and volume: (chosen index (K, V), parts at it (K, V))."""
    tot = np.where(np.isnan(parts["total"]), np.inf, parts["total"])
    best = np.argmin(tot, axis=1)  # (K, V)
    out = {k: np.take_along_axis(v, best[:, None, :], axis=1)[:, 0, :] for k, v in parts.items()}
    out["total"] = np.where(np.isinf(np.take_along_axis(tot, best[:, None, :], axis=1)[:, 0, :]), np.nan, out["total"])
    return best, out


# --------------------------------------------------------------------------- public API


def _params(catalog: Catalog, ov: Overrides, engine: str = "default") -> PerfParams:
    return PerfParams.from_factors(catalog.efficiency, engine).scaled(ov.efficiency_scale)


def _layout_text(lay: perf.Layout, units: float, gpus: float, gpu: Any) -> str:
    """'tp=2 pp=1 ep=1 dp=8 nodes=2 attention_dp=0': the layout of the whole deployment."""
    node = perf.scale_up_gpus(gpu) if gpu.interconnect == "pcie" else perf.GPUS_PER_NODE
    return (f"tp={lay.tp} pp={lay.pp} ep={lay.ep} dp={int(units * lay.dp)} "
            f"nodes={max(1, math.ceil(gpus / node))} attention_dp={int(lay.attention_dp)}")


def layout_dict(text: str) -> dict[str, Any]:
    """The JSON layout from the frame's `layout` text ({} when none)."""
    out: dict[str, Any] = {}
    for part in text.split():
        k, _, v = part.partition("=")
        out[k] = bool(int(v)) if k == "attention_dp" else int(v)
    return out


def _short_model(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def route_id(spec: SelfHostSpec, price: GpuPrice) -> str:
    """self/<model>/<gpu>/<precision>/<hosting-or-cloud>/<price_type>[/<N>gpus][/tpN][/epN][/ppN][/<engine>]
    [/specK@A%][/n+1][/autoscale][/disagg[/prefillNgpus][/decodeNgpus][/redR]]."""
    tail = "owned/purchase" if price.ownership == "owned" else f"{price.hosting}/{price.price_type}"
    rid = f"self/{spec.model}/{spec.gpu}/{spec.precision}/{tail}"
    if spec.gpus:
        rid += f"/{spec.gpus}gpus"
    for k in ("tp", "ep", "pp"):
        if getattr(spec, k):
            rid += f"/{k}{getattr(spec, k)}"
    if spec.engine != "default":
        rid += f"/{spec.engine}"
    if spec.spec_tokens:
        rid += f"/spec{spec.spec_tokens}@{spec.spec_acceptance * 100:g}%"
    if spec.n_plus_one:
        rid += "/n+1"
    if spec.autoscale and price.ownership == "cloud":
        rid += "/autoscale"
    if spec.disaggregate:
        rid += "/disagg"
        rid += f"/prefill{spec.prefill_gpus}gpus" if spec.prefill_gpus else ""
        rid += f"/decode{spec.decode_gpus}gpus" if spec.decode_gpus else ""
        rid += f"/red{spec.redundant_experts:g}" if spec.redundant_experts else ""
    return rid


def _label(spec: SelfHostSpec, price: GpuPrice, n: float) -> str:
    size = f"{int(n)}x " if n == n else ""
    how = "owned" if price.ownership == "owned" else f"rented ({price.provider}, {PRICE_LABEL.get(price.price_type, price.price_type)})"
    return f"{_short_model(spec.model)} on {size}{spec.gpu.upper()}, {spec.precision}, {how}"


def selfhost_frame(
    catalog: Catalog,
    specs: Sequence[SelfHostSpec],
    workloads: Sequence[Workload],
    overrides: Overrides | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per (workload, spec): sizing, latency, monthly cost and its parts, warnings.

    Specs with `disaggregate` are priced as prefill and decode pools (disaggregated_cost, one plan per
    workload); the others together, vectorised (the aggregated planner).
    """
    ov = overrides or Overrides()
    today = today or clock.today()
    dis = [i for i, s in enumerate(specs) if s.disaggregate]
    if not dis:
        return _aggregated_frame(catalog, specs, workloads, ov, today)
    agg = [i for i, s in enumerate(specs) if not s.disaggregate]
    frames = [_aggregated_frame(catalog, [specs[i] for i in agg], workloads, ov, today),
              pd.DataFrame([_disagg_row(catalog, specs[i], w, ov, today) for w in workloads for i in dis],
                           columns=list(COLUMNS))]
    both = pd.concat([f for f in frames if len(f)], ignore_index=True)
    na, nd, where = len(agg), len(dis), {i: ("a", m) for m, i in enumerate(agg)}
    where.update({i: ("d", m) for m, i in enumerate(dis)})
    order = [k * na + m if g == "a" else len(workloads) * na + k * nd + m
             for k in range(len(workloads)) for g, m in (where[i] for i in range(len(specs)))]
    return both.iloc[order].reset_index(drop=True)


def pool_text(layout: perf.Layout) -> str:
    """A pool instance's layout in short: 'EP16', 'TP8', 'TP8 PP2'."""
    out = f"EP{layout.ep}" if layout.ep > 1 else f"TP{layout.tp}"
    return out + (f" PP{layout.pp}" if layout.pp > 1 else "")


def _scenario_words(msg: str) -> str:
    """A disaggregated planner's message with the CLI's flags named as the scenario's fields."""
    for flag, field in (("--prefill-gpus", "selfhost.prefill_gpus"), ("--decode-gpus", "selfhost.decode_gpus"),
                        ("--redundant-experts", "selfhost.redundant_experts"), ("--max-tpot-ms", "max_tpot_ms"),
                        ("--max-ttft-ms", "max_ttft_ms"), ("--gpus/--tp/--ep/--pp", "gpus/tp/ep/pp")):
        msg = msg.replace(flag, field)
    return msg


def disagg_pin_issues(catalog: Catalog, spec: SelfHostSpec) -> list[tuple[str, str]]:
    """(field, message) for each pool pin (prefill_gpus / decode_gpus) that no instance layout has."""
    model, gpu = catalog.model(spec.model), catalog.gpu(spec.gpu)
    out = []
    for field in ("prefill_gpus", "decode_gpus"):
        n = getattr(spec, field)
        if n is not None:
            try:
                disagg.pool_layouts(model, gpu, n, flag=f"selfhost.{field}")
            except InputError as e:
                out.append((field, str(e)))
    return out


def check_disagg_pins(catalog: Catalog, spec: SelfHostSpec) -> None:
    """InputError naming selfhost.prefill_gpus / decode_gpus when no instance layout has that many GPUs."""
    issues = disagg_pin_issues(catalog, spec)
    if issues:
        raise InputError("; ".join(msg for _, msg in issues))


def _disagg_row(catalog: Catalog, spec: SelfHostSpec, w: Workload, ov: Overrides, today: dt.date) -> dict[str, Any]:
    """One selfhost_frame row of a disaggregated spec (disaggregated_cost's figures in the frame's columns).

    replicas = instances of both pools, gpus_per_replica = GPUs per decode instance, utilization = the
    pools' load at the mean, weighted by GPUs; a pool that cannot serve gives a row with a warning.
    """
    check_disagg_pins(catalog, spec)
    tokens = w.requests_per_month * (w.input_tokens + _decode_tokens(w))
    row: dict[str, Any] = dict.fromkeys(COLUMNS, math.nan)
    row.update({"workload": w.name, "model": spec.model, "gpu": spec.gpu, "precision": spec.precision,
                "engine": spec.engine, "requests_per_month": w.requests_per_month, "tokens_per_month": tokens,
                "bound": "", "layout": "", "fits": False, "price_as_of": None, "price_policy": "",
                "throughput_model": "calibrated (pricing.perf disaggregated pools)"})
    try:
        d = disaggregated_cost(catalog, spec, w, ov, today)
    except InputError as e:
        base = resolve_price(catalog, spec, ov, today)
        why = _scenario_words(str(e))
        row.update({"route_id": route_id(spec, base), "hosting": base.hosting, "ownership": base.ownership,
                    "label": _label(spec, base, math.nan).replace(" on ", " P/D on ", 1), "price_source": base.source,
                    "warnings": f"disaggregated: {why}", "price_policy": base.policy})
        return row
    pre, dec = d["prefill"], d["decode"]
    gpus = float(d["gpus"])
    ok = d["monthly_usd"] is not None
    br = d["breakdown"]
    row.update({
        "route_id": d["route_id"], "hosting": d["hosting"], "ownership": d["ownership"],
        # short enough to read whole in the dashboard's route column ('P/D' = prefill and decode pools)
        "label": _label(spec, resolve_price(catalog, spec, ov, today), math.nan).replace(" on ", " P/D on ", 1),
        "gpus_per_replica": float(dec["gpus_per_instance"]),
        "replicas": float(pre["instances"] + dec["instances"]), "gpus": gpus,
        "layout": (f"prefill {pre['instances']} x {pool_text(_pool_layout(pre))} + "
                   f"decode {dec['instances']} x {pool_text(_pool_layout(dec))}"),
        "utilization": (pre["utilization_at_mean"] * pre["gpus"] + dec["utilization_at_mean"] * dec["gpus"]) / gpus,
        "fits": True, "ttft_ms": float(d["ttft_ms"]), "tpot_ms": float(d["tpot_ms"]),
        "output_tokens_per_s_per_replica": float(dec["output_tokens_per_s_per_instance"]),
        "monthly_usd": float(d["monthly_usd"]) if ok else math.nan,
        "usd_per_mtok": float(d["usd_per_mtok"]) if ok and d["usd_per_mtok"] is not None else math.nan,
        **{k: float(br[k]) if ok else math.nan for k in ("usd_gpu_rent", "usd_capex", "usd_power",
                                                         "usd_colocation", "usd_ops")},
        "price_source": d["price_source"],
        "price_as_of": dt.date.fromisoformat(d["price_as_of"]) if d["price_as_of"] else None,
        "warnings": "; ".join(d["warnings"]), "price_policy": d["price_policy"],
        "gpu_usd_per_hour": dec["gpu_usd_per_hour"] if dec["gpu_usd_per_hour"] is not None else math.nan,
        "throughput_model": d["throughput_model"],
    })
    return row


def _pool_layout(pool: dict[str, Any]) -> perf.Layout:
    lay = pool["layout"]
    return perf.Layout(int(lay["tp"]), int(lay["pp"]), int(lay["ep"]), bool(lay["attention_dp"]), int(lay["dp"]))


def _aggregated_frame(
    catalog: Catalog,
    specs: Sequence[SelfHostSpec],
    workloads: Sequence[Workload],
    ov: Overrides,
    today: dt.date,
) -> pd.DataFrame:
    """selfhost_frame of aggregated specs (every spec and workload vectorised)."""
    prices = base_prices(catalog, specs, ov, today)
    out: list[dict[str, Any]] = []
    if not specs:
        return pd.DataFrame(columns=list(COLUMNS))
    n1 = np.array([s.n_plus_one for s in specs])
    auto = np.array([s.autoscale for s in specs])
    for w in workloads:
        cap, grid = rentable_capacity(catalog, specs, prices, w, ov, today)
        parts = _costs(cap, prices, w, np.array([w.requests_per_month]), ov, n1, auto, grid)
        best, at = _pick(parts)
        tokens = w.requests_per_month * (w.input_tokens + w.output_tokens + w.reasoning_tokens)
        for i, (s, base) in enumerate(zip(specs, prices, strict=True)):
            j = int(best[i, 0])
            pr = grid[i][j]
            flat = int(cap.flat[i, j])
            r = {k: float(v[flat]) for k, v in cap.res.items()} if flat >= 0 else {}
            n = float(cap.n[i, j])
            ok = math.isfinite(float(at["total"][i, 0])) and n == n
            warns = list(pr.warnings)
            model, gpu = catalog.model(s.model), catalog.gpu(s.gpu)
            note = perf.precision_note(s.precision, gpu)
            if note:
                warns.append(note)
            if not cap.fits_any[i]:
                where = f"{s.gpus} GPUs" if s.gpus else "any replica up to 64 GPUs"
                ctx = max(w.input_tokens + _decode_tokens(w), w.min_context_tokens)
                if ctx > model.max_context_tokens:
                    warns.insert(0, f"does not fit: {ctx:,.0f} tokens exceed the {model.max_context_tokens:,}-token context")
                else:
                    warns.insert(0, f"does not fit: {_short_model(s.model)} at {s.precision} does not fit on {where} of {gpu.id}")
            elif not cap.latency_any[i]:
                fl = int(cap.flat[i, 0]) if cap.flat[i, 0] >= 0 else -1
                got = (f" (best: TTFT {cap.res['ttft_ms'][fl]:.0f} ms, TPOT {cap.res['tpot_ms'][fl]:.0f} ms)"
                       if fl >= 0 else "")
                warns.insert(0, f"latency target infeasible{got}")
            if s.autoscale and pr.ownership == "cloud" and not w.has_shape:
                warns.append("autoscale without hourly_profile: flat load at the mean assumed")
            if s.autoscale and pr.ownership == "owned":
                warns.append("owned GPUs are paid for at peak; autoscale ignored")
            if pr.as_of is not None and (today - pr.as_of).days > STALE_DAYS:
                warns.append(f"price is {(today - pr.as_of).days} days old (as of {pr.as_of})")
            total = float(at["total"][i, 0]) if ok else math.nan
            out.append({
                "workload": w.name,
                "route_id": route_id(s, base),
                "label": _label(s, pr, n if ok else float(s.gpus or math.nan)),
                "model": s.model, "gpu": s.gpu, "precision": s.precision,
                "hosting": pr.hosting, "ownership": pr.ownership,
                "gpus_per_replica": n if ok else math.nan,
                "layout": _layout_text(cap.layouts[flat], float(at["reps"][i, 0]), float(at["gpus"][i, 0]), gpu)
                if ok and flat >= 0 else "",
                "engine": s.engine,
                "replicas": float(at["reps"][i, 0]) if ok else math.nan,
                "gpus": float(at["gpus"][i, 0]) if ok else math.nan,
                "utilization": float(at["util"][i, 0]) if ok else math.nan,
                "fits": bool(cap.fits_any[i] and cap.latency_any[i]),
                "bound": BOUNDS[int(r["bound"])] if r else "memory",
                "ttft_ms": r.get("ttft_ms", math.nan) if ok else math.nan,
                "tpot_ms": r.get("tpot_ms", math.nan) if ok else math.nan,
                "output_tokens_per_s_per_replica": r.get("output_tokens_per_s", math.nan) if ok else math.nan,
                "requests_per_month": w.requests_per_month,
                "tokens_per_month": tokens,
                "monthly_usd": total,
                "usd_per_mtok": total / tokens * 1e6 if tokens > 0 else math.nan,
                "usd_gpu_rent": float(at["rent"][i, 0]) if ok else math.nan,
                "usd_capex": float(at["capex"][i, 0]) if ok else math.nan,
                "usd_power": float(at["power"][i, 0]) if ok else math.nan,
                "usd_colocation": float(at["coloc"][i, 0]) if ok else math.nan,
                "usd_ops": float(at["ops"][i, 0]) if ok else math.nan,
                "price_source": pr.source,
                "price_as_of": pr.as_of,
                "warnings": "; ".join(warns),
                "price_policy": pr.policy,
                "gpu_usd_per_hour": pr.usd_per_gpu_hour if pr.ownership == "cloud" else math.nan,
                "throughput_model": aicurves.source_label(ok and r.get("aiconfigurator", 0.0) > 0, catalog.data_dir),
            })
    return pd.DataFrame(out, columns=list(COLUMNS))


def _pool_prices(catalog: Catalog, spec: SelfHostSpec, base: GpuPrice, sizes: Sequence[int], ov: Overrides,
                 today: dt.date) -> tuple[list[GpuPrice], list[str]]:
    """The price of each pool's instances (price_grid), falling back, where no offer rents an instance of
    that size, to the smallest rent unit the policy prices (the pool then billed in whole rentals)."""
    cells = price_grid(catalog, [spec] * len(sizes), [base] * len(sizes), np.array([[float(n)] for n in sizes]),
                       ov, today)
    out: list[GpuPrice] = []
    warns: list[str] = []
    units = sorted({o.rent_unit for o in catalog.cloud.values() if o.gpu == spec.gpu})
    for (pr,), n in zip(cells, sizes, strict=True):
        if pr.ownership == "cloud" and not math.isfinite(pr.usd_per_gpu_hour) and base.policy not in ("", OWN_PRICE):
            for u in units:
                alt = resolve_price(catalog, spec, ov, today, u)
                if math.isfinite(alt.usd_per_gpu_hour):
                    pr = replace(alt, instance_gpus=max(alt.instance_gpus, u))
                    warns.append(f"no offer rents {n}-GPU instances of {spec.gpu}: that pool is billed "
                                 f"in whole {pr.instance_gpus}-GPU rentals")
                    break
        out.append(pr)
    return out, warns


def _disagg_request(catalog: Catalog, spec: SelfHostSpec, w: Workload, ov: Overrides, prefill_gpus: int | None,
                    decode_gpus: int | None, redundant_experts: float) -> disagg.Request:
    """The planner's inputs for a spec and workload (engine profile, speculative decoding, latency targets)."""
    p = replace(_params(catalog, ov, spec.engine), spec_tokens=float(spec.spec_tokens),
                spec_acceptance=float(spec.spec_acceptance))
    return disagg.Request(catalog.model(spec.model), catalog.gpu(spec.gpu), spec.precision, w.input_tokens,
                          _decode_tokens(w), p, w.effective_max_tpot_ms, w.max_ttft_ms, w.cached_input_fraction, None,
                          redundant_experts, prefill_gpus, decode_gpus, min_context_tokens=w.min_context_tokens)


def _disagg_peak(w: Workload, ov: Overrides, volumes: F) -> F:
    """Requests/s the pools are sized for at each monthly volume (peak, with headroom), as selfhost_frame sizes."""
    out: F = volumes / (HOURS_PER_MONTH * 3600.0) * _peak_factor(w) / (1.0 - ov.headroom_fraction)
    return out


def _pool_costs(spec: SelfHostSpec, w: Workload, ov: Overrides, pools: Sequence[disagg.Pool],
                prices: Sequence[GpuPrice], volumes: F) -> dict[str, F]:
    """_costs of the two pools as two keys of one unit each (whole instances, N+1 and autoscale per pool)."""
    tokens = (max(w.input_tokens, 1.0), max(_decode_tokens(w), 1.0))
    n = np.array([[float(x.layout.instance_gpus)] for x in pools])
    req = np.array([[x.rate / t] for x, t in zip(pools, tokens, strict=True)])  # requests/s per instance
    cap = Capacity(n, req, np.array([[0], [1]], dtype=np.intp), {}, [x.layout for x in pools],
                   np.ones(2, dtype=bool), np.ones(2, dtype=bool))
    return _costs(cap, prices, w, volumes, ov, np.array([spec.n_plus_one] * 2), np.array([spec.autoscale] * 2),
                  [[x] for x in prices])


def disaggregated_cost_curve(
    catalog: Catalog,
    spec: SelfHostSpec,
    workload: Workload,
    requests_per_month: NDArray[Any],
    overrides: Overrides | None = None,
    today: dt.date | None = None,
) -> F:
    """disaggregated_cost's monthly USD at each volume (NaN where no pool can serve): both pools' candidates
    once, each volume's layouts by the same rule (fewest GPUs), priced together per layout pair."""
    ov = overrides or Overrides()
    today = today or clock.today()
    vols = np.asarray(requests_per_month, dtype=float)
    flat = vols.ravel()
    out = np.full(flat.shape, np.nan)
    q = _disagg_request(catalog, spec, workload, ov, spec.prefill_gpus, spec.decode_gpus,
                        float(spec.redundant_experts))
    try:
        pre, dec = disagg.candidates(q)
    except InputError:
        return out.reshape(vols.shape)
    peak = _disagg_peak(workload, ov, np.maximum(flat, 0.0))
    pairs: dict[tuple[int, int], list[int]] = {}
    for k, r in enumerate(peak.tolist()):
        r = max(r, 1e-9)
        i, _ = disagg._min_gpus(pre, r * max(q.input_tokens, 1.0))
        j, _ = disagg._min_gpus(dec, r * max(q.output_tokens, 1.0))
        pairs.setdefault((i, j), []).append(k)
    base = resolve_price(catalog, spec, ov, today)
    for (i, j), ks in pairs.items():
        pools = (disagg._pool(pre, i, 1), disagg._pool(dec, j, 1))
        prices, _ = _pool_prices(catalog, spec, base, [x.layout.instance_gpus for x in pools], ov, today)
        _, at = _pick(_pool_costs(spec, workload, ov, pools, prices, flat[ks]))
        out[ks] = at["total"].sum(axis=0)
    return out.reshape(vols.shape)


def disaggregated_cost(
    catalog: Catalog,
    spec: SelfHostSpec,
    workload: Workload,
    overrides: Overrides | None = None,
    today: dt.date | None = None,
    prefill_gpus: int | None = None,
    decode_gpus: int | None = None,
    redundant_experts: float = 0.0,
) -> dict[str, Any]:
    """The monthly bill of a workload served by disaggregated prefill and decode pools (pricing.disagg).

    Both pools are sized for the month's peak (requests at peak x peak-to-average, as `selfhost_frame`
    sizes replicas, with headroom), each with the layout needing the fewest GPUs, and priced by the same
    rules (`_costs`: cloud billing in whole instances, owned capex/power/colocation/ops, autoscale, N+1 =
    one spare instance per pool). JSON names both layouts: {"layout": {"prefill": ..., "decode": ...}}.
    Pins and redundant experts not passed are the spec's own (SelfHostSpec.prefill_gpus, ...).
    """
    prefill_gpus = spec.prefill_gpus if prefill_gpus is None else prefill_gpus
    decode_gpus = spec.decode_gpus if decode_gpus is None else decode_gpus
    redundant_experts = redundant_experts or float(spec.redundant_experts)
    if spec.gpus is not None or spec.tp or spec.ep or spec.pp:
        raise InputError("--gpus/--tp/--ep/--pp do not apply with --disaggregate: pin each pool's instance "
                         "size with --prefill-gpus / --decode-gpus")
    ov = overrides or Overrides()
    today = today or clock.today()
    w = workload
    gpu = catalog.gpu(spec.gpu)
    out_tok = _decode_tokens(w)
    q = _disagg_request(catalog, spec, w, ov, prefill_gpus, decode_gpus, redundant_experts)
    peak = float(_disagg_peak(w, ov, np.array([w.requests_per_month]))[0])
    plan = disagg.plan(q, peak)
    pools = (plan.prefill, plan.decode)
    base = resolve_price(catalog, spec, ov, today)
    prices, price_warns = _pool_prices(catalog, spec, base, [x.layout.instance_gpus for x in pools], ov, today)
    parts = _pool_costs(spec, w, ov, pools, prices, np.array([w.requests_per_month]))
    _, at = _pick(parts)
    cost = {k: float(at[k][:, 0].sum()) for k in ("total", "rent", "capex", "power", "coloc", "ops")}
    total_tokens = w.requests_per_month * (w.input_tokens + out_tok)
    ok = math.isfinite(cost["total"])
    d = plan.as_dict(gpu)
    warns = [*price_warns, *plan.notes]
    for pr in prices:
        warns += [x for x in pr.warnings if x not in warns]
    note = perf.precision_note(spec.precision, gpu)
    if note:
        warns.append(note)
    if spec.autoscale and prices[0].ownership == "cloud" and not w.has_shape:
        warns.append("autoscale without hourly_profile: flat load at the mean assumed")
    if not ok:
        warns.insert(0, "no price for these GPUs: set --gpu-usd-per-hour or --hosting")
    for k, (role, pool) in enumerate(zip(("prefill", "decode"), pools, strict=True)):
        reps = int(at["reps"][k, 0])
        d[role]["instances"] = reps
        d[role]["gpus"] = reps * pool.layout.instance_gpus
        d[role]["layout"] = replace(pool.layout, dp=reps).as_dict(perf.GPUS_PER_NODE)
        d["layout"][role] = d[role]["layout"]
        d[role]["monthly_usd"] = float(at["total"][k, 0]) if ok else None
        d[role]["utilization_at_mean"] = float(at["util"][k, 0])
        d[role]["gpu_usd_per_hour"] = prices[k].usd_per_gpu_hour if prices[k].ownership == "cloud" else None
    gpus = d["prefill"]["gpus"] + d["decode"]["gpus"]
    d["gpus"] = gpus
    pr0 = prices[1]
    as_of = min((x.as_of for x in prices if x.as_of is not None), default=None)
    label = (f"{_short_model(spec.model)} on {spec.gpu.upper()}, {spec.precision}, "
             f"{'owned' if pr0.ownership == 'owned' else 'rented (' + pr0.provider + ', ' + PRICE_LABEL.get(pr0.price_type, pr0.price_type) + ')'}"
             f", disaggregated: prefill {d['prefill']['instances']} x {pools[0].layout.instance_gpus} + decode "
             f"{d['decode']['instances']} x {pools[1].layout.instance_gpus} GPUs")
    return {
        "label": label,
        "route_id": route_id(SelfHostSpec.model_construct(**{
            **dict(spec), "disaggregate": True, "prefill_gpus": prefill_gpus, "decode_gpus": decode_gpus,
            "redundant_experts": redundant_experts}), base),
        "model": spec.model, "gpu": spec.gpu, "precision": spec.precision, "engine": spec.engine,
        "hosting": pr0.hosting, "ownership": pr0.ownership, "disaggregated": True,
        "speculative_decoding": {"draft_tokens": spec.spec_tokens, "acceptance": spec.spec_acceptance,
                                 "tokens_per_step": perf.spec_gain(q.params)},
        "requests_per_month": w.requests_per_month, "tokens_per_month": total_tokens,
        "peak_requests_per_s": peak * (1.0 - ov.headroom_fraction),
        "sized_requests_per_s": peak,
        "monthly_usd": cost["total"] if ok else None,
        "usd_per_mtok": cost["total"] / total_tokens * 1e6 if ok and total_tokens > 0 else None,
        "breakdown": {"usd_gpu_rent": cost["rent"], "usd_capex": cost["capex"], "usd_power": cost["power"],
                      "usd_colocation": cost["coloc"], "usd_ops": cost["ops"]} if ok else {},
        "ttft_ms": plan.prefill.ttft_ms, "tpot_ms": plan.decode.tpot_ms,
        **d,
        "price_source": "; ".join(dict.fromkeys(x.source for x in prices)),
        "price_as_of": as_of.isoformat() if as_of else None,
        "price_policy": pr0.policy,
        "throughput_model": "calibrated (pricing.perf disaggregated pools)",
        "warnings": warns,
    }


def selfhost_cost_curve(
    catalog: Catalog,
    spec: SelfHostSpec,
    workload: Workload,
    requests_per_month: NDArray[Any],
    overrides: Overrides | None = None,
    today: dt.date | None = None,
) -> F:
    """Monthly USD at each volume (a staircase; NaN where the deployment cannot serve the workload)."""
    if spec.disaggregate:
        return disaggregated_cost_curve(catalog, spec, workload, requests_per_month, overrides, today)
    ov = overrides or Overrides()
    vols = np.asarray(requests_per_month, dtype=float)
    base = [resolve_price(catalog, spec, ov, today)]
    cap, grid = rentable_capacity(catalog, [spec], base, workload, ov, today)
    parts = _costs(cap, base, workload, vols.ravel(), ov,
                   np.array([spec.n_plus_one]), np.array([spec.autoscale]), grid)
    _, at = _pick(parts)
    out: F = at["total"][0].reshape(vols.shape)
    return out


def sweep(
    catalog: Catalog,
    models: Sequence[str],
    gpus: Sequence[str],
    precisions: Sequence[str],
    workload: Workload,
    requests_per_month: NDArray[Any],
    overrides: Overrides | None = None,
    hosting: str | None = None,
    price_type: str = "on_demand",
    today: dt.date | None = None,
) -> tuple[list[SelfHostSpec], F]:
    """Every model x GPU x precision at every volume: (specs, monthly USD of shape (specs, volumes))."""
    ov = overrides or Overrides()
    # one spec validated in full (hosting, price type); the rest differ only in catalog ids and precisions,
    # checked here, so they are built without re-running every validator (speed: thousands of specs)
    template = SelfHostSpec.model_validate({"model": models[0] if models else "", "gpu": gpus[0] if gpus else "",
                                            "precision": precisions[0] if precisions else "fp8",
                                            "hosting": hosting, "price_type": price_type})
    bad = [p for p in precisions if p not in PRECISIONS]
    if bad:
        raise InputError(f"unknown precision {bad[0]!r}; use one of {', '.join(PRECISIONS)}")
    specs = [SelfHostSpec.model_construct(model=m, gpu=g, precision=p, hosting=template.hosting,  # type: ignore[arg-type]
                                          price_type=template.price_type)
             for m in models for g in gpus for p in precisions]
    prices_all = base_prices(catalog, specs, ov, today)
    cap, grid = rentable_capacity(catalog, specs, prices_all, workload, ov, today)
    vols = np.asarray(requests_per_month, dtype=float)
    out = np.full((len(specs), vols.size), np.nan)
    # only deployments with a usable unit are costed (the others stay NaN): speed
    live = np.flatnonzero(np.isfinite(cap.n).any(axis=1))
    if live.size:
        prices = [prices_all[i] for i in live]
        sub = Capacity(cap.n[live], cap.req_s[live], cap.flat[live], cap.res, cap.layouts, cap.fits_any[live],
                       cap.latency_any[live])
        none = np.zeros(live.size, dtype=bool)
        _, at = _pick(_costs(sub, prices, workload, vols, ov, none, none, [grid[i] for i in live]))
        out[live] = at["total"]
    return specs, out


def candidate_precisions(native: str) -> tuple[str, ...]:
    """Precisions worth offering for a model: its native one, and fp8 where native is 16-bit."""
    return ("bf16", "fp8") if native in ("bf16", "fp16") else (native,)


def best_deployments(
    catalog: Catalog,
    model_id: str,
    workload: Workload,
    limit: int = 3,
    overrides: Overrides | None = None,
    precisions: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> list[SelfHostSpec]:
    """The cheapest rented (on-demand) GPU/precision deployments that serve the workload, best first."""
    model = catalog.model(model_id)
    precs = list(precisions or candidate_precisions(model.native_precision))
    gpus = sorted({o.gpu for o in catalog.cloud.values()} & set(catalog.gpus))
    if not gpus:
        return []
    specs, cost = sweep(catalog, [model_id], gpus, precs, workload, np.array([workload.requests_per_month]), overrides,
                        today=today)
    order = [i for i in np.argsort(cost[:, 0], kind="stable") if math.isfinite(cost[i, 0])]
    return [specs[i] for i in order[:limit]]


def summary(row: pd.Series) -> dict[str, Any]:
    """One selfhost_frame row as JSON-ready dict (NaN -> None)."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, float) and not math.isfinite(v):
            out[str(k)] = None
        elif isinstance(v, np.generic):
            out[str(k)] = v.item()
        elif isinstance(v, dt.date):
            out[str(k)] = v.isoformat()
        else:
            out[str(k)] = v
    return out
