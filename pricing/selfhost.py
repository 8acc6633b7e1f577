"""Self-hosting: replicas and GPUs a workload needs at peak, and the monthly bill, rented or owned.

Sizing. Mean demand = requests per month / 730 h. The interactive share (1 - batch_fraction) must be
served at peak (x peak-to-average, from the hourly profile where given); the batch share is moved
off-peak, so it only has to fit in the month's average: required = mean x max((1 - batch) x peak, 1).
A replica serves `requests/s at the latency target` (pricing.perf); replicas = ceil(required /
(per-replica x (1 - headroom))), at least 1, plus one with N+1. Replica size: every size from the
smallest that fits (1, 2, 4, 8 GPUs, then nodes of 8) up to two sizes larger is costed and the
cheapest wins at each volume (a larger tensor-parallel group often serves more per GPU).
Autoscaled (cloud only) follows the 24-hour profile: GPU-hours = sum over hours of the replicas
that hour needs (flat at the mean when no profile is given, with a warning).

Money. Rented: GPUs billed in whole instances x hourly price x 730 h (always-on) or x GPU-hours
(autoscaled); default price = the cheapest per-GPU-hour offer for that GPU and price type in
data/hosting.yaml, or Overrides.gpu_usd_per_hour. Owned (data/hosting.yaml `owned`): (GPU price +
server share + networking) x (1 - residual) / amortisation months; power = TDP x node multiplier
x average power fraction x PUE x 730 h x USD/kWh; colocation per provisioned kW; ops per node.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from pricing import clock, perf
from pricing.catalog import Catalog
from pricing.errors import InputError
from pricing.perf import BOUNDS, REPLICA_SIZES, PerfParams
from pricing.schema import CloudOffer, Overrides, OwnedAssumptions, SelfHostSpec, Workload

F = NDArray[np.float64]
HOURS_PER_MONTH = 730.0
STALE_DAYS = 180
N_SIZES = 3  # candidate replica sizes per deployment: the smallest that fits and the next two
COLUMNS = (
    "workload", "route_id", "label", "model", "gpu", "precision", "hosting", "ownership",
    "gpus_per_replica", "replicas", "gpus", "utilization", "fits", "bound", "ttft_ms", "tpot_ms",
    "output_tokens_per_s_per_replica", "requests_per_month", "tokens_per_month", "monthly_usd",
    "usd_per_mtok", "usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops",
    "price_source", "price_as_of", "warnings",
)
PRICE_FIELD = {"on_demand": "usd_per_hour_on_demand", "spot": "usd_per_hour_spot", "reserved": "usd_per_hour_reserved"}
PRICE_LABEL = {"on_demand": "on-demand", "spot": "spot", "reserved": "reserved"}


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


def resolve_price(catalog: Catalog, spec: SelfHostSpec, overrides: Overrides | None = None) -> GpuPrice:
    """The GPU price for a spec: override, named cloud offer, cheapest cloud offer, or owned."""
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
        hosting = spec.hosting or "override"
        return GpuPrice("cloud", hosting, "override", spec.price_type, float(ov.gpu_usd_per_hour[gpu.id]), 1,
                        0.0, 0.0, 0.0, 0.0, "user override (overrides.gpu_usd_per_hour)", None)
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
    offers = cloud_offers_for(catalog, gpu.id, spec.price_type)
    warns = []
    ptype = spec.price_type
    if not offers and spec.price_type != "on_demand":
        offers = cloud_offers_for(catalog, gpu.id, "on_demand")
        ptype = "on_demand"
        warns.append(f"no {PRICE_LABEL[spec.price_type]} price for {gpu.id}; cheapest on-demand used")
    if not offers:
        return _no_price(spec, f"no cloud price for {gpu.id} in hosting.yaml; set overrides.gpu_usd_per_hour")
    pr, o = offers[0]
    return GpuPrice("cloud", o.id, o.provider, ptype, pr, o.gpu_count, 0, 0, 0, 0, o.source, o.as_of, tuple(warns))


def _no_price(spec: SelfHostSpec, why: str) -> GpuPrice:
    return GpuPrice("cloud", spec.hosting or "none", "none", spec.price_type, math.nan, 1, 0, 0, 0, 0, "", None, (why,))


# --------------------------------------------------------------------------- capacity (vectorised)


@dataclass(frozen=True)
class Capacity:
    """Per deployment key: candidate replica sizes (K, S) and what each serves at the latency target."""

    n: F  # GPUs per replica; NaN where no candidate
    req_s: F  # requests/s one replica serves at the latency target
    flat: NDArray[np.intp]  # index into `res` for each candidate (-1 none)
    res: dict[str, F]  # perf.evaluate results over keys x REPLICA_SIZES (flattened)
    fits_any: NDArray[np.bool_]  # some size holds the model
    latency_any: NDArray[np.bool_]  # some fitting size meets the latency target


def _decode_tokens(w: Workload) -> float:
    return w.output_tokens + w.reasoning_tokens


def capacity(
    catalog: Catalog,
    keys: Sequence[tuple[str, str, str, int | None]],
    workload: Workload,
    params: PerfParams,
) -> Capacity:
    """For (model, gpu, precision, forced gpus or None) keys: candidate sizes and per-replica capacity."""
    uniq = list(dict.fromkeys((m, g, p) for m, g, p, _ in keys))
    pos = {k: i for i, k in enumerate(uniq)}
    base = perf.rows([(catalog.model(m), catalog.gpu(g), p, 1) for m, g, p in uniq], params)
    sizes = np.asarray(REPLICA_SIZES, dtype=float)
    n_s = len(sizes)
    kidx = np.array([pos[(m, g, p)] for m, g, p, _ in keys], dtype=np.intp)
    forced = np.array([np.nan if f is None else float(f) for *_, f in keys])
    # every key x every standard size, plus the forced size in the last column
    idx = np.repeat(kidx, n_s + 1)
    n_grid = np.tile(np.append(sizes, np.nan), len(keys))
    n_grid = np.where(np.isnan(n_grid), np.repeat(np.nan_to_num(forced, nan=1.0), n_s + 1), n_grid)
    r = perf.with_n(perf.take(base, idx), n_grid)
    res = perf.evaluate(r, workload.input_tokens, _decode_tokens(workload), params,
                        workload.effective_max_tpot_ms, workload.max_ttft_ms,
                        cached_fraction=workload.cached_input_fraction,
                        min_context_tokens=workload.min_context_tokens)
    fits: NDArray[np.bool_] = (res["fits"] > 0).reshape(len(keys), n_s + 1)
    ok: NDArray[np.bool_] = fits & (res["latency_ok"] > 0).reshape(len(keys), n_s + 1)
    req = res["requests_per_s"].reshape(len(keys), n_s + 1)
    flat_all = np.arange(len(idx), dtype=np.intp).reshape(len(keys), n_s + 1)
    is_forced = ~np.isnan(forced)
    # standard sizes: the first N_SIZES from the smallest fitting one (fits rank 1..N_SIZES)
    std_fit = fits[:, :n_s]
    first = np.argmax(std_fit, axis=1)
    col = np.arange(n_s)[None, :]
    any_fit: NDArray[np.bool_] = np.asarray(std_fit.any(axis=1))
    pick: NDArray[np.bool_] = any_fit[:, None] & (col >= first[:, None]) & (col < first[:, None] + N_SIZES)
    cand_n = np.full((len(keys), N_SIZES), np.nan)
    cand_req = np.full((len(keys), N_SIZES), np.nan)
    cand_flat = np.full((len(keys), N_SIZES), -1, dtype=np.intp)
    slot = np.cumsum(pick, axis=1) - 1
    ki, ci = np.nonzero(pick)
    si = slot[ki, ci]
    keep = si < N_SIZES
    ki, ci, si = ki[keep], ci[keep], si[keep]
    usable = np.asarray(ok)[ki, ci]
    cand_n[ki, si] = np.where(usable, sizes[ci], np.nan)
    cand_req[ki, si] = np.where(usable, req[ki, ci], np.nan)
    cand_flat[ki, si] = flat_all[ki, ci]
    # forced size: only that one
    fk = np.flatnonzero(is_forced)
    cand_n[fk] = np.nan
    cand_req[fk] = np.nan
    cand_flat[fk] = -1
    cand_flat[fk, 0] = flat_all[fk, n_s]
    cand_n[fk, 0] = np.where(ok[fk, n_s], forced[fk], np.nan)
    cand_req[fk, 0] = np.where(ok[fk, n_s], req[fk, n_s], np.nan)
    fits_any = np.where(is_forced, fits[:, n_s], std_fit.any(axis=1))
    lat_any = np.where(is_forced, ok[:, n_s], (std_fit & ok[:, :n_s]).any(axis=1))
    return Capacity(cand_n, cand_req, cand_flat, res, fits_any, lat_any)


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
) -> dict[str, F]:
    """Monthly cost parts for keys x candidate sizes x volumes, (K, S, V) arrays."""
    mean = volumes[None, None, :] / (HOURS_PER_MONTH * 3600.0)
    per_rep = (cap.req_s * (1.0 - ov.headroom_fraction))[:, :, None]
    extra = n_plus_one.astype(float)[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = np.maximum(np.ceil(mean * _peak_factor(w) / per_rep - 1e-9), 1.0) + extra
    n = cap.n[:, :, None]
    gpus = reps * n
    rent_h = np.array([p.usd_per_gpu_hour for p in prices])[:, None, None]
    inst = np.array([p.instance_gpus for p in prices], dtype=float)[:, None, None]
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


def _params(catalog: Catalog, ov: Overrides) -> PerfParams:
    return PerfParams.from_factors(catalog.efficiency).scaled(ov.efficiency_scale)


def _short_model(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def route_id(spec: SelfHostSpec, price: GpuPrice) -> str:
    """self/<model>/<gpu>/<precision>/<hosting-or-cloud>/<price_type>[/<N>gpus][/n+1][/autoscale]."""
    tail = "owned/purchase" if price.ownership == "owned" else f"{price.hosting}/{price.price_type}"
    rid = f"self/{spec.model}/{spec.gpu}/{spec.precision}/{tail}"
    if spec.gpus:
        rid += f"/{spec.gpus}gpus"
    if spec.n_plus_one:
        rid += "/n+1"
    if spec.autoscale and price.ownership == "cloud":
        rid += "/autoscale"
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
    """One row per (workload, spec): sizing, latency, monthly cost and its parts, warnings."""
    ov = overrides or Overrides()
    params = _params(catalog, ov)
    today = today or clock.today()
    prices = [resolve_price(catalog, s, ov) for s in specs]
    out: list[dict[str, Any]] = []
    if not specs:
        return pd.DataFrame(columns=list(COLUMNS))
    keys = [(s.model, s.gpu, s.precision, s.gpus) for s in specs]
    n1 = np.array([s.n_plus_one for s in specs])
    auto = np.array([s.autoscale for s in specs])
    for w in workloads:
        cap = capacity(catalog, keys, w, params)
        parts = _costs(cap, prices, w, np.array([w.requests_per_month]), ov, n1, auto)
        best, at = _pick(parts)
        tokens = w.requests_per_month * (w.input_tokens + w.output_tokens + w.reasoning_tokens)
        for i, (s, pr) in enumerate(zip(specs, prices, strict=True)):
            j = int(best[i, 0])
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
                "route_id": route_id(s, pr),
                "label": _label(s, pr, n if ok else float(s.gpus or math.nan)),
                "model": s.model, "gpu": s.gpu, "precision": s.precision,
                "hosting": pr.hosting, "ownership": pr.ownership,
                "gpus_per_replica": n if ok else math.nan,
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
            })
    return pd.DataFrame(out, columns=list(COLUMNS))


def selfhost_cost_curve(
    catalog: Catalog,
    spec: SelfHostSpec,
    workload: Workload,
    requests_per_month: NDArray[Any],
    overrides: Overrides | None = None,
) -> F:
    """Monthly USD at each volume (a staircase; NaN where the deployment cannot serve the workload)."""
    ov = overrides or Overrides()
    vols = np.asarray(requests_per_month, dtype=float)
    cap = capacity(catalog, [(spec.model, spec.gpu, spec.precision, spec.gpus)], workload, _params(catalog, ov))
    parts = _costs(cap, [resolve_price(catalog, spec, ov)], workload, vols.ravel(), ov,
                   np.array([spec.n_plus_one]), np.array([spec.autoscale]))
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
) -> tuple[list[SelfHostSpec], F]:
    """Every model x GPU x precision at every volume: (specs, monthly USD of shape (specs, volumes))."""
    ov = overrides or Overrides()
    specs = [SelfHostSpec.model_validate({"model": m, "gpu": g, "precision": p, "hosting": hosting,
                                          "price_type": price_type})
             for m in models for g in gpus for p in precisions]
    cap = capacity(catalog, [(s.model, s.gpu, s.precision, None) for s in specs], workload, _params(catalog, ov))
    prices = [resolve_price(catalog, s, ov) for s in specs]
    none = np.zeros(len(specs), dtype=bool)
    parts = _costs(cap, prices, workload, np.asarray(requests_per_month, dtype=float), ov, none, none)
    _, at = _pick(parts)
    return specs, at["total"]


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
) -> list[SelfHostSpec]:
    """The cheapest rented (on-demand) GPU/precision deployments that serve the workload, best first."""
    model = catalog.model(model_id)
    precs = list(precisions or candidate_precisions(model.native_precision))
    gpus = sorted({o.gpu for o in catalog.cloud.values()} & set(catalog.gpus))
    if not gpus:
        return []
    specs, cost = sweep(catalog, [model_id], gpus, precs, workload, np.array([workload.requests_per_month]), overrides)
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
