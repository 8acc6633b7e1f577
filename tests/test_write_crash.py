"""A refresh killed (SIGKILL) at each step of its multi-file write: the next command completes or rolls back the set."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pricing.cli import main
from pricing.refresh.write import JOURNAL, atomic_write_many, recover
from tests.test_refresh_http import FIX, LITELLM_SMALL, ROOT, FeedServer, hashes, with_price

# Runs `pricing <args>` and SIGKILLs itself just before the KILL_AT-th state-changing file operation
# (link, rename, replace, unlink) made inside atomic_write_many; prints the operation count on success.
KILLER = textwrap.dedent("""
    import os, signal, sys
    import pricing.refresh.write as w
    kill_at, count, active = int(os.environ["KILL_AT"]), [0], [False]
    for name in ("link", "rename", "replace", "unlink"):
        real = getattr(os, name)
        def op(*a, _real=real, **k):
            if active[0]:
                count[0] += 1
                if count[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return _real(*a, **k)
        setattr(os, name, op)
    real_write = w.atomic_write_many
    def write(texts):
        active[0] = True
        try:
            return real_write(texts)
        finally:
            active[0] = False
    w.atomic_write_many = write
    from pricing.cli import main
    rc = main(sys.argv[1:])
    print(f"OPS={count[0]}", file=sys.stderr)
    sys.exit(rc)
""")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


def _data(tmp: Path) -> Path:
    d = tmp / "data"
    shutil.copytree(FIX / "data", d)
    for name in ("models.yaml", "gpus.yaml", "hosting.yaml"):
        shutil.copy(ROOT / "data" / name, d / name)
    return d


def _refresh(url: str, data_dir: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILLER, "refresh", "--source", "litellm", "--url", url, "--data-dir", str(data_dir),
         "--retries", "0", "--timeout", "5"],
        cwd=ROOT, env={**os.environ, "KILL_AT": str(kill_at)}, capture_output=True, text=True, timeout=120,
    )


def _refresh_forked(url: str, data_dir: Path, kill_at: int) -> tuple[int, int]:
    """`pricing refresh` in a forked child process (already warm: no interpreter start-up) that SIGKILLs itself
    just before its kill_at-th state-changing file operation; (exit code, -signal when killed; operations made)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: same hooks as KILLER
        code = 99
        try:
            os.close(r)
            import pricing.refresh.write as wr

            count, active = [0], [False]
            for name in ("link", "rename", "replace", "unlink"):
                real = getattr(os, name)

                def op(*a: Any, _real: Any = real, **k: Any) -> Any:
                    if active[0]:
                        count[0] += 1
                        if count[0] == kill_at:
                            os.kill(os.getpid(), signal.SIGKILL)
                    return _real(*a, **k)

                setattr(os, name, op)
            real_write = wr.atomic_write_many

            def write(texts: Any) -> None:
                active[0] = True
                try:
                    real_write(texts)
                finally:
                    active[0] = False

            wr.atomic_write_many = write  # type: ignore[assignment]
            code = main(["refresh", "--source", "litellm", "--url", url, "--data-dir", str(data_dir),
                         "--retries", "0", "--timeout", "5"])
            os.write(w, str(count[0]).encode())
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as f:
        ops = f.read().decode() or "-1"
    return os.waitstatus_to_exitcode(status), int(ops)


def _providers(d: Path) -> dict[str, str]:
    return {k: v for k, v in hashes(d).items() if k.startswith("api/") and not Path(k).name.startswith(".")}


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # Python >= 3.12
def test_kill_at_every_step_then_next_command(server: FeedServer, tmp_path: Path) -> None:
    feed = with_price(LITELLM_SMALL, "gpt-4o", "input_cost_per_token", 2.0e-6)
    feed = with_price(feed, "deepseek/deepseek-chat", "output_cost_per_token", 0.5e-6)  # two files change
    url = server.serve_json("/p.json", feed)

    ref = _data(tmp_path / "ref")
    old = _providers(ref)
    rc, ops = _refresh_forked(url, ref, kill_at=0)  # never killed: the new state and how many steps the write takes
    assert rc == 0
    new = _providers(ref)
    assert set(old) == set(new) and sum(old[k] != new[k] for k in old) == 2
    assert ops >= 6  # 2 backups, journal commit, 2 replaces, journal removal (+ backup removals)

    outcomes = []
    for k in range(1, ops + 1):
        d = _data(tmp_path / f"k{k}")
        rc, _ = _refresh_forked(url, d, kill_at=k)
        assert rc == -signal.SIGKILL, k
        assert main(["validate", "--data-dir", str(d)]) == 0, k  # the next command
        state = _providers(d)
        assert state in (old, new), f"kill at step {k}: a mix of old and new provider files"
        left = [p for p in hashes(d) if Path(p).name.startswith(".")]
        assert left == [], f"kill at step {k}: leftovers {left}"
        outcomes.append("new" if state == new else "old")
    # killed before the journal's commit: rolled back; after it: completed
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=["old", "new"].index), outcomes


