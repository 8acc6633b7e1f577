"""Throughput and latency from NVIDIA aiconfigurator-core's curves, where they are measured to serve better.

The curves (data/derived/aiconfigurator_curves.csv, derived offline by `python -m
pricing.importers.aiconfigurator`, provenance in data/derived/aiconfigurator.yaml and README.md) give, per
(model, GPU, engine, precision, KV precision, layout) and per (input tokens I, output tokens O, batch B):
TPOT and TTFT (ms) of continuous batching with chunked prefill in steady state. A route uses them only
where data/derived/aiconfigurator_decision.yaml (written by benchmarks/aiconfigurator_check.py from the
calibration measurements) says aiconfigurator's error is below the calibrated model's out-of-sample
error for the route's engine, GPU, model family and model alike; everything else keeps the calibrated
model.

Lookup, vectorised over routes: TPOT and TTFT at every grid batch are interpolated bilinearly in
(log I, log O) of their logs (lengths outside the grid: not covered), then along log B on a fine grid
(8 points per doubling, plus the route's batch cap). The served batch is the one with the most output
tokens/s, B x O / (O - 1) / TPOT, among batches up to the cap (KV capacity from pricing.perf's memory
model, the engine's batch cap) that meet the TPOT target and the TTFT target (TTFT x the M/D/1 queueing
factor at the planned utilisation, as pricing.perf does). A maximum over a set that a tighter target only
shrinks: a tighter target never raises throughput. Prefix caching (cached input) and one-token outputs
are not in the curves: such routes keep the calibrated model.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from pricing import io as _io
from pricing.catalog import DEFAULT_DATA_DIR, parse_model
from pricing.errors import DataError, Issue
from pricing.schema import Strict

if TYPE_CHECKING:
    from pricing.perf import Layout, PerfParams
    from pricing.schema import Gpu, ModelArch

F = NDArray[np.float64]
CURVES_FILE = "aiconfigurator_curves.csv"
META_FILE = "aiconfigurator.yaml"
DECISION_FILE = "aiconfigurator_decision.yaml"
KEY_COLUMNS = ("model", "gpu", "engine", "precision", "kv_precision", "tp", "pp", "ep", "attention_dp")
CURVE_COLUMNS = (*KEY_COLUMNS, "backend_version", "input_tokens", "output_tokens", "batch", "tpot_ms", "decode_ms",
                 "ttft_ms",
                 "output_tokens_per_s_per_gpu")
CALIBRATED = "calibrated"
FINE_PER_DOUBLING = 8
DIMENSIONS = ("engine", "gpu", "family", "model")


def folder(data_dir: Path | str | None = None) -> Path:
    """data/derived of a data folder."""
    return Path(data_dir or DEFAULT_DATA_DIR) / "derived"


def family_key(family: str) -> str:
    """The model-family group of the calibration ('llama-3.1' -> 'llama', 'qwen3' -> 'qwen3')."""
    return family.split("-")[0].split(".")[0]


# --------------------------------------------------------------------------- files


class AicMeta(Strict):
    """data/derived/aiconfigurator.yaml: provenance and grid of the curves."""

    tool: Literal["aiconfigurator-core"]
    version: str
    source: str = Field(min_length=1)
    licence: str
    as_of: dt.date
    method: str
    models: dict[str, str]  # catalog model id -> aiconfigurator model config
    systems: dict[str, str]  # catalog GPU id -> aiconfigurator system
    backend_versions: dict[str, str]
    grid: dict[str, list[int]]
    curves: int = Field(ge=0)
    skipped: list[str] = Field(default_factory=list)


class DecisionGroup(Strict):
    """One group's figures on the calibration rows aiconfigurator covers, and the verdict."""

    dimension: Literal["engine", "gpu", "family", "model"]  # model = aiconfigurator's model config
    group: str
    rows: int = Field(ge=0)
    aiconfigurator: float | None = Field(ge=0)  # median |error|
    ours_in_sample: float = Field(ge=0)
    ours_leave_one_gpu_out: float | None = Field(ge=0)
    ours_leave_one_family_out: float | None = Field(ge=0)
    use_aiconfigurator: bool


