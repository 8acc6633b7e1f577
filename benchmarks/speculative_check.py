"""Speculative decoding (MTP / EAGLE draft heads) in pricing.perf against published measurements (read, never fitted).

Run `python benchmarks/speculative_check.py`. Every row of data/measurements/speculative.csv states a deployment
measured twice, with and without drafts (draft tokens per step k, per-token acceptance a, derived from the
published mean acceptance length L by solving 1 + a + ... + a^k = L). Each row is predicted at its own layout,
concurrency and lengths, with the row engine's profile of data/calibration.yaml, both ways:

  speed-up   = with drafts / without drafts, measured vs predicted (the main check: it cancels the base
               model's own error on that deployment and isolates the speculative physics of perf.step_s);
  with-drafts = the absolute figure with drafts, measured vs predicted (speculative physics + base error).

Units: `tokens_per_s_per_user` = 1 / time per output token of one request (perf `per_user_tokens_per_s`);
`output_tokens_per_s_per_gpu` = a decode pool's output tokens/s divided by its GPUs (perf.decode_pool_rate,
the stated concurrency per attention-DP rank as the batch cap); `e2e_latency_ms` = one request's end-to-end
latency at the stated concurrency (perf TTFT + (output - 1) x TPOT; speed-up = without / with). For e2e rows the
"step" and "drafts add" columns take latency / output tokens as the time per token, TTFT included (the sources
give no split), so they are approximate there.

Rows whose source publishes no acceptance (the AMD sweep) are printed apart, under stated assumptions (ASSUMED),
with the decay of the speed-up over the sweep, which hardly depends on the acceptance.

Layouts the model cannot express are approximated and the row's note says so: TensorRT-LLM's mixed
`TP8 EP4` (attention TP8, experts EP4 x TP2) runs as one TP8 group with the experts spread over all 8 GPUs.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import perf  # noqa: E402
from pricing.catalog import Catalog, load_catalog  # noqa: E402
from pricing.errors import DataError, Issue  # noqa: E402

CSV_PATH = ROOT / "data" / "measurements" / "speculative.csv"
COLUMNS = ("source", "date_version", "engine", "model", "precision", "gpu", "gpu_count", "layout", "pool",
           "concurrency", "input_len", "output_len", "draft_tokens", "acceptance", "acceptance_length", "metric",
           "value", "baseline_value", "notes")
METRICS = ("tokens_per_s_per_user", "output_tokens_per_s_per_gpu", "e2e_latency_ms")
LOWER_IS_BETTER = ("e2e_latency_ms",)
ENGINES = ("default", "vllm", "sglang", "trtllm")
ACCEPTANCE_TOL = 0.005  # stated L vs 1 + a + ... + a^k of the transcribed a (a rounded to 4 decimals)


@dataclass(frozen=True)
class SpecRow:
    """One published with/without-drafts measurement."""

    line: int
    source: str
    engine: str
    model: str
    precision: str
    kv_precision: str | None
    gpu: str
    gpus: int
    layout: str
    pool: str
    concurrency: float
    input_tokens: float
    output_tokens: float
    drafts: int
    acceptance: float | None  # None: the source publishes no acceptance (checked under stated assumptions)
    acceptance_length: float | None
    metric: str
    value: float
    baseline: float
    notes: str

    @property
    def label(self) -> str:
        return f"{self.model.split('/')[-1]} {self.gpus}x{self.gpu} {self.layout} c{self.concurrency:g} k{self.drafts}"


def tokens_per_step(drafts: int, acceptance: float) -> float:
    """1 + a + ... + a^k: the accepted run plus the target model's own token (perf.spec_gain's formula)."""
    return perf.spec_gain(perf.PerfParams(spec_tokens=drafts, spec_acceptance=acceptance))


def acceptance_from_length(length: float, drafts: int) -> float:
    """Per-token acceptance a with 1 + a + ... + a^k = length (bisection; clear error when out of range)."""
    if drafts < 1 or not 1.0 <= length <= drafts + 1.0:
        raise ValueError(f"mean acceptance length {length} impossible with {drafts} draft token(s)")
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if tokens_per_step(drafts, mid) < length else (lo, mid)
    return (lo + hi) / 2.0


def _precision(text: str) -> tuple[str, str | None]:
    """('fp4', 'bf16') from 'fp4 + bf16 KV'; KV None = the perf.py default rule."""
    t = text.strip().lower()
    m = re.fullmatch(r"(bf16|fp16|fp8|fp4|int8|int4)(?:\s*\+\s*(bf16|fp16|fp8)\s*kv)?", t)
    if not m:
        raise ValueError(f"precision {text!r} is not '<weights>' or '<weights> + <kv> KV'")
    return m.group(1), m.group(2)


def load_rows(catalog: Catalog, path: Path = CSV_PATH) -> list[SpecRow]:
    """The CSV's rows, validated: ids resolve in the catalog, numbers parse, acceptance matches the stated L."""
    issues: list[Issue] = []
    out: list[SpecRow] = []
    name = str(path.name)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DataError([Issue(name, "header", "", f"columns must be {', '.join(COLUMNS)}")])
        for line, rec in enumerate(reader, start=2):
            entry = f"line {line}"

            def bad(field: str, msg: str, _entry: str = entry) -> None:
                issues.append(Issue(name, _entry, field, msg))

            if rec["model"] not in catalog.models:
                bad("model", f"{rec['model']!r} is not an id of data/models.yaml")
            if rec["gpu"] not in catalog.gpus:
                bad("gpu", f"{rec['gpu']!r} is not an id of data/gpus.yaml")
            if rec["engine"] not in ENGINES:
                bad("engine", f"{rec['engine']!r} is not one of {', '.join(ENGINES)}")
            if rec["metric"] not in METRICS:
                bad("metric", f"{rec['metric']!r} is not one of {', '.join(METRICS)}")
            if rec["pool"] not in ("", "decode"):
                bad("pool", f"{rec['pool']!r}: empty (one engine) or 'decode' (a decode-only pool)")
            if not rec["source"].startswith("https://"):
                bad("source", "must be the https URL of the original public source")
            try:
                prec, kvp = _precision(rec["precision"])
            except ValueError as e:
                bad("precision", str(e))
                prec, kvp = "", None
            nums: dict[str, float] = {}
            unpublished = not rec["acceptance"] and not rec["acceptance_length"]
            if unpublished and "acceptance not published" not in rec["notes"].lower():
                bad("acceptance", "empty: the note must say 'acceptance not published'")
            for f in ("gpu_count", "concurrency", "input_len", "output_len", "draft_tokens", "acceptance",
                      "acceptance_length", "value", "baseline_value"):
                if unpublished and f in ("acceptance", "acceptance_length"):
                    continue
                try:
                    v = float(rec[f])
                except (TypeError, ValueError):
                    bad(f, f"{rec[f]!r} is not a number")
                    continue
                if not math.isfinite(v) or v < 0 or (f not in ("acceptance",) and v <= 0):
                    bad(f, f"{rec[f]!r} must be a positive number")
                    continue
                nums[f] = v
            if len(nums) < (7 if unpublished else 9):
                continue
            k = int(nums["draft_tokens"])
            if k != nums["draft_tokens"] or not 1 <= k <= 8:
                bad("draft_tokens", f"{rec['draft_tokens']!r} must be a whole number from 1 to 8")
                continue
            a, length = nums.get("acceptance"), nums.get("acceptance_length")
            if a is not None and not 0.0 <= a <= 1.0:
                bad("acceptance", f"{a} must be between 0 and 1")
                continue
            if (a is None) != (length is None):
                bad("acceptance", "give both acceptance and acceptance_length (or neither, when not published)")
                continue
            if a is not None and length is not None and abs(tokens_per_step(k, a) - length) > ACCEPTANCE_TOL:
                bad("acceptance", f"{a} gives {tokens_per_step(k, a):.3f} tokens per step with {k} draft(s), "
                    f"not the stated acceptance_length {length}")
                continue
            if rec["pool"] == "decode" and not re.search(r"EP\d+", rec["layout"]):
                bad("layout", "a decode pool row must state EPn (attention data-parallel over the same n GPUs)")
                continue
            out.append(SpecRow(
                line=line, source=rec["source"], engine=rec["engine"], model=rec["model"], precision=prec,
                kv_precision=kvp, gpu=rec["gpu"], gpus=int(nums["gpu_count"]), layout=rec["layout"],
                pool=rec["pool"], concurrency=nums["concurrency"], input_tokens=nums["input_len"],
                output_tokens=nums["output_len"], drafts=k, acceptance=a, acceptance_length=length,
                metric=rec["metric"], value=nums["value"], baseline=nums["baseline_value"], notes=rec["notes"]))
    if issues:
        raise DataError(issues)
    return out


