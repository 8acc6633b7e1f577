"""Disaggregated prefill/decode deployments: the planner behind `--disaggregate` (issue 9 item 4).

Large MoE models (DeepSeek V3/R1, Kimi, GLM) are served at scale as two pools: prefill-only instances
take the prompts and decode-only instances hold the sequences (DeepSeek's V3/R1 inference system,
SGLang/Dynamo PD disaggregation). The physics of one instance of each pool is pricing.perf's
(`prefill_pool_rate`, `decode_pool_rate`, see the section comment above `perf._ep_a2a_s`); this module
searches the layouts of each pool and sizes both for a workload.

* Candidates. Instances of 1, 2, 4, 8 GPUs, then 2-8 and 16 nodes of 8 (and the whole NVLink domain
  where it is larger, e.g. 72 on NVL72), with every layout pricing.perf's planner lays out
  at that size: tensor parallel within the NVLink domain, pipeline stages across nodes, and for MoE
  models expert parallelism (EPn with attention DP is `Layout(tp=n, ep=n, attention_dp=True)`). Dense
  models get plain tensor/pipeline-parallel instances (the pool's instances are its replicas). A pinned
  instance size (`prefill_gpus` / `decode_gpus`) keeps only the layouts of that many GPUs.
* Prefill pool. An instance prefills `prefill_pool_rate` input tokens/s at full load (cached prefix
  tokens skip the weights' compute). A prompt takes ceil(new tokens / prefill_chunk_tokens) steps; TTFT =
  those steps x the M/D/1 factor 1 + rho / (2 (1 - rho)) at the load rho the pool runs at: planned_utilization,
  or, when a TTFT target is not met there, the highest load that meets it (the pool is sized larger instead);
  with a TTFT target each instance also tries smaller step budgets (1/2, 1/4, ... of prefill_chunk_tokens
  new tokens per attention rank: shorter steps at a lower rate) and keeps the one serving the most.
  Instances = ceil(input tokens/s / (capacity x rho)).
* Decode pool. An instance decodes at the largest batch meeting the TPOT target and its KV memory
  (`decode_pool_rate`); instances = ceil(output tokens/s / that rate).
* Redundant experts (EPLB: hot experts duplicated, so routing skew stays the random one) are held and read
  by expert-parallel instances only; default 0, DeepSeek's production system used 32.
* Choice. For a request rate: per pool, the layout needing the fewest GPUs in whole instances (ties: the
  smaller instance). For a fixed total of GPUs (`split_total`): the pair of layouts and whole instance
  counts serving the most requests/s.
* Not charged: the KV transfer from prefill to decode (its rate per prefill GPU is reported against the
  scale-out link), the prefix cache's memory, and the request router.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pricing import perf
from pricing.errors import InputError
from pricing.perf import Layout, PerfParams
from pricing.schema import Gpu, ModelArch

F = NDArray[np.float64]
POOL_NODES: tuple[int, ...] = (1, 2, 4, 8, 16)  # instance sizes in nodes of GPUS_PER_NODE beyond one node
DEEPSEEK_REDUNDANT_EXPERTS = 32  # DeepSeek V3/R1 inference system overview (2025-02-28): 32 redundant experts
MIN_UTILIZATION = 0.01  # a prefill pool loaded below this to meet a TTFT target is reported infeasible
MIN_CHUNK_TOKENS = 256.0  # smallest prefill step budget (new tokens per attention rank) tried for a TTFT target


@dataclass(frozen=True)
class PoolCandidates:
    """Every candidate instance of one pool (prefill or decode) and what it does, as arrays over `layouts`."""

    role: str  # 'prefill' | 'decode'
    layouts: list[Layout]
    fits: NDArray[np.bool_]  # holds the model, redundant experts and the KV it needs
    ok: NDArray[np.bool_]  # fits and meets its latency target
    capacity: F  # tokens/s per instance at full load (prefill: input, cached included; decode: output)
    utilization: F  # load the pool runs at (prefill: planned_utilization or lower for TTFT; decode: 1)
    batch: F  # decode: sequences per instance; prefill: prompts per step
    tpot_ms: F  # decode step (NaN for prefill)
    ttft_ms: F  # prefill: the prompt's steps x queueing (NaN for decode)
    kv_gbs_per_gpu: F  # prefill: KV bytes/s sent to the decode pool per prefill GPU, in GB/s (0 for decode)
    weights_gb_per_gpu: F
    free_gb_per_gpu: F  # memory left for KV after weights and redundant experts
    chunk_tokens: F  # prefill: new tokens per attention rank and step (NaN for decode)

    @property
    def rate(self) -> F:
        """Tokens/s one instance serves as sized (capacity x utilization)."""
        out: F = self.capacity * self.utilization
        return out

    @property
    def gpus(self) -> F:
        """GPUs per instance."""
        return np.array([float(x.instance_gpus) for x in self.layouts])

    def instances_for(self, tokens_per_s: float) -> F:
        """Whole instances each candidate needs for `tokens_per_s` (inf where it cannot serve)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            n = np.maximum(np.ceil(tokens_per_s / self.rate - 1e-9), 1.0)
        return np.where(self.ok & (self.rate > 0), n, np.inf)


