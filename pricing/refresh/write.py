"""Write provider files as one crash-safe set: staged temporaries, a commit journal, recovery by the next command."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

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


JOURNAL = ".pricing-write-journal.json"
# Our own temporaries: staged new files and hard-link backups of the old ones (see atomic_write_many).
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{6,12}\.(tmp|bak)$")


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


def _backup_name(path: Path) -> Path:
    """A fresh name beside path for a hard-link backup of it."""
    return path.parent / f".{path.name}.{secrets.token_hex(4)}.bak"


@contextlib.contextmanager
def _locked(*folders: Path) -> Iterator[None]:
    """Exclusive advisory locks on the folders themselves (no lock file left behind), taken in path order.

    A writer locks its targets' folders and their common folder; `recover` locks every folder it looks
    at; the shared order means no deadlock, the overlap means neither sees the other's half-done work.
    """
    with contextlib.ExitStack() as stack:
        for folder in sorted({str(Path(f).resolve()) for f in folders}):
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError:
                continue
            stack.callback(os.close, fd)  # closing releases the lock
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def _write_journal(root: Path, state: str, entries: list[dict[str, str | None]]) -> None:
    """Atomically (temp + rename) set the journal: its appearance with state 'commit' is the commit point."""
    tmp = _temp_beside(root / JOURNAL, json.dumps({"state": state, "entries": entries}).encode("utf-8"))
    try:
        os.rename(tmp, root / JOURNAL)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(root)


def _inside(root: Path, rel: str | None, leftover: bool) -> Path | None:
    """A journal path, refused unless it names a file directly under root's tree (and ours, for temporaries)."""
    if rel is None:
        return None
    p = (root / rel).resolve()
    if not str(p).startswith(str(root.resolve()) + os.sep) or (leftover and not _LEFTOVER.match(p.name)):
        raise RefreshError(f"{root / JOURNAL}: names a path outside {root} ({rel!r}); refusing to act on it")
    return p


def _finish(root: Path) -> str | None:
    """Complete (state commit) or undo (state rollback) the write a journal under root records; None if none."""
    jpath = root / JOURNAL
    if not jpath.is_file():
        return None
    try:
        doc = json.loads(jpath.read_text(encoding="utf-8"))
        state, entries = doc["state"], doc["entries"]
        assert state in ("commit", "rollback") and isinstance(entries, list)
    except Exception:
        # a journal that is not complete JSON was never renamed into place by us: the write never committed
        jpath.unlink(missing_ok=True)
        return "removed an unreadable write journal (the interrupted write had not committed)"
    targets = []
    for e in entries:
        target, staged, backup = (_inside(root, e.get("target"), False), _inside(root, e.get("staged"), True),
                                  _inside(root, e.get("backup"), True))
        assert target is not None
        targets.append(target)
        if state == "commit":
            if staged is not None and staged.exists():
                os.replace(staged, target)
        elif backup is not None and backup.exists():
            os.replace(backup, target)
        elif backup is None and e.get("existed") == "no":
            target.unlink(missing_ok=True)
    for d in {t.parent for t in targets} | {root}:
        _fsync_dir(d)
    jpath.unlink()
    _fsync_dir(root)
    done = "completed" if state == "commit" else "rolled back"
    return f"{done} an interrupted write of {len(targets)} file(s) under {root}"


def _clean_leftovers(folder: Path) -> int:
    """Remove our staged/backup temporaries from a folder that has no pending journal; their count."""
    n = 0
    with contextlib.suppress(OSError):
        for p in folder.iterdir():
            if _LEFTOVER.match(p.name) and p.is_file() and not p.is_symlink():
                p.unlink(missing_ok=True)
                n += 1
    return n


def _pending(folder: Path) -> bool:
    try:
        return any(n == JOURNAL or _LEFTOVER.match(n) for n in os.listdir(folder))
    except OSError:
        return False


def recover(data_dir: Path) -> list[str]:
    """Finish or undo an interrupted multi-file write under data_dir (it and its sub-folders), clean temporaries.

    Called by the next command (validate, compare, refresh, the app): after a kill at any point of
    atomic_write_many the set of files is either all new (journal committed) or all old.
    """
    data_dir = Path(data_dir)
    folders = [data_dir]
    with contextlib.suppress(OSError):
        folders += sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.is_symlink())
    if not any(_pending(f) for f in folders):
        return []
    notes: list[str] = []
    with _locked(*folders):
        for f in folders:
            note = _finish(f)
            if note:
                notes.append(note)
        cleaned = sum(_clean_leftovers(f) for f in folders)
    if cleaned:
        notes.append(f"removed {cleaned} temporary file(s) left by an interrupted write")
    return notes


def atomic_write_many(texts: Mapping[Path, str]) -> None:
    """Replace every file or none, even across a kill: stage, back up, commit a journal, replace, clean up.

    1. each new text goes to a fsynced temporary beside its target; each existing target gets a
       hard-link backup (no reading of the targets);
    2. a journal (temp + rename in the targets' common folder) commits the set;
    3. each staged file is renamed over its target; then the journal and the backups are removed.
    A kill before step 2 leaves the old files (the next command's `recover` removes temporaries); a
    kill after it is completed by `recover`. An OSError here rolls back to the old files and no
    temporary is left (RefreshError names the file).
    """
    if not texts:
        return
    paths = [Path(os.path.abspath(p)) for p in texts]
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
    with _locked(root, *(p.parent for p in paths)):
        _finish(root)
        entries: list[dict[str, str | None]] = []
        staged: list[Path] = []
        committed, replaced = False, 0
        try:
            for path, text in zip(paths, texts.values(), strict=True):
                tmp = _temp_beside(path, text.encode("utf-8"))
                staged.append(tmp)
                backup = None
                if path.exists():
                    backup = _backup_name(path)
                    os.link(path, backup)
                    staged.append(backup)
                entries.append({"target": os.path.relpath(path, root), "staged": os.path.relpath(tmp, root),
                                "backup": None if backup is None else os.path.relpath(backup, root),
                                "existed": "yes" if backup else "no"})
            for d in {p.parent for p in paths}:
                _fsync_dir(d)
            _write_journal(root, "commit", entries)
            committed = True
            for e in entries:
                os.replace(root / str(e["staged"]), root / str(e["target"]))
                replaced += 1
            for d in {p.parent for p in paths}:
                _fsync_dir(d)
            (root / JOURNAL).unlink()
            _fsync_dir(root)
            for e in entries:
                if e["backup"]:
                    (root / e["backup"]).unlink(missing_ok=True)
        except BaseException as exc:
            undone = True
            if committed:
                try:
                    if replaced:
                        _write_journal(root, "rollback", entries)
                        _finish(root)
                    else:
                        (root / JOURNAL).unlink(missing_ok=True)
                except (OSError, RefreshError):
                    undone = False  # keep journal and backups: the next command finishes the rollback
            if undone:
                for t in staged:
                    with contextlib.suppress(OSError):
                        t.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                where = getattr(exc, "filename", None) or paths[0]
                after = ("previous files kept" if undone else
                         "the write was interrupted; the next command (e.g. pricing validate) restores the previous files")
                raise RefreshError(f"could not write {where}: {exc.strerror or exc}; {after}") from exc
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
