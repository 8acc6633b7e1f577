"""Fit the throughput model's efficiency factors on measured serving throughput; `python -m pricing.calibrate`.

Data: data/measurements/throughput.csv (each row with its original public source, engine, regime and
layout; see data/measurements/README.md). Rows whose model, GPU or setup we cannot model are excluded
with a printed reason. MLCommons MLPerf results live apart (data/measurements/holdout_mlperf.csv) and
are never read here. The fit minimises the mean absolute log error
(robust, symmetric in over/under-prediction) by coordinate search on log-spaced grids: numpy only.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
import yaml

from pricing import clock, perf
from pricing.catalog import Catalog, load_catalog
from pricing.errors import InputError
from pricing.perf import PerfParams

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "data" / "measurements" / "throughput.csv"
ENGINES = ("vllm", "sglang", "trtllm", "other")
CALIBRATION_YAML = ROOT / "data" / "calibration.yaml"

# The CSV's model names -> Hugging Face ids in data/models.yaml (base and instruct share an architecture).
MODEL_ALIASES: dict[str, str] = {
    "Llama-3.3-70B-Instruct": "meta-llama/Llama-3.3-70B-Instruct",
    "Llama-3.1-405B-Instruct": "meta-llama/Llama-3.1-405B-Instruct",
    "Llama-3.1-405B": "meta-llama/Llama-3.1-405B-Instruct",
    "Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
    "Llama-3.1-8B": "meta-llama/Llama-3.1-8B-Instruct",
    "Llama-3.1-70B": "meta-llama/Llama-3.1-70B-Instruct",
    "Llama-3-8B": "meta-llama/Meta-Llama-3-8B-Instruct",
    "Llama-3-70B": "meta-llama/Meta-Llama-3-70B-Instruct",
    'LLaMA-70B (doc says "LLaMA 70B"; likely Llama-2-70B)': "meta-llama/Llama-2-70b-chat-hf",
    "Qwen3-235B-A22B": "Qwen/Qwen3-235B-A22B",
    "Qwen3-235B-A22B-Instruct-2507": "Qwen/Qwen3-235B-A22B-Instruct-2507",
    "Qwen3-30B-A3B": "Qwen/Qwen3-30B-A3B",
    "Qwen3-32B": "Qwen/Qwen3-32B",
    "Qwen3-14B": "Qwen/Qwen3-14B",
    "Llama-4-Maverick-17B-128E": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
    "Mixtral-8x7B": "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "Mixtral-8x22B": "mistralai/Mixtral-8x22B-Instruct-v0.1",
    "Mistral-7B": "mistralai/Mistral-7B-Instruct-v0.1",
    "DeepSeek-R1 (671B MoE)": "deepseek-ai/DeepSeek-R1",
    "DeepSeek-R1": "deepseek-ai/DeepSeek-R1",
    "DeepSeek-R1-0528": "deepseek-ai/DeepSeek-R1-0528",
    "DeepSeek-V3/R1 (671B MoE)": "deepseek-ai/DeepSeek-V3",
    "GLM-4.5-Air (106B MoE / 12B active)": "zai-org/GLM-4.5-Air",
    "gpt-oss-120b": "openai/gpt-oss-120b",
}
# The CSV's GPU names -> ids in data/gpus.yaml; None = not in the catalog (rows excluded).
GPU_ALIASES: dict[str, str | None] = {
    "H100-SXM-80GB": "h100-sxm",
    "H100-PCIe-80GB": "h100-pcie",
    "H200-141GB": "h200",
    "H800-SXM-80GB": "h800",
    "B200-180GB": "b200",
    "B200": "b200",
    "A100-SXM4-80GB": "a100-80gb",
    "A100-SXM-80GB": "a100-80gb",
    "L40S-48GB": "l40s",
    "RTX-PRO-6000-Blackwell-96GB": "rtx-pro-6000",
    "RTX-4090-24GB": "rtx-4090",
    "MI300X": "mi300x",
    "GB200": "gb200",  # one GPU of a GB200 NVL72 (TRT-LLM perf-overview "GB200" column, 1 GPU)
    "GH200-480GB": "gh200",  # GH200 480GB = 96 GB HBM3 + 480 GB LPDDR5X (data/gpus.yaml gh200)
    "RTX-3090-24GB": None,
    "RTX-A6000-48GB": None,
}
# ShareGPT (vLLM `bench serve --dataset-name sharegpt --num-prompts 1000`) mean lengths: vLLM PR #18566
# prints 229,711 input and 203,068 generated tokens for 1000 ShareGPT prompts (Llama-3.1 tokenizer).
# Where a row gives total (input+output) throughput, the input length is rescaled to its ratio.
SHAREGPT_SOURCE = "github.com/vllm-project/vllm/pull/18566 (1000 ShareGPT prompts: 229,711 in, 203,068 out)"
SHAREGPT_INPUT, SHAREGPT_OUTPUT = 229.711, 203.068
SHAREGPT_PROMPTS = 1000.0

# Factors fitted, with (low, high) search bounds; the rest of PerfParams stays at its documented value.
# FIT_BOUNDS note: the per-step overhead is barely identifiable from max-throughput rows (a big step hides
# it); left free, the fit parks ~20 ms there, which would cap every deployment at ~50 tokens/s per user.
# Single-stream decode runs at 60-85% of memory bandwidth (the llama.cpp rows of data/measurements: 14.8 ms
# per token for 16 GB of weights on an H100 PCIe at 2 TB/s), so a step's fixed cost is a few ms at most.
FIT_BOUNDS: dict[str, tuple[float, float]] = {
    "bandwidth_efficiency": (0.3, 1.0),
    "decode_compute_efficiency": (0.05, 1.0),
    "prefill_compute_efficiency": (0.05, 1.0),
    "step_overhead_ms": (0.05, 5.0),  # see FIT_BOUNDS note
    "interconnect_efficiency": (0.05, 1.0),
    "moe_efficiency": (0.05, 1.0),
    "fp4_efficiency": (0.1, 1.0),
    "kv_bandwidth_efficiency": (0.1, 1.0),
}


@dataclass(frozen=True)
class CalRow:
    """One measured row we can model."""

    line: int
    source: str
    model_name: str
    model: str
    gpu: str
    precision: str
    kv_precision: str | None
    gpus: int
    input_tokens: float
    output_tokens: float
    measured: float
    max_batch: float | None
    engine: str
    family: str
    regime: str = "offline"  # offline | server | interactive
    min_tokens_per_s_per_user: float | None = None  # the row's latency target, if any
    layout: str = ""  # as published, e.g. "TP8 EP8"
    notes: str = ""
    metric: str = "output_tokens_per_s"  # or "ttft_ms" (batch-1 time to first token)
    burst: float | None = None  # prompts sent at once by a finite benchmark run (ShareGPT bursts), drained to the end


@dataclass(frozen=True)
class Excluded:
    """A CSV row left out of the fit, and why."""

    line: int
    label: str
    reason: str


def _precision(text: str) -> tuple[str | None, str | None]:
    """('fp4', 'fp8') from e.g. 'fp4 + fp8 KV'; (None, None) if unknown."""
    t = text.lower()
    kv = None
    mkv = re.search(r"\+\s*(bf16|fp16|fp8)\s*kv", t)
    if mkv:
        kv = mkv.group(1)
    for p in ("fp16", "bf16", "fp8", "fp4", "int8", "int4"):
        if t.startswith(p) or t.startswith("mx" + p) or t.startswith("nv" + p):
            return p, kv
    return None, kv


def _engine(rec: dict[str, str]) -> str:
    """The row's serving engine (the CSV's `engine` column): vllm, sglang, trtllm or other."""
    e = (rec.get("engine") or "other").strip().lower()
    return e if e in ENGINES else "other"


def _is_llamacpp(rec: dict[str, str]) -> bool:
    return "llama.cpp" in (rec["date_version"] + rec["notes"]).lower()


def load_rows(catalog: Catalog, path: Path = CSV_PATH) -> tuple[list[CalRow], list[Excluded]]:
    """The CSV rows we can model, and the rest with the reason each is left out."""
    keep: list[CalRow] = []
    out: list[Excluded] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            label = f"{rec['model']} {rec['precision']} {rec['gpu_count']}x{rec['gpu']} {rec['scenario']}"
            notes, scen = rec["notes"], rec["scenario"].lower()
            engine = _engine(rec)

            def skip(reason: str, _line: int = line, _label: str = label) -> None:
                out.append(Excluded(_line, _label, reason))

            model_id = MODEL_ALIASES.get(rec["model"])
            gpu_id = GPU_ALIASES.get(rec["gpu"], "?")
            prec, kvp = _precision(rec["precision"])
            if model_id is None or model_id not in catalog.models:
                skip(f"model {rec['model']!r} is not in models.yaml")
                continue
            if gpu_id is None or gpu_id not in catalog.gpus:
                skip(f"GPU {rec['gpu']!r} is not in gpus.yaml")
                continue
            if prec is None:
                skip(f"precision {rec['precision']!r} not modelled")
                continue
            if "speculative" in notes.lower() or "mtp" in notes.lower():
                skip("speculative decoding (MTP) multiplies tokens per step; not modelled")
                continue
            if rec.get("pool") or "disaggregated" in scen:
                skip("prefill/decode-disaggregated pool row: predicted by perf.prefill_pool_rate / decode_pool_rate "
                     "(pool_rows), not by the mixed-engine fit")
                continue
            if "unsure-rounded" in notes.lower():
                skip("rounded lower bound ('over 30,000') of a figure measured in other rows")
                continue
            if "interpolated" in notes.lower():
                skip("interpolated per-GPU figure of an unknown deployment size; output-only unclear")
                continue
            if _is_llamacpp(rec):
                skip("llama.cpp single stream: not a batching server (and GGUF Q4_K_M is ~4.8 bits/weight, not 4)")
                continue
            if "static batch" in scen:
                skip("static batching (TRT-LLM v0.9, 2024); the model assumes continuous batching")
                continue
            max_batch = None
            burst = None
            if rec["input_len"] == "ShareGPT":
                o_len = SHAREGPT_OUTPUT
                m = re.search(r"Total TPS ([\d.]+)", notes)
                mr = re.search(r"input/output token ratio ([\d.]+)", notes)
                ratio = ((float(m.group(1)) - float(rec["value"])) / float(
                    rec["value"]) if m else float(mr.group(1)) if mr
                    else SHAREGPT_INPUT / SHAREGPT_OUTPUT)
                i_len = o_len * ratio
                max_batch = SHAREGPT_PROMPTS
                burst = SHAREGPT_PROMPTS  # `--num-prompts 1000` at an infinite request rate: one burst
                kvp = kvp or "bf16"  # vLLM/SGLang default kv-cache-dtype auto = model dtype
            else:
                try:
                    i_len, o_len = float(rec["input_len"]), float(rec["output_len"])
                except ValueError:
                    skip("input/output lengths not given")
                    continue
            if rec.get("concurrency"):
                max_batch = float(rec["concurrency"])
            mtps = float(rec["min_tokens_per_s_per_user"]) if rec.get("min_tokens_per_s_per_user") else None
            arch = catalog.models[model_id]
            keep.append(CalRow(
                line=line, source=rec["source"], model_name=rec["model"], model=model_id, gpu=gpu_id,
                precision=prec, kv_precision=kvp, gpus=int(rec["gpu_count"]), input_tokens=i_len,
                output_tokens=o_len, measured=float(rec["value"]),
                max_batch=max_batch, engine=engine, family=arch.family.split("-")[0].split(".")[0],
                regime=rec.get("regime") or "offline", min_tokens_per_s_per_user=mtps,
                layout=rec.get("layout") or "", notes=notes, metric=rec.get("metric") or "output_tokens_per_s",
                burst=burst,
            ))
    return keep, out


@dataclass(frozen=True)
class PoolRow:
    """One measured prefill-only or decode-only pool of a prefill/decode-disaggregated deployment."""

    line: int
    source: str
    model: str
    gpu: str
    precision: str
    kv_precision: str | None
    gpus: int
    ep: int
    pool: str  # prefill | decode
    input_tokens: float
    output_tokens: float  # 0 = not stated (decode predicted at the prompt's context)
    concurrency: float | None  # sequences held by the whole pool where stated (caps the decode batch)
    measured: float  # input tokens/s (prefill) or output tokens/s (decode) of the whole pool
    engine: str


def pool_rows(catalog: Catalog, path: Path = CSV_PATH) -> list[PoolRow]:
    """The CSV's disaggregated pool rows (`pool` = prefill | decode), each at its expert-parallel layout."""
    out: list[PoolRow] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            pool = (rec.get("pool") or "").strip()
            if not pool:
                continue
            where = f"{path.name} line {line}"
            if pool not in ("prefill", "decode"):
                raise InputError(f"{where}: field 'pool' must be prefill or decode, got {pool!r}")
            model_id = MODEL_ALIASES.get(rec["model"])
            gpu_id = GPU_ALIASES.get(rec["gpu"])
            prec, kvp = _precision(rec["precision"])
            if model_id is None or gpu_id is None or prec is None:
                raise InputError(f"{where}: pool row needs a known model, gpu and precision")
            m = re.search(r"EP(\d+)", rec.get("layout") or "")
            if m is None:
                raise InputError(f"{where}: field 'layout' of a pool row must state EPn")
            want = "input_tokens_per_s" if pool == "prefill" else "output_tokens_per_s"
            if rec["metric"] != want:
                raise InputError(f"{where}: field 'metric' of a {pool} pool row must be {want}")
            out.append(PoolRow(
                line=line, source=rec["source"], model=model_id, gpu=gpu_id, precision=prec, kv_precision=kvp,
                gpus=int(rec["gpu_count"]), ep=int(m.group(1)), pool=pool, input_tokens=float(rec["input_len"]),
                output_tokens=float(rec["output_len"] or 0.0), measured=float(rec["value"]), engine=_engine(rec),
                concurrency=float(rec["concurrency"]) if rec.get("concurrency") else None))
    return out