@dataclass(frozen=True)
class Pool:
    """One pool as planned: its layout, whole instances and per-instance figures."""

    role: str
    layout: Layout
    instances: int
    capacity: float  # tokens/s per instance at full load
    utilization: float
    batch: float
    tpot_ms: float
    ttft_ms: float
    kv_gbs_per_gpu: float
    weights_gb_per_gpu: float
    free_gb_per_gpu: float
    chunk_tokens: float = math.nan

    @property
    def gpus(self) -> int:
        return self.instances * self.layout.instance_gpus

    @property
    def rate(self) -> float:
        """Tokens/s one instance serves as sized."""
        return self.capacity * self.utilization

    def as_dict(self, gpu: Gpu) -> dict[str, Any]:
        """The JSON form of one pool (layout like `pricing throughput`'s, dp = instances)."""
        g = self.layout.instance_gpus
        lay = Layout(self.layout.tp, self.layout.pp, self.layout.ep, self.layout.attention_dp, self.instances)
        tok = "input" if self.role == "prefill" else "output"
        out: dict[str, Any] = {
            "layout": lay.as_dict(perf.GPUS_PER_NODE),
            "gpus_per_instance": g, "instances": self.instances, "gpus": self.gpus,
            f"{tok}_tokens_per_s_per_instance": self.rate,
            f"{tok}_tokens_per_s_per_gpu": self.rate / g,
            "utilization": self.utilization,
            "weights_gb_per_gpu": self.weights_gb_per_gpu,
            "kv_free_gb_per_gpu": self.free_gb_per_gpu,
        }
        if self.role == "prefill":
            out["capacity_input_tokens_per_s_per_instance"] = self.capacity
            out["prompts_per_step"] = self.batch
            out["prefill_chunk_tokens"] = self.chunk_tokens
            out["ttft_ms"] = self.ttft_ms
            out["kv_transfer_gbs_per_gpu"] = self.kv_gbs_per_gpu
            out["scale_out_gbs_per_gpu"] = perf.scale_out_bytes_s(gpu) / 1e9
        else:
            out["batch_per_instance"] = self.batch
            out["batch_per_gpu"] = self.batch / g
            out["tpot_ms"] = self.tpot_ms
            out["per_user_tokens_per_s"] = 1e3 / self.tpot_ms if self.tpot_ms > 0 else None
        return out


