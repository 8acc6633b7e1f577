"""The errors a user can act on; anything else raised is a bug."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in one place: file, entry, field and what is wrong."""

    file: str
    entry: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.entry, self.field) if p)
        return f"{where}: {self.message}" if where else self.message


class PricingError(Exception):
    """Base of every error the user can fix by changing an input."""


class DataError(PricingError):
    """One or more problems in data files or scenario files, each naming file, entry and field."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid data")


class UnknownIdError(PricingError):
    """An id (offer, model, GPU, hosting) that the catalog does not hold; suggests close matches."""

    def __init__(self, kind: str, given: str, known: Iterable[str]):
        self.kind, self.given = kind, given
        known_list = list(known)
        lower = {k.lower(): k for k in known_list}
        close = [lower[m] for m in difflib.get_close_matches(given.lower(), list(lower), n=5, cutoff=0.5)]
        if not close:
            tail = given.lower().rsplit("/", 1)[-1]
            close = [k for k in known_list if tail and tail in k.lower()][:5]
        self.suggestions = close
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        super().__init__(f"unknown {kind} id {given!r}{hint}")


class InputError(PricingError):
    """A bad argument or value given by the user (CLI flag, widget, query parameter)."""


# --------------------------------------------------------------------------- messages in the user's words

# Scenario and workload fields as the dashboard labels them (data-file fields keep their names).
FIELD_LABELS: dict[str, str] = {
    "name": "Name", "description": "Description", "workloads": "Workloads", "options": "Candidates",
    "overrides": "Your own numbers", "months": "Months", "as_of": "Report date",
    "requests_per_month": "Requests per month", "input_tokens": "Input tokens / request",
    "output_tokens": "Output tokens / request", "reasoning_tokens": "Reasoning tokens / request",
    "cached_input_fraction": "Input served from cache", "cache_write_fraction": "Input written to cache",
    "batch_fraction": "Sent through batch API", "off_peak_fraction": "Requests in off-peak hours",
    "peak_to_average": "Peak-to-average traffic", "hourly_profile": "24-hour traffic profile",
    "max_ttft_ms": "Max time to first token (ms)", "max_tpot_ms": "Max time per output token (ms)",
    "min_output_tokens_per_s": "Min output tokens/s per user", "monthly_growth": "Monthly growth",
    "min_context_tokens": "Minimum context window (tokens)", "api": "API offer", "selfhost": "Self-hosted deployment",
    "model": "Model", "gpu": "GPU", "precision": "Precision", "hosting": "Hosting", "gpus": "GPUs per replica",
    "price_type": "Cloud price", "n_plus_one": "Spare replica (N+1)", "autoscale": "Autoscale",
    "provider_discount": "Negotiated discount", "gpu_usd_per_hour": "Your GPU rent (USD per GPU-hour)",
    "gpu_purchase_usd": "Your GPU purchase price (USD)", "usd_per_kwh": "Electricity, USD per kWh",
    "amortization_years": "Amortisation (years)", "residual_value_fraction": "Residual value",
    "pue": "PUE", "colocation_usd_per_kw_month": "Colocation, USD per kW-month",
    "ops_usd_per_node_month": "Operations, USD per node-month",
    "efficiency_scale": "Throughput efficiency scale", "headroom_fraction": "Spare capacity kept at peak",
    "currency": "Currency", "usd_to_currency": "Exchange rate (1 USD = ?)",
    "task_tokens": "Cost per task", "reference": "Reference model",
    "own_tokens_per_task": "Your tokens per task",
}
_WHAT = {"too_short": "at least", "too_long": "at most"}


def field_label(path: str) -> str:
    """A dotted field path as the page labels it, with the file's key after it:
    'selfhost.gpu' -> 'Self-hosted deployment: GPU (selfhost.gpu)'."""
    parts = [p for p in path.split(".") if p and not p.isdigit() and not p[:1].isupper()]
    if not parts:
        return ""
    label = ": ".join(FIELD_LABELS.get(p, p.replace("_", " ")) for p in parts)
    key = ".".join(parts)
    return label if label == key else f"{label} ({key})"


def plain_message(err_type: str, msg: str, ctx: dict[str, object] | None, allowed: list[str] | None = None) -> str:
    """A validation message without library phrasing: what is wrong and what is allowed."""
    ctx = ctx or {}
    bounds = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
              "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
    if err_type in bounds:
        word, key = bounds[err_type]
        return f"must be {word} {ctx.get(key)}"
    if err_type in ("too_short", "too_long"):
        n = ctx.get("min_length" if err_type == "too_short" else "max_length")
        return f"needs {_WHAT[err_type]} {n} {'entry' if n == 1 else 'entries'}"
    if err_type == "missing":
        return "is required but missing"
    if err_type == "extra_forbidden":
        tail = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"is not a known field (a typo?){tail}"
    if err_type in ("float_parsing", "float_type", "int_from_float", "decimal_parsing"):
        return "must be a number" if "int" not in err_type else "must be a whole number"
    if err_type in ("int_parsing", "int_type"):
        return "must be a whole number"
    if err_type in ("string_type",):
        return "must be text"
    if err_type in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if err_type == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if err_type.startswith(("date_", "datetime_")):
        return "must be a date written YYYY-MM-DD"
    if err_type in ("tuple_type", "list_type"):
        return "must be a list"
    if err_type in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping of field: value"
    if err_type == "string_pattern_mismatch":
        return "does not have the expected form"
    if err_type == "finite_number":
        return "must be a finite number"
    if err_type in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    out = msg.replace("Input should be", "must be").replace("Input ", "").replace(" after validation", "")
    return out[0].lower() + out[1:] if out else "is not valid"