def predict_pool_rows(catalog: Catalog, rows: Sequence[PoolRow], p: PerfParams) -> np.ndarray:
    """perf.prefill_pool_rate / decode_pool_rate of each pool row at its layout (EPn over n GPUs, attention DP),
    in the row's unit (whole-pool input or output tokens/s); a stated concurrency caps the decode batch per
    rank; redundant experts are left out (where stated, 32 of 256: ~0.3% of the predicted rate)."""
    out = np.zeros(len(rows))
    for i, row in enumerate(rows):
        lay = perf.Layout(tp=row.ep, ep=row.ep, attention_dp=True)
        r = perf.rows([(catalog.models[row.model], catalog.gpus[row.gpu], row.precision, lay.instance_gpus)], p,
                      [row.kv_precision or "bf16"], [lay])
        scale = row.gpus / lay.instance_gpus
        if row.pool == "prefill":
            out[i] = float(perf.prefill_pool_rate(r, row.input_tokens, p)[0]) * scale
        else:
            cap = row.concurrency / row.gpus if row.concurrency else None  # per attention-DP rank
            dec = perf.decode_pool_rate(r, row.input_tokens, max(row.output_tokens, 1.0), p, max_batch=cap)
            out[i] = float(dec["output_tokens_per_s"][0]) * scale
    return out


