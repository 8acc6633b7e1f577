"""NVIDIA aiconfigurator-core vs the calibrated model on the calibration rows it covers (issue 9 item 0).

Run `python benchmarks/aiconfigurator_check.py [--aic-python PATH] [--write-decision]`. aiconfigurator-core
(Apache-2.0, PyPI) is not a dependency of this project: install it into a separate environment
(`python3.11 -m venv ~/aic-venv && ~/aic-venv/bin/pip install aiconfigurator-core==0.12.0`) and pass that
interpreter with --aic-python (or AIC_PYTHON); without it this script says so and exits 0.

For every calibration row (data/measurements/throughput.csv; never MLPerf) whose model, GPU, precision and
engine aiconfigurator has, it asks aiconfigurator for the row at its published layout and lengths, the
way pricing/aicurves.py serves it: continuous batching in steady state (mixed prefill/decode steps),
the batch with the most output tokens/s up to the KV capacity pricing.perf computes and the row's
concurrency, under the row's per-user speed target. Beside it: aiconfigurator's static batch
(`run_static`, best batch; reference only), the committed curves interpolated at the row's lengths
where they cover it, and the calibrated model in-sample (data/calibration.yaml), leave-one-GPU-out
and leave-one-family-out (shared factors and engine profiles refitted without the row's GPU / family,
as benchmarks/throughput_accuracy.py does).

Decision (written with --write-decision to data/derived/aiconfigurator_decision.yaml): a group (an
engine, a GPU, a model family, an aiconfigurator model config) uses aiconfigurator when it has at least MIN_ROWS covered rows and
aiconfigurator's median |error| there is below the calibrated model's best out-of-sample median (the
lower of leave-one-GPU-out and leave-one-family-out) on the same rows. A route uses the curves only when
its engine, GPU, family and model groups all do: a family verdict does not carry to a model measured
worse (Llama 4 Maverick in the Llama family), nor to a model without measurements.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import aicurves, calibrate, clock, perf, selfhost  # noqa: E402
from pricing.calibrate import CalRow, Fit  # noqa: E402
from pricing.catalog import Catalog, load_catalog  # noqa: E402
from pricing.errors import InputError  # noqa: E402
from pricing.importers import aiconfigurator as imp  # noqa: E402
from pricing.perf import PerfParams  # noqa: E402
from pricing.schema import SelfHostSpec, Workload  # noqa: E402

MIN_ROWS = 3
GROUPS: dict[str, Callable[[CalRow], str]] = {"engine": lambda r: r.engine, "gpu": lambda r: r.gpu,
                                              "family": lambda r: r.family,
                                              "model": lambda r: imp.AIC_MODELS[r.model]}


def stored_fit(cat: Catalog) -> Fit:
    """The shared factors and engine profiles of data/calibration.yaml as a Fit."""
    return calibrate.stored_fit(cat)  # engines' fixed settings (e.g. kv_free_memory_fraction) are no multipliers


def covered(cat: Catalog, r: CalRow) -> bool:
    """aiconfigurator has the row's model, GPU, precision and engine (and it is a throughput row)."""
    return (r.model in imp.AIC_MODELS and r.gpu in imp.AIC_SYSTEMS and r.precision in imp.QUANT
            and r.engine in imp.AIC_ENGINES and r.metric == "output_tokens_per_s" and r.output_tokens > 1)


def out_of_sample(cat: Catalog, rows: Sequence[CalRow], key: Callable[[CalRow], str], want: set[str]
                  ) -> dict[int, float]:
    """Leave-one-group-out prediction of every row in the groups `want` (refit without that group)."""
    out: dict[int, float] = {}
    for g in sorted(want):
        train = [r for r in rows if key(r) != g]
        test = [r for r in rows if key(r) == g]
        f = calibrate.fit_all(cat, train, start=PerfParams(), rounds=1, passes=3)
        pred = calibrate.multi_predictor(cat, test)(f.shared, f.engines)
        out.update({r.line: float(x) for r, x in zip(test, pred, strict=True)})
    return out