@dataclass(frozen=True)
class DisaggPlan:
    """A disaggregated deployment: both pools and the load they serve."""

    prefill: Pool
    decode: Pool
    requests_per_s: float  # requests/s the plan was sized for (or, for split_total, serves)
    input_tokens: float
    output_tokens: float
    cached_fraction: float
    redundant_experts: float
    notes: tuple[str, ...] = ()

    @property
    def gpus(self) -> int:
        return self.prefill.gpus + self.decode.gpus

    @property
    def capacity_requests_per_s(self) -> float:
        """Requests/s the two pools serve together (the smaller of the two pools' capacities)."""
        pre = self.prefill.instances * self.prefill.rate / max(self.input_tokens, 1.0)
        dec = self.decode.instances * self.decode.rate / max(self.output_tokens, 1.0)
        return min(pre, dec)

    def pool_ratio(self) -> float:
        """Prefill GPUs per decode GPU that this input/output mix needs (continuous, before whole instances)."""
        pre = max(self.input_tokens, 1.0) / (self.prefill.rate / self.prefill.layout.instance_gpus)
        dec = max(self.output_tokens, 1.0) / (self.decode.rate / self.decode.layout.instance_gpus)
        return pre / dec

    def as_dict(self, gpu: Gpu) -> dict[str, Any]:
        """JSON: {"layout": {"prefill": ..., "decode": ...}, "prefill": {...}, "decode": {...}, totals}."""
        pre, dec = self.prefill.as_dict(gpu), self.decode.as_dict(gpu)
        return {
            "layout": {"prefill": pre["layout"], "decode": dec["layout"]},
            "prefill": pre, "decode": dec,
            "gpus": self.gpus,
            "requests_per_s": self.requests_per_s,
            "capacity_requests_per_s": self.capacity_requests_per_s,
            "prefill_gpus_per_decode_gpu": self.pool_ratio(),
            "redundant_experts": self.redundant_experts,
            "notes": list(self.notes),
        }


def pool_sizes(gpu: Gpu, max_nodes: int = POOL_NODES[-1]) -> list[int]:
    """Instance sizes tried: the aggregated planner's (perf.REPLICA_SIZES: 1, 2, 4, 8 GPUs, then nodes of 8 up
    to 64 GPUs), 2..max_nodes nodes, and the whole NVLink domain where it is larger than a node (NVL72)."""
    node = perf.GPUS_PER_NODE
    sizes = {g for g in perf.REPLICA_SIZES if g <= node * max_nodes}
    sizes |= {node * k for k in POOL_NODES if k <= max_nodes}
    dom = perf.scale_up_gpus(gpu)
    if dom > node:
        sizes.add(dom)
    return sorted(sizes)


def pool_layouts(model: ModelArch, gpu: Gpu, gpus: int | None = None, max_nodes: int = POOL_NODES[-1],
                 flag: str = "--gpus") -> list[Layout]:
    """Candidate instance layouts of one pool (all sizes, or exactly `gpus` GPUs when pinned)."""
    if gpus is not None:
        if gpus <= 0:
            raise InputError(f"{flag} must be a positive number of GPUs, got {gpus}")
        out = perf.instance_layouts(model, gpu, gpus)
        if not out:
            raise InputError(f"{flag} {gpus}: no layout of {gpus} x {gpu.id} (tensor parallel stays within "
                             f"{perf.scale_up_gpus(gpu)} GPUs; "
                             f"{'PCIe GPUs stay within one node' if gpu.interconnect == 'pcie' else 'nodes of 8'})")
        return out
    return [lay for g in pool_sizes(gpu, max_nodes) for lay in perf.instance_layouts(model, gpu, g)]


def _rows(model: ModelArch, gpu: Gpu, precision: str, layouts: list[Layout], p: PerfParams,
          kv_precision: str | None) -> perf.Rows:
    kvq = kv_precision or perf.default_kv_precision(precision, gpu)
    return perf.rows([(model, gpu, precision, x.instance_gpus) for x in layouts], p, [kvq] * len(layouts), layouts)


def _replicas(r: perf.Rows, redundant_experts: float) -> F:
    """Redundant experts held per instance: only expert-parallel instances of MoE models host them."""
    out: F = np.where((r.ep > 1) & (r.is_moe > 0), float(redundant_experts), 0.0)
    return out


def _free_bytes(r: perf.Rows, redundant: F) -> F:
    out: F = perf._pool_free_bytes(r, 0.0) - redundant * r.expert_bytes
    return out


