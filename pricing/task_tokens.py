"""Cost per task: how many output tokens each model spends on the same task, relative to a reference.

A reasoning model may spend several times the output tokens of another on the same task, so one
output-token count for every model favours the verbose ones. With a `TaskTokens` setting, the
workload's output and reasoning tokens are what the reference model spends; every other model's
are scaled by (its output tokens per task / the reference's). Figures come from the user's own
`own_tokens_per_task` first, then data/tokens_per_task.yaml (Artificial Analysis' output tokens
per Intelligence Index task). A model with neither keeps x1.0 and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pricing import quality
from pricing.catalog import Catalog
from pricing.errors import DataError, Issue
from pricing.schema import TaskTokens, TaskTokensRow


@dataclass(frozen=True)
class Figure:
    """One model's output tokens per task and where the number comes from."""

    tokens: float
    origin: str  # "sourced" | "own"
    measured_as: str | None = None
    as_of: dt.date | None = None
    source: str | None = None


def _rows(catalog: Catalog) -> dict[str, TaskTokensRow]:
    cache = catalog._cache
    if "task_tokens" not in cache:
        cache["task_tokens"] = {r.key.lower(): r for r in catalog.task_tokens}
    rows: dict[str, TaskTokensRow] = cache["task_tokens"]
    return rows


def figure(catalog: Catalog, key: str, own: dict[str, float] | None = None) -> Figure | None:
    """Output tokens per task for an offer id or HF id: the user's own figure, else the sourced one, else None."""
    keys = quality.candidate_keys(catalog, key)
    own_lower = {k.lower(): v for k, v in (own or {}).items()}
    for k in keys:
        if k.lower() in own_lower:
            return Figure(tokens=float(own_lower[k.lower()]), origin="own")
    rows = _rows(catalog)
    for k in keys:
        r = rows.get(k.lower())
        if r is not None:
            return Figure(tokens=r.output_tokens, origin="sourced", measured_as=r.measured_as,
                          as_of=r.as_of, source=r.source)
    return None


def reference_figure(catalog: Catalog, settings: TaskTokens, scenario_name: str = "scenario") -> Figure:
    """The reference model's figure, or DataError naming the field when it has none."""
    ref = figure(catalog, settings.reference, settings.own_tokens_per_task)
    if ref is None:
        raise DataError([Issue(
            scenario_name, "task_tokens", "reference",
            f"{settings.reference!r} has no tokens-per-task figure: pick a model that has one "
            "(see data/tokens_per_task.yaml) or enter your own for it under own_tokens_per_task",
        )])
    return ref


def tokens_text(n: float) -> str:
    """12.3k, 1.2M, 850."""
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e3 else f"{n:.0f}"


def multiplier(catalog: Catalog, key: str, settings: TaskTokens, ref: Figure) -> tuple[float, str]:
    """(factor on output and reasoning tokens, a note saying where it comes from) for one model."""
    fig = figure(catalog, key, settings.own_tokens_per_task)
    if fig is None:
        return 1.0, "no tokens-per-task figure: the workload's tokens (x1.0)"
    m = fig.tokens / ref.tokens
    if fig.origin == "own":
        return m, f"your assumption: {tokens_text(fig.tokens)} output tokens/task"
    return m, (f"{tokens_text(fig.tokens)} output tokens/task, Artificial Analysis ({fig.measured_as}, "
               f"{fig.as_of})")


def describe(settings: TaskTokens, ref: Figure) -> str:
    """One sentence for pages and reports stating the assumption."""
    where = ("output tokens per task, your own assumption" if ref.origin == "own"
             else f"output tokens per Intelligence Index task, Artificial Analysis, {ref.measured_as}, {ref.as_of}")
    own = (f" Your own figures (your assumption): {', '.join(f'{k} {tokens_text(v)}' for k, v in settings.own_tokens_per_task.items())}."
           if settings.own_tokens_per_task else "")
    return (f"Cost per task: the workload's output and reasoning tokens are what {settings.reference} spends "
            f"({tokens_text(ref.tokens)} {where}); every other model's are scaled by its own output tokens per "
            f"task relative to that. Models without a figure keep x1.0.{own}")