def row_layout(row: SpecRow) -> perf.Layout:
    """The row's layout in pricing.perf terms: `EPn` decode pools run attention DP over the n GPUs; `TPt EPe`
    becomes one TPt instance with its experts over all t GPUs (the model spreads experts over the whole group,
    so TensorRT-LLM's mixed EP x TP experts are approximated); `TPt` alone is tensor parallel."""
    tp = re.search(r"TP(\d+)", row.layout)
    ep = re.search(r"EP(\d+)", row.layout)
    if row.pool == "decode" and ep:
        n = int(ep.group(1))
        return perf.Layout(tp=n, ep=n, attention_dp=True)
    t = int(tp.group(1)) if tp else row.gpus
    if ep and int(ep.group(1)) > 1:
        return perf.Layout(tp=t, ep=t, attention_dp=False)
    return perf.Layout(tp=t)


def predict(catalog: Catalog, row: SpecRow, drafts: int, acceptance: float,
            params: perf.PerfParams | None = None) -> float:
    """The model's figure for the row (in its metric's unit) with `drafts` draft tokens at `acceptance`;
    `e2e_latency_ms` = time to first token + (output - 1) x time per output token at the stated concurrency."""
    return _predict(catalog, row, drafts, acceptance, params)


def _predict(catalog: Catalog, row: SpecRow, drafts: int, acceptance: float,
             params: perf.PerfParams | None) -> float:
    """The model's figure for the row (in its metric's unit) with `drafts` draft tokens at `acceptance`."""
    base = params or perf.PerfParams.from_factors(catalog.efficiency, row.engine)
    p = replace(base, spec_tokens=float(drafts), spec_acceptance=acceptance if drafts else 0.0)
    lay = row_layout(row)
    r = perf.rows([(catalog.models[row.model], catalog.gpus[row.gpu], row.precision, lay.instance_gpus)], p,
                  [row.kv_precision], [lay])
    dp = max(row.gpus // lay.instance_gpus, 1)
    if row.pool == "decode":
        per_rank = row.concurrency  # the stated concurrency is per attention-DP rank
        res = perf.decode_pool_rate(r, row.input_tokens, row.output_tokens, p, max_batch=per_rank)
        return float(res["output_tokens_per_s"][0]) * dp / row.gpus
    res = perf.evaluate(r, row.input_tokens, row.output_tokens, p, max_batch=row.concurrency / dp)
    if row.metric == "e2e_latency_ms":
        return float(res["ttft_ms"][0] + (row.output_tokens - 1.0) * res["tpot_ms"][0])
    if row.metric == "tokens_per_s_per_user":
        return float(res["per_user_tokens_per_s"][0])
    return float(res["output_tokens_per_s"][0]) * dp / row.gpus


@dataclass(frozen=True)
class Checked:
    """One row's measured and predicted figures."""

    row: SpecRow
    base: float  # predicted without drafts
    spec: float  # predicted with the row's drafts and acceptance
    acceptance: float  # the row's, or the stated assumption where the source publishes none
    length: float  # tokens per step at that acceptance (the row's published L where there is one)

    @property
    def measured_speedup(self) -> float:
        if self.row.metric in LOWER_IS_BETTER:
            return self.row.baseline / self.row.value
        return self.row.value / self.row.baseline

    @property
    def predicted_speedup(self) -> float:
        if self.base <= 0 or self.spec <= 0:
            return float("nan")
        return self.base / self.spec if self.row.metric in LOWER_IS_BETTER else self.spec / self.base

    @property
    def speedup_error(self) -> float:
        return self.predicted_speedup / self.measured_speedup - 1.0

    def _step_ms(self, rate: float, length: float) -> float:
        """Milliseconds of one decode step of one sequence emitting `length` tokens a step at `rate` (the
        row's metric: per user, or per GPU with `concurrency` sequences per GPU)."""
        if self.row.metric in LOWER_IS_BETTER:  # latency of a whole request: its time per output token
            return rate / self.row.output_tokens * length
        per_seq = rate if self.row.metric == "tokens_per_s_per_user" else rate / self.row.concurrency
        return 1e3 * length / per_seq

    @property
    def measured_added_ms(self) -> float:
        """What the drafts add to a step, measured: L / (speed with drafts) - 1 / (speed without)."""
        return self._step_ms(self.row.value, self.length) - self._step_ms(self.row.baseline, 1.0)

    @property
    def predicted_added_ms(self) -> float:
        return self._step_ms(self.spec, self.length) - self._step_ms(self.base, 1.0)

    @property
    def speedup_at_measured_base(self) -> float:
        """The predicted speed-up if the plain step were as long as measured: L x step / (step + predicted
        added ms). Separates the speculative physics (what drafts add to a step) from the base model's error
        on the plain step, which the ratio does not cancel when the plain step is mostly fixed costs."""
        step = self._step_ms(self.row.baseline, 1.0)
        return self.length * step / (step + self.predicted_added_ms)

    @property
    def base_error(self) -> float:
        return self.base / self.row.baseline - 1.0

    @property
    def spec_error(self) -> float:
        return self.spec / self.row.value - 1.0


def check(catalog: Catalog, rows: list[SpecRow], params: perf.PerfParams | None = None,
          assumed_acceptance: float | None = None) -> list[Checked]:
    """Every row predicted without and with its drafts; rows whose source publishes no acceptance use
    `assumed_acceptance` (required for them: a clear error otherwise)."""
    out = []
    for r in rows:
        a = r.acceptance if r.acceptance is not None else assumed_acceptance
        if a is None:
            raise ValueError(f"line {r.line}: the source publishes no acceptance; pass assumed_acceptance")
        out.append(Checked(r, predict(catalog, r, 0, 0.0, params), predict(catalog, r, r.drafts, a, params),
                           a, tokens_per_step(r.drafts, a)))
    return out


def summary(res: list[Checked]) -> dict[str, float]:
    """Median |error| of the speed-up ratio, of the with-drafts figure and of the plain figure."""
    return {"speedup": float(np.median([abs(c.speedup_error) for c in res])),
            "with_drafts": float(np.median([abs(c.spec_error) for c in res])),
            "without_drafts": float(np.median([abs(c.base_error) for c in res])),
            "speedup_bias": float(np.median([c.speedup_error for c in res])),
            "speedup_at_measured_base": float(np.median(
                [abs(c.speedup_at_measured_base / c.measured_speedup - 1) for c in res]))}


def report(res: list[Checked], title: str) -> None:
    print(title)
    print(f"  {'row':<44} {'a':>6} {'L':>5} {'speed-up meas':>13} {'pred':>6} {'err':>6} | "
          f"{'with drafts meas':>16} {'pred':>7} {'err':>6} | {'base meas':>9} {'pred':>7} {'err':>6} | "
          f"{'step ms meas':>12} {'pred':>6} | {'drafts add ms meas':>18} {'pred':>6} | "
          f"{'speed-up at meas. step':>22} {'err':>6}")
    for c in res:
        r = c.row
        print(f"  {r.label:<44} {c.acceptance:>6.3f} {c.length:>5.2f} {c.measured_speedup:>13.2f} "
              f"{c.predicted_speedup:>6.2f} {c.speedup_error:>+6.0%} | {r.value:>16.1f} {c.spec:>7.1f} "
              f"{c.spec_error:>+6.0%} | {r.baseline:>9.1f} {c.base:>7.1f} {c.base_error:>+6.0%} | "
              f"{c._step_ms(r.baseline, 1.0):>12.2f} {c._step_ms(c.base, 1.0):>6.2f} | "
              f"{c.measured_added_ms:>18.2f} {c.predicted_added_ms:>6.2f} | "
              f"{c.speedup_at_measured_base:>22.2f} {c.speedup_at_measured_base / c.measured_speedup - 1:>+6.0%}")
    s = summary(res)
    print(f"  median |error|: speed-up {s['speedup']:.0%} (median signed {s['speedup_bias']:+.0%}), "
          f"with drafts {s['with_drafts']:.0%}, without drafts {s['without_drafts']:.0%}; speed-up at the measured "
          f"plain step {s['speedup_at_measured_base']:.0%} ({len(res)} rows)")


# acceptances assumed for rows whose source publishes none (each from a published DeepSeek MTP figure)
ASSUMED = (
    (0.6958, "LMSYS/SGLang's 2-draft DeepSeek-V3 MTP: L = 2.18, the published row above"),
    (0.85, "DeepSeek-V3 report 5.4.3: 85-90% for the first MTP draft token, lower end"),
)


def print_decay(res: list[Checked]) -> None:
    """Speed-up at each concurrency over the same sweep's speed-up at its lowest concurrency, measured vs predicted."""
    groups: dict[tuple[str, str, str, int], list[Checked]] = {}
    for c in res:
        groups.setdefault((c.row.source, c.row.model, c.row.gpu, c.row.drafts), []).append(c)
    for g in groups.values():
        g = sorted(g, key=lambda c: c.row.concurrency)
        m0, p0 = g[0].measured_speedup, g[0].predicted_speedup
        cells = " ".join(f"c{c.row.concurrency:g} {c.measured_speedup / m0:.2f}/{c.predicted_speedup / p0:.2f}"
                         for c in g)
        print(f"    speed-up relative to c{g[0].row.concurrency:g} (measured/predicted): {cells}")


def main() -> int:
    catalog = load_catalog(ROOT / "data")
    rows = load_rows(catalog)
    sources = sorted({r.source for r in rows})
    print(f"Speculative decoding vs {len(rows)} published with/without-drafts measurements "
          f"({len(sources)} sources; data/measurements/speculative.csv, never fitted)")
    published = [r for r in rows if r.acceptance is not None]
    report(check(catalog, published), f"{len(published)} rows whose source publishes the acceptance, each at its "
           "layout with its engine's profile (data/calibration.yaml):")
    sweeps = [r for r in rows if r.acceptance is None]
    if sweeps:
        print(f"\n{len(sweeps)} rows whose source publishes no acceptance (speed-ups depend on it; the decay of the "
              "speed-up with concurrency mostly does not, since what drafts add to a step does not depend on a):")
        for a, why in ASSUMED:
            res = check(catalog, sweeps, assumed_acceptance=a)
            report(res, f"  assuming a = {a} ({why}):")
            print_decay(res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