def _prefill_at(r: perf.Rows, red: F, input_tokens: float, output_tokens: float, max_context: int,
                params: PerfParams, cached: float, max_ttft_ms: float | None) -> dict[str, F]:
    """One prefill step budget (params.prefill_chunk_tokens new tokens per attention rank): rate, load, TTFT, fit."""
    cap = np.where(red > 0, perf.prefill_pool_rate(r, input_tokens, params, cached, float(red.max(initial=0.0))),
                   perf.prefill_pool_rate(r, input_tokens, params, cached, 0.0))
    new = max(input_tokens * (1.0 - cached), 1.0)
    prompts = params.prefill_chunk_tokens * np.where(r.adp > 0, r.tp, 1.0) / new
    i_tok = np.full(r.n.shape, float(input_tokens))
    step = prompts * max(input_tokens, 1.0) / np.maximum(cap, 1e-30)  # seconds of one full step
    steps = max(math.ceil(new / params.prefill_chunk_tokens - 1e-9), 1)  # steps one prompt spans on its rank
    service = steps * step
    planned = min(max(params.planned_utilization, MIN_UTILIZATION), 0.95)
    util = np.full(r.n.shape, planned)
    if max_ttft_ms is not None:
        a = max_ttft_ms / 1e3 / np.maximum(service, 1e-30)  # allowed queueing factor
        q = np.maximum(a - 1.0, 0.0)
        util = np.minimum(planned, 2.0 * q / (1.0 + 2.0 * q))
    ttft = service * (1.0 + util / (2.0 * (1.0 - util))) * 1e3
    free = _free_bytes(r, red)
    fits = ((free >= np.maximum(prompts, 1.0) * perf._kv_seq(r, i_tok)) & (cap > 0)
            & (input_tokens + output_tokens <= max_context))
    ok = fits & (util >= MIN_UTILIZATION)
    if max_ttft_ms is not None:
        ok &= ttft <= max_ttft_ms * (1 + 1e-9)
    return {"cap": cap, "util": util, "prompts": prompts, "ttft": ttft, "fits": fits.astype(float),
            "ok": ok.astype(float), "service": service, "chunk": np.full(r.n.shape, params.prefill_chunk_tokens)}


def prefill_candidates(model: ModelArch, gpu: Gpu, precision: str, input_tokens: float, output_tokens: float,
                       params: PerfParams, layouts: list[Layout], cached_fraction: float = 0.0,
                       max_ttft_ms: float | None = None, kv_precision: str | None = None,
                       redundant_experts: float = 0.0) -> PoolCandidates:
    """What each candidate prefill instance does for this workload (see the module docstring).

    Without a TTFT target every instance prefills params.prefill_chunk_tokens new tokens per attention rank
    and step; with one, each instance also tries 1/2, 1/4, ... of that budget (down to MIN_CHUNK_TOKENS:
    shorter steps, more of them) and keeps the budget serving the most tokens/s within the target.
    """
    r = _rows(model, gpu, precision, layouts, params, kv_precision)
    red = _replicas(r, redundant_experts)
    cached = min(max(cached_fraction, 0.0), 1.0)
    budgets = [params.prefill_chunk_tokens]
    while max_ttft_ms is not None and budgets[-1] / 2.0 >= MIN_CHUNK_TOKENS:
        budgets.append(budgets[-1] / 2.0)
    best = _prefill_at(r, red, input_tokens, output_tokens, model.max_context_tokens, params, cached, max_ttft_ms)
    for c in budgets[1:]:
        alt = _prefill_at(r, red, input_tokens, output_tokens, model.max_context_tokens,
                          replace(params, prefill_chunk_tokens=c), cached, max_ttft_ms)
        better = (alt["ok"] > 0) & ((best["ok"] <= 0) | (alt["cap"] * alt["util"] > best["cap"] * best["util"]))
        # an instance no budget serves keeps the one whose prompt alone comes back fastest (for the error)
        better |= (alt["ok"] <= 0) & (best["ok"] <= 0) & (alt["fits"] > 0) & (alt["service"] < best["service"])
        best = {k: np.where(better, alt[k], v) for k, v in best.items()}
    cap, util = best["cap"], best["util"]
    free = _free_bytes(r, red)
    kv_tok = perf._kv_seq(r, np.ones_like(r.n))
    return PoolCandidates(
        "prefill", list(layouts), best["fits"] > 0, best["ok"] > 0, cap, util, best["prompts"],
        np.full(r.n.shape, np.nan), best["ttft"], cap * util * kv_tok / r.n / 1e9, perf.weights_stored(r) / r.n / 1e9,
        free / r.n / 1e9, best["chunk"])


