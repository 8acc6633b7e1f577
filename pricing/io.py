"""The one guarded reader of input files: regular files only, bounded size, UTF-8, bounded nesting.

Every failure is a DataError naming the file: a directory, a FIFO, a device (also behind a
symlink), an unreadable file, a file over the size limit (checked while reading, so a file that
grows or lies about its size cannot exhaust memory), text that is not UTF-8, YAML that is
malformed, nested too deep, expands too far through aliases, or holds an integer too long to convert.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from pricing.errors import DataError, InputError, Issue

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 64  # no data file or scenario nests deeper than ~6; anything far deeper is hostile
MAX_NODES = 200_000  # values visited while checking depth (the bundled files hold ~20k; alias bombs far more)
_CHUNK = 1 << 16
# libyaml's safe loader when built in: same constructor (same data) as yaml.SafeLoader, ~6x faster, and it
# refuses nesting past its limit with an error instead of recursing
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fail(name: str, message: str) -> DataError:
    return DataError([Issue(name, "", "", message)])


def read_bytes(path: Path | str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most max_bytes; DataError naming the file otherwise."""
    label = name or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: opening a FIFO with no writer does not hang
    except FileNotFoundError:
        raise _fail(label, "file not found (or a broken symlink)") from None
    except IsADirectoryError:
        raise _fail(label, "is a directory, expected a file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _fail(label, "symlink loop") from None
        raise _fail(label, f"cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise _fail(label, "is a directory, expected a file")
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
                    else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise _fail(label, f"is {kind}, not a regular file")
        if st.st_size > max_bytes:
            raise _fail(label, f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise _fail(label, f"file grew past the {max_bytes:,}-byte limit while being read")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise _fail(label, f"cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 text (a leading BOM dropped), or DataError naming the byte offset of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise _fail(name, f"not UTF-8 text: byte 0x{data[e.start]:02x} at offset {e.start} (line {line})") from None


def read_text(path: Path | str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> str:
    """A regular file's UTF-8 text, bounded by max_bytes (see read_bytes)."""
    return decode_utf8(read_bytes(path, max_bytes, name), name or str(path))


def check_depth(obj: Any, name: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """DataError when a parsed document nests deeper than max_depth or expands past max_nodes values."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise _fail(name, f"document expands to over {max_nodes:,} values (YAML alias bomb?)")
        if isinstance(node, dict | list | tuple):
            if depth > max_depth:
                raise _fail(name, f"nested more than {max_depth} levels deep")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1) for c in children)


def parse_yaml_text(text: str, name: str) -> Any:
    """yaml.safe_load with every failure as a DataError naming the file (and the line where known)."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader: no tag ever runs
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        if "nesting depth" in problem:
            raise DataError([Issue(name, where, "", "nested too deep to read")]) from None
        raise DataError([Issue(name, where, "", f"malformed YAML: {problem}")]) from e
    except RecursionError:
        raise _fail(name, "nested too deep to read") from None
    except ValueError as e:  # e.g. an integer longer than Python converts (sys.int_info.default_max_str_digits)
        raise _fail(name, f"unreadable value: {str(e).splitlines()[0][:200]}") from None
    check_depth(data, name)
    return data


def read_yaml(path: Path | str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> Any:
    """Read and parse a YAML file through the guarded reader."""
    label = name or str(path)
    return parse_yaml_text(read_text(path, max_bytes, label), label)


# --------------------------------------------------------------------------- outputs


class OutputError(InputError):
    """An output path that must not be written (the input itself, a device, a folder) or a failed write."""


def check_output_path(target: Path, reads: Iterable[Path] = ()) -> Path:
    """The regular file (or new path) to write; InputError for anything else. Never opens the target.

    Refused: a directory, a device, a FIFO or socket (also behind a symlink), a path whose folder
    does not exist, and any file the command reads (the scenario it compares).
    """
    if os.path.islink(target) and not os.path.exists(target):
        raise OutputError(f"-o {target}: is a symlink to nowhere; give a real path")
    real = Path(os.path.realpath(target))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"-o {target}: cannot use this path: {e.strerror or e}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"-o {target}: is a directory; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"-o {target}: is not a regular file (device, FIFO or socket); refusing to replace it")
    if not real.parent.is_dir():
        raise OutputError(f"-o {target}: folder {real.parent} does not exist")
    for r in reads:
        try:
            same = st is not None and os.path.samefile(real, r)
        except OSError:
            same = False
        if same or real == Path(os.path.realpath(r)):
            raise OutputError(f"-o {target}: is the input file {r}; writing the report there would destroy it")
    return real


def write_output(target: Path, text: str, reads: Iterable[Path] = ()) -> Path:
    """Write text to a checked target atomically: temp file in its folder, fsync, rename; never reads it.

    On failure (full disk, permissions) the target is unchanged, no temp file is left, and an
    OutputError names the target and the cause.
    """
    real = check_output_path(target, reads)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
        tmp = None
    except OSError as e:
        raise OutputError(f"could not write {target}: {e.strerror or e}; {target} left as it was") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return real


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