class Decision(Strict):
    """data/derived/aiconfigurator_decision.yaml: where aiconfigurator serves, from figures."""

    tool_version: str
    as_of: dt.date
    source: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    groups: list[DecisionGroup]

    def allows(self, engine: str, gpu: str, family: str, model: str) -> bool:
        """True when the engine, GPU, family and model (aiconfigurator config) groups all chose aiconfigurator."""
        yes = {(g.dimension, g.group) for g in self.groups if g.use_aiconfigurator}
        return all(k in yes for k in (("engine", engine), ("gpu", gpu), ("family", family), ("model", model)))


def load_decision(path: Path) -> Decision | None:
    """The decision file, validated (None when there is none)."""
    if not path.exists():
        return None
    return parse_model(Decision, _io.read_yaml(path), str(path))


@dataclass(frozen=True)
class Curves:
    """The curves as arrays (curves, input lengths, output lengths, batches), in ms: tpot (the mixed step),
    decode (the same step without its prefill share), ttft."""

    meta: AicMeta
    decision: Decision | None
    index: dict[tuple[Any, ...], int]
    input_tokens: F
    output_tokens: F
    batches: F
    tpot: F
    decode: F
    ttft: F

    @property
    def label(self) -> str:
        """'aiconfigurator-core 0.12.0': what the JSON and the dashboard name."""
        return f"{self.meta.tool} {self.meta.version}"


def _num(text: str, name: str, line: int, col: str, positive: bool = True) -> float:
    try:
        v = float(text)
    except ValueError:
        raise DataError([Issue(name, f"row {line}", col, f"not a number: {text!r}")]) from None
    if not math.isfinite(v) or (positive and v <= 0):
        raise DataError([Issue(name, f"row {line}", col, f"must be a positive finite number, got {text!r}")])
    return v


def parse_curves(text: str, name: str, meta: AicMeta, decision: Decision | None) -> Curves:
    """Validate a curves CSV (header, every field, a complete grid per curve) into arrays; DataError names
    the file, the row and the field."""
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(rows[0]) != CURVE_COLUMNS:
        raise DataError([Issue(name, "header", "", f"expected columns {', '.join(CURVE_COLUMNS)}")])
    g = meta.grid
    try:
        isl, osl, bs = (np.array(g[k], dtype=float) for k in ("input_tokens", "output_tokens", "batches"))
    except KeyError as e:
        raise DataError([Issue(name, "grid", str(e), "missing in the meta file")]) from None
    pos = [{v: i for i, v in enumerate(a.tolist())} for a in (isl, osl, bs)]
    index: dict[tuple[Any, ...], int] = {}
    cells: list[tuple[int, int, int, int, float, float, float]] = []
    for line, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(CURVE_COLUMNS):
            raise DataError([Issue(name, f"row {line}", "", f"{len(r)} fields, expected {len(CURVE_COLUMNS)}")])
        rec = dict(zip(CURVE_COLUMNS, r, strict=True))
        for col in ("model", "gpu", "engine", "precision", "kv_precision"):
            if not rec[col].strip():
                raise DataError([Issue(name, f"row {line}", col, "empty")])
        ints = []
        for col in ("tp", "pp", "ep", "attention_dp"):
            v = rec[col]
            if not v.isdigit() or (col != "attention_dp" and int(v) < 1) or (col == "attention_dp" and v not in "01"):
                raise DataError([Issue(name, f"row {line}", col, f"expected a whole number >= 1 (0/1 for "
                                                                 f"attention_dp), got {v!r}")])
            ints.append(int(v))
        key = (rec["model"], rec["gpu"], rec["engine"], rec["precision"], rec["kv_precision"], *ints)
        grid_pos = []
        for col, p in zip(("input_tokens", "output_tokens", "batch"), pos, strict=True):
            x = _num(rec[col], name, line, col)
            if x not in p:
                raise DataError([Issue(name, f"row {line}", col, f"{rec[col]} is not on the grid of {META_FILE}")])
            grid_pos.append(p[x])
        tpot = _num(rec["tpot_ms"], name, line, "tpot_ms")
        dec = _num(rec["decode_ms"], name, line, "decode_ms")
        if dec > tpot * (1 + 1e-6):
            raise DataError([Issue(name, f"row {line}", "decode_ms", f"{rec['decode_ms']} exceeds tpot_ms "
                                                                     f"{rec['tpot_ms']} (the step without its prefill)")])
        ttft = _num(rec["ttft_ms"], name, line, "ttft_ms")
        _num(rec["output_tokens_per_s_per_gpu"], name, line, "output_tokens_per_s_per_gpu")
        c = index.setdefault(key, len(index))
        cells.append((c, *grid_pos, tpot, dec, ttft))  # type: ignore[arg-type]
    shape = (len(index), isl.size, osl.size, bs.size)
    tp_a, dc_a, tt_a = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    if cells:
        a = np.array(cells)
        ii = tuple(a[:, k].astype(np.intp) for k in range(4))
        tp_a[ii], dc_a[ii], tt_a[ii] = a[:, 4], np.minimum(a[:, 5], a[:, 4]), a[:, 6]
    for key, c in index.items():
        if np.isnan(tp_a[c]).any():
            raise DataError([Issue(name, ",".join(str(k) for k in key), "batch",
                                   "incomplete curve: some (input, output, batch) grid points are missing")])
    return Curves(meta, decision, index, isl, osl, bs, tp_a, dc_a, tt_a)


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Curves | None:
    d = Path(path)
    curves, meta_p = d / CURVES_FILE, d / META_FILE
    if not curves.exists() or not meta_p.exists():
        return None
    meta = parse_model(AicMeta, _io.read_yaml(meta_p), str(meta_p))
    decision = load_decision(d / DECISION_FILE)
    text = _io.read_text(curves, max_bytes=64 * 2**20)
    return parse_curves(text, str(curves), meta, decision)


