"""Memory fit and throughput of an open-weight model on a GPU deployment (vectorised roofline).

Model, in one place (every knob is a field of `PerfParams`, loaded from data/calibration.yaml):

* Units: GPU memory is taken as the vendor states it (`memory_gb`, an H100 SXM is "80 GB"); HBM
  sizes are binary, so the GPU holds memory_gb x 2^30 bytes (an "80 GB" H100 reports 81,559 MiB).
  Every other GB in the arithmetic and the output (weights, KV, overhead, usable) is decimal,
  1 GB = 1e9 bytes; `memory_gb_per_gpu.total` is the vendor figure, `total_decimal` the same in 1e9 bytes.
* Memory per replica of N GPUs: usable = N x (memory_gb x 2^30 bytes x usable_memory_fraction
  - runtime_overhead_gb x 1e9). Weights = total params x bytes per param.
  KV per token (`kv_parts`): GQA 2 x layers x kv_heads x head_dim x bytes (1 x when the key and
  value share one vector, DeepSeek V4); MLA layers x (kv_lora_rank + qk_rope_head_dim) x bytes;
  sliding-window and chunked-attention layers (Llama 4) hold at most `window` tokens, and full-
  attention layers may have their own KV geometry (Gemma 4: fewer, wider heads, key = value); linear-
  attention layers hold none; compressed layers (DeepSeek V4 CSA/HCA) hold one entry per `ratio`
  tokens plus an uncompressed local window of sliding_window_tokens; a sparse-attention indexer
  (DSA: V3.2, GLM-5; V4's CSA layers) adds indexer_layers x (index_head_dim x key bytes + scale
  bytes) / indexer_compress_ratio. Under tensor parallelism a GQA KV head cannot be split, so KV is
  replicated max(1, tp / kv_heads) times; MLA and compressed attention are assumed served with
  data-parallel attention (no replication), as SGLang/TRT-LLM do.
* KV precision (visible, `kv_precision`): default fp8 when the weights are fp8/fp4 and the GPU
  has fp8 tensor cores, else bf16 (TRT-LLM's FP8/NVFP4 checkpoints ship an fp8 KV cache).
* A deployment fits when weights + overhead leave KV for `useful_sequences` concurrent sequences
  at the workload's full context (input + output); else it "does not fit".
* Precision support: fp8/fp4/int8 run on their tensor cores where the GPU has them. Where not
  (fp8 on A100, fp4 on Hopper), weights stay stored at that precision but compute runs at bf16
  speed (weight-only kernels, like vLLM's Marlin path): an explicit fallback, flagged in
  `compute_precision` and `notes`. int4 is weight-only (AWQ/GPTQ style): bf16 compute.
* Decode step at batch B (all sequences at mean context c = input + output/2):
  t = max(bytes / (N bw eff_bw), flops / (N F eff_dc)) / moe_eff + comm + overhead, where
  bytes = dense weights + experts touched (E (1 - (1 - k/E)^B) per MoE layer) + B x KV(c);
  flops = B x (2 x active params + attention 4 x layers x c x heads x head_dim);
  comm = 2 x layers all-reduces of B x hidden x 2 bytes over the intra-node link (ring,
  2 (tp-1)/tp of the message per GPU at interconnect_gbs / 2 x eff_ic, + a fixed latency).
* Prefill of one prompt of I tokens, of which n = I x (1 - cached share) miss the prefix cache:
  max(compute 2 A n + 4 L n (I - n/2) H d over N F eff_pf, weights read) / moe_eff + all-reduces
  of n x hidden (n = I: 2 A I + 2 L I^2 H d). Prefill shares the GPUs with decode:
  time per output token (TPOT) = t(B) + B x t_prefill / O; throughput = B / TPOT.
* TTFT = t_prefill + t(B) + M/D/1 queueing of prefills (rho / (2 (1 - rho)) x t_prefill).
* Batch = the largest B <= min(KV capacity, max_batch) meeting the latency targets (TPOT and
  TTFT grow with B, throughput never falls with B, so a bisection finds it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pricing.errors import InputError
from pricing.schema import BYTES_PER_PARAM, PRECISIONS, EfficiencyFactors, Gpu, ModelArch

F = NDArray[np.float64]
GIB = float(2**30)
GPUS_PER_NODE = 8
# Replica sizes: 1, 2, 4, 8 GPUs, then whole nodes of 8 (up to 8 nodes).
REPLICA_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64)
ACT_BYTES = 2.0  # activations exchanged in all-reduces are bf16
# Between nodes (pipeline stages): one 400 Gb/s NIC per GPU, as in HGX/DGX servers (an assumption),
# with a 20 us hop latency. Replicas of PCIe GPUs (no scale-out fabric) stay within one node.
INTER_NODE_BYTES_S = 50e9
INTER_NODE_LATENCY_S = 20e-6
BOUNDS = ("memory", "compute", "kv-capacity", "latency")


@dataclass(frozen=True)
class PerfParams:
    """Every efficiency factor and memory assumption of the throughput model, visible and overridable."""

    bandwidth_efficiency: float = 0.8
    decode_compute_efficiency: float = 0.5
    prefill_compute_efficiency: float = 0.5
    step_overhead_ms: float = 2.0
    interconnect_efficiency: float = 0.6
    usable_memory_fraction: float = 0.9
    runtime_overhead_gb: float = 2.0
    moe_efficiency: float = 1.0
    allreduce_latency_us: float = 10.0
    max_batch: float = 1024.0
    useful_sequences: float = 8.0

    @classmethod
    def from_factors(cls, f: EfficiencyFactors | None) -> PerfParams:
        """Parameters from data/calibration.yaml (the `extra` map holds the rest); defaults if absent."""
        if f is None:
            return cls()
        base = {k: getattr(f, k) for k in (
            "bandwidth_efficiency", "decode_compute_efficiency", "prefill_compute_efficiency",
            "step_overhead_ms", "interconnect_efficiency", "usable_memory_fraction", "runtime_overhead_gb",
        )}
        names = {x.name for x in fields(cls)}
        base.update({k: float(v) for k, v in f.extra.items() if k in names})
        return cls(**base)

    def scaled(self, efficiency_scale: float) -> PerfParams:
        """Throughput scaled by a user factor: efficiencies up, overheads down."""
        if efficiency_scale == 1.0:
            return self
        s = efficiency_scale
        return replace(
            self,
            bandwidth_efficiency=self.bandwidth_efficiency * s,
            decode_compute_efficiency=self.decode_compute_efficiency * s,
            prefill_compute_efficiency=self.prefill_compute_efficiency * s,
            interconnect_efficiency=self.interconnect_efficiency * s,
            step_overhead_ms=self.step_overhead_ms / s,
            allreduce_latency_us=self.allreduce_latency_us / s,
        )


# --------------------------------------------------------------------------- scalar formulas


def weights_bytes(model: ModelArch, precision: str) -> float:
    """Bytes of all weights at a precision (total params x bytes per param)."""
    return model.params_b_total * 1e9 * _bpp(precision)


@dataclass(frozen=True)
class KvParts:
    """KV-cache bytes per token of context, split by how they grow with the context."""

    full: float  # every token, every context length (full-attention, compressed, indexer)
    capped: float  # sliding-window / chunked layers: at most `window` tokens are held
    local: float  # local window of compressed layers: at most `window` tokens (fixed per sequence)
    window: float  # tokens held by capped and local layers (0: none)
    replicated: bool  # GQA heads: copied under tensor parallelism beyond kv_heads


def kv_parts(model: ModelArch, kv_precision: str = "bf16") -> KvParts:
    """The KV-cache model of one architecture (shared by the scalar and the vectorised paths)."""
    b = _bpp(kv_precision)
    idx = 0.0
    if model.indexer_layers and model.index_head_dim:
        key_b = _bpp(model.indexer_key_precision or kv_precision)
        idx = (model.indexer_layers * (model.index_head_dim * key_b + model.indexer_scale_bytes)
               / model.indexer_compress_ratio)
    if model.attention == "mla":
        assert model.kv_lora_rank is not None and model.qk_rope_head_dim is not None
        mla_layers = model.layers - model.linear_attention_layers  # hybrid MLA (Kimi K3): KDA layers keep none
        return KvParts(float(mla_layers * (model.kv_lora_rank + model.qk_rope_head_dim) * b) + idx,
                       0.0, 0.0, 0.0, False)
    vec = (1.0 if model.key_value_shared else 2.0) * model.kv_heads * model.head_dim * b
    comp = model.kv_compress_ratio_layers or {}
    comp_layers = sum(comp.values())
    comp_bytes = sum(n * vec / r for r, n in comp.items())
    capped_layers = model.sliding_window_layers or model.chunked_attention_layers
    window = float((model.attention_chunk_tokens if model.chunked_attention_layers
                    else model.sliding_window_tokens) or 0)
    full_layers = model.layers - model.linear_attention_layers - capped_layers - comp_layers
    full_vec = vec
    if model.full_attention_kv_heads or model.full_attention_head_dim:  # Gemma 4 global layers
        full_vec = ((1.0 if model.full_attention_key_value_shared else 2.0)
                    * (model.full_attention_kv_heads or model.kv_heads)
                    * (model.full_attention_head_dim or model.head_dim) * b)
    local = comp_layers * vec if window else 0.0
    return KvParts(float(full_layers * full_vec + comp_bytes + idx), float(capped_layers * vec), float(local),
                   window, comp_layers == 0)


def kv_bytes_per_token(model: ModelArch, kv_precision: str = "bf16", context_tokens: float | None = None) -> float:
    """KV-cache bytes per token of context, averaged over `context_tokens`.

    Without a context, window-capped layers count in full (an upper bound) and the fixed local
    window of compressed layers is left out (it does not grow with the context).
    """
    k = kv_parts(model, kv_precision)
    if context_tokens is None or not k.window:
        return k.full + k.capped
    c = max(float(context_tokens), 1.0)
    return k.full + (k.capped + k.local) * min(c, k.window) / c


def default_kv_precision(precision: str, gpu: Gpu) -> str:
    """fp8 KV for fp8/fp4 weights on a GPU with fp8 tensor cores, else bf16."""
    return "fp8" if precision in ("fp8", "fp4") and gpu.fp8_tflops_dense else "bf16"


def compute_precision(precision: str, gpu: Gpu) -> str:
    """Precision the matrix maths runs at: native where the GPU supports it, else bf16 (weight-only)."""
    if precision in ("bf16", "fp16"):
        return precision
    if precision == "fp8" and gpu.fp8_tflops_dense:
        return "fp8"
    if precision == "fp4" and gpu.fp4_tflops_dense:
        return "fp4"
    if precision == "int8" and gpu.int8_tops_dense:
        return "int8"
    return "bf16"


def peak_tflops(precision: str, gpu: Gpu) -> float:
    """Dense peak TFLOPS at the precision the maths actually runs at."""
    cp = compute_precision(precision, gpu)
    val = {"fp8": gpu.fp8_tflops_dense, "fp4": gpu.fp4_tflops_dense, "int8": gpu.int8_tops_dense}.get(cp)
    return float(val or gpu.bf16_tflops_dense)


def precision_note(precision: str, gpu: Gpu) -> str:
    """'' or a sentence saying the precision falls back to bf16 compute on this GPU."""
    if precision in ("fp8", "fp4", "int8") and compute_precision(precision, gpu) == "bf16":
        return (f"{gpu.name} has no {precision} tensor cores: weights stored at {precision}, "
                "computed at bf16 speed (weight-only kernels)")
    return ""


def _bpp(precision: str) -> float:
    try:
        return BYTES_PER_PARAM[precision]
    except KeyError:
        raise InputError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}") from None


# --------------------------------------------------------------------------- vectorised rows


@dataclass(frozen=True)
class Rows:
    """Column arrays describing R deployments (model x GPU x precision x GPUs); built by `rows()`."""

    n: F
    tp: F
    layers: F
    hidden: F
    attn_hd: F  # heads x head dim used by attention FLOPs
    active_b: F  # active params (billions)
    dense_bytes: F  # weights read every step regardless of routing
    expert_bytes: F  # bytes of one routed expert over all MoE layers
    experts: F  # routed experts E (0 = dense)
    experts_k: F  # active routed experts k
    weights: F  # all weight bytes
    kv_heads: F  # 0 for MLA (never replicated)
    kv_full1: F  # KV bytes per token of full-attention layers, before TP replication
    kv_sw1: F  # KV bytes per token of sliding-window layers, before TP replication
    kv_full: F  # ... including replication at this tp
    kv_sw: F
    window: F
    mem_per_gpu: F  # usable bytes per GPU (after fraction and overhead)
    mem_bytes: F  # usable bytes per replica
    node: F  # GPUs per node
    bw: F  # bytes/s per GPU
    flops: F  # FLOP/s per GPU at compute precision
    link: F  # bytes/s per GPU one way over the intra-node link
    is_moe: F
    max_context: F
    multinode: F  # 1 where replicas may span nodes (NVLink / Infinity Fabric servers with a fabric)


def take(r: Rows, idx: NDArray[np.intp]) -> Rows:
    """Rows picked (and repeated) by an index array."""
    return Rows(**{f.name: getattr(r, f.name)[idx] for f in fields(Rows)})


def with_n(r: Rows, n: F) -> Rows:
    """The same rows at another number of GPUs per replica (tp within a node, nodes in pipeline)."""
    n = np.asarray(n, dtype=float)
    tp = np.minimum(n, r.node)
    rep = np.where(r.kv_heads > 0, np.maximum(1.0, tp / np.maximum(r.kv_heads, 1.0)), 1.0)
    return replace(r, n=n, tp=tp, kv_full=r.kv_full1 * rep, kv_sw=r.kv_sw1 * rep, mem_bytes=n * r.mem_per_gpu)


def rows(
    specs: Sequence[tuple[ModelArch, Gpu, str, int]],
    params: PerfParams,
    kv_precision: Sequence[str | None] | None = None,
) -> Rows:
    """Column arrays for (model, gpu, precision, gpus) tuples; kv_precision None = default rule."""
    names = [f.name for f in fields(Rows)]
    data = np.zeros((len(specs), len(names)))
    kvp = list(kv_precision) if kv_precision is not None else [None] * len(specs)
    for i, ((m, g, p, n), kvq) in enumerate(zip(specs, kvp, strict=True)):
        bpp = _bpp(p)
        e, k = float(m.experts_routed), float(m.experts_active)
        if e > k > 0:
            per_expert_b = (m.params_b_total - m.params_b_active) / (e - k)
            dense_b = max(m.params_b_active - k * per_expert_b, 0.0)
        else:
            per_expert_b, dense_b, e, k = 0.0, m.params_b_active, 0.0, 0.0
        kp = kv_parts(m, kvq or default_kv_precision(p, g))
        kv_full, kv_sw = kp.full, kp.capped + kp.local
        kvh = float(m.kv_heads) if kp.replicated else 0.0
        if m.attention == "mla":
            assert m.kv_lora_rank is not None and m.qk_rope_head_dim is not None
            hd = m.attention_heads * (m.kv_lora_rank + m.qk_rope_head_dim)
        else:
            hd = m.attention_heads * m.head_dim
        data[i] = [
            n, 1.0, m.layers, m.hidden_size, hd, m.params_b_active, dense_b * 1e9 * bpp,
            per_expert_b * 1e9 * bpp, e, k, m.params_b_total * 1e9 * bpp, kvh, kv_full, kv_sw,
            kv_full, kv_sw, kp.window,
            g.memory_gb * GIB * params.usable_memory_fraction - params.runtime_overhead_gb * 1e9, 0.0,
            float(min(g.max_gpus_per_node, GPUS_PER_NODE)), g.mem_bandwidth_tbs * 1e12,
            peak_tflops(p, g) * 1e12, g.interconnect_gbs * 1e9 / 2, 1.0 if e > 0 else 0.0,
            float(m.max_context_tokens), 0.0 if g.interconnect == "pcie" else 1.0,
        ]
    r = Rows(**{name: np.ascontiguousarray(data[:, j]) for j, name in enumerate(names)})
    return with_n(r, r.n)


def _kv_seq(r: Rows, ctx: F) -> F:
    """KV bytes of one sequence holding ctx tokens."""
    return r.kv_full * ctx + r.kv_sw * np.minimum(ctx, np.where(r.window > 0, r.window, ctx))


def _allreduce_s(r: Rows, tokens: F, p: PerfParams) -> F:
    """Seconds of the 2 x layers tensor-parallel all-reduces of `tokens` activations."""
    frac = 2.0 * (r.tp - 1.0) / np.maximum(r.tp, 1.0)
    one = p.allreduce_latency_us * 1e-6 + frac * tokens * r.hidden * ACT_BYTES / (r.link * p.interconnect_efficiency)
    tp_part = np.where(r.tp > 1, 2.0 * r.layers * one, 0.0)
    stages = np.ceil(r.n / r.node - 1e-9)
    pp_part = (stages - 1.0) * (INTER_NODE_LATENCY_S + tokens * r.hidden * ACT_BYTES / INTER_NODE_BYTES_S)
    return tp_part + pp_part


def _moe_div(r: Rows, p: PerfParams) -> F:
    return np.where(r.is_moe > 0, p.moe_efficiency, 1.0)


def _weights_read(r: Rows, tokens: F) -> F:
    """Weight bytes read by a forward pass over `tokens` tokens (MoE: experts touched)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(r.experts > 0, r.experts_k / np.maximum(r.experts, 1.0), 0.0)
        touched = r.experts * (1.0 - np.power(1.0 - frac, tokens))
    return r.dense_bytes + r.expert_bytes * touched