def decode_candidates(model: ModelArch, gpu: Gpu, precision: str, input_tokens: float, output_tokens: float,
                      params: PerfParams, layouts: list[Layout], max_tpot_ms: float | None = None,
                      kv_precision: str | None = None, redundant_experts: float = 0.0,
                      min_context_tokens: float = 0.0) -> PoolCandidates:
    """What each candidate decode instance does: output tokens/s at the largest batch meeting the TPOT target."""
    r = _rows(model, gpu, precision, layouts, params, kv_precision)
    red = _replicas(r, redundant_experts)
    plain = perf.decode_pool_rate(r, input_tokens, output_tokens, params, max_tpot_ms)
    with_r = perf.decode_pool_rate(r, input_tokens, output_tokens, params, max_tpot_ms,
                                   redundant_experts=redundant_experts) if redundant_experts else plain
    d = {k: np.where(red > 0, with_r[k], plain[k]) for k in plain}
    free = _free_bytes(r, red)
    full = np.full(r.n.shape, float(input_tokens + output_tokens))
    ctx_ok = input_tokens + output_tokens <= model.max_context_tokens
    need = np.maximum(params.useful_sequences * perf._kv_seq(r, full),
                      perf._kv_seq(r, np.full(r.n.shape, float(min_context_tokens))))
    fits = (free >= need) & ctx_ok & (min_context_tokens <= model.max_context_tokens)
    ok = fits & (d["latency_ok"] > 0) & (d["output_tokens_per_s"] > 0)
    if max_tpot_ms is not None:
        ok &= d["tpot_ms"] <= max_tpot_ms * (1 + 1e-9)
    nan = np.full(r.n.shape, np.nan)
    return PoolCandidates(
        "decode", list(layouts), fits, ok, d["output_tokens_per_s"], np.ones(r.n.shape), d["batch"],
        d["tpot_ms"], nan, np.zeros(r.n.shape), perf.weights_stored(r) / r.n / 1e9, free / r.n / 1e9, nan)


def _pool(c: PoolCandidates, i: int, instances: int) -> Pool:
    return Pool(c.role, c.layouts[i], instances, float(c.capacity[i]), float(c.utilization[i]), float(c.batch[i]),
                float(c.tpot_ms[i]), float(c.ttft_ms[i]), float(c.kv_gbs_per_gpu[i]),
                float(c.weights_gb_per_gpu[i]), float(c.free_gb_per_gpu[i]), float(c.chunk_tokens[i]))