def aic_jobs(cat: Catalog, rows: Sequence[CalRow], f: Fit) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """One worker job per row (its layout and lengths), and per row the cap/target/replicas to apply."""
    jobs, ctx = [], {}
    for r in rows:
        lay = calibrate.row_layout(r)
        p = f.params(r.engine)
        m, g = cat.models[r.model], cat.gpus[r.gpu]
        kvp = r.kv_precision or perf.default_kv_precision(r.precision, g)
        rr = perf.rows([(m, g, r.precision, lay.instance_gpus)], p, [kvp], [lay])
        res = perf.evaluate(rr, r.input_tokens, r.output_tokens, p)
        replicas = max(r.gpus // lay.instance_gpus, 1)
        cap = min(float(res["max_batch_kv"][0]), (r.max_batch or p.max_batch) / replicas, p.max_batch)
        isl, osl = round(r.input_tokens), round(r.output_tokens)
        j = imp.job(str(r.line), m, g, r.engine, r.precision, lay, [(isl, osl)], imp.BATCHES, static=True)
        j["kv"] = "fp8" if kvp == "fp8" else "bfloat16"
        jobs.append(j)
        tpot = 1e3 / r.min_tokens_per_s_per_user if r.min_tokens_per_s_per_user else math.inf
        ctx[r.line] = {"cap": max(cap, 1.0), "replicas": replicas, "tpot": tpot, "isl": isl, "osl": osl,
                       "qf": aicurves.queue_factor(p.planned_utilization), "layout": lay, "kv": kvp}
    return jobs, ctx


def steady(points: list[list[float]], c: dict[str, Any]) -> tuple[float, float]:
    """(steady-state tokens/s as pricing/aicurves serves it, static best tokens/s), whole deployment."""
    pts = np.array(points, dtype=float)
    bs = pts[:, 2]
    isl, osl = float(c["isl"]), float(c["osl"])
    grid = np.array([isl, isl * 2.0])
    ogrid = np.array([osl, osl * 2.0])

    def cube(col: int) -> np.ndarray:
        v = pts[:, col]
        return np.broadcast_to(v, (1, 2, 2, v.size)).copy()
    meta = aicurves.AicMeta(tool="aiconfigurator-core", version="row", source="row", licence="-",
                            as_of=clock.today(), method="-", models={}, systems={}, backend_versions={},
                            grid={}, curves=1)
    cv = aicurves.Curves(meta, None, {}, grid, ogrid, bs, cube(3), cube(4), cube(5))
    got = aicurves.lookup(cv, np.array([0]), np.array([isl]), np.array([osl]), np.array([c["tpot"]]),
                          np.array([math.inf]), np.array([c["cap"]]), c["qf"])
    ok = bs <= max(c["cap"], 1.0)
    static = float(np.max(np.where(ok, bs * osl / pts[:, 6] * 1e3, 0.0))) if pts.shape[1] > 6 else math.nan
    return float(got["output_tokens_per_s"][0]) * c["replicas"], static * c["replicas"]


def from_curves(cat: Catalog, r: CalRow, c: dict[str, Any]) -> float:
    """The committed curves at the row (NaN where they do not cover it)."""
    cv = aicurves.load()
    if cv is None:
        return math.nan
    m, g = cat.models[r.model], cat.gpus[r.gpu]
    key = aicurves.route_key(m, g, r.engine, r.precision, c["kv"], c["layout"])
    idx = aicurves.curve_index(cv, [key])
    i, o = np.array([r.input_tokens]), np.array([r.output_tokens])
    if idx[0] < 0 or not aicurves.in_grid(cv, i, o)[0]:
        return math.nan
    got = aicurves.lookup(cv, idx, i, o, np.array([c["tpot"]]), np.array([math.inf]), np.array([c["cap"]]), c["qf"])
    return float(got["output_tokens_per_s"][0]) * c["replicas"]


def _med(x: Sequence[float]) -> float | None:
    v = [e for e in x if e == e]
    return float(np.median(v)) if v else None


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def lookup_cost(cat: Catalog, repeats: int = 3) -> None:
    """Seconds of selfhost.capacity over a sweep of routes with engine trtllm, with and without the curves
    (the run-time cost of the lookup; needs no aiconfigurator)."""
    cv = aicurves.load()
    if cv is None:
        print("lookup cost: no committed curves")
        return
    models = [*sorted(m for m in imp.AIC_MODELS if m in cat.models), "Qwen/Qwen2.5-72B-Instruct"]
    gpus = sorted(g for g in ("h100-sxm", "h200", "b200", "a100-80gb", "l40s", "mi300x") if g in cat.gpus)
    specs = [SelfHostSpec(model=m, gpu=g, precision=p, engine="trtllm")  # type: ignore[arg-type]
             for m in models if m in cat.models for g in gpus for p in ("fp8", "bf16")]
    w = Workload(name="sweep", requests_per_month=1e6, input_tokens=1500, output_tokens=400, max_tpot_ms=40)
    real = aicurves.load

    def timed(with_curves: bool) -> tuple[float, int]:
        aicurves.load = real if with_curves else (lambda data_dir=None: None)  # type: ignore[assignment]
        try:
            best = math.inf
            for _ in range(repeats):
                t0 = time.perf_counter()
                cap = selfhost.capacity(cat, specs, w)
                best = min(best, time.perf_counter() - t0)
            return best, int(np.sum(cap.res.get("aiconfigurator", np.zeros(0)) > 0))
        finally:
            aicurves.load = real
    t_on, used = timed(True)
    t_off, _ = timed(False)
    n_lay = sum(len(selfhost._unit_layouts(cat, s)) for s in specs)
    print(f"lookup cost: selfhost.capacity over {len(specs)} routes ({n_lay} layouts, engine trtllm, "
          f"1500/400 tokens, TPOT <= 40 ms): {t_on * 1e3:.0f} ms with the curves ({used} layouts served by "
          f"them) vs {t_off * 1e3:.0f} ms calibrated only (+{(t_on - t_off) * 1e3:.0f} ms)")


def main() -> int:
    """Run aiconfigurator on the covered rows, print both models' errors and the per-group decision."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aic-python")
    ap.add_argument("--write-decision", action="store_true",
                    help=f"write data/derived/{aicurves.DECISION_FILE} from the figures")
    args = ap.parse_args()
    cat = load_catalog()
    lookup_cost(cat)
    try:
        python = imp.find_python(args.aic_python)
    except InputError as e:
        print(f"aiconfigurator-core: skipped ({e})")
        return 0
    rows, _ = calibrate.load_rows(cat)
    f = stored_fit(cat)
    cov = [r for r in rows if covered(cat, r)]
    jobs, ctx = aic_jobs(cat, cov, f)
    t0 = time.perf_counter()
    got = imp.run_worker(python, jobs)
    by_id = {d["id"]: d for d in got["jobs"]}
    t_aic = time.perf_counter() - t0
    t0 = time.perf_counter()
    ins = dict(zip([r.line for r in rows], calibrate.multi_predictor(cat, rows)(f.shared, f.engines), strict=True))
    logo = out_of_sample(cat, rows, GROUPS["gpu"], {r.gpu for r in cov})
    lofo = out_of_sample(cat, rows, GROUPS["family"], {r.family for r in cov})
    t_fit = time.perf_counter() - t0
    print(f"aiconfigurator-core {got['version']} on {len(cov)} calibration rows ({t_aic:.0f} s incl. start-up); "
          f"calibrated model refits {t_fit:.0f} s")
    print(f"{'line':>4} {'engine':<7} {'model':<24} {'prec':<5} {'gpus':>14} {'measured':>8} | {'aic':>7} {'err':>5} "
          f"{'static':>7} {'curves':>7} | {'ours-in':>7} {'err':>5} {'LOGO':>5} {'LOFO':>5}")
    err: dict[int, dict[str, float]] = {}
    for r in cov:
        d = by_id.get(str(r.line), {})
        e_in = abs(ins[r.line] / r.measured - 1)
        e_g, e_f = abs(logo[r.line] / r.measured - 1), abs(lofo[r.line] / r.measured - 1)
        head = (f"{r.line:>4} {r.engine:<7} {r.model.split('/')[-1][:24]:<24} {r.precision:<5} "
                f"{f'{r.gpus}x{r.gpu}':>14} {r.measured:>8.0f} | ")
        tail = f" | {ins[r.line]:>7.0f} {e_in:>5.0%} {e_g:>5.0%} {e_f:>5.0%}"
        if "points" not in d:
            print(head + f"{'n/a':>7} {'':>5} {'':>7} {'':>7}" + tail + f"  {d.get('error', 'no answer')[:60]}")
            continue
        a, st = steady(d["points"], ctx[r.line])
        cu = from_curves(cat, r, ctx[r.line])
        e_a = abs(a / r.measured - 1)
        err[r.line] = {"aic": e_a, "in": e_in, "logo": e_g, "lofo": e_f, "curves": abs(cu / r.measured - 1)}
        print(head + f"{a:>7.0f} {e_a:>5.0%} {st:>7.0f} "
              f"{('-' if cu != cu else f'{cu:.0f}'):>7}" + tail)
    both = [r for r in cov if r.line in err]
    print(f"\nrows both cover: {len(both)}; median |error|: aiconfigurator {_pct(_med([err[r.line]['aic'] for r in both]))}, "
          f"ours in-sample {_pct(_med([err[r.line]['in'] for r in both]))}, leave-one-GPU-out "
          f"{_pct(_med([err[r.line]['logo'] for r in both]))}, leave-one-family-out "
          f"{_pct(_med([err[r.line]['lofo'] for r in both]))}")
    served = [err[r.line] for r in both if err[r.line]["curves"] == err[r.line]["curves"]]
    if served:
        print(f"rows the committed curves serve: {len(served)}; median |error|: curves (as served) "
              f"{_pct(_med([e['curves'] for e in served]))}, aiconfigurator at the exact lengths "
              f"{_pct(_med([e['aic'] for e in served]))}, ours in-sample {_pct(_med([e['in'] for e in served]))}, "
              f"leave-one-GPU-out {_pct(_med([e['logo'] for e in served]))}, leave-one-family-out "
              f"{_pct(_med([e['lofo'] for e in served]))}")
    print(f"\n{'group':<44} {'rows':>4} {'aic':>7} {'ours-in':>8} {'LOGO':>7} {'LOFO':>7}  verdict "
          f"(aic < min(LOGO, LOFO), >= {MIN_ROWS} rows)")
    groups = []
    for dim, key in GROUPS.items():
        for g in sorted({key(r) for r in cov}):
            mine = [err[r.line] for r in both if key(r) == g]
            a = _med([e["aic"] for e in mine])
            gi, gl, gf = (_med([e[k] for e in mine]) for k in ("in", "logo", "lofo"))
            oos = min(x for x in (gl, gf) if x is not None) if gl is not None or gf is not None else None
            use = bool(len(mine) >= MIN_ROWS and a is not None and oos is not None and a < oos)
            groups.append({"dimension": dim, "group": g, "rows": len(mine), "aiconfigurator": a and round(a, 4),
                           "ours_in_sample": round(gi or 0.0, 4), "ours_leave_one_gpu_out": gl and round(gl, 4),
                           "ours_leave_one_family_out": gf and round(gf, 4), "use_aiconfigurator": use})
            print(f"{dim + ' ' + g:<44} {len(mine):>4} {_pct(a):>7} {_pct(gi):>8} {_pct(gl):>7} {_pct(gf):>7}  "
                  f"{'aiconfigurator' if use else 'calibrated'}")
    if args.write_decision:
        doc = {
            "tool_version": got["version"],
            "as_of": clock.today().isoformat(),
            "source": (f"benchmarks/aiconfigurator_check.py: aiconfigurator-core {got['version']} "
                       f"({imp.PYPI}) vs the calibrated model on {len(both)} rows of data/measurements/throughput.csv "
                       "(each row's original source is in that file; MLPerf results are not used)"),
            "rule": (f"a group uses aiconfigurator when it has >= {MIN_ROWS} covered rows and aiconfigurator's median "
                     "|error| is below the calibrated model's lower out-of-sample median (leave-one-GPU-out, "
                     "leave-one-family-out) on the same rows; a route uses the curves only when its engine, GPU, "
                     "family and model (aiconfigurator model config) groups all do"),
            "groups": groups,
        }
        path = aicurves.folder() / aicurves.DECISION_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        aicurves.Decision.model_validate(doc)
        path.write_text("# GENERATED by `python benchmarks/aiconfigurator_check.py --write-decision`.\n"
                        + yaml.safe_dump(doc, sort_keys=False, width=110), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
