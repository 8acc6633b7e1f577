"""Independent check of the throughput model on MLCommons MLPerf Inference results (never fitted on them).

Run `python benchmarks/mlperf_check.py`. Reads data/measurements/holdout_mlperf.csv (documented in
data/measurements/README.md), predicts each row with the calibrated model as a user would get it from
`pricing throughput`: the row's model, GPU and GPU count, the planner choosing the layout, the engine profile
matching the submission's software (TensorRT-LLM -> trtllm, vLLM -> vllm, else the shared fit) and, for Server
rows, MLPerf's TTFT/TPOT limits as the latency targets. Prints measured vs predicted per row and the median
|error| overall, by GPU, vendor, scenario and benchmark, and for each row the prompt length at which the model
would reproduce it (a diagnostic of the workload's one unknown, never used to adjust anything).

This is a CHECK: nothing here feeds pricing/calibrate.py or data/calibration.yaml, and no factor may be tuned
toward these rows (issue 9). Caveats printed with the figures:
- Output tokens per sample: the row's own tokens/s / samples/s where its summary gives both, else the
  benchmark's reference mean (llama2-70b: 294.45 tokens per sample, mlcommons/inference
  language/llama2-70b/README.md "Accuracy Target"; mixtral-8x7b: 144.84, language/mixtral-8x7b/README.md
  "Accuracy Target").
- Input tokens per sample: no primary source states the mean prompt length of MLPerf's OpenOrca or
  Mixtral sets (only the 1024-token cap of processorca.py --seqlen_limit). INPUT_ASSUMED below is this
  check's own assumption, reported with the error at half and double it. Benchmarks whose prompt length we
  cannot even bound (llama3.1-405b, deepseek-r1, llama3.1-8b) are listed but not predicted.
- MLPerf's Server limits are 99th-percentile TTFT/TPOT at Poisson arrivals; the model's targets apply to its
  steady-state step, so Server predictions lean optimistic.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import perf  # noqa: E402
from pricing.catalog import Catalog, load_catalog  # noqa: E402
from pricing.errors import InputError  # noqa: E402

CSV_PATH = ROOT / "data" / "measurements" / "holdout_mlperf.csv"
COLUMNS = ("round", "submitter", "system_name", "accelerator", "gpu", "accelerator_count", "status", "benchmark",
           "scenario", "value", "unit", "samples_per_s", "ttft_limit_ms", "tpot_limit_ms", "latency_source",
           "precision", "precision_source", "framework", "engine", "source", "system_source", "read_from", "notes")
# MLPerf benchmark -> Hugging Face id in data/models.yaml
MODELS: dict[str, str] = {
    "llama2-70b": "meta-llama/Llama-2-70b-chat-hf",
    "mixtral-8x7b": "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "llama3.1-405b": "meta-llama/Llama-3.1-405B-Instruct",
    "deepseek-r1": "deepseek-ai/DeepSeek-R1",
    "llama3.1-8b": "meta-llama/Llama-3.1-8B-Instruct",
}
# reference output tokens per sample (see the module docstring for the sources)
OUTPUT_REFERENCE: dict[str, float] = {"llama2-70b": 294.45, "mixtral-8x7b": 144.84}
# this check's own assumption (NOT sourced): mean prompt tokens, taken equal to the reference output mean
INPUT_ASSUMED: dict[str, float] = {"llama2-70b": 294.45, "mixtral-8x7b": 144.84}
VENDORS = {"mi300x": "AMD", "mi325x": "AMD", "mi355x": "AMD"}


@dataclass(frozen=True)
class Row:
    """One transcribed MLPerf result."""
    line: int
    round: str
    submitter: str
    gpu: str
    gpus: int
    benchmark: str
    scenario: str
    measured: float
    samples_per_s: float | None
    ttft_ms: float | None
    tpot_ms: float | None
    precision: str
    engine: str
    source: str

    @property
    def family(self) -> str:
        """llama2-70b-99.9 -> llama2-70b."""
        for k in MODELS:
            if self.benchmark.startswith(k):
                return k
        return self.benchmark

    @property
    def vendor(self) -> str:
        return VENDORS.get(self.gpu, "NVIDIA")

    def output_tokens(self) -> float | None:
        """Mean output tokens per sample: the row's own (tokens/s / samples/s) or the benchmark's reference."""
        if self.samples_per_s:
            return self.measured / self.samples_per_s
        return OUTPUT_REFERENCE.get(self.family)


def _opt(v: str) -> float | None:
    return float(v) if v.strip() else None


def load(path: Path = CSV_PATH) -> list[Row]:
    """The holdout rows; InputError naming file, line and field on a malformed one."""
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        rd = csv.DictReader(fh)
        if tuple(rd.fieldnames or ()) != COLUMNS:
            raise InputError(f"{path}: header {rd.fieldnames} differs from the documented columns {list(COLUMNS)}")
        for line, rec in enumerate(rd, start=2):
            try:
                out.append(Row(
                    line=line, round=rec["round"], submitter=rec["submitter"], gpu=rec["gpu"],
                    gpus=int(rec["accelerator_count"]), benchmark=rec["benchmark"], scenario=rec["scenario"],
                    measured=float(rec["value"]), samples_per_s=_opt(rec["samples_per_s"]),
                    ttft_ms=_opt(rec["ttft_limit_ms"]), tpot_ms=_opt(rec["tpot_limit_ms"]),
                    precision=rec["precision"], engine=rec["engine"], source=rec["source"],
                ))
            except ValueError as exc:
                raise InputError(f"{path}: line {line}: {exc}") from exc
    return out


def predict(cat: Catalog, r: Row, input_scale: float = 1.0) -> tuple[float, str] | None:
    """Predicted tokens/s of the row's whole system (planner-chosen layout) and the layout, or None when the
    benchmark's prompt length is unknown."""
    i_tok, o_tok = INPUT_ASSUMED.get(r.family), r.output_tokens()
    if i_tok is None or o_tok is None:
        return None
    model, gpu = cat.model(MODELS[r.family]), cat.gpu(r.gpu)
    params = perf.PerfParams.from_factors(cat.efficiency, r.engine)
    res = perf.throughput(model, gpu, r.gpus, r.precision, i_tok * input_scale, o_tok, params,
                          max_tpot_ms=r.tpot_ms if r.scenario == "Server" else None,
                          max_ttft_ms=r.ttft_ms if r.scenario == "Server" else None,
                          engine=r.engine, data_dir=cat.data_dir)
    lay = res["layout"]
    label = "x".join(f"{k}{v}" for k, v in lay.items() if k in ("tp", "pp", "ep", "dp") and v and v != 1) or "tp1"
    return float(res["output_tokens_per_s"]), label