def decode_step_s(r: Rows, batch: F, ctx: F, p: PerfParams) -> tuple[F, F, F]:
    """(step seconds, memory-time, compute-time) of one decode step at `batch` sequences of ctx tokens."""
    bytes_ = _weights_read(r, batch) + batch * _kv_seq(r, ctx)
    t_mem = bytes_ / (r.n * r.bw * p.bandwidth_efficiency)
    attn_ctx = np.where(r.kv_sw > 0, (r.kv_full * ctx + r.kv_sw * np.minimum(ctx, r.window))
                        / np.maximum(r.kv_full + r.kv_sw, 1e-9), ctx)
    flops = batch * (2.0 * r.active_b * 1e9 + 4.0 * r.layers * attn_ctx * r.attn_hd)
    t_cmp = flops / (r.n * r.flops * p.decode_compute_efficiency)
    t = np.maximum(t_mem, t_cmp) / _moe_div(r, p) + _allreduce_s(r, batch, p) + p.step_overhead_ms * 1e-3
    return t, t_mem, t_cmp


def prefill_s(r: Rows, prompt: F, p: PerfParams, new_tokens: F | None = None) -> F:
    """Seconds to prefill a prompt of `prompt` tokens, of which `new_tokens` are not in the prefix cache."""
    new = prompt if new_tokens is None else new_tokens
    # causal attention: token at position t attends to t others -> 4 L hd x new x (prompt - new / 2)
    flops = 2.0 * r.active_b * 1e9 * new + 4.0 * r.layers * new * (prompt - new / 2.0) * r.attn_hd
    t_cmp = flops / (r.n * r.flops * p.prefill_compute_efficiency)
    t_mem = np.where(new > 0, _weights_read(r, new) / (r.n * r.bw * p.bandwidth_efficiency), 0.0)
    return np.maximum(t_cmp, t_mem) / _moe_div(r, p) + np.where(new > 0, _allreduce_s(r, new, p), 0.0)