def load(data_dir: Path | str | None = None) -> Curves | None:
    """The curves of a data folder (cached; None when the folder has none)."""
    return _load_cached(str(folder(data_dir).resolve()))


# --------------------------------------------------------------------------- lookup


@dataclass(frozen=True)
class RouteKey:
    """What selects a curve: catalog model and its family, GPU, engine, precisions and instance layout."""

    model: str
    family: str
    gpu: str
    engine: str
    precision: str
    kv_precision: str
    tp: int
    pp: int
    ep: int
    attention_dp: bool


def route_key(model: ModelArch, gpu: Gpu, engine: str, precision: str, kv_precision: str, lay: Layout) -> RouteKey:
    """The RouteKey of one instance layout."""
    return RouteKey(model.id, family_key(model.family), gpu.id, engine, precision, kv_precision, lay.tp, lay.pp,
                    lay.ep, lay.attention_dp)


def curve_index(c: Curves, keys: Sequence[RouteKey]) -> NDArray[np.intp]:
    """Curve of each route (-1: not covered, or the decision keeps the calibrated model there)."""
    out = np.full(len(keys), -1, dtype=np.intp)
    for i, k in enumerate(keys):
        aic = c.meta.models.get(k.model)
        if aic is None or c.decision is None or not c.decision.allows(k.engine, k.gpu, k.family, aic):
            continue
        out[i] = c.index.get((aic, k.gpu, k.engine, k.precision, k.kv_precision, k.tp, k.pp, k.ep,
                              int(k.attention_dp)), -1)
    return out


def _bracket(grid: F, x: F) -> tuple[NDArray[np.intp], F]:
    """Lower grid index and weight of x in log space (x within the grid)."""
    lg = np.log(grid)
    j = np.clip(np.searchsorted(lg, np.log(x), side="right") - 1, 0, grid.size - 2)
    w = (np.log(x) - lg[j]) / (lg[j + 1] - lg[j])
    return j.astype(np.intp), np.clip(w, 0.0, 1.0)


def _bilinear(la: F, idx: NDArray[np.intp], ji: NDArray[np.intp], wi: F, jo: NDArray[np.intp], wo: F) -> F:
    c00, c10 = la[idx, ji, jo], la[idx, ji + 1, jo]
    c01, c11 = la[idx, ji, jo + 1], la[idx, ji + 1, jo + 1]
    out: F = (1 - wi) * (1 - wo) * c00 + wi * (1 - wo) * c10 + (1 - wi) * wo * c01 + wi * wo * c11
    return out


