"""Load data/ into one validated, cross-checked, immutable Catalog."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, get_args

import pandas as pd
from pydantic import BaseModel, ValidationError

from pricing import clock
from pricing import io as _io
from pricing.errors import DataError, Issue, UnknownIdError, field_label, plain_message
from pricing.schema import (
    ApiOffer,
    CalibrationFile,
    CloudOffer,
    EfficiencyFactors,
    Gpu,
    GpusFile,
    HostingFile,
    ModelArch,
    ModelsFile,
    OwnedAssumptions,
    ProviderFile,
    QualityFile,
    QualityScore,
    TaskTokensFile,
    TaskTokensRow,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MAX_FILE_BYTES = _io.MAX_FILE_BYTES
M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse a YAML file through the guarded reader (pricing.io); errors name the file and line."""
    return _io.read_yaml(path, max_bytes)


def parse_yaml_text(text: str, name: str) -> Any:
    """yaml.safe_load with a message that names the file and the line of the problem (pricing.io)."""
    return _io.parse_yaml_text(text, name)


def _entry_label(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Split a pydantic error location into (entry, field), naming list entries by their id."""
    entry_parts: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            item = node[key]
            label = ""
            if isinstance(item, dict):
                for k in ("id", "model", "name", "key", "api"):
                    if isinstance(item.get(k), str):
                        label = f" ({item[k]})"
                        break
            entry_parts.append(f"{entry_parts.pop() if entry_parts else ''}[{key}]{label}")
            node = item
            i += 1
            continue
        if isinstance(node, dict) and isinstance(key, str) and isinstance(node.get(key), list | dict):
            rest = loc[i + 1 :]
            if rest and isinstance(node.get(key), list):
                entry_parts.append(key)
                node = node[key]
                i += 1
                continue
        break
    entry = ".".join(entry_parts)
    fld = ".".join(str(p) for p in loc[i:])
    return entry, fld


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names a schema model allows at an error location (for 'unknown field' messages)."""
    current: Any = model
    members: dict[str, Any] = {}
    for part in loc[:-1]:
        if isinstance(part, str) and part in members:
            current = members[part]
            continue
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        f = current.model_fields.get(part)
        if f is None:
            continue
        found: list[Any] = []
        stack = [f.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                found.append(t)
            stack.extend(get_args(t))
        members = {t.__name__: t for t in found}
        current = found[0] if len(found) == 1 else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []  # pragma: no cover - a location outside the schema


def _one_branch(errs: list[Any]) -> list[Any]:
    """Of a union's alternatives (loc parts named after a model, e.g. ApiChoice / SelfHostChoice), keep
    the errors of the one the data meant: the alternative with the fewest missing or unknown fields."""
    branches: dict[tuple[Any, ...], dict[str, list[Any]]] = {}
    for e in errs:
        loc = tuple(e["loc"])
        for i, part in enumerate(loc):
            if isinstance(part, str) and part[:1].isupper():
                branches.setdefault(loc[:i], {}).setdefault(part, []).append(e)
                break
    drop: set[int] = set()
    for alts in branches.values():
        if len(alts) < 2:
            continue
        best = min(alts, key=lambda k: sum(x["type"] in ("missing", "extra_forbidden") for x in alts[k]))
        drop |= {id(x) for k, xs in alts.items() if k != best for x in xs}
    return [e for e in errs if id(e) not in drop]


# Schema models the dashboard edits: their fields are named as the page labels them.
LABELLED_MODELS = ("Scenario", "Workload", "Overrides", "SelfHostSpec", "ApiChoice", "SelfHostChoice")


def issues_from_validation(name: str, data: Any, err: ValidationError,
                           model: type[BaseModel] | None = None) -> list[Issue]:
    """Turn a pydantic ValidationError into Issues naming file, entry and field, in the user's words:
    no library phrasing; scenario fields named as the dashboard labels them, with the file's key."""
    labels = model is not None and model.__name__ in LABELLED_MODELS
    errs = _one_branch(err.errors(include_url=False))
    failed = [tuple(e["loc"]) for e in errs if e["type"] != "too_short"]
    out = []
    for e in errs:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(f[: len(loc)] == loc and len(f) > len(loc) for f in failed):
            continue  # "too few entries" only because an entry failed: that entry's error says why
        entry, fld = _entry_label(data, loc)
        allowed = _allowed_keys(model, loc) if model is not None and e["type"] == "extra_forbidden" else None
        msg = plain_message(e["type"], str(e["msg"]), dict(e.get("ctx") or {}), allowed)
        parts = [p for p in fld.split(".") if not p[:1].isupper()]  # drop union member names
        shown = field_label(fld) if labels else ".".join(parts)
        out.append(Issue(name, entry, shown or fld, msg))
    return out


def parse_model(model: type[M], data: Any, name: str) -> M:
    """Validate data against a schema model or raise DataError with located issues."""
    if data is None:
        raise DataError([Issue(name, "", "", "file is empty")])
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise DataError(issues_from_validation(name, data, e, model)) from e


@dataclass(frozen=True)
class Catalog:
    """Everything in data/, validated and indexed; treat as read-only."""

    data_dir: Path
    providers: Mapping[str, ProviderFile]
    offers: Mapping[str, ApiOffer]
    offer_provider: Mapping[str, str]
    models: Mapping[str, ModelArch]
    gpus: Mapping[str, Gpu]
    cloud: Mapping[str, CloudOffer]
    owned: Mapping[str, OwnedAssumptions]
    efficiency: EfficiencyFactors | None
    quality: tuple[QualityScore, ...]
    task_tokens: tuple[TaskTokensRow, ...] = ()
    warnings: tuple[Issue, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def offer(self, offer_id: str) -> ApiOffer:
        """The API offer with this id, or UnknownIdError with suggestions."""
        try:
            return self.offers[offer_id]
        except KeyError:
            raise UnknownIdError("API offer", offer_id, self.offers) from None

    def model(self, model_id: str) -> ModelArch:
        """The open-weight model with this HF id, or UnknownIdError with suggestions."""
        try:
            return self.models[model_id]
        except KeyError:
            raise UnknownIdError("model", model_id, self.models) from None

    def gpu(self, gpu_id: str) -> Gpu:
        """The GPU with this id, or UnknownIdError with suggestions."""
        try:
            return self.gpus[gpu_id]
        except KeyError:
            raise UnknownIdError("GPU", gpu_id, self.gpus) from None

    def cloud_offer(self, offer_id: str) -> CloudOffer:
        """The cloud GPU offer with this id, or UnknownIdError."""
        try:
            return self.cloud[offer_id]
        except KeyError:
            raise UnknownIdError("hosting", offer_id, [*self.cloud, *self.owned]) from None

    def live_offers(self, today: dt.date) -> dict[str, ApiOffer]:
        """Offer id -> offer for every offer still served on `today` (retired ones left out)."""
        return {oid: o for oid, o in self.offers.items() if not o.is_retired(today)}

    def retired_offers(self, today: dt.date) -> dict[str, ApiOffer]:
        """Offer id -> offer for every offer retired on or before `today`."""
        return {oid: o for oid, o in self.offers.items() if o.is_retired(today)}

    def offers_frame(self) -> pd.DataFrame:
        """All API offers as one flat DataFrame (one row per offer), cached."""
        if "offers" not in self._cache:
            self._cache["offers"] = _offers_frame(self)
        frame: pd.DataFrame = self._cache["offers"]
        return frame.copy()

    def age_days(self, as_of: dt.date, today: dt.date | None = None) -> int:
        """Days since as_of."""
        return ((today or clock.today()) - as_of).days


def _offers_frame(cat: Catalog) -> pd.DataFrame:
    rows = []
    for oid, o in cat.offers.items():
        tiers = o.tiers
        t1 = tiers[0] if tiers else None
        rows.append(
            {
                "id": oid,
                "provider": cat.offer_provider[oid],
                "provider_kind": cat.providers[cat.offer_provider[oid]].kind,
                "model": o.model,
                "display_name": o.display_name or o.model,
                "open_model": o.open_model,
                "family": o.family,
                "reasoning": o.reasoning,
                "context_tokens": o.context_tokens,
                "usd_per_mtok_input": o.usd_per_mtok_input,
                "usd_per_mtok_cached_input": o.usd_per_mtok_cached_input,
                "usd_per_mtok_cache_write": o.usd_per_mtok_cache_write,
                "usd_per_mtok_output": o.usd_per_mtok_output,
                "usd_per_mtok_batch_input": o.batch.usd_per_mtok_input if o.batch else None,
                "usd_per_mtok_batch_output": o.batch.usd_per_mtok_output if o.batch else None,
                "tier_above_input_tokens": t1.above_input_tokens if t1 else None,
                "off_peak": f"{o.off_peak.start_utc}-{o.off_peak.end_utc} UTC" if o.off_peak else None,
                "usd_per_request": o.usd_per_request,
                "usd_per_mtok_scheduled_input": o.scheduled[0].usd_per_mtok_input if o.scheduled else None,
                "scheduled_from": o.scheduled[0].effective_from if o.scheduled else None,
                "cache_read": _cache_text(o),
                "batch": _batch_text(o),
                "no_cache_price": o.no_cache_price,
                "no_batch_api": o.no_batch_api,
                "deprecated_on": o.deprecated_on,
                "retires_on": o.retires_on,
                "successor": o.successor,
                "checked_on": o.checked_on or o.as_of,
                "changed_on": o.changed_on,
                "source": o.source,
                "as_of": o.as_of,
            }
        )
    return pd.DataFrame(rows)


def _cache_text(o: ApiOffer) -> str:
    """The cache-read column as people read it: the price, or why there is none."""
    if o.usd_per_mtok_cached_input is not None:
        return f"${o.usd_per_mtok_cached_input:g}/1M"
    return o.cache_read_status()


def _batch_text(o: ApiOffer) -> str:
    """The batch column as people read it: input / output price, or why there is none."""
    if o.batch is not None:
        return f"${o.batch.usd_per_mtok_input:g} / ${o.batch.usd_per_mtok_output:g} per 1M"
    return o.batch_status()


def _load_dir(data_dir: Path) -> tuple[dict[str, Any], list[Issue]]:
    """Read and validate every file, collecting every issue rather than stopping at the first."""
    issues: list[Issue] = []
    parsed: dict[str, Any] = {"providers": {}}

    def load(path: Path, model: type[M]) -> M | None:
        try:
            return parse_model(model, read_yaml(path), str(path.relative_to(data_dir.parent)))
        except DataError as e:
            issues.extend(e.issues)
            return None

    api_dir = data_dir / "api"
    files = sorted(api_dir.glob("*.yaml")) if api_dir.is_dir() else []
    if not files:
        issues.append(Issue(str(api_dir), "", "", "no provider files (data/api/*.yaml)"))
    for path in files:
        pf = load(path, ProviderFile)
        if pf is None:
            continue
        if pf.provider != path.stem:
            issues.append(Issue(path.name, "", "provider", f"{pf.provider!r} differs from file name {path.stem!r}"))
        if pf.provider in parsed["providers"]:
            issues.append(Issue(path.name, "", "provider", f"duplicate provider {pf.provider!r}"))
        parsed["providers"][pf.provider] = pf

    for key, fname, model in (
        ("models", "models.yaml", ModelsFile),
        ("gpus", "gpus.yaml", GpusFile),
        ("hosting", "hosting.yaml", HostingFile),
        ("calibration", "calibration.yaml", CalibrationFile),
        ("quality", "quality.yaml", QualityFile),
        ("task_tokens", "tokens_per_task.yaml", TaskTokensFile),
    ):
        path = data_dir / fname
        if not path.exists():
            if key in ("models", "gpus", "hosting"):
                issues.append(Issue(fname, "", "", "file is missing"))
            parsed[key] = None
            continue
        parsed[key] = load(path, model)
    return parsed, issues


def _unique(items: Any, key: str, fname: str, issues: list[Issue]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, it in enumerate(items):
        k = getattr(it, key)
        if k in out:
            issues.append(Issue(fname, f"[{i}] ({k})", key, f"duplicate id {k!r}"))
        out[k] = it
    return out


def build_catalog(data_dir: Path | str | None = None) -> tuple[Catalog | None, list[Issue]]:
    """Load and cross-check data_dir; return (catalog or None, all issues incl. warnings)."""
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    if not data_dir.is_dir():
        return None, [Issue(str(data_dir), "", "", "data directory does not exist")]
    from pricing.refresh import RefreshError
    from pricing.refresh.write import recover

    warnings: list[Issue] = []
    try:  # a multi-file write killed part-way: complete or undo it before reading
        warnings += [Issue(str(data_dir), "", "", note, "warning") for note in recover(data_dir)]
    except (OSError, RefreshError) as e:
        return None, [Issue(str(data_dir), "", "", f"an interrupted write could not be finished: {e}")]
    parsed, issues = _load_dir(data_dir)

    models = _unique(parsed["models"].models if parsed["models"] else (), "id", "models.yaml", issues)
    gpus = _unique(parsed["gpus"].gpus if parsed["gpus"] else (), "id", "gpus.yaml", issues)
    hosting: HostingFile | None = parsed["hosting"]
    cloud = _unique(hosting.cloud if hosting else (), "id", "hosting.yaml", issues)
    owned = _unique(hosting.owned if hosting else (), "id", "hosting.yaml", issues)

    offers: dict[str, ApiOffer] = {}
    offer_provider: dict[str, str] = {}
    for pid, pf in parsed["providers"].items():
        for i, o in enumerate(pf.offers):
            oid = f"{pid}/{o.model}"
            if oid in offers:
                issues.append(Issue(f"api/{pid}.yaml", f"offers[{i}] ({o.model})", "model", f"duplicate offer id {oid!r}"))
            offers[oid] = o
            offer_provider[oid] = pid
            if o.open_model and o.open_model not in models:
                warnings.append(
                    Issue(f"api/{pid}.yaml", f"offers[{i}] ({o.model})", "open_model",
                          f"{o.open_model!r} is not in models.yaml (no self-hosting comparison)", "warning")
                )
    for cid, c in cloud.items():
        if c.gpu not in gpus:
            issues.append(Issue("hosting.yaml", f"cloud ({cid})", "gpu", f"unknown GPU id {c.gpu!r}"))
    if parsed["models"] and not models:
        issues.append(Issue("models.yaml", "", "models", "no models"))
    for pid, pf in parsed["providers"].items():
        if not pf.offers:
            issues.append(Issue(f"api/{pid}.yaml", "", "offers", "provider has no offers (emptied by a refresh?)"))
    if parsed["providers"] and not offers:
        issues.append(Issue("api/", "", "", "no API offers at all"))

    quality: tuple[QualityScore, ...] = parsed["quality"].scores if parsed["quality"] else ()
    efficiency = parsed["calibration"].efficiency if parsed["calibration"] else None
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        return None, issues + warnings
    cat = Catalog(
        data_dir=data_dir,
        providers=MappingProxyType(dict(parsed["providers"])),
        offers=MappingProxyType(offers),
        offer_provider=MappingProxyType(offer_provider),
        models=MappingProxyType(models),
        gpus=MappingProxyType(gpus),
        cloud=MappingProxyType(cloud),
        owned=MappingProxyType(owned),
        efficiency=efficiency,
        quality=quality,
        task_tokens=parsed["task_tokens"].rows if parsed["task_tokens"] else (),
        warnings=tuple(warnings),
    )
    return cat, issues + warnings


def load_catalog(data_dir: Path | str | None = None) -> Catalog:
    """Load data_dir (default: the bundled data/), raising DataError listing every problem."""
    cat, issues = build_catalog(data_dir)
    if cat is None:
        raise DataError([i for i in issues if i.severity == "error"])
    return cat


@functools.lru_cache(maxsize=4)
def default_catalog() -> Catalog:
    """The bundled catalog, loaded once per process."""
    return load_catalog(DEFAULT_DATA_DIR)