def _at_batch(r: Rows, b: F, i_tok: F, o_tok: F, t_pre: F, p: PerfParams) -> dict[str, F]:
    ctx = i_tok + o_tok / 2.0
    t_dec, t_mem, t_cmp = decode_step_s(r, b, ctx, p)
    busy = o_tok * t_dec + b * t_pre
    tpot = busy / o_tok
    rho = np.where(busy > 0, b * t_pre / busy, 0.0)
    ttft = t_pre + t_dec + rho / (2.0 * np.maximum(1.0 - rho, 1e-6)) * t_pre
    return {"tpot": tpot, "ttft": ttft, "thr": b / tpot, "t_mem": t_mem, "t_cmp": t_cmp, "t_dec": t_dec}


def evaluate(
    r: Rows,
    input_tokens: F | float,
    output_tokens: F | float,
    p: PerfParams,
    max_tpot_ms: F | float | None = None,
    max_ttft_ms: F | float | None = None,
    max_batch: F | float | None = None,
    cached_fraction: F | float = 0.0,
    min_context_tokens: F | float = 0.0,
) -> dict[str, F]:
    """Fit, batch, throughput and latency for every row, vectorised (inputs broadcast over rows).

    cached_fraction: share of prompt tokens found in the prefix cache (no prefill compute);
    min_context_tokens: a context the deployment must also hold for one sequence.
    """
    size = r.n.shape
    i_tok = np.broadcast_to(np.asarray(input_tokens, dtype=float), size)
    o_tok = np.maximum(np.broadcast_to(np.asarray(output_tokens, dtype=float), size), 1.0)
    tpot_lim = np.broadcast_to(np.asarray(np.inf if max_tpot_ms is None else max_tpot_ms, dtype=float), size) / 1e3
    ttft_lim = np.broadcast_to(np.asarray(np.inf if max_ttft_ms is None else max_ttft_ms, dtype=float), size) / 1e3
    cap = np.broadcast_to(np.asarray(p.max_batch if max_batch is None else max_batch, dtype=float), size)

    kv_budget = r.mem_bytes - r.weights
    full_ctx = i_tok + o_tok
    kv_full_seq = _kv_seq(r, full_ctx)
    kv_mean_seq = _kv_seq(r, i_tok + o_tok / 2.0)
    b_kv = np.floor(np.maximum(kv_budget, 0.0) / np.maximum(kv_mean_seq, 1e-9))
    min_ctx = np.broadcast_to(np.asarray(min_context_tokens, dtype=float), size)
    fits_ctx = (full_ctx <= r.max_context) & (min_ctx <= r.max_context)
    fits = ((kv_budget >= p.useful_sequences * kv_full_seq) & (kv_budget >= _kv_seq(r, min_ctx)) & fits_ctx
            & ((r.n <= r.node) | (r.multinode > 0)))
    b_hi = np.maximum(np.minimum(b_kv, cap), 1.0)
    cached = np.clip(np.broadcast_to(np.asarray(cached_fraction, dtype=float), size), 0.0, 1.0)
    t_pre = prefill_s(r, i_tok, p, i_tok * (1.0 - cached))

    def ok(b: F) -> NDArray[np.bool_]:
        m = _at_batch(r, b, i_tok, o_tok, t_pre, p)
        return (m["tpot"] <= tpot_lim * (1 + 1e-9)) & (m["ttft"] <= ttft_lim * (1 + 1e-9))

    lo = np.ones(size)
    latency_ok = ok(lo)
    hi_ok = ok(b_hi)
    hi = b_hi.copy()
    # bisection on integers: lo feasible, hi infeasible (where not hi_ok)
    todo = latency_ok & ~hi_ok
    for _ in range(math.ceil(math.log2(max(float(np.max(b_hi, initial=1.0)), 2.0))) + 1):
        if not todo.any():
            break
        mid = np.floor((lo + hi) / 2.0)
        good = ok(mid)
        lo = np.where(todo & good, mid, lo)
        hi = np.where(todo & ~good, mid, hi)
        todo = todo & (hi - lo > 1)
    batch = np.where(hi_ok, b_hi, lo)
    m = _at_batch(r, batch, i_tok, o_tok, t_pre, p)
    bound = np.where(
        batch < b_hi, 3, np.where((b_kv < cap) & (batch >= b_kv), 2, np.where(m["t_cmp"] > m["t_mem"], 1, 0))
    )
    bound = np.where(~latency_ok, 3, bound)
    kv_used = batch * kv_mean_seq
    return {
        "fits": fits.astype(float),
        "fits_context": fits_ctx.astype(float),
        "latency_ok": latency_ok.astype(float),
        "batch": batch,
        "max_batch_kv": b_kv,
        "output_tokens_per_s": m["thr"],
        "requests_per_s": m["thr"] / o_tok,
        "per_user_tokens_per_s": 1.0 / m["tpot"],
        "tpot_ms": m["tpot"] * 1e3,
        "ttft_ms": m["ttft"] * 1e3,
        "decode_step_ms": m["t_dec"] * 1e3,
        "prefill_ms": t_pre * 1e3,
        "bound": bound.astype(float),
        "weights_gb_per_gpu": r.weights / r.n / 1e9,
        "kv_gb_per_gpu": kv_used / r.n / 1e9,
        "kv_capacity_gb_per_gpu": np.maximum(kv_budget, 0.0) / r.n / 1e9,
        "overhead_gb_per_gpu": np.full(size, p.runtime_overhead_gb),
        "usable_gb_per_gpu": r.mem_bytes / r.n / 1e9 + p.runtime_overhead_gb,
    }