def test_kill_then_refresh_again_completes(server: FeedServer, tmp_path: Path) -> None:
    url = server.serve_json("/q.json", with_price(with_price(LITELLM_SMALL, "gpt-4o", "input_cost_per_token", 2.0e-6),
                                                  "deepseek/deepseek-chat", "output_cost_per_token", 0.5e-6))
    d = _data(tmp_path)
    killed = _refresh(url, d, kill_at=4)  # after the commit: one file replaced, one pending
    assert killed.returncode == -9
    assert (d / "api" / JOURNAL).exists() or (d / JOURNAL).exists()
    again = subprocess.run([sys.executable, "-m", "pricing", "refresh", "--source", "litellm", "--url", url,
                            "--data-dir", str(d), "--retries", "0"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "note: completed an interrupted write of 2 file(s)" in again.stderr
    assert "nothing to write: the data already matches the feed" in again.stdout


def test_recover_new_file_and_nested_folders(tmp_path: Path) -> None:
    d = tmp_path / "data"
    (d / "api").mkdir(parents=True)
    (d / "api" / "a.yaml").write_text("old a\n")
    # a committed journal whose second file (new, in another folder) was not yet moved into place
    (d / "api" / ".a.yaml.abcd1234.tmp").write_text("new a\n")
    (d / ".q.yaml.abcd1234.tmp").write_text("new q\n")
    os.link(d / "api" / "a.yaml", d / "api" / ".a.yaml.0000aaaa.bak")
    (d / JOURNAL).write_text(
        '{"state": "commit", "entries": ['
        '{"target": "api/a.yaml", "staged": "api/.a.yaml.abcd1234.tmp", "backup": "api/.a.yaml.0000aaaa.bak", "existed": "yes"},'
        '{"target": "q.yaml", "staged": ".q.yaml.abcd1234.tmp", "backup": null, "existed": "no"}]}'
    )
    notes = recover(d)
    assert notes[0] == f"completed an interrupted write of 2 file(s) under {d}"
    assert (d / "api" / "a.yaml").read_text() == "new a\n" and (d / "q.yaml").read_text() == "new q\n"
    assert sorted(p.name for p in d.rglob("*")) == ["a.yaml", "api", "q.yaml"]


def test_recover_rollback_state_and_torn_journal(tmp_path: Path) -> None:
    d = tmp_path
    (d / "a.yaml").write_text("new a\n")
    (d / ".a.yaml.0000aaaa.bak").write_text("old a\n")
    (d / "b.yaml").write_text("new b\n")
    (d / JOURNAL).write_text(
        '{"state": "rollback", "entries": ['
        '{"target": "a.yaml", "staged": ".a.yaml.abcd1234.tmp", "backup": ".a.yaml.0000aaaa.bak", "existed": "yes"},'
        '{"target": "b.yaml", "staged": ".b.yaml.abcd1234.tmp", "backup": null, "existed": "no"}]}'
    )
    assert recover(d)[0].startswith("rolled back an interrupted write of 2 file(s)")
    assert (d / "a.yaml").read_text() == "old a\n" and not (d / "b.yaml").exists()
    (d / JOURNAL).write_text('{"state": "comm')  # torn: never renamed into place by us
    (d / ".x.yaml.abcd1234.tmp").write_text("staged")
    notes = recover(d)
    assert "unreadable write journal" in notes[0] and "removed 1 temporary file(s)" in notes[1]
    assert sorted(p.name for p in d.iterdir()) == ["a.yaml"]


def test_hostile_journal_cannot_touch_files_outside(tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (d / JOURNAL).write_text('{"state": "rollback", "entries": [{"target": "../victim.txt", "staged": null, '
                             '"backup": null, "existed": "no"}]}')
    with pytest.raises(Exception, match="outside"):
        recover(d)
    assert victim.read_text() == "keep me\n"
    code = main(["validate", "--data-dir", str(d)])
    assert code == 1


def test_write_many_success_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("old\n")
    atomic_write_many({tmp_path / "a.yaml": "new\n", tmp_path / "sub" / "b.yaml": "b\n"})
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["a.yaml", "sub", "sub/b.yaml"]
    assert (tmp_path / "a.yaml").read_text() == "new\n"