def _tpot_at(c: Curves, idx: NDArray[np.intp], i_tok: F, o_tok: F, ji: NDArray[np.intp], wi: F,
             jo: NDArray[np.intp], wo: F) -> F:
    """log TPOT at every grid batch for the rows' lengths: the decode step and the prefill time per prompt
    token, each interpolated in (log I, log O), recombined with the rows' own prefill share B x I / (O - 1)
    (that share, a power of I and O, would otherwise be smeared by interpolating the sum)."""
    share_g = (c.batches[None, None, :] * c.input_tokens[:, None, None]
               / np.maximum(c.output_tokens[None, :, None] - 1.0, 1.0))  # (I, O, B) prompt tokens per step
    per_tok = np.maximum(c.tpot - c.decode, 1e-12 * c.tpot) / share_g
    ld = _bilinear(np.log(c.decode), idx, ji, wi[:, None], jo, wo[:, None])
    lq = _bilinear(np.log(per_tok), idx, ji, wi[:, None], jo, wo[:, None])
    share = c.batches[None, :] * (i_tok / np.maximum(o_tok - 1.0, 1.0))[:, None]
    out: F = np.log(np.exp(ld) + share * np.exp(lq))
    return out


def lookup(c: Curves, idx: NDArray[np.intp], input_tokens: F, output_tokens: F, max_tpot_ms: F, max_ttft_ms: F,
           batch_cap: F, queue_factor: float) -> dict[str, F]:
    """Served batch, TPOT, TTFT (queued), output tokens/s and requests/s per instance, for covered curves.

    idx >= 0 for every row; lengths must lie on the grid's span (see `in_grid`)."""
    n = idx.size
    ji, wi = _bracket(c.input_tokens, input_tokens)
    jo, wo = _bracket(c.output_tokens, output_tokens)
    ltp = _tpot_at(c, idx, input_tokens, output_tokens, ji, wi, jo, wo)
    ltt = _bilinear(np.log(c.ttft), idx, ji, wi[:, None], jo, wo[:, None])
    bmin, bmax = float(c.batches[0]), float(c.batches[-1])
    cap = np.clip(batch_cap, bmin, bmax)
    steps = round(math.log2(bmax / bmin)) * FINE_PER_DOUBLING + 1
    fine = np.exp(np.linspace(math.log(bmin), math.log(bmax), steps))
    b = np.concatenate([np.broadcast_to(fine, (n, fine.size)), cap[:, None]], axis=1)  # (rows, K)
    jb, wb = _bracket(c.batches, b.ravel())
    jb, wb = jb.reshape(b.shape), wb.reshape(b.shape)
    r = np.arange(n)[:, None]
    tpot = np.exp((1 - wb) * ltp[r, jb] + wb * ltp[r, jb + 1])
    ttft = np.exp((1 - wb) * ltt[r, jb] + wb * ltt[r, jb + 1]) * queue_factor
    o = output_tokens[:, None]
    thr = b * o / np.maximum(o - 1.0, 1.0) / (tpot / 1e3)
    ok = (tpot <= max_tpot_ms[:, None] * (1 + 1e-9)) & (ttft <= max_ttft_ms[:, None] * (1 + 1e-9))
    good = ok & (b <= cap[:, None] * (1 + 1e-9))
    score = np.where(good, thr, -np.inf)
    k = np.argmax(score, axis=1)
    lone_ok = ok[:, 0]
    k = np.where(good.any(axis=1), k, 0)
    pick = (np.arange(n), k)
    return {"batch": b[pick], "tpot_ms": tpot[pick], "ttft_ms": ttft[pick], "output_tokens_per_s": thr[pick],
            "requests_per_s": thr[pick] / output_tokens, "latency_ok": lone_ok.astype(float),
            "at_cap": (b[pick] >= cap * (1 - 1e-9)).astype(float), "cap_ok": ok[:, -1].astype(float)}


