"""Write provider files atomically: temp file in the same directory, fsync, os.replace; all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from pricing.catalog import parse_model, parse_yaml_text
from pricing.refresh import RefreshError
from pricing.schema import ApiOffer, ProviderFile

REFRESH_MARK = "# Last refreshed by `pricing refresh"


def render(pf: ProviderFile, banner: list[str]) -> str:
    """YAML of a provider file in the bundled files' layout (stable key order, defaults left out)."""
    head = {"provider": pf.provider, "name": pf.name, "kind": pf.kind, "pricing_page": pf.pricing_page}
    offers = [o.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for o in pf.offers]
    for o, full in zip(offers, pf.offers, strict=True):
        o["source"], o["as_of"] = full.source, full.as_of.isoformat()
    order = [f for f in ApiOffer.model_fields if f not in ("source", "as_of")] + ["source", "as_of"]
    offers = [{k: o[k] for k in sorted(o, key=order.index)} for o in offers]
    body = yaml.safe_dump({**head, "offers": offers}, sort_keys=False, allow_unicode=True, width=200)
    return "".join(line + "\n" for line in banner) + body


def banner_of(text: str) -> list[str]:
    """The leading comment lines of a file."""
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def refreshed_banner(old: list[str], source: str, today: dt.date) -> list[str]:
    """The old banner with one line saying when and from what the file was last refreshed."""
    kept = [line for line in old if not line.startswith(REFRESH_MARK)]
    return [*kept, f"{REFRESH_MARK} --source {source}` on {today.isoformat()}; changed offers carry that as_of."]


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_beside(path: Path, data: bytes) -> Path:
    """A fsynced temp file in path's directory holding data, with path's permissions."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_many(texts: Mapping[Path, str]) -> None:
    """Replace every file or none: stage fsynced temp files, rename each, roll back on failure.

    A failure leaves every target as it was and no temp file behind (RefreshError names the file).
    """
    staged: dict[Path, Path] = {}
    old: dict[Path, bytes | None] = {p: (p.read_bytes() if p.exists() else None) for p in texts}
    done: list[Path] = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            staged[path] = _temp_beside(path, text.encode("utf-8"))
        for path, tmp in staged.items():
            os.replace(tmp, path)
            done.append(path)
        for d in {p.parent for p in texts}:
            _fsync_dir(d)
    except BaseException as e:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        for path in done:
            before = old[path]
            with contextlib.suppress(OSError):
                if before is None:
                    path.unlink()
                else:
                    tmp = _temp_beside(path, before)
                    try:
                        os.replace(tmp, path)
                    finally:
                        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            where = getattr(e, "filename", None) or next(iter(texts), "")
            raise RefreshError(f"could not write {where}: {e.strerror or e}; previous files kept") from e
        raise


def write_provider_files(
    data_dir: Path, files: Mapping[str, ProviderFile], source: str, today: dt.date,
    extra: Mapping[Path, str] | None = None,
) -> list[Path]:
    """Render, re-validate and atomically write the changed provider files (and `extra` texts) in one go."""
    texts: dict[Path, str] = dict(extra or {})
    for pid, pf in files.items():
        path = data_dir / "api" / f"{pid}.yaml"
        old_banner = banner_of(path.read_text(encoding="utf-8")) if path.exists() else []
        text = render(pf, refreshed_banner(old_banner, source, today))
        parse_model(ProviderFile, parse_yaml_text(text, str(path)), str(path))  # never write what we can't read
        texts[path] = text
    atomic_write_many(texts)
    return list(texts)