def _why_not(c: PoolCandidates, model: ModelArch, gpu: Gpu, precision: str, pin: int | None, flag: str,
             target: float | None) -> InputError:
    """A clear error when no candidate of a pool can serve (naming the pin's flag or the target's)."""
    where = f"{flag} {pin}" if pin is not None else f"{c.role} pool"
    size = f"{pin} x {gpu.id}" if pin is not None else f"any instance of up to {int(c.gpus.max())} x {gpu.id}"
    if not c.fits.any():
        i = int(np.argmax(c.free_gb_per_gpu * c.gpus))
        room = (f"{c.weights_gb_per_gpu[i]:.1f} GB of weights per GPU leave {c.free_gb_per_gpu[i]:.1f} GB for KV, "
                "too little" if c.free_gb_per_gpu[i] > 0 else
                f"{c.weights_gb_per_gpu[i]:.1f} GB of weights per GPU exceed the usable memory by "
                f"{-c.free_gb_per_gpu[i]:.1f} GB")
        return InputError(f"{where}: {model.id} at {precision} does not fit on {size} as a {c.role} instance ({room})")
    if c.role == "decode":
        best = float(np.nanmin(np.where(c.fits, c.tpot_ms, np.inf)))
        return InputError(f"{where}: no {c.role} layout on {size} meets --max-tpot-ms {target:g} "
                          f"(fastest step at one sequence: {best:.1f} ms)" if target is not None else
                          f"{where}: no {c.role} layout on {size} serves this workload")
    best = float(np.nanmin(np.where(c.fits, c.ttft_ms / np.maximum(
        1.0 + c.utilization / (2.0 * (1.0 - c.utilization)), 1.0), np.inf)))
    return InputError(f"{where}: no {c.role} layout on {size} meets --max-ttft-ms {target:g} "
                      f"(one prompt alone takes {best:,.0f} ms)" if target is not None else
                      f"{where}: no {c.role} layout on {size} serves this workload")


def _min_gpus(c: PoolCandidates, tokens_per_s: float) -> tuple[int, int]:
    """(candidate index, instances) needing the fewest GPUs for tokens_per_s; ties: smaller instance, faster."""
    inst = c.instances_for(tokens_per_s)
    total = inst * c.gpus
    order = np.lexsort((-c.rate / c.gpus, c.gpus, total))
    i = int(order[0])
    return i, int(inst[i])


@dataclass(frozen=True)
class Request:
    """The shared inputs of a disaggregated plan (model, GPU, precision, workload shape, targets, pins)."""

    model: ModelArch
    gpu: Gpu
    precision: str
    input_tokens: float
    output_tokens: float
    params: PerfParams
    max_tpot_ms: float | None = None
    max_ttft_ms: float | None = None
    cached_fraction: float = 0.0
    kv_precision: str | None = None
    redundant_experts: float = 0.0
    prefill_gpus: int | None = None
    decode_gpus: int | None = None
    max_nodes: int = POOL_NODES[-1]
    min_context_tokens: float = 0.0  # a context the decode instances must also hold for one sequence


def candidates(q: Request) -> tuple[PoolCandidates, PoolCandidates]:
    """Both pools' candidates; InputError naming the flag when a pool has no usable layout."""
    perf._bpp(q.precision)
    if q.redundant_experts < 0:
        raise InputError(f"--redundant-experts must be 0 or more, got {q.redundant_experts:g}")
    if q.input_tokens + q.output_tokens > q.model.max_context_tokens:
        raise InputError(f"input + output tokens ({q.input_tokens + q.output_tokens:,.0f}) exceed "
                         f"{q.model.id}'s {q.model.max_context_tokens:,}-token context")
    pl = pool_layouts(q.model, q.gpu, q.prefill_gpus, q.max_nodes, "--prefill-gpus")
    dl = pool_layouts(q.model, q.gpu, q.decode_gpus, q.max_nodes, "--decode-gpus")
    pre = prefill_candidates(q.model, q.gpu, q.precision, q.input_tokens, q.output_tokens, q.params, pl,
                             q.cached_fraction, q.max_ttft_ms, q.kv_precision, q.redundant_experts)
    dec = decode_candidates(q.model, q.gpu, q.precision, q.input_tokens, q.output_tokens, q.params, dl,
                            q.max_tpot_ms, q.kv_precision, q.redundant_experts, q.min_context_tokens)
    if not pre.ok.any():
        raise _why_not(pre, q.model, q.gpu, q.precision, q.prefill_gpus, "--prefill-gpus", q.max_ttft_ms)
    if not dec.ok.any():
        raise _why_not(dec, q.model, q.gpu, q.precision, q.decode_gpus, "--decode-gpus", q.max_tpot_ms)
    return pre, dec


