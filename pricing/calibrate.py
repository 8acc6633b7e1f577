"""Fit the throughput model's efficiency factors on measured serving throughput; `python -m pricing.calibrate`.

Data: shared/reference/throughput_calibration.csv only. Rows whose model, GPU or setup we cannot
model are excluded with a printed reason. The fit minimises the mean absolute log error
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
from pricing.perf import PerfParams

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT.parent / "shared" / "reference" / "throughput_calibration.csv"
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
    "B200-180GB": "b200",
    "B200": "b200",
    "A100-SXM4-80GB": "a100-80gb",
    "A100-SXM-80GB": "a100-80gb",
    "L40S-48GB": "l40s",
    "RTX-PRO-6000-Blackwell-96GB": "rtx-pro-6000",
    "RTX-4090-24GB": "rtx-4090",
    "MI300X": "mi300x",
    "GB200": None,
    "GH200-480GB": None,
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
FIT_BOUNDS: dict[str, tuple[float, float]] = {
    "bandwidth_efficiency": (0.3, 1.0),
    "decode_compute_efficiency": (0.05, 1.0),
    "prefill_compute_efficiency": (0.05, 1.0),
    "step_overhead_ms": (0.05, 30.0),
    "interconnect_efficiency": (0.05, 1.0),
    "moe_efficiency": (0.05, 1.0),
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


def _engine(source: str, notes: str) -> str:
    s = (source + " " + notes).lower()
    if "tensorrt-llm" in s or "trt-llm" in s:
        return "trtllm"
    if "gpustack" in s:
        return "sglang" if "sglang" in notes.lower().split(";")[0] else "vllm"
    if "llama.cpp" in s or "gpu-benchmarks-on-llm" in s:
        return "llama.cpp"
    return "other"


def load_rows(catalog: Catalog, path: Path = CSV_PATH) -> tuple[list[CalRow], list[Excluded]]:
    """The CSV rows we can model, and the rest with the reason each is left out."""
    keep: list[CalRow] = []
    out: list[Excluded] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            label = f"{rec['model']} {rec['precision']} {rec['gpu_count']}x{rec['gpu']} {rec['scenario']}"
            notes, scen = rec["notes"], rec["scenario"].lower()
            engine = _engine(rec["source"], notes)

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
            if "disaggregated" in scen:
                skip("prefill/decode-disaggregated across 12 nodes; decode-only figure")
                continue
            if "unsure-rounded" in notes.lower():
                skip("rounded lower bound ('over 30,000') of a figure measured in other rows")
                continue
            if "interpolated" in notes.lower():
                skip("interpolated per-GPU figure of an unknown deployment size; output-only unclear")
                continue
            if engine == "llama.cpp":
                skip("llama.cpp single stream: not a batching server (and GGUF Q4_K_M is ~4.8 bits/weight, not 4)")
                continue
            if "static batch" in scen:
                skip("static batching (TRT-LLM v0.9, 2024); the model assumes continuous batching")
                continue
            max_batch = None
            if rec["input_len"] == "ShareGPT":
                o_len = SHAREGPT_OUTPUT
                m = re.search(r"Total TPS ([\d.]+)", notes)
                ratio = (float(m.group(1)) - float(rec["throughput_tokens_per_s"])) / float(
                    rec["throughput_tokens_per_s"]) if m else SHAREGPT_INPUT / SHAREGPT_OUTPUT
                i_len = o_len * ratio
                max_batch = SHAREGPT_PROMPTS
                kvp = kvp or "bf16"  # vLLM/SGLang default kv-cache-dtype auto = model dtype
            else:
                try:
                    i_len, o_len = float(rec["input_len"]), float(rec["output_len"])
                except ValueError:
                    skip("input/output lengths not given")
                    continue
            mc = re.search(r"concurrency (\d+)", notes)
            if mc:
                max_batch = float(mc.group(1))
            arch = catalog.models[model_id]
            keep.append(CalRow(
                line=line, source=rec["source"], model_name=rec["model"], model=model_id, gpu=gpu_id,
                precision=prec, kv_precision=kvp, gpus=int(rec["gpu_count"]), input_tokens=i_len,
                output_tokens=o_len, measured=float(rec["throughput_tokens_per_s"]),
                max_batch=max_batch, engine=engine, family=arch.family.split("-")[0].split(".")[0],
            ))
    return keep, out


def predictor(catalog: Catalog, rows: Sequence[CalRow]) -> Callable[[PerfParams], np.ndarray]:
    """A function params -> predicted output tokens/s for every row (vectorised)."""
    specs = [(catalog.models[r.model], catalog.gpus[r.gpu], r.precision, r.gpus) for r in rows]
    kvp = [r.kv_precision for r in rows]
    i_tok = np.array([r.input_tokens for r in rows])
    o_tok = np.array([r.output_tokens for r in rows])
    caps = [r.max_batch for r in rows]

    def predict(p: PerfParams) -> np.ndarray:
        cap = np.array([c if c is not None else p.max_batch for c in caps])
        res = perf.evaluate(perf.rows(specs, p, kvp), i_tok, o_tok, p, max_batch=cap)
        out: np.ndarray = res["output_tokens_per_s"]
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


def fit(catalog: Catalog, rows: Sequence[CalRow], start: PerfParams | None = None,
        names: Sequence[str] = tuple(FIT_BOUNDS), passes: int = 6) -> PerfParams:
    """Minimise mean |log(pred / measured)|: coordinate search on log grids, then a simplex polish."""
    predict = predictor(catalog, rows)
    meas = np.array([r.measured for r in rows])
    p = start or PerfParams()

    def loss(q: PerfParams) -> float:
        pred = predict(q)
        return float(np.mean(np.abs(np.log(np.maximum(pred, 1e-9) / meas))))

    best = loss(p)
    width = 1.0  # search +- width in natural-log units around the current value
    for _ in range(passes):
        improved = False
        for name in names:
            lo, hi = FIT_BOUNDS[name]
            cur = getattr(p, name)
            grid = np.unique(np.clip(cur * np.exp(np.linspace(-width, width, 25)), lo, hi))
            for v in grid:
                q = replace(p, **{name: float(v)})
                val = loss(q)
                if val < best - 1e-12:
                    best, p, improved = val, q, True
        if not improved:
            width /= 2.5
            if width < 0.01:
                break

    lows = np.log([FIT_BOUNDS[n][0] for n in names])
    highs = np.log([FIT_BOUNDS[n][1] for n in names])

    def at(x: np.ndarray) -> PerfParams:
        return replace(p, **{n: float(np.exp(v)) for n, v in zip(names, np.clip(x, lows, highs), strict=True)})

    x = _nelder_mead(lambda x: loss(at(x)), np.log([getattr(p, n) for n in names]))
    q = at(x)
    return q if loss(q) <= best else p


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
        p = fit(catalog, train, start=start, passes=4)
        test = [rows[i] for i in test_idx]
        e = abs_pct_errors(predictor(catalog, test)(p), np.array([r.measured for r in test]))
        errs[test_idx] = e
        per[g] = float(np.median(e))
    return float(np.nanmedian(errs)), per, errs


def write_yaml(p: PerfParams, n_rows: int, err: float, path: Path = CALIBRATION_YAML,
               today: dt.date | None = None) -> None:
    """Write data/calibration.yaml with the fitted factors and their provenance (atomic rename)."""
    today = today or clock.today()
    fitted = ", ".join(FIT_BOUNDS)
    doc = {
        "efficiency": {
            "bandwidth_efficiency": round(p.bandwidth_efficiency, 4),
            "decode_compute_efficiency": round(p.decode_compute_efficiency, 4),
            "prefill_compute_efficiency": round(p.prefill_compute_efficiency, 4),
            "step_overhead_ms": round(p.step_overhead_ms, 4),
            "interconnect_efficiency": round(p.interconnect_efficiency, 4),
            "usable_memory_fraction": p.usable_memory_fraction,
            "runtime_overhead_gb": p.runtime_overhead_gb,
            "fitted_on": (f"shared/reference/throughput_calibration.csv, {n_rows} rows "
                          f"(excluded rows and reasons: python -m pricing.calibrate --dry-run), fitted {today}; "
                          f"fitted: {fitted}"),
            "median_abs_pct_error": round(err, 4),
            "extra": {
                "moe_efficiency": round(p.moe_efficiency, 4),
                "allreduce_latency_us": p.allreduce_latency_us,
                "max_batch": p.max_batch,
                "useful_sequences": p.useful_sequences,
            },
            "source": (
                "fitted by pricing/calibrate.py on shared/reference/throughput_calibration.csv "
                "(TRT-LLM perf-overview v0.17 and v1.0 tables, TRT-LLM DeepSeek-R1 blog, gpustack vLLM/SGLang "
                f"ShareGPT runs with lengths from {SHAREGPT_SOURCE}). Not fitted: usable_memory_fraction 0.9 = "
                "vLLM's default --gpu-memory-utilization; runtime_overhead_gb 2 (activations, CUDA graphs, NCCL "
                "buffers), allreduce_latency_us 10, max_batch 1024 (engine batch cap) and useful_sequences 8 "
                "(a replica must hold KV for 8 full-context sequences to count as fitting) are assumptions"
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
    p = fit(cat, rows)
    err = median_error(cat, rows, p)
    for f in fields(p):
        print(f"  {f.name:<28} {getattr(p, f.name):.4g}")
    print(f"median absolute error on {len(rows)} rows: {err:.1%}")
    if "--dry-run" not in args:
        write_yaml(p, len(rows), err)
        print(f"wrote {CALIBRATION_YAML.relative_to(ROOT)}")
    return 0 if math.isfinite(err) else 1


if __name__ == "__main__":
    raise SystemExit(main())