POOL_PREFILL_BOUNDS = (0.2, 1.0)  # search bounds of pool_prefill_efficiency (schema: > 0 and <= 1)


def fit_pool_prefill_efficiency(catalog: Catalog, rows: Sequence[PoolRow], p: PerfParams) -> float:
    """pool_prefill_efficiency minimising the squared log error of the prefill pool rows at the shared fit p
    (golden-section search over POOL_PREFILL_BOUNDS); p's own value if there is no prefill pool row."""
    pre = [r for r in rows if r.pool == "prefill"]
    if not pre:
        return p.pool_prefill_efficiency
    meas = np.array([r.measured for r in pre])

    def loss(x: float) -> float:
        pred = predict_pool_rows(catalog, pre, replace(p, pool_prefill_efficiency=math.exp(x)))
        return float(np.sum(np.log(pred / meas) ** 2))

    lo, hi = math.log(POOL_PREFILL_BOUNDS[0]), math.log(POOL_PREFILL_BOUNDS[1])
    g = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = loss(a), loss(b)
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = loss(b)
    return round(math.exp((lo + hi) / 2.0), 4)


def row_layout(r: CalRow) -> perf.Layout:
    """The layout the source states (`TP8`, `TP8 EP8` + attention DP, `TP1 PP8`); default one TP group."""
    def num(tag: str) -> int | None:
        m = re.search(tag + r"(\d+)", r.layout)
        return int(m.group(1)) if m else None
    tp, pp, ep = num("TP"), num("PP"), num("EP")
    if tp is None:
        tp = r.gpus // (pp or 1)
    pp = pp or max(r.gpus // tp, 1)
    adp = "attention-dp" in r.notes.lower() or "dp-attention" in r.notes.lower()
    if ep and ep > 1:
        # EP over the whole group (the model spreads experts over tp x pp GPUs)
        return perf.Layout(tp=tp, pp=1, ep=tp, attention_dp=adp)
    return perf.Layout(tp=tp, pp=pp, attention_dp=False)


def predictor(catalog: Catalog, rows: Sequence[CalRow]) -> Callable[[PerfParams], np.ndarray]:
    """A function params -> predicted output tokens/s for every row at its published layout (vectorised)."""
    lays = [row_layout(r) for r in rows]
    specs = [(catalog.models[r.model], catalog.gpus[r.gpu], r.precision, lay.instance_gpus)
             for r, lay in zip(rows, lays, strict=True)]
    kvp = [r.kv_precision for r in rows]
    i_tok = np.array([r.input_tokens for r in rows])
    o_tok = np.array([r.output_tokens for r in rows])
    caps = [r.max_batch for r in rows]
    tpot = np.array([1e3 / r.min_tokens_per_s_per_user if r.min_tokens_per_s_per_user else np.inf for r in rows])
    dp = np.array([max(r.gpus // lay.instance_gpus, 1) for r, lay in zip(rows, lays, strict=True)], dtype=float)

    ttft = np.array([r.metric == "ttft_ms" for r in rows])
    burst_idx = np.array([i for i, r in enumerate(rows) if r.burst], dtype=np.intp)
    burst_n = np.array([float(rows[i].burst or 0.0) for i in burst_idx])

    def predict(p: PerfParams) -> np.ndarray:
        cap = np.array([c if c is not None else p.max_batch for c in caps]) / dp
        r = perf.rows(specs, p, kvp, lays)
        res = perf.evaluate(r, i_tok, o_tok, p, max_tpot_ms=tpot, max_batch=cap)
        out: np.ndarray = res["output_tokens_per_s"] * dp
        if burst_idx.size:  # a finite burst drained to its last request (the harness's tail at small batch)
            sub = perf.take(r, burst_idx)
            out = out.copy()
            out[burst_idx] = perf.burst_output_rate(sub, i_tok[burst_idx], o_tok[burst_idx], burst_n / dp[burst_idx], p,
                                                    max_batch=cap[burst_idx]) * dp[burst_idx]
        if ttft.any():  # a lone prompt's prefill, no queue
            out = np.where(ttft, perf.prefill_s(r, i_tok, p) * 1e3, out)
        return out

    return predict


def abs_pct_errors(pred: np.ndarray, meas: np.ndarray) -> np.ndarray:
    """|predicted - measured| / measured, per row."""
    out: np.ndarray = np.abs(pred - meas) / meas
    return out


def _nelder_mead(f: Callable[[np.ndarray], float], x0: np.ndarray, step: float = 0.3,
                 iters: int = 600, tol: float = 1e-7) -> np.ndarray:
    """Minimise f from x0 with the Nelder-Mead simplex (numpy only; scipy is not a dependency)."""
    n = x0.size
    simplex = np.vstack([x0] + [x0 + step * np.eye(n)[i] for i in range(n)])
    vals = np.array([f(x) for x in simplex])
    for _ in range(iters):
        order = np.argsort(vals)
        simplex, vals = simplex[order], vals[order]
        if vals[-1] - vals[0] < tol:
            break
        centre = simplex[:-1].mean(axis=0)
        xr = centre + (centre - simplex[-1])
        fr = f(xr)
        if fr < vals[0]:
            xe = centre + 2.0 * (centre - simplex[-1])
            fe = f(xe)
            simplex[-1], vals[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < vals[-2]:
            simplex[-1], vals[-1] = xr, fr
        else:
            xc = centre + 0.5 * (simplex[-1] - centre)
            fc = f(xc)
            if fc < vals[-1]:
                simplex[-1], vals[-1] = xc, fc
            else:
                simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
                vals[1:] = [f(x) for x in simplex[1:]]
    best: np.ndarray = simplex[int(np.argmin(vals))]
    return best


def _coord_search(f: Callable[[np.ndarray], float], x0: np.ndarray, lows: np.ndarray, highs: np.ndarray,
                  passes: int = 6) -> np.ndarray:
    """Minimise f over x (natural-log values) by coordinate search on grids, then a simplex polish."""
    x = np.clip(x0.astype(float), lows, highs)
    best = f(x)
    width = 1.0
    for _ in range(passes):
        improved = False
        for j in range(x.size):
            for v in np.unique(np.clip(x[j] + np.linspace(-width, width, 25), lows[j], highs[j])):
                y = x.copy()
                y[j] = v
                val = f(y)
                if val < best - 1e-12:
                    best, x, improved = val, y, True
        if not improved:
            width /= 2.5
            if width < 0.01:
                break
    polished: np.ndarray = np.clip(_nelder_mead(lambda z: f(np.clip(z, lows, highs)), x), lows, highs)
    return polished if f(polished) <= best else x


def fit(catalog: Catalog, rows: Sequence[CalRow], start: PerfParams | None = None,
        names: Sequence[str] = tuple(FIT_BOUNDS), passes: int = 6,
        engines: dict[str, dict[str, float]] | None = None) -> PerfParams:
    """The shared factors minimising mean |log(pred / measured)| over all rows.

    `engines` (engine -> factor multipliers) are applied to each engine's rows while the shared
    factors are fitted, so engine differences do not bend the shared fit.
    """
    predict = multi_predictor(catalog, rows)
    meas = np.array([r.measured for r in rows])
    p = start or PerfParams()
    mult = engines or {}
    lows = np.log([FIT_BOUNDS[n][0] for n in names])
    highs = np.log([FIT_BOUNDS[n][1] for n in names])

    def at(x: np.ndarray) -> PerfParams:
        return replace(p, **{n: float(np.exp(v)) for n, v in zip(names, x, strict=True)})

    def loss(x: np.ndarray) -> float:
        return float(np.mean(np.abs(np.log(np.maximum(predict(at(x), mult), 1e-9) / meas))))

    return at(_coord_search(loss, np.log([getattr(p, n) for n in names]), lows, highs, passes))


# Engine profiles: these factors get a per-engine multiplier, shrunk toward 1 (the shared fit) by a
# ridge penalty PRIOR_ROWS / rows x sum(log multiplier^2): an engine with few rows stays near the
# shared fit (shrinkage weight PRIOR_ROWS / (PRIOR_ROWS + rows), written to data/calibration.yaml).
ENGINE_FACTORS = ("bandwidth_efficiency", "decode_compute_efficiency", "prefill_compute_efficiency",
                  "step_overhead_ms", "moe_efficiency", "kv_bandwidth_efficiency")
PROFILE_ENGINES = ("vllm", "sglang", "trtllm")
PRIOR_ROWS = 5.0
# Engine settings taken from the engines' documented defaults, not fitted (written into each profile).
ENGINE_SETTINGS: dict[str, dict[str, float]] = {
    # TensorRT-LLM gives the KV cache 90% of the memory free after loading the model
    # (KvCacheConfig.free_gpu_memory_fraction = 0.9: nvidia.github.io/TensorRT-LLM/llm-api/reference/KvCacheConfig.html);
    # vLLM and SGLang take a fraction of the whole GPU (usable_memory_fraction, the shared rule).
    "trtllm": {"kv_free_memory_fraction": 0.9},
}


def apply_multipliers(p: PerfParams, mult: dict[str, float] | None) -> PerfParams:
    """p with each named factor multiplied (and kept within FIT_BOUNDS)."""
    if not mult:
        return p
    return replace(p, **{k: float(np.clip(getattr(p, k) * v, *FIT_BOUNDS[k])) for k, v in mult.items()})


def engine_params(p: PerfParams, engine: str, mult: dict[str, float] | None) -> PerfParams:
    """One engine's absolute factors: the shared ones x its multipliers, plus its documented settings."""
    return replace(apply_multipliers(p, mult), **ENGINE_SETTINGS.get(engine, {}))


def multi_predictor(catalog: Catalog, rows: Sequence[CalRow]
                    ) -> Callable[[PerfParams, dict[str, dict[str, float]]], np.ndarray]:
    """(shared params, engine multipliers) -> predictions, each row with its engine's factors."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r.engine, []).append(i)
    preds = {e: (np.array(idx), predictor(catalog, [rows[i] for i in idx])) for e, idx in groups.items()}

    def predict(p: PerfParams, mult: dict[str, dict[str, float]]) -> np.ndarray:
        out = np.zeros(len(rows))
        for e, (idx, fn) in preds.items():
            out[idx] = fn(engine_params(p, e, mult.get(e)))
        return out

    return predict


def fit_engine(catalog: Catalog, rows: Sequence[CalRow], shared: PerfParams, engine: str,
               passes: int = 4) -> tuple[dict[str, float], int, float]:
    """(factor multipliers, rows, shrinkage weight) of one engine's profile, shrunk toward the shared fit."""
    mine = [r for r in rows if r.engine == engine]
    shrink = PRIOR_ROWS / (PRIOR_ROWS + len(mine))
    if not mine:
        return {}, 0, 1.0
    predict = predictor(catalog, mine)
    meas = np.array([r.measured for r in mine])
    lam = PRIOR_ROWS / len(mine)

    def loss(x: np.ndarray) -> float:
        q = engine_params(shared, engine, dict(zip(ENGINE_FACTORS, np.exp(x), strict=True)))
        err = np.mean(np.abs(np.log(np.maximum(predict(q), 1e-9) / meas)))
        return float(err + lam * 0.01 * np.sum(x**2))

    k = len(ENGINE_FACTORS)
    x = _coord_search(loss, np.zeros(k), np.full(k, -1.5), np.full(k, 1.5), passes)
    return {n: float(np.exp(v)) for n, v in zip(ENGINE_FACTORS, x, strict=True)}, len(mine), shrink


@dataclass(frozen=True)
class Fit:
    """The shared factors and each engine's multipliers."""

    shared: PerfParams
    engines: dict[str, dict[str, float]]
    rows: dict[str, int]
    shrinkage: dict[str, float]

    def params(self, engine: str) -> PerfParams:
        """Absolute factors of one engine profile ('default' = shared)."""
        return engine_params(self.shared, engine, self.engines.get(engine))


def fit_all(catalog: Catalog, rows: Sequence[CalRow], start: PerfParams | None = None, rounds: int = 3,
            passes: int = 6) -> Fit:
    """Alternate: shared factors given the engine multipliers, then each engine's multipliers."""
    shared = start or PerfParams()
    mult: dict[str, dict[str, float]] = {}
    n_rows: dict[str, int] = {}
    shrink: dict[str, float] = {}
    for _ in range(rounds):
        shared = fit(catalog, rows, start=shared, engines=mult, passes=passes)
        for e in PROFILE_ENGINES:
            m, n, w = fit_engine(catalog, rows, shared, e, passes=max(passes - 2, 2))
            mult[e], n_rows[e], shrink[e] = m, n, w
        shared, mult = _recentre(shared, mult, n_rows, {r.engine for r in rows})
    # last, each profile against the final shared factors: fit_engine(shared, e) on the stored shared
    # factors reproduces the stored profile (the recentring moves the point the ridge shrinks toward)
    for e in PROFILE_ENGINES:
        mult[e], n_rows[e], shrink[e] = fit_engine(catalog, rows, shared, e, passes=max(passes - 2, 2))
    return Fit(shared, mult, n_rows, shrink)


def _recentre(shared: PerfParams, mult: dict[str, dict[str, float]], n_rows: dict[str, int],
              present: set[str]) -> tuple[PerfParams, dict[str, dict[str, float]]]:
    """Move the common part of the engine multipliers into the shared factors (same predictions, less
    shrinkage penalty): shared x exp(c), multipliers / exp(c), c = the rows-weighted mean log multiplier.
    Only when every fitted row belongs to a profiled engine (else those rows' predictions would move)."""
    if not present <= set(PROFILE_ENGINES) or not mult:
        return shared, mult
    w = {e: float(n_rows.get(e, 0)) for e in mult}
    tot = sum(w.values())
    if tot <= 0:
        return shared, mult
    new_shared = shared
    out = {e: dict(m) for e, m in mult.items()}
    for k in ENGINE_FACTORS:
        c = sum(w[e] * math.log(mult[e].get(k, 1.0)) for e in mult) / tot
        lo, hi = FIT_BOUNDS[k]
        v = float(np.clip(getattr(shared, k) * math.exp(c), lo, hi))
        ratio = v / getattr(shared, k)
        new_shared = replace(new_shared, **{k: v})
        for e in out:
            out[e][k] = out[e].get(k, 1.0) / ratio
    return new_shared, out


def stored_fit(catalog: Catalog) -> Fit:
    """The shared factors and engine profiles of data/calibration.yaml as a Fit (multipliers on the shared fit;
    the engines' fixed settings come back through ENGINE_SETTINGS)."""
    eff = catalog.efficiency
    shared = PerfParams.from_factors(eff)
    engines = {} if eff is None else {
        e: {k: v / getattr(shared, k) for k, v in ef.factors.items() if k in FIT_BOUNDS}
        for e, ef in eff.engines.items()}
    return Fit(shared, engines, {}, {})


def fit_errors(catalog: Catalog, rows: Sequence[CalRow], f: Fit) -> np.ndarray:
    """|predicted - measured| / measured per row, each row with its engine's profile."""
    pred = multi_predictor(catalog, rows)(f.shared, f.engines)
    out: np.ndarray = abs_pct_errors(pred, np.array([r.measured for r in rows]))
    return out


def median_error(catalog: Catalog, rows: Sequence[CalRow], p: PerfParams) -> float:
    """Median absolute percentage error of the model on rows."""
    pred = predictor(catalog, rows)(p)
    return float(np.median(abs_pct_errors(pred, np.array([r.measured for r in rows]))))


def leave_one_group_out(catalog: Catalog, rows: Sequence[CalRow], key: Callable[[CalRow], str],
                        start: PerfParams | None = None) -> tuple[float, dict[str, float], np.ndarray]:
    """Refit without each group, predict it: (median APE over all held-out rows, per-group median, errors)."""
    groups = sorted({key(r) for r in rows})
    errs = np.full(len(rows), np.nan)
    per: dict[str, float] = {}
    for g in groups:
        train = [r for r in rows if key(r) != g]
        test_idx = [i for i, r in enumerate(rows) if key(r) == g]
        if not train:
            continue
        f = fit_all(catalog, train, start=start, rounds=1, passes=3)
        test = [rows[i] for i in test_idx]
        e = fit_errors(catalog, test, f)
        errs[test_idx] = e
        per[g] = float(np.median(e))
    return float(np.nanmedian(errs)), per, errs


def write_yaml(f: Fit | PerfParams, n_rows: int, err: float, path: Path = CALIBRATION_YAML,
               today: dt.date | None = None, engine_errors: dict[str, float] | None = None) -> None:
    """Write data/calibration.yaml with the fitted factors, engine profiles and provenance (atomic rename)."""
    today = today or clock.today()
    if isinstance(f, PerfParams):
        f = Fit(f, {}, {}, {})
    p = f.shared
    fitted = ", ".join(FIT_BOUNDS)
    engines = {}
    for e, mult in f.engines.items():
        q = f.params(e)
        engines[e] = {
            "factors": {k: round(getattr(q, k), 6) for k in (*mult, *ENGINE_SETTINGS.get(e, {}))},
            "rows": f.rows.get(e, 0),
            "shrinkage": round(f.shrinkage.get(e, 1.0), 4),
            "median_abs_pct_error": round((engine_errors or {}).get(e, float("nan")), 4)
            if engine_errors and e in engine_errors else None,
        }
    doc = {
        "efficiency": {
            "bandwidth_efficiency": round(p.bandwidth_efficiency, 6),
            "decode_compute_efficiency": round(p.decode_compute_efficiency, 6),
            "prefill_compute_efficiency": round(p.prefill_compute_efficiency, 6),
            "step_overhead_ms": round(p.step_overhead_ms, 6),
            "interconnect_efficiency": round(p.interconnect_efficiency, 6),
            "usable_memory_fraction": p.usable_memory_fraction,
            "runtime_overhead_gb": p.runtime_overhead_gb,
            "fitted_on": (f"data/measurements/throughput.csv, {n_rows} rows "
                          f"(excluded rows and reasons: python -m pricing.calibrate --dry-run), fitted {today}; "
                          f"fitted: {fitted}; engine profiles: {', '.join(ENGINE_FACTORS)} per engine, "
                          f"shrunk toward the shared fit with weight {PRIOR_ROWS:g} / ({PRIOR_ROWS:g} + rows)"),
            "median_abs_pct_error": round(err, 6),
            "extra": {
                "moe_efficiency": round(p.moe_efficiency, 6),
                "fp4_efficiency": round(p.fp4_efficiency, 6),
                "kv_bandwidth_efficiency": round(p.kv_bandwidth_efficiency, 6),
                "allreduce_latency_us": p.allreduce_latency_us,
                "max_batch": p.max_batch,
                "useful_sequences": p.useful_sequences,
                "a2a_overlap": p.a2a_overlap,
                "ep_imbalance": p.ep_imbalance,
                "prefill_chunk_tokens": p.prefill_chunk_tokens,
                "planned_utilization": p.planned_utilization,
                "prefix_cache_reserve": p.prefix_cache_reserve,
                "pool_prefill_efficiency": p.pool_prefill_efficiency,
            },
            "engines": engines,
            "source": (
                "fitted by pricing/calibrate.py on data/measurements/throughput.csv "
                "(TRT-LLM perf-overview v0.17 and v1.0 tables, TRT-LLM DeepSeek-R1 blog, NVIDIA NIM concurrency "
                "sweep of Llama-3.3-70B on 2 x H100, gpustack vLLM/SGLang ShareGPT runs with lengths from "
                f"{SHAREGPT_SOURCE}, each predicted as one 1000-prompt burst drained to its end), each row at its "
                "published layout and concurrency. Engine settings (not fitted): trtllm kv_free_memory_fraction 0.9 "
                "(TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction default). Not fitted "
                "(assumptions): usable_memory_fraction 0.9 = vLLM's default --gpu-memory-utilization; "
                "runtime_overhead_gb 2 (activations, CUDA graphs, NCCL buffers), allreduce_latency_us 10, "
                "max_batch 1024 (engine batch cap), useful_sequences 8 (a replica must hold KV for 8 full-context "
                "sequences to count as fitting), a2a_overlap 0.5 (share of expert-parallel all-to-all hidden by "
                "two-micro-batch overlap, as DeepSeek's inference system and SGLang do), ep_imbalance 1 (routing "
                "skew of random balanced routing), prefill_chunk_tokens 8192 (chunked-prefill token budget per "
                "step), planned_utilization 0.7 (TTFT queueing), prefix_cache_reserve 0.2 (KV share kept for "
                "cached prefixes at 100% hits). pool_prefill_efficiency: fitted on the disaggregated prefill pool "
                "rows (`pool` = prefill: LMSYS/SGLang EP32 on H100, 2025-05-05, and EP8 on GB200 NVL72, "
                "2025-09-25) at the shared fit, predicted by perf.prefill_pool_rate"
            ),
            "as_of": today.isoformat(),
        }
    }
    header = (
        "# GENERATED by `python -m pricing.calibrate` (refit: rerun it). Efficiency factors of the throughput\n"
        "# model in pricing/perf.py; see that module's docstring for the formulas. KV precision default:\n"
        "# fp8 for fp8/fp4 weights on GPUs with fp8 tensor cores, else bf16 (a perf.py rule, overridable).\n"
    )
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=100), encoding="utf-8")
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Refit on the CSV, print the factors and errors, rewrite data/calibration.yaml (unless --dry-run)."""
    args = list(sys.argv[1:] if argv is None else argv)
    cat = load_catalog()
    rows, excluded = load_rows(cat)
    print(f"{len(rows)} rows used, {len(excluded)} excluded:")
    for e in excluded:
        print(f"  line {e.line}: {e.label}: {e.reason}")
    f = fit_all(cat, rows)
    pools = pool_rows(cat)
    f = replace(f, shared=replace(f.shared, pool_prefill_efficiency=fit_pool_prefill_efficiency(cat, pools, f.shared)))
    errs = fit_errors(cat, rows, f)
    err = float(np.median(errs))
    for fl in fields(f.shared):
        print(f"  {fl.name:<28} {getattr(f.shared, fl.name):.4g}")
    eng_err: dict[str, float] = {}
    for eng in PROFILE_ENGINES:
        idx = [i for i, r in enumerate(rows) if r.engine == eng]
        eng_err[eng] = float(np.median(errs[idx])) if idx else float("nan")
        mult = ", ".join(f"{k} x{v:.2f}" for k, v in f.engines.get(eng, {}).items())
        print(f"  engine {eng}: {f.rows.get(eng, 0)} rows, shrinkage {f.shrinkage.get(eng, 1):.2f}, "
              f"median error {eng_err[eng]:.1%}; {mult}")
    print(f"median absolute error on {len(rows)} rows: {err:.1%}")
    for pr, x in zip(pools, predict_pool_rows(cat, pools, f.shared), strict=True):
        print(f"  pool row line {pr.line} ({pr.pool}, {pr.gpus}x{pr.gpu} EP{pr.ep}): measured {pr.measured:,.0f}, "
              f"predicted {x:,.0f} ({x / pr.measured - 1:+.0%}; shared fit)")
    if "--dry-run" not in args:
        write_yaml(f, len(rows), err, engine_errors=eng_err)
        print(f"wrote {CALIBRATION_YAML.relative_to(ROOT)}")
    return 0 if math.isfinite(err) else 1


if __name__ == "__main__":
    raise SystemExit(main())