# --------------------------------------------------------------------------- one deployment


def min_gpus(model: ModelArch, gpu: Gpu, precision: str, input_tokens: float, output_tokens: float,
             params: PerfParams, kv_precision: str | None = None) -> int | None:
    """Smallest replica size (1, 2, 4, 8, then nodes of 8) that fits, or None if none does."""
    r = rows([(model, gpu, precision, n) for n in REPLICA_SIZES], params, [kv_precision] * len(REPLICA_SIZES))
    res = evaluate(r, input_tokens, output_tokens, params)
    ok = np.flatnonzero(res["fits"] > 0)
    return REPLICA_SIZES[int(ok[0])] if ok.size else None


def throughput(
    model: ModelArch,
    gpu: Gpu,
    gpus: int,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    params: PerfParams | None = None,
    max_tpot_ms: float | None = None,
    max_ttft_ms: float | None = None,
    kv_precision: str | None = None,
) -> dict[str, Any]:
    """Everything about one deployment as a plain dict (what `pricing throughput --json` prints)."""
    if gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {gpus}")
    p = params or PerfParams()
    _bpp(precision)
    kvq = kv_precision or default_kv_precision(precision, gpu)
    res = evaluate(rows([(model, gpu, precision, gpus)], p, [kvq]), input_tokens, output_tokens, p,
                   max_tpot_ms, max_ttft_ms)
    v = {k: float(a[0]) for k, a in res.items()}
    fits = bool(v["fits"])
    notes = [s for s in (precision_note(precision, gpu),) if s]
    if not v["fits_context"]:
        notes.append(f"input + output tokens exceed the model's {model.max_context_tokens:,}-token context")
    elif gpus > GPUS_PER_NODE and gpu.interconnect == "pcie":
        notes.append(f"does not fit: {gpu.id} (PCIe) replicas stay within one node of {GPUS_PER_NODE} GPUs")
    elif not fits:
        need = min_gpus(model, gpu, precision, input_tokens, output_tokens, p, kvq)
        where = f"; smallest that fits: {need} GPUs" if need else "; no deployment up to 64 GPUs fits"
        notes.append(
            f"does not fit: {v['weights_gb_per_gpu']:.1f} GB weights per GPU + KV for "
            f"{p.useful_sequences:.0f} sequences exceed {v['usable_gb_per_gpu'] - p.runtime_overhead_gb:.1f} GB usable{where}"
        )
    if not v["latency_ok"]:
        notes.append("latency target infeasible even at batch 1")
    out: dict[str, Any] = {
        "model": model.id, "gpu": gpu.id, "gpus": gpus, "precision": precision,
        "compute_precision": compute_precision(precision, gpu), "kv_precision": kvq,
        "fits": fits, "latency_ok": bool(v["latency_ok"]),
        "batch": int(v["batch"]), "max_batch_kv": int(v["max_batch_kv"]),
        "output_tokens_per_s": v["output_tokens_per_s"] if fits else 0.0,
        "requests_per_s": v["requests_per_s"] if fits else 0.0,
        "per_user_tokens_per_s": v["per_user_tokens_per_s"],
        "ttft_ms": v["ttft_ms"], "tpot_ms": v["tpot_ms"],
        "decode_step_ms": v["decode_step_ms"], "prefill_ms": v["prefill_ms"],
        "bound": BOUNDS[int(v["bound"])],
        "memory_gb_per_gpu": {
            "unit": "decimal GB (1e9 bytes); total is the vendor's figure (binary HBM: memory_gb x 2^30 bytes)",
            "total": gpu.memory_gb,
            "total_decimal": gpu.memory_gb * GIB / 1e9,
            "usable": v["usable_gb_per_gpu"],
            "weights": v["weights_gb_per_gpu"],
            "kv_cache": v["kv_gb_per_gpu"],
            "kv_capacity": v["kv_capacity_gb_per_gpu"],
            "overhead": v["overhead_gb_per_gpu"],
        },
        "kv_bytes_per_token": kv_bytes_per_token(model, kvq, input_tokens + output_tokens),
        "params": {f.name: getattr(p, f.name) for f in fields(p)},
        "notes": notes,
    }
    return out
