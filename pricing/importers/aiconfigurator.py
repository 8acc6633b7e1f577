"""Derive throughput/latency curves from NVIDIA aiconfigurator-core into data/derived/.

Run `python -m pricing.importers.aiconfigurator [--aic-python PATH] [--check]`.

aiconfigurator-core (NVIDIA, Apache-2.0, https://pypi.org/project/aiconfigurator-core/) ships
measured kernel performance (GEMM, attention, MoE, communication) per GPU and serving engine and
composes it into step times of a model under a layout. It is NOT a dependency of this project (it needs
Python >= 3.11, numpy >= 2.1 and a 100 MB wheel of kernel tables, and one estimate costs about a second
of start-up): it runs in its own interpreter, given by --aic-python or $AIC_PYTHON (e.g.
`python3.11 -m venv ~/aic-venv && ~/aic-venv/bin/pip install aiconfigurator-core==0.12.0`), or this one if
it has the package. Without it the importer says so and exits 2; the committed curves serve at run time
(pricing/aicurves.py), which never needs aiconfigurator.

What is derived, per (model, GPU, engine, precision, layout) and per (input, output length, batch B):
continuous batching with chunked prefill in steady state, as pricing/perf.py models it. Each engine
step decodes B sequences and prefills the prompts of the B / (O - 1) requests that finish per step:
- tpot_ms: aiconfigurator's `mixed_step_latency(prefill tokens = B x I / (O - 1), decode tokens = B)`
  (linear between the two whole token counts around it); decode_ms: the same step without prefill tokens
  (the runtime interpolates the decode step and the prefill time per prompt token separately);
- ttft_ms: a prompt's ceil(I / 8192) chunks, each in a step with the B decodes (no queueing; the
  runtime multiplies the M/D/1 factor of the planned utilisation, as pricing/perf.py does);
- output_tokens_per_s_per_gpu = B x O / (O - 1) / tpot / GPUs of the instance.
KV capacity is not judged here: the runtime caps B with pricing/perf.py's memory model.

Grid (kept small, 2 shared cores): the catalog models aiconfigurator has configs for (aliases of one
architecture share one curve), the catalog GPUs it has data for, its three engines, the precisions the
planner offers (native, fp8 for 16-bit models, fp4 where the GPU has fp4 tensor cores), the instance
layouts pricing.perf.instance_layouts gives for 1, 2, 4 and 8 GPUs that hold the model, input lengths
INPUT_TOKENS, output lengths OUTPUT_TOKENS and batches BATCHES; and only the (engine, GPU, family,
model) groups where data/derived/aiconfigurator_decision.yaml says aiconfigurator measured better out of sample
(`benchmarks/aiconfigurator_check.py --write-decision` writes it). Engine/layout combinations
aiconfigurator has no kernel data for are listed in the YAML as skipped with its error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pricing import aicurves, clock, perf
from pricing.catalog import Catalog, load_catalog
from pricing.errors import InputError
from pricing.refresh.write import atomic_write_many
from pricing.schema import Gpu, ModelArch

PYPI = "https://pypi.org/project/aiconfigurator-core/"
REPO = "https://github.com/ai-dynamo/aiconfigurator"
LICENCE = "Apache-2.0"
# catalog model id -> aiconfigurator model config (its bundled model_configs/<org>--<name>_config.json)
AIC_MODELS: dict[str, str] = {
    "meta-llama/Llama-3.1-8B-Instruct": "meta-llama/Meta-Llama-3.1-8B",
    "meta-llama/Meta-Llama-3-8B-Instruct": "meta-llama/Meta-Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B-Instruct": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Llama-3.3-70B-Instruct": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Meta-Llama-3-70B-Instruct": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Llama-3.1-405B-Instruct": "meta-llama/Meta-Llama-3.1-405B",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "Qwen/Qwen3-235B-A22B": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-235B-A22B-Instruct-2507": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-235B-A22B-Thinking-2507": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-30B-A3B": "Qwen/Qwen3-30B-A3B",
    "Qwen/Qwen3-32B": "Qwen/Qwen3-32B",
    "Qwen/Qwen3-Coder-480B-A35B-Instruct": "Qwen/Qwen3-Coder-480B-A35B-Instruct",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mistralai/Mixtral-8x7B-v0.1",
    "mistralai/Mixtral-8x22B-Instruct-v0.1": "mistralai/Mixtral-8x22B-v0.1",
    "deepseek-ai/DeepSeek-R1": "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-0528": "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-V3": "deepseek-ai/DeepSeek-V3",
}
# catalog GPU id -> aiconfigurator system
AIC_SYSTEMS: dict[str, str] = {
    "h100-sxm": "h100_sxm", "h200": "h200_sxm", "b200": "b200_sxm", "a100-80gb": "a100_sxm",
    "l40s": "l40s", "rtx-pro-6000": "rtx_pro_6000_server", "b300": "b300_sxm",
}
AIC_ENGINES = ("trtllm", "vllm", "sglang")
# our precision -> aiconfigurator (gemm/moe quant mode); it has no fp16 GEMM mode: fp16 runs at bf16 speed
QUANT: dict[str, str] = {"fp8": "fp8", "bf16": "bfloat16", "fp16": "bfloat16", "fp4": "nvfp4"}
INPUT_TOKENS = (128, 512, 2048, 8192, 32768)
OUTPUT_TOKENS = (128, 512, 2048, 8192)
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
INSTANCE_GPUS = (1, 2, 4, 8)
PREFILL_CHUNK = 8192
TIMEOUT_S = 3600

WORKER = r'''
import json, math, sys, time
import aiconfigurator_core
from importlib.metadata import version
from aiconfigurator_core.sdk.engine import EngineHandle, _literal_backend_version

def mixed(h, ctx, gen, isl, osl):
    lo = math.floor(ctx)
    f = ctx - lo
    a = h.mixed_step_latency(lo, gen, isl, osl)
    return a if f < 1e-9 else (1 - f) * a + f * h.mixed_step_latency(lo + 1, gen, isl, osl)

out = {"version": version("aiconfigurator-core"), "jobs": []}
for job in json.load(sys.stdin):
    t = time.time()
    res = {"id": job["id"]}
    try:
        kw = dict(tp_size=job["tp"], pp_size=job["pp"], attention_dp_size=job["adp"],
                  moe_tp_size=job["moe_tp"], moe_ep_size=job["moe_ep"], gemm_quant_mode=job["gemm"],
                  kvcache_quant_mode=job["kv"])
        if job["moe"]:
            kw["moe_quant_mode"] = job["gemm"]
        h = EngineHandle.compile(job["model"], job["system"], job["backend"], **kw)
        res["backend_version"] = _literal_backend_version(job["system"], job["backend"], None, None, None)
        pts = []
        for isl, osl in job["lengths"]:
            chunks = max(math.ceil(isl / job["chunk"]), 1)
            for b in job["batches"]:
                share = b * isl / max(osl - 1, 1)
                tpot = mixed(h, share, b, isl, osl)
                dec = h.mixed_step_latency(0, b, isl, osl)
                ttft = chunks * max(mixed(h, max(isl / chunks, share), b, isl, osl), tpot)
                row = [isl, osl, b, tpot, dec, ttft]
                if job.get("static"):
                    row.append(h.run_static(batch_size=b, isl=isl, osl=osl)[2])
                pts.append(row)
        res["points"] = pts
    except Exception as e:  # reported per job, never hidden
        res["error"] = f"{type(e).__name__}: {str(e)[:200]}"
    res["seconds"] = round(time.time() - t, 2)
    out["jobs"].append(res)
print(json.dumps(out))
'''


def find_python(given: str | None) -> str:
    """The interpreter with aiconfigurator-core: --aic-python, $AIC_PYTHON, or this one if it has it."""
    cand = given or os.environ.get("AIC_PYTHON")
    if cand:
        if not Path(cand).exists():
            raise InputError(f"aiconfigurator interpreter {cand!r} does not exist (--aic-python / AIC_PYTHON)")
        return cand
    if importlib.util.find_spec("aiconfigurator_core") is not None:
        return sys.executable
    raise InputError(
        "aiconfigurator-core is not available: pass --aic-python PATH (or set AIC_PYTHON) to a Python >= 3.11 "
        "interpreter with `pip install aiconfigurator-core==0.12.0` (it is not a dependency of this project)")


def job(jid: str, model: ModelArch, gpu: Gpu, engine: str, precision: str, lay: perf.Layout,
        lengths: Sequence[tuple[int, int]], batches: Sequence[int], static: bool = False) -> dict[str, Any]:
    """One aiconfigurator job: compile (model, GPU, engine, precision, layout), evaluate the points."""
    moe = model.experts_routed > model.experts_active > 0
    kvq = perf.default_kv_precision(precision, gpu)
    return {
        "id": jid, "model": AIC_MODELS[model.id], "system": AIC_SYSTEMS[gpu.id], "backend": engine,
        "tp": 1 if lay.attention_dp else lay.tp, "pp": lay.pp, "adp": lay.tp if lay.attention_dp else 1,
        "moe_tp": 1 if lay.ep > 1 else lay.tp, "moe_ep": lay.ep, "moe": moe, "gemm": QUANT[precision],
        "kv": "fp8" if kvq == "fp8" else "bfloat16", "lengths": [list(x) for x in lengths],
        "batches": list(batches), "chunk": PREFILL_CHUNK, "static": static,
    }


def run_worker(python: str, jobs: Sequence[dict[str, Any]], timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Run the jobs in the aiconfigurator interpreter: {"version", "jobs": [{id, points | error}]}."""
    proc = subprocess.run([python, "-c", WORKER], input=json.dumps(list(jobs)), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise InputError(f"aiconfigurator-core failed in {python}: {proc.stderr.strip()[-600:]}")
    lines = proc.stdout.strip().splitlines()
    if not lines:
        raise InputError(f"aiconfigurator-core printed nothing in {python}")
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def _fits(model: ModelArch, gpu: Gpu, precision: str, lays: list[perf.Layout], p: perf.PerfParams) -> list[bool]:
    """Which instance layouts hold the model and useful_sequences of the shortest grid request."""
    if not lays:
        return []
    r = perf.rows([(model, gpu, precision, lay.instance_gpus) for lay in lays], p, None, lays)
    return [bool(x) for x in perf.fits_mask(r, float(INPUT_TOKENS[0]), float(OUTPUT_TOKENS[0]), p)]


def grid(cat: Catalog, decision: aicurves.Decision | None) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(curve key, job) for every curve to derive (see the module docstring)."""
    p = perf.PerfParams.from_factors(cat.efficiency)
    lengths = [(i, o) for i in INPUT_TOKENS for o in OUTPUT_TOKENS]
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for mid in sorted(AIC_MODELS):
        if mid not in cat.models:
            continue
        model = cat.models[mid]
        for gid in sorted(AIC_SYSTEMS):
            if gid not in cat.gpus:
                continue
            gpu = cat.gpus[gid]
            precs = {model.native_precision, *(("fp8",) if model.native_precision in ("bf16", "fp16") else ())}
            if gpu.fp4_tflops_dense:
                precs.add("fp4")
            for prec in sorted(x for x in precs if x in QUANT):
                if (AIC_MODELS[mid], gid, prec, "") in seen:
                    continue
                seen.add((AIC_MODELS[mid], gid, prec, ""))
                lays = [lay for g in INSTANCE_GPUS for lay in perf.instance_layouts(model, gpu, g)]
                lays = [lay for lay, ok in zip(lays, _fits(model, gpu, prec, lays, p), strict=True) if ok]
                for eng in AIC_ENGINES:
                    fam = aicurves.family_key(model.family)
                    if decision is not None and not decision.allows(eng, gid, fam, AIC_MODELS[mid]):
                        continue
                    for lay in lays:
                        key = (AIC_MODELS[mid], gid, eng, prec, perf.default_kv_precision(prec, gpu),
                               lay.tp, lay.pp, lay.ep, int(lay.attention_dp))
                        jid = "|".join(str(k) for k in key)
                        out.append((key, job(jid, model, gpu, eng, prec, lay, lengths, BATCHES)))
    return out


def _g(x: float) -> str:
    return f"{x:.5g}"


def build(cat: Catalog, python: str, decision: aicurves.Decision | None, today: dt.date
          ) -> tuple[str, dict[str, Any]]:
    """(curves CSV text, meta document) derived by aiconfigurator."""
    todo = grid(cat, decision)
    got = run_worker(python, [j for _, j in todo])
    by_id = {d["id"]: d for d in got["jobs"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(aicurves.CURVE_COLUMNS)
    skipped: list[str] = []
    curves = 0
    versions: dict[str, str] = {}
    for key, j in todo:
        d = by_id.get(j["id"], {"error": "no answer"})
        if "error" in d:
            skipped.append(f"{j['id']}: {d['error']}")
            continue
        curves += 1
        versions[f"{j['system']}/{j['backend']}"] = d["backend_version"]
        for isl, osl, b, tpot, dec, ttft in (pt[:6] for pt in d["points"]):
            n = key[5] * key[6]
            thr = b * osl / max(osl - 1, 1) / (tpot / 1e3) / n
            w.writerow([*key, d["backend_version"], isl, osl, b, _g(tpot), _g(min(dec, tpot)), _g(ttft), _g(thr)])
    meta = {
        "tool": "aiconfigurator-core",
        "version": got["version"],
        "source": f"{PYPI} (NVIDIA, {LICENCE}; {REPO}), run by python -m pricing.importers.aiconfigurator",
        "licence": LICENCE,
        "as_of": today.isoformat(),
        "method": ("continuous batching with chunked prefill in steady state: tpot = mixed_step_latency(B x I / "
                   "(O - 1) prefill tokens, B decode tokens); decode = mixed_step_latency(0, B); ttft = ceil(I / {PREFILL_CHUNK}) chunks each in a step "
                   "with the B decodes (no queueing); output tokens/s per GPU = B x O / (O - 1) / tpot / GPUs"),
        "models": {k: v for k, v in sorted(AIC_MODELS.items()) if k in cat.models},
        "systems": {k: v for k, v in sorted(AIC_SYSTEMS.items()) if k in cat.gpus},
        "backend_versions": dict(sorted(versions.items())),
        "grid": {"input_tokens": list(INPUT_TOKENS), "output_tokens": list(OUTPUT_TOKENS), "batches": list(BATCHES),
                 "instance_gpus": list(INSTANCE_GPUS)},
        "curves": curves,
        "skipped": skipped,
    }
    return buf.getvalue(), meta


def meta_text(meta: dict[str, Any]) -> str:
    """The YAML of the meta document, with a generated-by header."""
    head = ("# GENERATED by `python -m pricing.importers.aiconfigurator` (rebuild: rerun it; check: --check).\n"
            "# Provenance of data/derived/aiconfigurator_curves.csv: see data/derived/README.md.\n")
    return head + yaml.safe_dump(meta, sort_keys=False, width=110)


def compare(old_csv: str, new_csv: str, rel: float = 1e-3) -> list[str]:
    """Differences between two curves CSV texts (keys added/removed, values off by more than rel)."""
    def read(text: str) -> dict[tuple[str, ...], tuple[float, ...]]:
        rows = list(csv.reader(io.StringIO(text)))
        return {tuple(r[:13]): tuple(float(x) for x in r[13:]) for r in rows[1:] if r}
    a, b = read(old_csv), read(new_csv)
    out = [f"missing in the rebuild: {','.join(k)}" for k in sorted(set(a) - set(b))[:10]]
    out += [f"new in the rebuild: {','.join(k)}" for k in sorted(set(b) - set(a))[:10]]
    for k in sorted(set(a) & set(b)):
        if any(abs(x - y) > rel * max(abs(x), abs(y), 1e-9) for x, y in zip(a[k], b[k], strict=True)):
            out.append(f"{','.join(k)}: committed {a[k]} vs rebuilt {b[k]}")
            if len(out) > 20:
                break
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Derive the curves (or --check them against the committed file)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aic-python", help="interpreter with aiconfigurator-core (default: $AIC_PYTHON)")
    ap.add_argument("--data-dir", help="data folder (default: the repository's data/)")
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with the committed curves")
    args = ap.parse_args(argv)
    try:
        python = find_python(args.aic_python)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cat = load_catalog(args.data_dir)
    folder = aicurves.folder(args.data_dir)
    decision = aicurves.load_decision(folder / aicurves.DECISION_FILE)
    text, meta = build(cat, python, decision, clock.today())
    curves_path, meta_path = folder / aicurves.CURVES_FILE, folder / aicurves.META_FILE
    if args.check:
        if not curves_path.exists():
            print(f"{curves_path} does not exist; run without --check", file=sys.stderr)
            return 1
        diffs = compare(curves_path.read_text(encoding="utf-8"), text)
        committed = yaml.safe_load(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        if committed.get("version") != meta["version"]:
            diffs.append(f"aiconfigurator-core {meta['version']} here, committed curves from {committed.get('version')}")
        for d in diffs:
            print(d)
        print(f"{'OK' if not diffs else 'DIFFERENT'}: {meta['curves']} curves rebuilt with aiconfigurator-core "
              f"{meta['version']}")
        return 0 if not diffs else 1
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_many({curves_path: text, meta_path: meta_text(meta)})
    print(f"wrote {curves_path} ({meta['curves']} curves, {text.count(chr(10)) - 1} points, {len(text) / 1e6:.2f} MB) "
          f"and {meta_path}; {len(meta['skipped'])} curves skipped (no kernel data)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
