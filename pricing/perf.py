"""Memory fit, throughput and latency of an open-weight model on a GPU deployment (vectorised roofline).

Model, in one place (every knob is a field of `PerfParams`, loaded from data/calibration.yaml, per
serving engine where the calibration fitted one):

* Layout. A deployment of N GPUs runs `dp` identical instances of g = tp x pp GPUs. Tensor
  parallelism (tp) stays inside one scale-up domain (NVLink/Infinity Fabric: `Gpu.scale_up_domain_gpus`,
  default the GPUs of one node); pipeline stages (pp) may cross nodes. For MoE models the experts
  are either split with the tensor-parallel group (ep = 1) or spread over the instance by expert
  parallelism (ep = g), with attention tensor-parallel or data-parallel (attention DP: every GPU keeps
  the non-expert weights and attends its own sequences, as SGLang `--enable-dp-attention` and
  TensorRT-LLM attention-DP do). `plan()` searches these layouts; `--tp/--ep/--pp` pin them.
* Units: GPU memory is taken as the vendor states it (`memory_gb`, an H100 SXM is "80 GB"); HBM
  sizes are binary, so the GPU holds memory_gb x 2^30 bytes (an "80 GB" H100 reports 81,559 MiB).
  Every other GB in the arithmetic and the output (weights, KV, overhead, usable) is decimal,
  1 GB = 1e9 bytes; `memory_gb_per_gpu.total` is the vendor figure, `total_decimal` the same in 1e9 bytes.
* Memory per instance of g GPUs: usable = g x (memory_gb x 2^30 bytes x usable_memory_fraction
  - runtime_overhead_gb x 1e9). Weights = total params x bytes per param (the non-expert part held tp
  times under attention DP).
  KV per token (`kv_parts`): GQA 2 x layers x kv_heads x head_dim x bytes (1 x when the key and
  value share one vector, DeepSeek V4); MLA layers x (kv_lora_rank + qk_rope_head_dim) x bytes;
  sliding-window and chunked-attention layers (Llama 4) hold at most `window` tokens, and full-
  attention layers may have their own KV geometry (Gemma 4: fewer, wider heads, key = value); linear-
  attention layers hold none; compressed layers (DeepSeek V4 CSA/HCA) hold one entry per `ratio`
  tokens plus an uncompressed local window of sliding_window_tokens; a sparse-attention indexer
  (DSA: V3.2, GLM-5; V4's CSA layers) adds indexer_layers x (index_head_dim x key bytes + scale
  bytes) / indexer_compress_ratio. Under tensor-parallel attention a GQA KV head cannot be split, so KV is
  replicated max(1, tp / kv_heads) times, and MLA's or compressed attention's latent KV is held on
  every rank (tp copies); attention DP (SGLang/TRT-LLM) replicates nothing.
* KV precision (visible, `kv_precision`): default fp8 when the weights are fp8/fp4 and the GPU
  has fp8 tensor cores, else bf16. Precision support: fp8/fp4/int8 run on their tensor cores where
  the GPU has them, else weights stay at that precision and compute runs at bf16 speed (flagged).
* One engine step (continuous batching with chunked prefill). In steady state an instance
  completes r requests per step: each step decodes B = r x (O - 1) tokens (the first output token
  comes out of the prefill) and prefills r x n prompt tokens (n = input tokens not found in the
  prefix cache). Per GPU, the step reads the weights it holds (MoE: the experts the step's tokens
  touch, E (1 - (1 - k/E)^T) per layer, x a routing-imbalance factor under expert parallelism) and
  the KV of its sequences (at kv_bandwidth_efficiency: paged attention reads scattered KV blocks less
  efficiently than GEMMs stream weights), and computes decode and prefill FLOPs (2 x active params per token plus
  attention 4 x layers x context x heads x head_dim; MLA decodes in the absorbed form over the latent,
  heads x (2 kv_lora_rank + rope) / 2, and prefills in the multi-head form, heads x (qk_nope + rope + v) / 2):
      step = M(weight bytes / (bw eff_bw), linear FLOPs / (F eff))       (the GEMMs)
             + M(KV bytes / (bw eff_kv), attention FLOPs / (F eff))     (attention, a separate kernel)
             + exposed communication + step_overhead,
  (eff = decode or prefill compute efficiency for the decode and prefill tokens; M(a, b) = sqrt(a^2 + b^2),
  a roofline rounded at the ridge point: a kernel near it keeps neither the loads nor the tensor cores
  busy, an assumption that lowered the calibration's median error from 10% to 7%). Weights are read at
  dense_precision for the non-expert part of 4-bit MoE checkpoints (8 bits) and computed at its rate,
  with the routed experts' bytes and FLOPs divided by moe_efficiency (grouped-GEMM expert kernels).
  Communication: tensor-parallel all-reduces (2 per layer, ring, over the scale-up link), expert-
  parallel all-to-all (fp8 dispatch + bf16 combine per MoE layer, over the scale-up link inside a
  domain and `Gpu.scale_out_gbps_per_gpu` across nodes; `a2a_overlap` of it hidden behind compute
  by two-micro-batch overlap), pipeline hand-offs between stages.
* Latency. TPOT = the step time (prefill chunks in the same step slow every decoding user: the
  chunked-prefill interference). TTFT = the prompt's ceil(n / prefill_chunk_tokens) steps at the
  current load, times an M/D/1 queueing factor 1 + rho / (2 (1 - rho)) at the planned utilisation
  rho. A request of one output token has no TPOT. r is the largest rate meeting the TPOT and TTFT
  targets, the KV capacity and the engine's batch cap (which counts requests still prefilling) (step time and TTFT grow with r, requests per
  second r / step never fall with r, so a bisection finds it). Throughput = r x O / step.
  Consequences (tested with hypothesis): more output or input tokens per request never raise
  requests per second; a tighter target never raises throughput; more load never makes an
  infeasible deployment feasible.
* Disaggregated prefill / decode pools (`disaggregated_pools`): their own step (`pool_step_s`) with
  the expert-parallel all-to-all over NVLink and the scale-out network, hidden behind compute by two
  micro-batches where that is faster; see the section comment above `prefill_pool_rate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pricing import aicurves
from pricing.errors import InputError
from pricing.schema import BYTES_PER_PARAM, PRECISIONS, EfficiencyFactors, Gpu, ModelArch

F = NDArray[np.float64]
GIB = float(2**30)
GPUS_PER_NODE = 8
# Instance sizes the self-hosting planner tries: 1, 2, 4, 8 GPUs, then whole nodes of 8 (up to 8 nodes).
REPLICA_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64)
ACT_BYTES = 2.0  # activations exchanged in all-reduces and the MoE combine are bf16
DISPATCH_BYTES = 1.0  # MoE dispatch sends fp8 activations (DeepEP / DeepSeek's inference system)
# Scale-out network per GPU when data/gpus.yaml gives none: one 400 Gb/s ConnectX-7 NIC per GPU, as
# in NVIDIA DGX H100/H200/B200 servers (NVIDIA DGX H100 user guide: "8x single-port ConnectX-7, 400 Gb/s
# InfiniBand/Ethernet" for the compute fabric); a 20 us hop latency is an assumption.
DEFAULT_SCALE_OUT_GBPS = 400.0
SCALE_OUT_SOURCE = "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html (8x ConnectX-7 400 Gb/s)"
INTER_NODE_LATENCY_S = 20e-6
BOUNDS = ("memory", "compute", "kv-capacity", "latency")
RESULT_KEYS = ("fits", "fits_context", "latency_ok", "batch", "max_batch_kv", "output_tokens_per_s",
               "requests_per_s", "per_user_tokens_per_s", "tpot_ms", "ttft_ms", "decode_step_ms", "prefill_ms",
               "bound", "weights_gb_per_gpu", "kv_gb_per_gpu", "kv_capacity_gb_per_gpu", "overhead_gb_per_gpu",
               "usable_gb_per_gpu")  # the keys of evaluate()
RATE_MIN = 1e-3  # requests completed per engine step at which "a lone request" is evaluated


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
    fp4_efficiency: float = 1.0  # share of the fp4 tensor-core peak fp4 GEMMs reach relative to fp8's share
    # share of peak memory bandwidth paged-attention decode kernels reach reading the KV cache (scattered
    # blocks, one sequence per thread block) as against streaming the weights (bandwidth_efficiency)
    kv_bandwidth_efficiency: float = 0.8
    # KV-cache memory rule: 0 = usable_memory_fraction of the whole GPU minus weights (vLLM
    # --gpu-memory-utilization, SGLang --mem-fraction-static); > 0 = this share of the memory still free
    # after weights and runtime overhead (TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction, default 0.9)
    kv_free_memory_fraction: float = 0.0
    # assumptions, not fitted (see data/calibration.yaml `source`)
    a2a_overlap: float = 0.5  # share of expert-parallel all-to-all hidden by two-micro-batch overlap
    # share of the link rate expert-parallel dispatch/combine reach: DeepEP (github.com/deepseek-ai/DeepEP,
    # docs/legacy.md) measured on H800 with 400 Gb/s CX7 NICs (~50 GB/s) 39-40 GB/s for the low-latency
    # kernels at EP128-256 and, inside a node, 153-158 GB/s over NVLink (~160 GB/s usable of 200 GB/s one way)
    ep_network_efficiency: float = 0.78
    ep_imbalance: float = 1.0  # scale of the routing-skew term (0 = perfectly balanced experts)
    prefill_chunk_tokens: float = 8192.0  # prompt tokens per step (vLLM/SGLang chunked-prefill budget)
    planned_utilization: float = 0.7  # load at which TTFT queueing is evaluated
    prefix_cache_reserve: float = 0.2  # share of KV memory kept for cached prefixes, x cached fraction
    # share of prefill_compute_efficiency a prefill-only wide expert-parallel pool reaches (DeepEP normal
    # dispatch + grouped GEMMs over permuted, per-expert-padded token blocks instead of the mixed engine's
    # dense batches); fitted on published disaggregated prefill pools (data/measurements `pool` rows)
    pool_prefill_efficiency: float = 1.0
    # speculative decoding, a deployment choice (never fitted, off by default): draft tokens proposed per
    # decode step by a one-layer draft head (DeepSeek-V3's MTP module, EAGLE heads) and the chance each is
    # accepted; see spec_gain and step_s
    spec_tokens: float = 0.0
    spec_acceptance: float = 0.0

    @classmethod
    def from_factors(cls, f: EfficiencyFactors | None, engine: str = "default") -> PerfParams:
        """Parameters from data/calibration.yaml (the `extra` map holds the rest; `engines` per engine)."""
        if f is None:
            return cls()
        base = {k: getattr(f, k) for k in (
            "bandwidth_efficiency", "decode_compute_efficiency", "prefill_compute_efficiency",
            "step_overhead_ms", "interconnect_efficiency", "usable_memory_fraction", "runtime_overhead_gb",
        )}
        names = {x.name for x in fields(cls)}
        base.update({k: float(v) for k, v in f.extra.items() if k in names})
        if engine != "default":
            eng = f.engines.get(engine)
            if eng is None:
                raise InputError(f"engine {engine!r} has no fitted profile in data/calibration.yaml "
                                 f"(have: default, {', '.join(sorted(f.engines))})")
            base.update({k: float(v) for k, v in eng.factors.items() if k in names})
        return cls(**base)

    def scaled(self, efficiency_scale: float) -> PerfParams:
        """Throughput scaled by a user factor: efficiencies up, overheads down."""
        if efficiency_scale == 1.0:
            return self
        s = efficiency_scale
        return replace(
            self,
            bandwidth_efficiency=self.bandwidth_efficiency * s,
            kv_bandwidth_efficiency=self.kv_bandwidth_efficiency * s,
            decode_compute_efficiency=self.decode_compute_efficiency * s,
            prefill_compute_efficiency=self.prefill_compute_efficiency * s,
            interconnect_efficiency=self.interconnect_efficiency * s,
            step_overhead_ms=self.step_overhead_ms / s,
            allreduce_latency_us=self.allreduce_latency_us / s,
        )


# --------------------------------------------------------------------------- scalar formulas


def drafts(p: PerfParams) -> int:
    """Draft tokens proposed per decode step (0 = no speculative decoding)."""
    return round(max(p.spec_tokens, 0.0))


def spec_gain(p: PerfParams) -> float:
    """Output tokens one decoding sequence gains per step under speculative decoding: 1 + a + ... + a^k for
    k draft tokens each accepted with chance a (verification stops at the first rejection and the target
    model's own next token is always kept); 1 without drafts. DeepSeek-V3 (arXiv:2412.19437, 5.4.3): one
    MTP draft accepted 85-90% of the time gives 1.85-1.9 tokens per step, "1.8 times TPS" once the draft's
    own cost is paid."""
    k = drafts(p)
    a = min(max(p.spec_acceptance, 0.0), 1.0)
    if k <= 0:
        return 1.0
    return float(k + 1) if a >= 1.0 else (1.0 - a ** (k + 1)) / (1.0 - a)


def dense_precision(model: ModelArch, precision: str) -> str:
    """Precision of the non-expert weights (attention, shared experts, dense layers, embeddings).

    4-bit checkpoints of MoE models quantize the routed experts only and keep the rest at 8 bits:
    nvidia/DeepSeek-R1-FP4 (ModelOpt: the MoE linear layers), DeepSeek V4 (FP8 block-quantized
    linear/attention layers, FP4 experts: vLLM's DeepseekV4FP8Config), novita/Deepseek-R1-W4AFP8 (INT4
    experts, FP8 dense). gpt-oss keeps them at bf16 (modules_to_not_convert), about 2 GB more for
    gpt-oss-120b than counted here. Dense models and 8/16-bit precisions: the precision itself.
    """
    if precision in ("fp4", "int4") and model.experts_routed > model.experts_active > 0:
        return "fp8"
    return precision


def _dense_expert_params_b(model: ModelArch) -> tuple[float, float]:
    """(non-expert params, routed-expert params) in billions; (all, 0) for a dense model."""
    e, k = float(model.experts_routed), float(model.experts_active)
    if e > k > 0:
        per_expert_b = (model.params_b_total - model.params_b_active) / (e - k)
        dense_b = max(model.params_b_active - k * per_expert_b, 0.0)
        return dense_b, model.params_b_total - dense_b
    return model.params_b_total, 0.0


def weights_bytes(model: ModelArch, precision: str) -> float:
    """Bytes of all weights at a precision (routed experts at it, the rest at dense_precision)."""
    dense_b, expert_b = _dense_expert_params_b(model)
    return (dense_b * _bpp(dense_precision(model, precision)) + expert_b * _bpp(precision)) * 1e9


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


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    """How N GPUs serve a model: dp instances of tp x pp GPUs; ep = expert-parallel width (1 = none)."""

    tp: int
    pp: int = 1
    ep: int = 1
    attention_dp: bool = False
    dp: int = 1

    @property
    def instance_gpus(self) -> int:
        return self.tp * self.pp

    @property
    def gpus(self) -> int:
        return self.instance_gpus * self.dp

    def as_dict(self, gpus_per_node: int) -> dict[str, Any]:
        """The JSON form: {"tp", "dp", "ep", "pp", "nodes", "attention_dp"}."""
        nodes = max(1, math.ceil(self.gpus / gpus_per_node))
        return {"tp": self.tp, "dp": self.dp, "ep": self.ep, "pp": self.pp, "nodes": nodes,
                "attention_dp": self.attention_dp}


def scale_up_gpus(gpu: Gpu) -> int:
    """GPUs in one NVLink / Infinity-Fabric domain (data/gpus.yaml; default: the GPUs of one node, max 8)."""
    return int(gpu.scale_up_domain_gpus or min(gpu.max_gpus_per_node, GPUS_PER_NODE))


def scale_out_bytes_s(gpu: Gpu) -> float:
    """Inter-node bytes/s per GPU (data/gpus.yaml, default DEFAULT_SCALE_OUT_GBPS)."""
    return float(gpu.scale_out_gbps_per_gpu or DEFAULT_SCALE_OUT_GBPS) * 1e9 / 8.0


def _pow2_upto(n: int) -> list[int]:
    out, v = [], 1
    while v <= n:
        out.append(v)
        v *= 2
    return out


def instance_layouts(model: ModelArch, gpu: Gpu, g: int) -> list[Layout]:
    """Every layout of one instance of exactly g GPUs the planner considers (dp = 1)."""
    dom = scale_up_gpus(gpu)
    moe = model.experts_routed > model.experts_active > 0
    multinode = gpu.interconnect != "pcie"
    out: list[Layout] = []
    if g > dom and not multinode:
        return out
    for tp in _pow2_upto(min(g, dom)):
        if g % tp == 0 and (g // tp == 1 or tp == min(g, dom) or gpu.interconnect == "pcie"):
            out.append(Layout(tp=tp, pp=g // tp))
    if moe and g > 1:
        if g <= dom:
            out.append(Layout(tp=g, ep=g))
        out.append(Layout(tp=g, ep=g, attention_dp=True))
    return out


def layouts_for_total(model: ModelArch, gpu: Gpu, gpus: int, tp: int | None = None, ep: int | None = None,
                      pp: int | None = None) -> list[Layout]:
    """Layouts of exactly `gpus` GPUs (dp replicas of an instance), filtered by the pins; clear errors."""
    if gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {gpus}")
    for name, v in (("tp", tp), ("ep", ep), ("pp", pp)):
        if v is not None and (v <= 0 or gpus % v):
            raise InputError(f"--{name} {v} does not divide --gpus {gpus}")
    moe = model.experts_routed > model.experts_active > 0
    if ep is not None and ep > 1 and not moe:
        raise InputError(f"--ep {ep}: {model.id} is a dense model (no experts to spread)")
    dom = scale_up_gpus(gpu)
    if tp is not None and tp > dom and not (moe and ep == tp):
        raise InputError(f"--tp {tp} exceeds the {dom}-GPU NVLink domain of {gpu.id}; use --pp or --ep across nodes")
    out: list[Layout] = []
    for g in sorted(d for d in range(1, min(gpus, 4096) + 1) if gpus % d == 0):
        pool = _all_instance_layouts(model, gpu, g) if (tp or pp) else instance_layouts(model, gpu, g)
        for lay in pool:
            if tp is not None and lay.tp != tp:
                continue
            if pp is not None and lay.pp != pp:
                continue
            if ep is not None and lay.ep != ep:
                continue
            out.append(replace(lay, dp=gpus // g))
    if not out:
        pins = " ".join(f"--{k} {v}" for k, v in (("tp", tp), ("ep", ep), ("pp", pp)) if v is not None)
        raise InputError(f"no layout of {gpus} x {gpu.id} matches {pins or 'the request'} "
                         f"(tensor parallel stays within {dom} GPUs; ep = 1 or tp x pp; "
                         f"{'PCIe GPUs stay within one node' if gpu.interconnect == 'pcie' else 'pp crosses nodes'})")
    return out


def _all_instance_layouts(model: ModelArch, gpu: Gpu, g: int) -> list[Layout]:
    """instance_layouts plus every tp x pp split (used when the user gives the total and may pin)."""
    dom = scale_up_gpus(gpu)
    out = [Layout(tp=tp, pp=g // tp) for tp in _pow2_upto(min(g, dom)) if g % tp == 0]
    if g > dom and gpu.interconnect == "pcie":
        out = []
    moe = model.experts_routed > model.experts_active > 0
    if moe and g > 1:
        if g <= dom:
            out.append(Layout(tp=g, ep=g))
        if g <= dom or gpu.interconnect != "pcie":
            out.append(Layout(tp=g, ep=g, attention_dp=True))
    return out


# --------------------------------------------------------------------------- vectorised rows


@dataclass(frozen=True)
class Rows:
    """Column arrays describing R instances (model x GPU x precision x layout); built by `rows()`."""

    n: F  # GPUs per instance (tp x pp)
    tp: F
    pp: F
    ep: F
    adp: F  # 1 = attention data-parallel
    layers: F
    hidden: F
    attn_hd: F  # heads x head dim used by decode attention FLOPs (4 x layers x context x attn_hd per token)
    attn_hd_pre: F  # the same for prefill (MLA: the un-absorbed multi-head form, (qk + v dims) / 2 per head)
    active_b: F  # active params (billions)
    expert_act_b: F  # active routed-expert params per token (billions)
    dense_bytes: F  # non-expert weights
    expert_bytes: F  # bytes of one routed expert over all MoE layers
    experts: F  # routed experts E (0 = dense)
    experts_k: F  # active routed experts k
    weights: F  # all weight bytes
    kv_heads: F  # GQA KV heads
    is_mla: F
    kv_full1: F  # KV bytes per token of full-attention layers, one copy
    kv_sw1: F  # KV bytes per token of sliding-window layers, one copy
    window: F
    mem_per_gpu: F  # usable bytes per GPU (after fraction and overhead)
    node: F  # GPUs in the scale-up domain
    bw: F  # bytes/s per GPU
    flops: F  # FLOP/s per GPU at compute precision (the routed experts' under a 4-bit MoE checkpoint)
    flops_dense: F  # FLOP/s per GPU of the non-expert GEMMs (dense_precision)
    attn_flops: F  # FLOP/s per GPU of attention maths (at the KV cache's precision, never below fp8)
    link: F  # bytes/s per GPU one way over the scale-up link
    scale_out: F  # bytes/s per GPU one way across nodes
    is_moe: F
    moe_layers: F  # layers with routed experts (all layers but the leading dense ones)
    max_context: F
    multinode: F  # 1 where instances may span nodes


def take(r: Rows, idx: NDArray[np.intp]) -> Rows:
    """Rows picked (and repeated) by an index array."""
    return Rows(**{f.name: getattr(r, f.name)[idx] for f in fields(Rows)})


def with_layout(r: Rows, tp: F, pp: F | None = None, ep: F | None = None, adp: F | None = None) -> Rows:
    """The same rows under another instance layout."""
    tp = np.asarray(tp, dtype=float) * np.ones_like(r.n)
    pp = np.ones_like(tp) if pp is None else np.asarray(pp, dtype=float) * np.ones_like(tp)
    ep = np.ones_like(tp) if ep is None else np.asarray(ep, dtype=float) * np.ones_like(tp)
    adp = np.zeros_like(tp) if adp is None else np.asarray(adp, dtype=float) * np.ones_like(tp)
    return replace(r, n=tp * pp, tp=tp, pp=pp, ep=ep, adp=adp)


def with_n(r: Rows, n: F) -> Rows:
    """The same rows on n GPUs per instance, default layout: tp within the domain, pp across nodes; models
    with latent or compressed KV (MLA, DeepSeek V4) use attention DP (+ expert parallelism when MoE),
    as SGLang and TensorRT-LLM serve them, so their KV is never replicated."""
    n = np.asarray(n, dtype=float)
    tp = np.minimum(n, r.node)
    pp = np.maximum(np.round(n / tp), 1.0)
    adp = np.where((r.is_mla > 0) & (tp > 1), 1.0, 0.0)
    ep = np.where((adp > 0) & (r.is_moe > 0), tp, 1.0)
    return with_layout(r, tp, pp, ep, adp)


def rows(
    specs: Sequence[tuple[ModelArch, Gpu, str, int]],
    params: PerfParams,
    kv_precision: Sequence[str | None] | None = None,
    layouts: Sequence[Layout] | None = None,
) -> Rows:
    """Column arrays for (model, gpu, precision, gpus) tuples; kv_precision None = default rule.

    Without `layouts`, `gpus` GPUs form one instance (tp within the scale-up domain, pp across nodes).
    """
    names = [f.name for f in fields(Rows)]
    data = np.zeros((len(specs), len(names)))
    kvp = list(kv_precision) if kv_precision is not None else [None] * len(specs)
    for i, ((m, g, p, n), kvq) in enumerate(zip(specs, kvp, strict=True)):
        bpp = _bpp(p)
        dp_ = dense_precision(m, p)
        bpp_dense = _bpp(dp_)
        e, k = float(m.experts_routed), float(m.experts_active)
        if e > k > 0:
            per_expert_b = (m.params_b_total - m.params_b_active) / (e - k)
            dense_b = max(m.params_b_active - k * per_expert_b, 0.0)
        else:
            per_expert_b, dense_b, e, k = 0.0, m.params_b_active, 0.0, 0.0
        kp = kv_parts(m, kvq or default_kv_precision(p, g))
        kv_full, kv_sw = kp.full, kp.capped + kp.local
        hd, hd_pre = _attn_head_dims(m)
        mla = 0.0 if kp.replicated else 1.0  # latent / compressed KV: one copy per tensor-parallel rank
        kvh = float(m.kv_heads) if kp.replicated else 1.0
        data[i] = [
            n, n, 1.0, 1.0, 0.0, m.layers, m.hidden_size, hd, hd_pre, m.params_b_active, k * per_expert_b,
            dense_b * 1e9 * bpp_dense, per_expert_b * 1e9 * bpp, e, k, weights_bytes(m, p), kvh, mla,
            kv_full, kv_sw, kp.window,
            g.memory_gb * GIB * params.usable_memory_fraction - params.runtime_overhead_gb * 1e9,
            float(scale_up_gpus(g)), g.mem_bandwidth_tbs * 1e12,
            peak_tflops(p, g) * 1e12 * (params.fp4_efficiency if compute_precision(p, g) == "fp4" else 1.0),
            peak_tflops(dp_, g) * 1e12 * (params.fp4_efficiency if compute_precision(dp_, g) == "fp4" else 1.0),
            peak_tflops(_attn_precision(p, kvq or default_kv_precision(p, g)), g) * 1e12,
            g.interconnect_gbs * 1e9 / 2, scale_out_bytes_s(g), 1.0 if e > 0 else 0.0,
            float(m.layers - m.dense_layers) if e > 0 else 0.0, float(m.max_context_tokens), 0.0 if g.interconnect == "pcie" else 1.0,
        ]
    r = Rows(**{name: np.ascontiguousarray(data[:, j]) for j, name in enumerate(names)})
    if layouts is None:
        return with_n(r, r.n)
    return with_layout(r, np.array([float(x.tp) for x in layouts]), np.array([float(x.pp) for x in layouts]),
                       np.array([float(x.ep) for x in layouts]),
                       np.array([1.0 if x.attention_dp else 0.0 for x in layouts]))


def _attn_head_dims(m: ModelArch) -> tuple[float, float]:
    """(decode, prefill) heads x dims d such that attention costs 4 x layers x context x d FLOPs per token.

    GQA: heads x head_dim for both (QK^T and PV, 2 FLOPs per multiply-add each). MLA decodes in the
    absorbed form (queries against the cached latent: kv_lora_rank + rope dims for QK, kv_lora_rank for PV,
    as FlashMLA and the vLLM/SGLang MLA backends run it) and prefills in the un-absorbed multi-head form
    (qk_nope + rope dims for QK, v_head_dim for PV; DeepSeek-V3 technical report, arXiv:2412.19437, 2.1.1).
    """
    h = float(m.attention_heads)
    if m.attention != "mla":
        return h * m.head_dim, h * m.head_dim
    assert m.kv_lora_rank is not None and m.qk_rope_head_dim is not None
    dec = h * (2.0 * m.kv_lora_rank + m.qk_rope_head_dim) / 2.0
    pre = h * ((m.qk_nope_head_dim or m.head_dim) + m.qk_rope_head_dim + (m.v_head_dim or m.head_dim)) / 2.0
    return dec, pre


def _attn_precision(precision: str, kv_precision: str) -> str:
    """Attention runs at the KV cache's precision (fp8 at the lowest), not at fp4/int4 weight precision."""
    order = ("fp4", "int4", "fp8", "int8", "bf16", "fp16")
    kv = "fp8" if kv_precision in ("fp4", "int4", "int8") else kv_precision
    w = "fp8" if precision in ("fp4", "int4") else precision
    return max(w, kv, key=order.index) if w in order and kv in order else "bf16"


def _kv_rep(r: Rows) -> F:
    """Copies of each sequence's KV under the layout's attention parallelism."""
    gqa = np.maximum(1.0, r.tp / np.maximum(r.kv_heads, 1.0))
    tp_rep = np.where(r.is_mla > 0, r.tp, gqa)
    return np.where(r.adp > 0, 1.0, tp_rep)


def _kv_seq(r: Rows, ctx: F) -> F:
    """KV bytes (all copies) of one sequence holding ctx tokens."""
    one = r.kv_full1 * ctx + r.kv_sw1 * np.minimum(ctx, np.where(r.window > 0, r.window, ctx))
    return one * _kv_rep(r)


def weights_stored(r: Rows) -> F:
    """Weight bytes held by one instance (attention DP keeps the non-expert weights on every rank)."""
    return r.weights + np.where(r.adp > 0, r.dense_bytes * (r.tp - 1.0), 0.0)


def _moe_div(r: Rows, p: PerfParams) -> F:
    return np.where(r.is_moe > 0, p.moe_efficiency, 1.0)


def _touched(r: Rows, tokens: F) -> F:
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(r.experts > 0, r.experts_k / np.maximum(r.experts, 1.0), 0.0)
        return r.experts * (1.0 - np.power(1.0 - frac, np.maximum(tokens, 0.0)))


def _weights_read(r: Rows, tokens: F) -> F:
    """Weight bytes (whole instance, one copy) read by a forward pass over `tokens` tokens."""
    return r.dense_bytes + r.expert_bytes * _touched(r, tokens)


def _imbalance(r: Rows, tokens: F, p: PerfParams) -> F:
    """Busiest expert-parallel rank's load over the mean: 1 + s sqrt(2 ln ep / tokens per rank)."""
    per_rank = np.maximum(tokens * r.experts_k / np.maximum(r.ep, 1.0), 1.0)
    imb = 1.0 + p.ep_imbalance * np.sqrt(2.0 * np.log(np.maximum(r.ep, 1.0)) / per_rank)
    return np.where((r.ep > 1) & (r.is_moe > 0), np.minimum(imb, r.ep), 1.0)


def _touched_busiest(r: Rows, tokens: F, imb: F) -> F:
    """Experts whose weights the step reads, as seen by the busiest expert-parallel rank, scaled to the instance.

    The busiest rank carries imb x its mean share of token-expert assignments, spread over its own E/ep
    experts; it never reads more than all of them. Monotone in `tokens` (a bigger batch never reads less),
    and equal to _touched x imb while few experts are touched.
    """
    ep = np.maximum(r.ep, 1.0)
    e = np.maximum(r.experts, 1.0)
    load = tokens * r.experts_k / ep * imb  # assignments landing on the busiest rank
    miss = np.clip(1.0 - ep / e, 0.0, 1.0)  # chance one assignment misses a given expert of that rank
    with np.errstate(invalid="ignore", divide="ignore"):
        busiest = r.experts * (1.0 - np.power(miss, np.maximum(load, 0.0)))
    return np.where((r.ep > 1) & (r.is_moe > 0), busiest, _touched(r, tokens))


def _allreduce_s(r: Rows, tokens: F, p: PerfParams) -> F:
    """Exposed communication seconds of one step over `tokens` tokens: TP all-reduce, EP all-to-all, PP."""
    frac = 2.0 * (r.tp - 1.0) / np.maximum(r.tp, 1.0)
    one = p.allreduce_latency_us * 1e-6 + frac * tokens * r.hidden * ACT_BYTES / (r.link * p.interconnect_efficiency)
    n_ar = np.where(r.adp > 0, 0.0, np.where(r.ep > 1, 1.0, 2.0)) * r.layers
    tp_part = np.where(r.tp > 1, n_ar * one, 0.0)
    # expert-parallel all-to-all: each token's hidden state to k experts and back, (ep-1)/ep of it off-GPU
    ep = np.maximum(r.ep, 1.0)
    inter = np.clip(1.0 - r.node / ep, 0.0, 1.0)
    per_gpu = tokens / r.n * r.experts_k * r.hidden * (DISPATCH_BYTES + ACT_BYTES) * (ep - 1.0) / ep
    bw_t = per_gpu * ((1.0 - inter) / r.link + inter / r.scale_out) / p.interconnect_efficiency
    lat = 2.0 * (p.allreduce_latency_us * 1e-6 + inter * INTER_NODE_LATENCY_S)
    a2a = np.where((r.ep > 1) & (r.is_moe > 0), r.layers * (bw_t + lat) * (1.0 - p.a2a_overlap), 0.0)
    hop_link = np.where(r.n > r.node, r.scale_out, r.link)
    pp_part = (r.pp - 1.0) * (INTER_NODE_LATENCY_S + tokens * r.hidden * ACT_BYTES / hop_link)
    return tp_part + a2a + pp_part


def _comm_coeffs(r: Rows, p: PerfParams) -> tuple[F, F]:
    """(A, B) with _allreduce_s(r, tokens, p) == A + B x tokens (every term is affine in tokens)."""
    a = _allreduce_s(r, np.zeros_like(r.n), p)
    return a, _allreduce_s(r, np.ones_like(r.n), p) - a


def _static(r: Rows, ctx: F, p: PerfParams) -> dict[str, F]:
    """The parts of a step that do not depend on the tokens in it (computed once per evaluation)."""
    moe = _moe_div(r, p)
    attn_ctx = np.where(r.kv_sw1 > 0, (r.kv_full1 * ctx + r.kv_sw1 * np.minimum(ctx, r.window))
                        / np.maximum(r.kv_full1 + r.kv_sw1, 1e-9), ctx)
    attn_scale = r.flops / r.attn_flops  # attention maths at the KV precision, in flops-equivalents
    comm_a, comm_b = _comm_coeffs(r, p)
    return {
        # weight bytes one GPU reads per step. Pipeline stages hold 1/pp of the layers each but a step (one token
        # for every sequence) passes pp micro-batches through every stage, each re-reading the stage's weights:
        # a step reads weights / tp per GPU, and a lone sequence's token still crosses all pp stages in turn
        "dense_pg": r.dense_bytes / np.where(r.adp > 0, 1.0, r.tp),
        "expert_pg": r.expert_bytes * r.pp / r.n / moe,
        "kv_pg": _kv_seq(r, ctx) / r.n * p.bandwidth_efficiency / p.kv_bandwidth_efficiency,
        "mem_div": r.bw * p.bandwidth_efficiency,
        "lin_dense": 2e9 * (r.active_b - r.expert_act_b) * r.flops / r.flops_dense,  # in expert-GEMM equivalents
        "lin_exp": 2e9 * r.expert_act_b / moe,
        "attn_dec": 4.0 * r.layers * attn_ctx * r.attn_hd * attn_scale,
        "attn_scale": attn_scale,
        "cmp_div": r.n * r.flops,
        "comm_a": comm_a, "comm_b": comm_b,
    }


def _soft_max(a: F, b: F) -> F:
    """A kernel between its memory and compute bounds: the 2-norm, sqrt(a^2 + b^2) (max(a, b) far from the
    ridge point, 1.41 x max at it, where neither the loads nor the tensor cores are kept busy)."""
    out: F = np.hypot(a, b)
    return out


def step_s(r: Rows, dec: F, pre: F, pre_attn_flops: F, ctx: F, p: PerfParams,
           st: dict[str, F] | None = None) -> tuple[F, F, F]:
    """(seconds, memory-time, compute-time) of one engine step: `dec` decode tokens at mean context ctx
    plus `pre` prefill tokens (whose attention costs `pre_attn_flops`), per instance. `st`: _static(r, ctx, p)."""
    st = st if st is not None else _static(r, ctx, p)
    # speculative decoding: each decoding sequence verifies 1 + k query tokens against its KV (read once)
    k = float(drafts(p))
    q = 1.0 + k
    tokens = dec * q + pre
    imb = _imbalance(r, tokens, p)
    # two rooflines, run one after the other within a layer: the GEMMs (weights streamed vs linear FLOPs)
    # and attention (KV read vs attention FLOPs); a memory-bound kernel cannot hide a compute-bound one
    t_w = (st["dense_pg"] + st["expert_pg"] * _touched_busiest(r, tokens, imb)) / st["mem_div"]
    t_kv = dec * st["kv_pg"] / st["mem_div"]
    lin = st["lin_dense"] + st["lin_exp"] * imb
    t_lin = (dec * q * lin / p.decode_compute_efficiency + pre * lin / p.prefill_compute_efficiency) / st["cmp_div"]
    t_att = (dec * q * st["attn_dec"] / p.decode_compute_efficiency
             + pre_attn_flops * st["attn_scale"] / p.prefill_compute_efficiency) / st["cmp_div"]
    t = (_soft_max(t_w, t_lin) + _soft_max(t_kv, t_att) + st["comm_a"] + st["comm_b"] * tokens
         + p.step_overhead_ms * 1e-3)
    if k > 0:
        # the draft head proposes its k tokens one after another, each a pass of one decoder layer over the
        # decoding sequences (weights, KV and FLOPs of an average layer; the shared LM head is not re-counted)
        imb1 = _imbalance(r, dec, p)
        w1 = (st["dense_pg"] + st["expert_pg"] * _touched_busiest(r, dec, imb1)) / st["mem_div"]
        lin1 = dec * (st["lin_dense"] + st["lin_exp"] * imb1) / p.decode_compute_efficiency / st["cmp_div"]
        att1 = dec * st["attn_dec"] / p.decode_compute_efficiency / st["cmp_div"]
        t = t + np.where(dec > 0, k / r.layers * (_soft_max(w1, lin1) + _soft_max(t_kv, att1)), 0.0)
    return t, t_w + t_kv, t_lin + t_att


def decode_step_s(r: Rows, batch: F, ctx: F, p: PerfParams) -> tuple[F, F, F]:
    """(step seconds, memory-time, compute-time) of a pure decode step at `batch` sequences of ctx tokens."""
    z = np.zeros_like(np.asarray(batch, dtype=float) * r.n)
    return step_s(r, np.asarray(batch, dtype=float) + z, z, z, np.asarray(ctx, dtype=float) + z, p)


def _prefill_attn(r: Rows, prompt: F, new: F) -> F:
    """Attention FLOPs of prefilling `new` tokens at the end of a prompt of `prompt` tokens (causal)."""
    return 4.0 * r.layers * new * np.maximum(prompt - new / 2.0, 0.0) * r.attn_hd_pre


def prefill_s(r: Rows, prompt: F, p: PerfParams, new_tokens: F | None = None) -> F:
    """Seconds to prefill one prompt alone (in chunks of prefill_chunk_tokens), `new_tokens` not cached."""
    new = np.asarray(prompt if new_tokens is None else new_tokens, dtype=float) + 0.0 * r.n
    chunks = np.maximum(np.ceil(new / p.prefill_chunk_tokens - 1e-9), 1.0)
    per = new / chunks
    z = np.zeros_like(new)
    t, _, _ = step_s(r, z, per, _prefill_attn(r, np.asarray(prompt, dtype=float) + z, new) / chunks, z, p)
    return np.where(new > 0, chunks * t, 0.0)


def _queue_factor(p: PerfParams) -> float:
    rho = min(max(p.planned_utilization, 0.0), 0.95)
    return 1.0 + rho / (2.0 * (1.0 - rho))


def _at_rate(r: Rows, rate: F, i_tok: F, o_tok: F, n_new: F, p: PerfParams,
             st: dict[str, F] | None = None) -> dict[str, F]:
    """Steady state at `rate` requests completing per step (per instance)."""
    od = o_tok - 1.0
    ctx = i_tok + o_tok / 2.0
    st = st if st is not None else _static(r, ctx, p)
    gain = spec_gain(p)  # output tokens per decoding sequence per step
    dec = rate * od / gain
    pre = rate * n_new
    attn1 = _prefill_attn(r, i_tok, n_new)
    t, t_mem, t_cmp = step_s(r, dec, pre, rate * attn1, ctx, p, st)
    # TTFT: the prompt's chunks, each in a step carrying at least that chunk, at this load, queued
    chunks = np.maximum(np.ceil(n_new / p.prefill_chunk_tokens - 1e-9), 1.0)
    chunk = n_new / chunks
    extra = np.maximum(chunk - pre, 0.0)
    t_chunk, _, _ = step_s(r, dec, pre + extra, np.maximum(rate * attn1, attn1 / chunks), ctx, p, st)
    ttft = chunks * np.maximum(t_chunk, t) * _queue_factor(p)
    return {"step": t, "tpot": t / gain, "ttft": ttft, "req": rate / t, "thr": rate * o_tok / t,
            "t_mem": t_mem, "t_cmp": t_cmp, "t_pre": chunks * np.maximum(t_chunk, t)}


def kv_memory(r: Rows, p: PerfParams) -> F:
    """Bytes one instance gives its KV cache, by the engine's rule (PerfParams.kv_free_memory_fraction)."""
    total = r.n * r.mem_per_gpu - weights_stored(r)  # usable_memory_fraction of the GPU, minus weights
    if p.kv_free_memory_fraction <= 0:
        return total
    ov = p.runtime_overhead_gb * 1e9
    raw = (r.mem_per_gpu + ov) / max(p.usable_memory_fraction, 1e-9) - ov  # whole GPU minus runtime overhead
    out: F = p.kv_free_memory_fraction * (r.n * raw - weights_stored(r))
    return out


def _memory_fit(r: Rows, i_tok: F, o_tok: F, p: PerfParams, cached: F, min_context_tokens: F | float
                ) -> tuple[F, NDArray[np.bool_], NDArray[np.bool_]]:
    """(KV budget bytes, fits, fits the context) of each instance for these request lengths."""
    kv_budget = kv_memory(r, p) * (1.0 - p.prefix_cache_reserve * cached)
    full_ctx = i_tok + o_tok
    min_ctx = np.broadcast_to(np.asarray(min_context_tokens, dtype=float), r.n.shape)
    fits_ctx: NDArray[np.bool_] = (full_ctx <= r.max_context) & (min_ctx <= r.max_context)
    fits: NDArray[np.bool_] = ((kv_budget >= p.useful_sequences * _kv_seq(r, full_ctx))
                               & (kv_budget >= _kv_seq(r, min_ctx)) & fits_ctx
                               & ((r.n <= r.node) | (r.multinode > 0)) & (np.where(r.adp > 0, 1.0, r.tp) <= r.node))
    return kv_budget, fits, fits_ctx


def fits_mask(r: Rows, input_tokens: float, output_tokens: float, p: PerfParams, cached_fraction: float = 0.0,
              min_context_tokens: float = 0.0) -> NDArray[np.bool_]:
    """Which instances hold the model and useful_sequences full contexts (the `fits` of `evaluate`), cheaply."""
    size = r.n.shape
    i_tok = np.full(size, float(input_tokens))
    o_tok = np.full(size, max(float(output_tokens), 1.0))
    cached = np.full(size, min(max(float(cached_fraction), 0.0), 1.0))
    return _memory_fit(r, i_tok, o_tok, p, cached, min_context_tokens)[1]


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
    """Fit, batch, throughput and latency for every row (one instance each), vectorised.

    cached_fraction: share of prompt tokens found in the prefix cache (no prefill compute; the
    cache keeps prefix_cache_reserve x cached_fraction of the KV memory); min_context_tokens: a
    context the deployment must also hold for one sequence; max_batch: cap on decoding sequences.
    """
    size = r.n.shape
    i_tok = np.broadcast_to(np.asarray(input_tokens, dtype=float), size)
    o_tok = np.maximum(np.broadcast_to(np.asarray(output_tokens, dtype=float), size), 1.0)
    tpot_lim = np.broadcast_to(np.asarray(np.inf if max_tpot_ms is None else max_tpot_ms, dtype=float), size) / 1e3
    ttft_lim = np.broadcast_to(np.asarray(np.inf if max_ttft_ms is None else max_ttft_ms, dtype=float), size) / 1e3
    cap = np.broadcast_to(np.asarray(p.max_batch if max_batch is None else max_batch, dtype=float), size)
    cached = np.clip(np.broadcast_to(np.asarray(cached_fraction, dtype=float), size), 0.0, 1.0)
    n_new = i_tok * (1.0 - cached)

    kv_budget, fits, fits_ctx = _memory_fit(r, i_tok, o_tok, p, cached, min_context_tokens)
    kv_mean_seq = _kv_seq(r, i_tok + o_tok / 2.0)
    b_kv = np.floor(np.maximum(kv_budget, 0.0) / np.maximum(kv_mean_seq, 1e-9))
    gain = spec_gain(p)
    seqs = np.maximum(o_tok - 1.0, 1.0) / gain  # sequences decoding per request completed per step
    # requests resident per request completed per step: (O - 1) / gain decode steps plus the prompt's prefill
    # steps (an engine's batch cap, vLLM/SGLang max_num_seqs or a client's fixed concurrency, counts both)
    resident = (np.maximum(o_tok - 1.0, 0.0) / gain
                + np.maximum(np.ceil(n_new / p.prefill_chunk_tokens - 1e-9), 1.0))
    b_hi = np.maximum(np.minimum(b_kv, cap), 1.0)
    r_hi = b_hi / resident
    # feasibility is judged for a lone request (a trickle of RATE_MIN requests per step), the same for
    # every request length, so a longer request can never turn an infeasible deployment feasible
    r_lo = np.minimum(RATE_MIN, r_hi)
    decodes = o_tok > 1.0

    st_all = _static(r, i_tok + o_tok / 2.0, p)

    def ok(rate: F) -> NDArray[np.bool_]:
        m = _at_rate(r, rate, i_tok, o_tok, n_new, p, st_all)
        good: NDArray[np.bool_] = ((~decodes | (m["tpot"] <= tpot_lim * (1 + 1e-9)))
                                   & (m["ttft"] <= ttft_lim * (1 + 1e-9)))
        return good

    latency_ok = ok(r_lo)
    hi_ok = ok(r_hi)
    lo, hi = np.log(r_lo), np.log(r_hi)
    todo = np.flatnonzero(latency_ok & ~hi_ok & fits)
    if todo.size:
        sub = take(r, todo)
        it, ot, nn = i_tok[todo], o_tok[todo], n_new[todo]
        tl, fl, dc = tpot_lim[todo], ttft_lim[todo], decodes[todo]
        a, b = lo[todo], hi[todo]
        st_sub = {k: v[todo] for k, v in st_all.items()}
        for _ in range(14):  # log-space bisection: r within 0.1% of the largest feasible rate
            mid = (a + b) / 2.0
            m = _at_rate(sub, np.exp(mid), it, ot, nn, p, st_sub)
            good = (~dc | (m["tpot"] <= tl * (1 + 1e-9))) & (m["ttft"] <= fl * (1 + 1e-9))
            a = np.where(good, mid, a)
            b = np.where(good, b, mid)
        lo = lo.copy()
        lo[todo] = a
    # rows that do not fit: report the largest rate meeting the targets only roughly (lo = one sequence)
    rate = np.where(hi_ok, r_hi, np.exp(lo))
    m = _at_rate(r, rate, i_tok, o_tok, n_new, p, st_all)
    batch = rate * seqs
    bound = np.where(
        ~hi_ok, 3, np.where((b_kv < cap) & (batch >= b_kv * (1 - 1e-9)), 2, np.where(m["t_cmp"] > m["t_mem"], 1, 0))
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
        "requests_per_s": m["req"],
        "per_user_tokens_per_s": 1.0 / m["tpot"],
        "tpot_ms": np.where(decodes, m["tpot"] * 1e3, 0.0),
        "ttft_ms": m["ttft"] * 1e3,
        "decode_step_ms": m["step"] * 1e3,
        "prefill_ms": m["t_pre"] * 1e3,
        "bound": bound.astype(float),
        "weights_gb_per_gpu": weights_stored(r) / r.n / 1e9,
        "kv_gb_per_gpu": kv_used / r.n / 1e9,
        "kv_capacity_gb_per_gpu": np.maximum(kv_budget, 0.0) / r.n / 1e9,
        "overhead_gb_per_gpu": np.full(size, p.runtime_overhead_gb),
        "usable_gb_per_gpu": r.mem_per_gpu / 1e9 + p.runtime_overhead_gb,
    }


def burst_output_rate(r: Rows, input_tokens: F | float, output_tokens: F | float, prompts: F | float, p: PerfParams,
                      max_batch: F | float | None = None, steps: int = 16) -> F:
    """Output tokens/s of one instance draining a burst of `prompts` requests sent at once (a benchmark
    harness such as `vllm bench serve --num-prompts 1000` at an infinite request rate), vectorised.

    While more requests wait than the instance holds, it runs at its steady state (`evaluate`). The last
    b requests (b = the steady batch, or all of them when they fit at once, after prefilling them) then
    drain with output lengths spread around the mean: modelled as exponential (mean O tokens), so the batch
    decays as b exp(-t / O) over decode steps t and the tail costs O x integral of step(b e^-u) du for u in
    [0, ln b], each step at the smaller batch (memory-bound, the weights read for few sequences).
    """
    size = r.n.shape
    i_tok = np.broadcast_to(np.asarray(input_tokens, dtype=float), size)
    o_tok = np.maximum(np.broadcast_to(np.asarray(output_tokens, dtype=float), size), 1.0)
    n_req = np.maximum(np.broadcast_to(np.asarray(prompts, dtype=float), size), 1.0)
    res = evaluate(r, i_tok, o_tok, p, max_batch=max_batch)
    steady_b = np.maximum(res["batch"], 1.0)
    b = np.minimum(steady_b, n_req)
    t_steady = np.maximum(n_req - b, 0.0) / np.maximum(res["requests_per_s"], 1e-12)
    # all requests fit at once: they are prefilled first (whole chunks of prefill_chunk_tokens)
    ctx = i_tok + o_tok / 2.0
    z = np.zeros(size)
    chunk = np.full(size, p.prefill_chunk_tokens)
    t_chunk, _, _ = step_s(r, z, chunk, chunk * _prefill_attn(r, i_tok, i_tok) / np.maximum(i_tok, 1.0), z, p)
    t_fill = np.where(n_req <= steady_b, n_req * i_tok / p.prefill_chunk_tokens * t_chunk, 0.0)
    # the tail: midpoint rule in u = ln(batch)
    top = np.log(b)
    tail = np.zeros(size)
    st = _static(r, ctx, p)
    for k in range(steps):
        u = top * (k + 0.5) / steps
        t, _, _ = step_s(r, np.exp(u), z, z, ctx, p, st)
        tail += t * top / steps
    steps_per_seq = np.maximum(o_tok - 1.0, 1.0) / spec_gain(p)
    tail = steps_per_seq * tail + np.where(top > 0, 0.0, steps_per_seq * res["decode_step_ms"] / 1e3)
    out: F = n_req * o_tok / np.maximum(t_fill + t_steady + tail, 1e-12)
    return np.where(res["fits"] > 0, out, 0.0)


# --------------------------------------------------------------------------- one deployment


def min_gpus(model: ModelArch, gpu: Gpu, precision: str, input_tokens: float, output_tokens: float,
             params: PerfParams, kv_precision: str | None = None) -> int | None:
    """Smallest instance size (1, 2, 4, 8, then nodes of 8) that fits in some layout, or None."""
    specs, lays, sizes = [], [], []
    for g in REPLICA_SIZES:
        for lay in instance_layouts(model, gpu, g):
            specs.append((model, gpu, precision, g))
            lays.append(lay)
            sizes.append(g)
    if not specs:
        return None
    r = rows(specs, params, [kv_precision] * len(specs), lays)
    res = evaluate(r, input_tokens, output_tokens, params)
    ok = [sizes[i] for i in np.flatnonzero(res["fits"] > 0)]
    return min(ok) if ok else None


def plan(
    model: ModelArch,
    gpu: Gpu,
    gpus: int,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    params: PerfParams,
    max_tpot_ms: float | None = None,
    max_ttft_ms: float | None = None,
    kv_precision: str | None = None,
    tp: int | None = None,
    ep: int | None = None,
    pp: int | None = None,
    cached_fraction: float = 0.0,
    engine: str = "default",
    efficiency_scale: float = 1.0,
    data_dir: Path | str | None = None,
) -> tuple[Layout, dict[str, float], list[Layout]]:
    """The best layout of `gpus` GPUs under the targets: (layout, its per-instance results, candidates).

    Best = the most output tokens/s over the whole deployment among layouts that fit and meet the
    targets; if none does, the one that fits with the lowest latency (reported as infeasible).
    """
    cands = layouts_for_total(model, gpu, gpus, tp, ep, pp)
    r = rows([(model, gpu, precision, c.instance_gpus) for c in cands], params, [kv_precision] * len(cands), cands)
    res = evaluate(r, input_tokens, output_tokens, params, max_tpot_ms, max_ttft_ms, cached_fraction=cached_fraction)
    if engine != "default" and spec_gain(params) == 1.0:  # aiconfigurator-core's curves where measured better
        kvq = kv_precision or default_kv_precision(precision, gpu)
        res = aicurves.apply(res, [aicurves.route_key(model, gpu, engine, precision, kvq, c) for c in cands],
                             input_tokens, output_tokens, params, max_tpot_ms, max_ttft_ms, cached_fraction,
                             efficiency_scale=efficiency_scale, data_dir=data_dir)
    dp = np.array([c.dp for c in cands], dtype=float)
    total = res["output_tokens_per_s"] * dp
    good = (res["fits"] > 0) & (res["latency_ok"] > 0)
    fit = res["fits"] > 0
    if good.any():
        i = int(np.argmax(np.where(good, total, -np.inf)))
    elif fit.any():
        i = int(np.argmin(np.where(fit, res["tpot_ms"] + res["ttft_ms"] / 1e3, np.inf)))
    else:
        # nothing fits: report the layout that leaves the most memory for KV
        i = int(np.argmax(res["kv_capacity_gb_per_gpu"] * r.n))
    return cands[i], {k: float(a[i]) for k, a in res.items()}, cands


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
    tp: int | None = None,
    ep: int | None = None,
    pp: int | None = None,
    cached_fraction: float = 0.0,
    engine: str = "default",
    efficiency_scale: float = 1.0,
    data_dir: Path | str | None = None,
) -> dict[str, Any]:
    """Everything about one deployment of `gpus` GPUs (total) as a plain dict (`pricing throughput --json`)."""
    if gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {gpus}")
    p = params or PerfParams()
    _bpp(precision)
    kvq = kv_precision or default_kv_precision(precision, gpu)
    lay, v, _ = plan(model, gpu, gpus, precision, input_tokens, output_tokens, p, max_tpot_ms, max_ttft_ms, kvq,
                     tp, ep, pp, cached_fraction, engine, efficiency_scale, data_dir)
    fits = bool(v["fits"])
    notes = [s for s in (precision_note(precision, gpu),) if s]
    if not v["fits_context"]:
        notes.append(f"input + output tokens exceed the model's {model.max_context_tokens:,}-token context")
    elif not fits:
        need = min_gpus(model, gpu, precision, input_tokens, output_tokens, p, kvq)
        where = f"; smallest instance that fits: {need} GPUs" if need else "; no deployment up to 64 GPUs fits"
        if gpu.interconnect == "pcie" and gpus > GPUS_PER_NODE:
            where += f" ({gpu.id} is PCIe: instances stay within one node of {GPUS_PER_NODE} GPUs)"
        notes.append(
            f"does not fit: {v['weights_gb_per_gpu']:.1f} GB weights per GPU + KV for "
            f"{p.useful_sequences:.0f} sequences exceed {v['usable_gb_per_gpu'] - p.runtime_overhead_gb:.1f} GB usable{where}"
        )
    if not v["latency_ok"]:
        notes.append("latency target infeasible even at one sequence per instance")
    dp = lay.dp
    out: dict[str, Any] = {
        "model": model.id, "gpu": gpu.id, "gpus": gpus, "precision": precision,
        "compute_precision": compute_precision(precision, gpu), "kv_precision": kvq,
        "layout": lay.as_dict(scale_up_gpus(gpu)),
        "fits": fits, "latency_ok": bool(v["latency_ok"]),
        "batch": round(v["batch"] * dp), "max_batch_kv": int(v["max_batch_kv"] * dp),
        "output_tokens_per_s": v["output_tokens_per_s"] * dp if fits else 0.0,
        "requests_per_s": v["requests_per_s"] * dp if fits else 0.0,
        "per_user_tokens_per_s": v["per_user_tokens_per_s"],
        "ttft_ms": v["ttft_ms"], "tpot_ms": v["tpot_ms"],
        "decode_step_ms": v["decode_step_ms"], "prefill_ms": v["prefill_ms"],
        "bound": BOUNDS[int(v["bound"])],
        "throughput_model": aicurves.source_label(v.get("aiconfigurator", 0.0) > 0, data_dir),
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


# --------------------------------------------------------------------------- disaggregated serving
#
# Prefill-only and decode-only instances (DeepSeek's V3/R1 inference system, SGLang/Dynamo PD
# disaggregation with wide expert parallelism). Their step differs from the mixed engine step above:
# * All-to-all (`_ep_a2a_s`): per MoE layer, fp8 dispatch + bf16 combine of each token to its k experts,
#   uniform over the ep ranks. Decode uses low-latency kernels: one copy per remote expert, over the
#   scale-out NIC to other nodes and NVLink inside the node. Prefill uses throughput kernels that send
#   a token once to each remote node touched and forward it over NVLink there (DeepEP's NVLink/RDMA
#   forwarding), so cross-node bytes per token are (nodes - 1)(1 - (1 - 1/nodes)^k) copies, not k.
#   Links run at ep_network_efficiency of their rate (DeepEP's measured H800 figures, see PerfParams).
# * Overlap: the engine runs either one batch (all-to-all exposed) or two micro-batches, one's
#   all-to-all hidden behind the other's compute (DeepSeek's dual micro-batch prefill and 5-stage decode
#   pipeline, SGLang two-batch overlap); two micro-batches read the weights twice. The faster is taken.
# * Memory: attention DP holds the non-expert weights on every GPU, plus `redundant_experts` replicas
#   (EPLB: hot experts duplicated so that the routing skew left is the random one `_imbalance` models),
#   which take KV room and are read by the steps that touch them.
# * Prefill pools are sized at planned_utilization (an M/D/1 queue at full load has no bounded TTFT);
#   decode pools run at the batch meeting the TPOT target. KV transfer between pools is not charged.


def _ep_a2a_s(r: Rows, tokens: F, p: PerfParams, forward: bool, micro_batches: float = 1.0) -> F:
    """Seconds of a step's expert-parallel dispatch + combine over `tokens` tokens of the instance.

    forward: throughput kernels (a token crosses to each remote node once, then NVLink); else low-latency
    kernels (one copy per remote expert). NIC and NVLink transfers run concurrently; each micro-batch pays
    the per-layer latency of both collectives.
    """
    ep = np.maximum(r.ep, 1.0)
    dom = np.minimum(r.node, ep)  # expert-parallel ranks sharing one NVLink domain
    nodes = np.maximum(np.ceil(ep / dom - 1e-9), 1.0)
    tok_b = np.asarray(tokens, dtype=float) / r.n * r.hidden * (DISPATCH_BYTES + ACT_BYTES)
    in_node = r.experts_k * (dom - 1.0) / ep  # copies per token to other GPUs of its own node
    if forward:
        off_node = (nodes - 1.0) * (1.0 - np.power(1.0 - 1.0 / nodes, r.experts_k))
        in_node = r.experts_k * (dom - 1.0) / dom  # every copy for a node lands on its GPUs over NVLink
    else:
        off_node = r.experts_k * (ep - dom) / ep
    t_bw = np.maximum(tok_b * off_node / r.scale_out, tok_b * in_node / r.link) / p.ep_network_efficiency
    lat = 2.0 * micro_batches * (p.allreduce_latency_us * 1e-6 + np.where(nodes > 1, INTER_NODE_LATENCY_S, 0.0))
    return np.where((r.ep > 1) & (r.is_moe > 0), r.moe_layers * (t_bw + lat), 0.0)


def pool_step_s(r: Rows, dec: F, pre: F, pre_attn_flops: F, ctx: F, p: PerfParams, forward: bool) -> F:
    """Seconds of one step of a prefill-only (forward=True) or decode-only instance: the faster of one
    batch with its all-to-all exposed and two micro-batches overlapping it (see the section comment)."""
    q = replace(p, a2a_overlap=1.0)  # step_s without its own all-to-all term: added here
    tokens = dec * (1.0 + drafts(p)) + pre  # draft tokens are dispatched too
    one, _, _ = step_s(r, dec, pre, pre_attn_flops, ctx, q)
    one = one + _ep_a2a_s(r, tokens, p, forward)
    half, _, _ = step_s(r, dec / 2.0, pre / 2.0, pre_attn_flops / 2.0, ctx, q)
    over = p.step_overhead_ms * 1e-3
    work, a2a = 2.0 * (half - over), _ep_a2a_s(r, tokens, p, forward, 2.0)
    # prefill: the two micro-batches alternate and one's communication hides behind the other's compute
    # (DeepSeek's inference system overview); decode: its stages are too unequal for that (DeepSeek splits
    # attention in two and runs a 5-stage pipeline), so only a2a_overlap of the shorter side is hidden.
    # SGLang measured two-batch overlap gaining 25.5% at 256 sequences per H100 in decode
    # (lmsys.org/blog/2025-05-05-large-scale-ep), not the ~38% full hiding would give.
    hidden = 1.0 if forward else p.a2a_overlap
    two = np.maximum(work, a2a) + (1.0 - hidden) * np.minimum(work, a2a) + over
    out: F = np.where((r.ep > 1) & (r.is_moe > 0), np.minimum(one, two), one)
    return out


def _pool_free_bytes(r: Rows, redundant_experts: float) -> F:
    """Bytes left for KV on one instance after its weights and the redundant expert replicas."""
    return r.n * r.mem_per_gpu - weights_stored(r) - redundant_experts * r.expert_bytes


def _with_replicas(r: Rows, redundant_experts: float) -> Rows:
    """The rows as a step reads them with `redundant_experts` replicas hosted: each rank holds (E + R) / ep
    expert copies and reads every one its tokens touch (FLOPs are unchanged: a token runs k experts)."""
    if not redundant_experts:
        return r
    scale = np.where(r.experts > 0, (r.experts + redundant_experts) / np.maximum(r.experts, 1.0), 1.0)
    return replace(r, expert_bytes=r.expert_bytes * scale)


def prefill_pool_rate(r: Rows, input_tokens: F | float, p: PerfParams, cached_fraction: F | float = 0.0,
                      redundant_experts: float = 0.0) -> F:
    """Input tokens/s (cached ones included) one prefill-only instance processes at full load.

    Each step prefills prefill_chunk_tokens new tokens per attention rank (tp ranks under attention
    DP, one group otherwise), as many whole prompts as that makes; cached prefix tokens skip the
    weights' FLOPs but their KV is attended to. Compute runs at prefill_compute_efficiency x
    pool_prefill_efficiency.
    """
    i_tok = np.asarray(input_tokens, dtype=float) + 0.0 * r.n
    new = np.maximum(i_tok * (1.0 - np.clip(np.asarray(cached_fraction, dtype=float), 0.0, 1.0)), 1.0)
    tokens = p.prefill_chunk_tokens * np.where(r.adp > 0, r.tp, 1.0)
    prompts = tokens / new
    z = np.zeros_like(tokens)
    q = replace(p, prefill_compute_efficiency=p.prefill_compute_efficiency * p.pool_prefill_efficiency)
    t = pool_step_s(_with_replicas(r, redundant_experts), z, tokens, prompts * _prefill_attn(r, i_tok, new), z, q,
                    forward=True)
    out: F = prompts * i_tok / t
    return out


def decode_pool_rate(r: Rows, input_tokens: F | float, output_tokens: F | float, p: PerfParams,
                     max_tpot_ms: F | float | None = None, max_batch: F | float | None = None,
                     redundant_experts: float = 0.0) -> dict[str, F]:
    """Output tokens/s of one decode-only instance at the largest batch meeting the TPOT target and KV.

    The engine's batch cap (max_batch) holds per scheduler: one per attention-DP rank, so tp x max_batch
    sequences under attention DP.
    """
    size = r.n.shape
    i_tok = np.broadcast_to(np.asarray(input_tokens, dtype=float), size)
    o_tok = np.maximum(np.broadcast_to(np.asarray(output_tokens, dtype=float), size), 1.0)
    lim = np.broadcast_to(np.asarray(np.inf if max_tpot_ms is None else max_tpot_ms, dtype=float), size) / 1e3
    cap = np.broadcast_to(np.asarray(p.max_batch if max_batch is None else max_batch, dtype=float), size)
    cap = cap * np.where(r.adp > 0, r.tp, 1.0)
    ctx = i_tok + o_tok / 2.0
    b_kv = np.floor(np.maximum(_pool_free_bytes(r, redundant_experts), 0.0) / np.maximum(_kv_seq(r, ctx), 1e-9))
    b_hi = np.maximum(np.minimum(b_kv, cap), 1.0)
    rr = _with_replicas(r, redundant_experts)

    gain = spec_gain(p)

    def tpot(b: F) -> F:
        z = np.zeros_like(b)
        return pool_step_s(rr, b, z, z, ctx, p, forward=False) / gain

    lo, hi = np.zeros(size), np.log(b_hi)
    ok_hi = tpot(b_hi) <= lim
    ok_lo = tpot(np.ones(size)) <= lim
    for _ in range(16):
        mid = (lo + hi) / 2.0
        good = tpot(np.exp(mid)) <= lim
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    b = np.where(ok_hi, b_hi, np.exp(lo))
    t = tpot(b)
    return {"batch": b, "tpot_ms": t * 1e3, "output_tokens_per_s": np.where(ok_lo, b / t, 0.0),
            "latency_ok": ok_lo.astype(float), "max_batch_kv": b_kv}


def disaggregated_pools(
    model: ModelArch,
    gpu: Gpu,
    precision: str,
    prefill: Layout,
    decode: Layout,
    input_tokens: float,
    output_tokens: float,
    requests_per_s: float,
    params: PerfParams,
    max_tpot_ms: float | None = None,
    cached_fraction: float = 0.0,
    kv_precision: str | None = None,
    redundant_experts: float = 0.0,
) -> dict[str, Any]:
    """Prefill/decode disaggregation: two pools sized so that together they serve `requests_per_s`.

    Prefill instances take the prompts (cached prefix tokens skip the weights' compute) and are loaded to
    planned_utilization of their capacity (TTFT = one step x the M/D/1 factor at that load); decode
    instances hold the sequences and generate at the TPOT target. KV transfer between the pools is not
    charged (its rate, `kv_transfer_gbs_per_prefill_gpu`, is reported against the scale-out link).
    """
    rp = rows([(model, gpu, precision, prefill.instance_gpus)], params, [kv_precision], [prefill])
    rd = rows([(model, gpu, precision, decode.instance_gpus)], params, [kv_precision], [decode])
    pre_rate = float(prefill_pool_rate(rp, input_tokens, params, cached_fraction, redundant_experts)[0])
    util = min(max(params.planned_utilization, 1e-3), 1.0)
    dec = decode_pool_rate(rd, input_tokens, output_tokens, params, max_tpot_ms, redundant_experts=redundant_experts)
    dec_rate = float(dec["output_tokens_per_s"][0])
    need_in, need_out = requests_per_s * input_tokens, requests_per_s * output_tokens
    n_pre = math.ceil(need_in / (pre_rate * util) - 1e-9) if pre_rate > 0 else math.inf
    n_dec = math.ceil(need_out / dec_rate - 1e-9) if dec_rate > 0 else math.inf
    chunk = params.prefill_chunk_tokens * (prefill.tp if prefill.attention_dp else 1)
    new = max(input_tokens * (1.0 - min(max(cached_fraction, 0.0), 1.0)), 1.0)
    step = chunk / new * input_tokens / pre_rate if pre_rate > 0 else math.inf
    kv_tok = float(_kv_seq(rp, np.array([1.0]))[0])
    return {
        "prefill_input_tokens_per_s_per_instance": pre_rate,
        "prefill_utilization": util,
        "prefill_ttft_ms": step * _queue_factor(params) * 1e3,
        "decode_output_tokens_per_s_per_instance": dec_rate,
        "decode_batch_per_instance": float(dec["batch"][0]),
        "decode_tpot_ms": float(dec["tpot_ms"][0]),
        "prefill_instances": n_pre, "decode_instances": n_dec,
        "prefill_gpus": n_pre * prefill.instance_gpus if math.isfinite(n_pre) else math.inf,
        "decode_gpus": n_dec * decode.instance_gpus if math.isfinite(n_dec) else math.inf,
        "kv_transfer_gbs_per_prefill_gpu": pre_rate * util * kv_tok / prefill.instance_gpus / 1e9,
        "fits": bool(float(_pool_free_bytes(rp, redundant_experts)[0]) > 0
                     and float(dec["max_batch_kv"][0]) >= 1),
    }