def in_grid(c: Curves, input_tokens: F, output_tokens: F) -> NDArray[np.bool_]:
    """Request lengths the curves span (no extrapolation)."""
    ok: NDArray[np.bool_] = ((input_tokens >= c.input_tokens[0]) & (input_tokens <= c.input_tokens[-1])
                             & (output_tokens >= c.output_tokens[0]) & (output_tokens <= c.output_tokens[-1]))
    return ok


def queue_factor(planned_utilization: float) -> float:
    """M/D/1 waiting factor 1 + rho / (2 (1 - rho)) at the planned utilisation (as in pricing.perf)."""
    rho = min(max(planned_utilization, 0.0), 0.95)
    return 1.0 + rho / (2.0 * (1.0 - rho))


def apply(res: dict[str, F], keys: Sequence[RouteKey], input_tokens: float, output_tokens: float,
          p: PerfParams, max_tpot_ms: float | None = None, max_ttft_ms: float | None = None,
          cached_fraction: float = 0.0, max_batch: F | float | None = None, efficiency_scale: float = 1.0,
          data_dir: Path | str | None = None) -> dict[str, F]:
    """pricing.perf.evaluate results with the covered routes' throughput and latency from the curves.

    Adds "aiconfigurator" (1 where the curves produced the figures). Memory fit and KV capacity stay
    the calibrated model's; the batch is capped by that KV capacity and the engine's batch cap. The
    user's efficiency_scale (Overrides) divides the curves' step times, as it scales the calibrated model."""
    size = len(keys)
    out = dict(res)
    out["aiconfigurator"] = np.zeros(size)
    c = load(data_dir)
    if c is None or not size or cached_fraction > 0 or output_tokens <= 1:
        return out
    idx = curve_index(c, keys)
    i_tok, o_tok = np.full(size, float(input_tokens)), np.full(size, float(output_tokens))
    use = np.flatnonzero((idx >= 0) & in_grid(c, i_tok, o_tok) & (res["fits"] > 0))
    if not use.size:
        return out
    cap_arg = np.broadcast_to(np.asarray(p.max_batch if max_batch is None else max_batch, dtype=float), (size,))
    cap = np.maximum(np.minimum(res["max_batch_kv"], cap_arg)[use], 1.0)
    lim_tpot = np.full(use.size, np.inf if max_tpot_ms is None else float(max_tpot_ms))
    lim_ttft = np.full(use.size, np.inf if max_ttft_ms is None else float(max_ttft_ms))
    qf = queue_factor(p.planned_utilization)
    got = lookup(c, idx[use], i_tok[use], o_tok[use], lim_tpot * efficiency_scale, lim_ttft * efficiency_scale,
                 cap, qf)
    for k in ("tpot_ms", "ttft_ms"):
        got[k] = got[k] / efficiency_scale
    for k in ("output_tokens_per_s", "requests_per_s"):
        got[k] = got[k] * efficiency_scale
    old_b = np.maximum(res["batch"][use], 1e-9)
    for k in ("batch", "tpot_ms", "ttft_ms", "output_tokens_per_s", "requests_per_s", "latency_ok"):
        out[k] = res[k].copy()
        out[k][use] = got[k]
    for k, v in (("per_user_tokens_per_s", 1e3 / got["tpot_ms"]), ("decode_step_ms", got["tpot_ms"]),
                 ("prefill_ms", got["ttft_ms"] / qf), ("kv_gb_per_gpu", res["kv_gb_per_gpu"][use] * got["batch"] / old_b),
                 ("aiconfigurator", np.ones(use.size))):
        out[k] = out[k].copy()
        out[k][use] = v
    bound = res["bound"].copy()
    at_kv = (got["at_cap"] > 0) & (got["batch"] >= res["max_batch_kv"][use] * (1 - 1e-9))
    latency_bound = (got["latency_ok"] <= 0) | (got["cap_ok"] <= 0)
    bound[use] = np.where(latency_bound, 3.0, np.where(at_kv, 2.0, res["bound"][use]))
    out["bound"] = bound
    return out


def source_label(used: bool, data_dir: Path | str | None = None) -> str:
    """'aiconfigurator-core 0.12.0' where the curves produced a figure, else 'calibrated'."""
    c = load(data_dir) if used else None
    return c.label if c is not None else CALIBRATED