def implied_prompt(cat: Catalog, r: Row, lo: float = 16.0, hi: float = 8192.0) -> float | None:
    """The mean prompt length at which the model would reproduce the row (log-space bisection), a diagnostic of
    the workload's one unknown: one dataset has one true prompt length, so rows implying very different lengths
    show where the model itself misses. Nothing is adjusted with it. None when no length in [lo, hi] matches."""
    base = INPUT_ASSUMED.get(r.family)
    if base is None:
        return None

    def err(n: float) -> float:
        got = predict(cat, r, n / base)
        return (got[0] if got else 0.0) / r.measured - 1.0

    if err(lo) < 0 or err(hi) > 0:
        return None
    a, b = np.log(lo), np.log(hi)
    for _ in range(18):
        mid = (a + b) / 2.0
        if err(float(np.exp(mid))) > 0:
            a = mid
        else:
            b = mid
    return float(np.exp((a + b) / 2.0))


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}"


def _median(err: Sequence[float]) -> str:
    return f"{np.median(np.abs(err)):.1%} (n={len(err)})" if err else "-"


def main() -> None:
    """Print every row and the error summaries."""
    cat = load_catalog()
    rows = load()
    print(f"{'line':>4} {'round':<5} {'submitter':<8} {'system':>10} {'benchmark':<16} {'scenario':<8} {'engine':<6} "
          f"{'prec':<4} {'out/smp':>7} {'measured':>9} {'predicted':>9} {'error':>7} {'implied':>8}  layout")
    done: list[tuple[Row, float]] = []
    skipped: list[Row] = []
    for r in rows:
        got = predict(cat, r)
        if got is None:
            skipped.append(r)
            continue
        pred, lay = got
        e = pred / r.measured - 1.0
        done.append((r, e))
        print(f"{r.line:>4} {r.round:<5} {r.submitter[:8]:<8} {f'{r.gpus}x{r.gpu}':>10} {r.benchmark:<16} "
              f"{r.scenario:<8} {r.engine:<6} {r.precision:<4} {r.output_tokens() or 0:>7.1f} {r.measured:>9.0f} "
              f"{pred:>9.0f} {e:>+7.1%} {_fmt(implied_prompt(cat, r)):>8}  {lay}")
    errs = [e for _, e in done]
    print(f"\n{len(rows)} MLPerf rows, {len(done)} predicted, {len(skipped)} not predicted (prompt length unknown: "
          + ", ".join(sorted({r.benchmark for r in skipped})) + ")")
    print(f"median |error| overall {_median(errs)}, median signed {np.median(errs):+.1%}, "
          f"within 25%: {np.mean(np.abs(errs) <= 0.25):.0%}")
    for name, key in (("GPU", lambda r: r.gpu), ("vendor", lambda r: r.vendor), ("scenario", lambda r: r.scenario),
                      ("benchmark", lambda r: r.family), ("round", lambda r: r.round), ("engine", lambda r: r.engine)):
        groups = sorted({key(r) for r, _ in done})
        print(f"  by {name}: " + ", ".join(
            f"{g} {_median([e for r, e in done if key(r) == g])} signed {np.median([e for r, e in done if key(r) == g]):+.0%}"
            for g in groups))
    for scale in (0.5, 2.0):
        se = []
        for r, _ in done:
            got = predict(cat, r, scale)
            if got is not None:
                se.append(got[0] / r.measured - 1.0)
        print(f"sensitivity: assumed prompt length x{scale}: median |error| {_median(se)}, "
              f"median signed {np.median(se):+.1%}")
    print("implied prompt length (tokens at which the model matches the row; one dataset has one true mean):")
    for fam in sorted({r.family for r, _ in done}):
        for vendor in ("AMD", "NVIDIA"):
            xs = [x for r, _ in done if r.family == fam and r.vendor == vendor
                  for x in [implied_prompt(cat, r)] if x is not None]
            if xs:
                print(f"  {fam} {vendor}: median {np.median(xs):.0f} (range {min(xs):.0f}-{max(xs):.0f}, n={len(xs)})")
    print("A check only: these rows never enter the fit (pricing/calibrate.py reads throughput.csv alone).")


if __name__ == "__main__":
    main()