def _notes(q: Request, pre: Pool) -> tuple[str, ...]:
    out = []
    if pre.utilization < min(q.params.planned_utilization, 0.95) - 1e-9:
        out.append(f"prefill pool runs at {pre.utilization:.0%} load (not the planned "
                   f"{q.params.planned_utilization:.0%}) to meet the TTFT target")
    link = perf.scale_out_bytes_s(q.gpu) / 1e9
    if pre.kv_gbs_per_gpu > 0.5 * link:
        out.append(f"KV transfer {pre.kv_gbs_per_gpu:.1f} GB/s per prefill GPU uses over half of the "
                   f"{link:.0f} GB/s scale-out link (not charged)")
    if q.redundant_experts and not (q.model.experts_routed > q.model.experts_active > 0):
        out.append(f"{q.model.id} is dense: redundant experts ignored")
    return tuple(out)


def plan(q: Request, requests_per_s: float) -> DisaggPlan:
    """Both pools sized for `requests_per_s`, each with the layout needing the fewest GPUs (whole instances)."""
    if not requests_per_s > 0 or not math.isfinite(requests_per_s):
        raise InputError(f"requests per second must be positive, got {requests_per_s}")
    pre, dec = candidates(q)
    i, n_pre = _min_gpus(pre, requests_per_s * max(q.input_tokens, 1.0))
    j, n_dec = _min_gpus(dec, requests_per_s * max(q.output_tokens, 1.0))
    p = _pool(pre, i, n_pre)
    return DisaggPlan(p, _pool(dec, j, n_dec), requests_per_s, q.input_tokens, q.output_tokens,
                      q.cached_fraction, q.redundant_experts, _notes(q, p))


def split_total(q: Request, total_gpus: int) -> DisaggPlan:
    """The most requests/s `total_gpus` GPUs serve as a prefill and a decode pool of whole instances."""
    if total_gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {total_gpus}")
    pre, dec = candidates(q)
    in_tok, out_tok = max(q.input_tokens, 1.0), max(q.output_tokens, 1.0)
    best: tuple[float, int, int, int, int, int] | None = None  # (req/s, -GPUs used, i, j, n_pre, n_dec)
    for a in np.flatnonzero(pre.ok & (pre.rate > 0)).tolist():
        ga = pre.layouts[a].instance_gpus
        for b in np.flatnonzero(dec.ok & (dec.rate > 0)).tolist():
            gb = dec.layouts[b].instance_gpus
            if ga + gb > total_gpus:
                continue
            n_a = np.arange(1, (total_gpus - gb) // ga + 1, dtype=float)
            n_b = np.floor((total_gpus - n_a * ga) / gb)
            served = np.minimum(n_a * pre.rate[a] / in_tok, n_b * dec.rate[b] / out_tok)
            s = float(served[int(np.argmax(served))])
            # fewest GPUs at that rate: drop instances neither pool needs
            need_a = max(math.ceil(s * in_tok / pre.rate[a] - 1e-9), 1)
            need_b = max(math.ceil(s * out_tok / dec.rate[b] - 1e-9), 1)
            cand = (s, -(need_a * ga + need_b * gb), a, b, need_a, need_b)
            if best is None or cand[:2] > best[:2]:
                best = cand
    if best is None:
        smallest = int(pre.gpus[pre.ok].min() + dec.gpus[dec.ok].min())
        raise InputError(f"--gpus {total_gpus}: too few for a prefill and a decode instance "
                         f"(the smallest pair that serves takes {smallest} GPUs)")
    s, _, i, j, n_pre, n_dec = best
    p = _pool(pre, i, n_pre)
    notes = _notes(q, p)
    if p.gpus + n_dec * dec.layouts[j].instance_gpus < total_gpus:
        notes += (f"{total_gpus - p.gpus - n_dec * dec.layouts[j].instance_gpus} of the {total_gpus} GPUs "
                  "left idle (whole instances)",)
    return DisaggPlan(p, _pool(dec, j, n_dec), s, q.input_tokens, q.output_tokens, q.cached_fraction,
                      q.redundant_experts, notes)
