"""`pricing compare -o` and standard output: nothing destroyed, nothing hangs, errors end with a message."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pricing.cli import main
from pricing.io import OutputError, write_output

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "data" / "scenarios" / "batch-summaries.yaml"
FAST = ["--samples", "100", "--format", "csv"]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    p = tmp_path / "s.yaml"
    shutil.copy(SCENARIO, p)
    return p


def _run(scenario: Path, out: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["compare", str(scenario), *FAST, "-o", out])
    return rc, capsys.readouterr().err


def test_output_onto_its_own_scenario_is_refused(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = scenario.read_bytes()
    rc, err = _run(scenario, str(scenario), capsys)
    assert rc == 2 and "is the input file" in err
    assert scenario.read_bytes() == before


def test_output_onto_a_symlink_to_its_scenario_is_refused(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(scenario)
    before = scenario.read_bytes()
    rc, err = _run(scenario, str(link), capsys)
    assert rc == 2 and "is the input file" in err
    assert scenario.read_bytes() == before and link.is_symlink()


def test_output_onto_a_hard_link_of_its_scenario_is_refused(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hard = tmp_path / "hard.yaml"
    os.link(scenario, hard)
    rc, err = _run(scenario, str(hard), capsys)
    assert rc == 2 and "is the input file" in err


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("case", "target", "expected"), [
    ("device /dev/null", "/dev/null", "is not a regular file"),
    ("full device", "/dev/full", "is not a regular file"),
    ("endless device", "/dev/zero", "is not a regular file"),
    ("directory", "{tmp}", "is a directory"),
    ("FIFO", "{tmp}/fifo", "is not a regular file"),
    ("symlink to a device", "{tmp}/devlink", "is not a regular file"),
    ("missing folder", "{tmp}/no/such/dir/r.csv", "does not exist"),
    ("dangling symlink", "{tmp}/dangling", "symlink to nowhere"),
])
def test_non_regular_targets_are_refused_without_opening_them(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, target: str, expected: str
) -> None:
    os.mkfifo(tmp_path / "fifo")  # opening it for writing would block forever
    (tmp_path / "devlink").symlink_to("/dev/null")
    (tmp_path / "dangling").symlink_to(tmp_path / "elsewhere" / "x.csv")
    path = target.format(tmp=tmp_path)
    rc, err = _run(scenario, path, capsys)
    assert rc == 2, case
    assert f"-o {path}" in err and expected in err, (case, err)
    assert Path("/dev/null").is_char_device() and (tmp_path / "devlink").is_symlink()


def test_new_and_existing_regular_files_are_written_atomically(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.csv"
    rc, _ = _run(scenario, str(out), capsys)
    assert rc == 0 and out.read_text().startswith("scenario,")
    out.write_text("old")
    os.chmod(out, 0o640)
    rc, _ = _run(scenario, str(out), capsys)
    assert rc == 0 and out.read_text().startswith("scenario,")
    assert (os.stat(out).st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "s.yaml"]  # no temp file left


def test_output_never_reads_the_old_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.txt"
    out.write_text("old")
    real_open = os.open

    def no_read_of_target(path: Any, flags: int, *a: Any) -> int:
        assert str(path) != str(out), "the writer opened the old target"
        return real_open(path, flags, *a)

    monkeypatch.setattr(os, "open", no_read_of_target)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read_bytes called"))
    write_output(out, "new")
    assert out.read_text() == "new"


def test_full_disk_leaves_target_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.txt"
    out.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match=r"could not write .*r\.txt: No space left on device; .* left as it was"):
        write_output(out, "new")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_stdout_on_a_full_disk_is_a_message_and_exit_1() -> None:
    with open("/dev/full", "wb") as full:
        p = subprocess.run([sys.executable, "-m", "pricing", "catalog"], cwd=ROOT, stdout=full,
                           stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.strip() == "error: could not write to standard output: No space left on device", err


def test_stdout_closed_pipe_is_a_message_and_exit_1() -> None:
    p = subprocess.Popen([sys.executable, "-m", "pricing", "catalog", "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(10)
    p.stdout.close()  # the reader goes away (like `| head -c 10`); the JSON (170 kB) is over a pipe's buffer
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(timeout=60) == 1
    assert "error: could not write to standard output: closed before the output was complete" in err
    assert "Traceback" not in err and "Exception ignored" not in err
