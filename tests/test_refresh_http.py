"""`pricing refresh` against a real HTTP server on 127.0.0.1: good, changed, broken and hostile feeds."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pricing.catalog import load_catalog
from pricing.cli import main
from pricing.refresh import RefreshError
from pricing.refresh.http import FetchPolicy, fetch_json

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "refresh"
LITELLM_SMALL = json.loads((FIX / "litellm_small.json").read_text())
OPENROUTER_SMALL = json.loads((FIX / "openrouter_small.json").read_text())
FAST = FetchPolicy(connect_timeout_s=1.0, read_timeout_s=0.3, attempts=3, backoff_s=0.01, max_backoff_s=0.05,
                   max_retry_after_s=0.2, max_bytes=1_000_000)


@dataclass
class Reply:
    """What the test server sends for one request."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    declared_length: int | None = None  # a Content-Length larger than the body = truncated transfer
    chunked: bool = False
    drip_s: float = 0.0  # send the body one byte at a time, this long apart (a slow-drip server)


class FeedServer:
    """A real http.server on a free 127.0.0.1 port; routes map a path to a list of replies (last repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: dict[str, int] = {}
        self.stopping = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                replies = server.routes.get(self.path) or [Reply(404, b"not found")]
                n = server.hits.get(self.path, 0)
                server.hits[self.path] = n + 1
                r = replies[min(n, len(replies) - 1)]
                if r.delay_s:
                    time.sleep(r.delay_s)
                try:
                    self.send_response(r.status)
                    for k, v in r.headers.items():
                        self.send_header(k, v)
                    if r.chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for i in range(0, len(r.body), 4096):
                            part = r.body[i : i + 4096]
                            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                        return
                    self.send_header("Content-Length", str(r.declared_length or len(r.body)))
                    self.end_headers()
                    if r.drip_s:
                        for i in range(len(r.body)):
                            if server.stopping:
                                return
                            self.wfile.write(r.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(r.drip_s)
                        return
                    self.wfile.write(r.body)
                    if r.declared_length:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        """Full URL of a path on this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, *replies: Reply) -> str:
        """Route path to these replies; return its URL."""
        self.routes[path] = list(replies)
        return self.url(path)

    def serve_json(self, path: str, obj: Any) -> str:
        """Route path to a JSON document."""
        return self.serve(path, Reply(body=json.dumps(obj).encode(), headers={"Content-Type": "application/json"}))

    def close(self) -> None:
        """Stop serving."""
        self.stopping = True
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A small writable data dir: the fixture provider files plus the bundled models/GPUs/hosting."""
    d = tmp_path / "data"
    shutil.copytree(FIX / "data", d)
    for name in ("models.yaml", "gpus.yaml", "hosting.yaml"):
        shutil.copy(ROOT / "data" / name, d / name)
    return d


def hashes(d: Path) -> dict[str, str]:
    """sha256 of every file under d, by relative path (temp files included, so leftovers show)."""
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def sleeps() -> tuple[list[float], Callable[[float], None]]:
    got: list[float] = []
    return got, got.append


# --------------------------------------------------------------------------- fetch


def test_good_answer(server: FeedServer) -> None:
    url = server.serve_json("/prices.json", LITELLM_SMALL)
    assert fetch_json(url, FAST) == LITELLM_SMALL


def test_truncated_json_body(server: FeedServer) -> None:
    body = json.dumps(LITELLM_SMALL).encode()
    url = server.serve("/t.json", Reply(body=body[: len(body) // 2]))
    with pytest.raises(RefreshError, match=r"/t\.json: invalid JSON, truncated"):
        fetch_json(url, FAST)


def test_truncated_transfer(server: FeedServer) -> None:
    body = json.dumps(LITELLM_SMALL).encode()
    url = server.serve("/cut.json", Reply(body=body[:500], declared_length=len(body)))
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"/cut\.json: connection closed before the body was complete \(truncated\)"):
        fetch_json(url, FAST, sleep=sleep)
    assert server.hits["/cut.json"] == FAST.attempts
    assert len(got) == FAST.attempts - 1


def test_invalid_json(server: FeedServer) -> None:
    url = server.serve("/bad.json", Reply(body=b'{"a": 1,, "b": 2}'))
    with pytest.raises(RefreshError, match="invalid JSON at line 1, column 9"):
        fetch_json(url, FAST)


def test_http_500_retries_then_fails(server: FeedServer) -> None:
    url = server.serve("/500", Reply(500, b"boom"))
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"/500: HTTP 500 Internal Server Error after 3 attempts"):
        fetch_json(url, FAST, sleep=sleep)
    assert server.hits["/500"] == 3
    assert got == [0.01, 0.02]  # exponential backoff


def test_http_500_then_recovers(server: FeedServer) -> None:
    url = server.serve("/flaky", Reply(503), Reply(502), Reply(body=b'{"ok": true}'))
    assert fetch_json(url, FAST, sleep=lambda s: None) == {"ok": True}
    assert server.hits["/flaky"] == 3


def test_404_is_not_retried(server: FeedServer) -> None:
    url = server.serve("/gone", Reply(404, b"nope"))
    with pytest.raises(RefreshError, match=r"/gone: HTTP 404 Not Found$"):
        fetch_json(url, FAST, sleep=lambda s: None)
    assert server.hits["/gone"] == 1


def test_429_honours_retry_after(server: FeedServer) -> None:
    url = server.serve("/rl", Reply(429, headers={"Retry-After": "0"}), Reply(body=b"[1, 2]"))
    got, sleep = sleeps()
    assert fetch_json(url, FAST, sleep=sleep) == [1, 2]
    assert got == [0.0]


def test_429_retry_after_is_capped_and_named(server: FeedServer) -> None:
    url = server.serve("/rl2", Reply(429, headers={"Retry-After": "3600"}))
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"HTTP 429 Too Many Requests \(Retry-After 3600\) after 3 attempts"):
        fetch_json(url, FAST, sleep=sleep)
    assert got == [FAST.max_retry_after_s] * 2


def test_slow_server_times_out(server: FeedServer) -> None:
    url = server.serve("/slow", Reply(body=b"{}", delay_s=1.5))
    policy = FetchPolicy(connect_timeout_s=1.0, read_timeout_s=0.2, attempts=2, backoff_s=0.01)
    t0 = time.perf_counter()
    with pytest.raises(RefreshError, match=r"/slow: timed out waiting for data after 0\.2 s after 2 attempts"):
        fetch_json(url, policy)
    assert time.perf_counter() - t0 < 1.5


def test_oversized_body_declared(server: FeedServer) -> None:
    url = server.serve("/big", Reply(body=b"[" + b"1," * 2000 + b"1]"))
    with pytest.raises(RefreshError, match=r"/big: response is 4,003 bytes, over the 1,000-byte limit"):
        fetch_json(url, FetchPolicy(max_bytes=1000, attempts=1))


def test_oversized_body_streamed(server: FeedServer) -> None:
    url = server.serve("/bigchunks", Reply(body=b"[" + b"1," * 20000 + b"1]", chunked=True))
    with pytest.raises(RefreshError, match=r"/bigchunks: response passed the 10,000-byte limit; download aborted"):
        fetch_json(url, FetchPolicy(max_bytes=10_000, attempts=1))


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RefreshError, match=rf"127\.0\.0\.1:{port}/x: could not connect"):
        fetch_json(f"http://127.0.0.1:{port}/x", FAST, sleep=lambda s: None)


def test_dns_failure_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*a: Any, **k: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"DNS lookup failed for 'prices\.example\.invalid'"):
        fetch_json("http://prices.example.invalid/x.json", FAST, sleep=sleep)
    assert got == []  # a name that does not resolve is not retried


def test_non_http_url_is_a_usage_error(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert main(["refresh", "--source", "litellm", "--url", "file:///etc/passwd", "--data-dir", str(data_dir)]) == 2
    assert "http:// or https://" in capsys.readouterr().err


# --------------------------------------------------------------------------- the CLI end to end


def refresh(url: str, data_dir: Path, *extra: str, source: str = "litellm") -> int:
    return main(["refresh", "--source", source, "--url", url, "--data-dir", str(data_dir),
                 "--retries", "0", "--timeout", "0.5", *extra])


def with_price(raw: dict[str, Any], key: str, field_: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    out[key][field_] = value
    return out


def test_same_feed_changes_nothing(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = hashes(data_dir)
    assert refresh(server.serve_json("/p.json", LITELLM_SMALL), data_dir) == 0
    out = capsys.readouterr().out
    assert "0 offers changed, 0 new, 0 missing from feed, 7 unchanged" in out
    assert "nothing to write" in out
    assert hashes(data_dir) == before


def test_changed_price_dry_run_names_it_and_writes_nothing(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashes(data_dir)
    url = server.serve_json("/p.json", with_price(LITELLM_SMALL, "gpt-4o", "input_cost_per_token", 2.0e-6))
    assert refresh(url, data_dir, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "openai/gpt-4o: usd_per_mtok_input: 2.5 -> 2 (-20.0%)" in out
    assert "1 offers changed" in out and "dry run: nothing written" in out
    assert hashes(data_dir) == before


def test_changed_price_is_written_and_stamped(
    server: FeedServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRICING_TODAY", "2026-12-02")  # the stamp is "today", pinned
    ds_before = (data_dir / "api" / "deepseek.yaml").read_bytes()
    url = server.serve_json("/p.json", with_price(LITELLM_SMALL, "gpt-4o", "output_cost_per_token", 12.0e-6))
    os.chmod(data_dir / "api" / "openai.yaml", 0o640)
    assert refresh(url, data_dir) == 0
    cat = load_catalog(data_dir)
    o = cat.offer("openai/gpt-4o")
    assert o.usd_per_mtok_output == 12.0
    assert o.as_of == dt.date(2026, 12, 2) and url in o.source
    assert o.notes and "deprecation_date" in o.notes  # curated field kept
    other = cat.offer("openai/gpt-4o-mini")
    assert other.as_of == dt.date(2026, 11, 1) and url not in other.source  # unchanged offer keeps its stamp
    assert (data_dir / "api" / "deepseek.yaml").read_bytes() == ds_before  # unchanged file untouched
    text = (data_dir / "api" / "openai.yaml").read_text()
    assert text.startswith("# Fixture for tests") and "# Last refreshed by `pricing refresh --source litellm`" in text
    assert (os.stat(data_dir / "api" / "openai.yaml").st_mode & 0o777) == 0o640
    assert not [p for p in (data_dir / "api").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("case", "mutate", "expected"),
    [
        ("negative price", lambda r: with_price(r, "gpt-4o", "input_cost_per_token", -2.5e-6),
         "gpt-4o: input_cost_per_token = -2.5e-06 (negative price)"),
        ("20x jump", lambda r: with_price(r, "o3", "output_cost_per_token", 160e-6),
         "openai/o3: usd_per_mtok_output: 8 -> 160 (+1900.0%): moves more than 10x (20.0x)"),
        ("20x drop", lambda r: with_price(r, "gpt-4.1", "output_cost_per_token", 0.4e-6),
         "openai/gpt-4.1: usd_per_mtok_output: 8 -> 0.4 (-95.0%): moves more than 10x (20.0x)"),
        ("inconsistent entry", lambda r: with_price(r, "gpt-4.1", "input_cost_per_token", 0.1e-6),
         "entry 'gpt-4.1': value: Value error, usd_per_mtok_cached_input is above usd_per_mtok_input"),
        ("price to zero", lambda r: with_price(r, "gpt-4o-mini", "output_cost_per_token", 0),
         "moves more than 10x (to or from zero)"),
        ("schema change", lambda r: {k: {("input_price" if kk == "input_cost_per_token" else kk): vv
                                         for kk, vv in v.items()} for k, v in r.items()},
         "schema mismatch: none of the 7 curated entries has input_cost_per_token"),
        ("truncated feed", lambda r: {k: v for k, v in r.items() if k not in ("gpt-4o", "o3")},
         "openai: the feed lacks 2 of the 4 offers it should carry (50% > 30%"),
        ("not an object", lambda r: list(r), "schema mismatch: expected a JSON object of model entries, got list"),
        ("price is text", lambda r: with_price(r, "gpt-4o", "input_cost_per_token", "cheap"),
         "schema mismatch: entry 'gpt-4o': ValueError"),
    ],
)
def test_bad_feeds_are_rejected_and_leave_data_byte_for_byte(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str],
    case: str, mutate: Callable[[Any], Any], expected: str,
) -> None:
    before = hashes(data_dir)
    url = server.serve_json("/feed.json", mutate(LITELLM_SMALL))
    assert refresh(url, data_dir) == 1, case
    io = capsys.readouterr()
    assert expected in io.out + io.err, (case, io.out, io.err)
    assert hashes(data_dir) == before, case


@pytest.mark.parametrize(
    ("case", "reply", "expected"),
    [
        ("HTTP 500", Reply(500), "HTTP 500 Internal Server Error"),
        ("429", Reply(429, headers={"Retry-After": "1"}), "HTTP 429 Too Many Requests (Retry-After 1)"),
        ("truncated JSON", Reply(body=json.dumps(LITELLM_SMALL).encode()[:3000]), "invalid JSON, truncated"),
        ("slow", Reply(body=b"{}", delay_s=1.2), "timed out waiting for data after 0.5 s"),
    ],
)
def test_failed_fetch_leaves_data_byte_for_byte(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str], case: str, reply: Reply, expected: str
) -> None:
    before = hashes(data_dir)
    assert refresh(server.serve("/f", reply), data_dir) == 1, case
    assert expected in capsys.readouterr().err
    assert hashes(data_dir) == before


def test_large_change_accepted_when_allowed(server: FeedServer, data_dir: Path) -> None:
    url = server.serve_json("/p.json", with_price(LITELLM_SMALL, "o3", "output_cost_per_token", 160e-6))
    assert refresh(url, data_dir, "--allow-large-changes") == 0
    assert load_catalog(data_dir).offer("openai/o3").usd_per_mtok_output == 160.0


def test_missing_offer_is_kept_unless_pruned(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = {k: v for k, v in LITELLM_SMALL.items() if k != "deepseek/deepseek-reasoner"}
    url = server.serve_json("/p.json", feed)
    assert refresh(url, data_dir) == 0
    assert "missing from feed (kept; --prune removes them):\n  - deepseek/deepseek-reasoner" in capsys.readouterr().out
    assert "deepseek/deepseek-reasoner" in load_catalog(data_dir).offers
    assert refresh(url, data_dir, "--prune") == 0
    assert "deepseek/deepseek-reasoner" not in load_catalog(data_dir).offers


def test_crash_mid_write_keeps_old_files_and_no_temp(
    server: FeedServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashes(data_dir)
    feed = with_price(LITELLM_SMALL, "gpt-4o", "input_cost_per_token", 2.0e-6)
    feed = with_price(feed, "deepseek/deepseek-chat", "output_cost_per_token", 0.5e-6)
    url = server.serve_json("/p.json", feed)
    real = os.replace
    calls: list[str] = []

    def replace_then_crash(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:  # the first file is already replaced: it must be rolled back
            raise OSError(28, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_crash)
    assert refresh(url, data_dir) == 1
    assert "No space left on device; previous files kept" in capsys.readouterr().err
    assert hashes(data_dir) == before  # byte-for-byte, and no .tmp files left behind
    assert len(calls) >= 2


def test_openrouter_feed_end_to_end(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.serve_json("/api/v1/models", OPENROUTER_SMALL)
    before = hashes(data_dir)
    assert refresh(url, data_dir, "--dry-run", source="openrouter") == 0
    assert "0 offers changed, 0 new, 0 missing from feed, 4 unchanged" in capsys.readouterr().out
    changed = copy.deepcopy(OPENROUTER_SMALL)
    for m in changed["data"]:
        if m["id"] == "openai/gpt-4o":
            m["pricing"]["prompt"] = "0.000002"
    url = server.serve_json("/api/v1/models2", changed)
    assert refresh(url, data_dir, "--check", source="openrouter") == 0
    out = capsys.readouterr().out
    assert "4 offers compared, 1 disagree by more than 1%" in out
    assert "openai/gpt-4o: usd_per_mtok_input: ours 2.5" in out and "vs feed 2 (-20.0%)" in out
    assert hashes(data_dir) == before
    assert refresh(url, data_dir, source="openrouter") == 0
    assert "openai/gpt-4o: usd_per_mtok_input: 2.5 -> 2 (-20.0%)" in capsys.readouterr().out
    o = load_catalog(data_dir).offer("openai/gpt-4o")
    assert o.usd_per_mtok_input == 2.0 and o.source.startswith("OpenRouter models API (openai/gpt-4o)")
    assert o.batch is not None and o.batch.usd_per_mtok_input == 1.25  # a field OpenRouter lacks stays ours
    after = hashes(data_dir)
    assert after["api/deepseek.yaml"] == before["api/deepseek.yaml"]  # open weights: not priced by OpenRouter


def test_openrouter_schema_change(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = copy.deepcopy(OPENROUTER_SMALL)
    for m in broken["data"]:
        m["pricing"].pop("prompt", None)
    before = hashes(data_dir)
    assert refresh(server.serve_json("/m", broken), data_dir, source="openrouter") == 1
    err = capsys.readouterr().err
    assert "schema mismatch: openai/" in err and "pricing.prompt is missing" in err
    assert hashes(data_dir) == before


def test_openrouter_negative_price(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = copy.deepcopy(OPENROUTER_SMALL)
    for m in bad["data"]:
        if m["id"] == "openai/gpt-4o":
            m["pricing"]["completion"] = "-0.00001"
    before = hashes(data_dir)
    assert refresh(server.serve_json("/m", bad), data_dir, source="openrouter") == 1
    assert "openai/gpt-4o (openai/gpt-4o): pricing.completion = -0.00001 (negative price)" in capsys.readouterr().err
    assert hashes(data_dir) == before


def test_reference_snapshot_dry_run_on_bundled_data(
    server: FeedServer, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashes(data_copy)
    from pricing.feeds.snapshots import LITELLM_SNAPSHOT

    body = LITELLM_SNAPSHOT.read_bytes()
    url = server.serve("/model_prices_and_context_window.json", Reply(body=body))
    assert refresh(url, data_copy, "--dry-run") == 0
    out = capsys.readouterr().out
    n = len(load_catalog(data_copy).offers)
    assert f"0 offers changed, 0 new, 0 missing from feed, {n} unchanged" in out  # the bundle is this snapshot
    assert hashes(data_copy) == before


def test_json_output_for_machines(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.serve_json("/p.json", with_price(LITELLM_SMALL, "o3", "output_cost_per_token", 160e-6))
    assert refresh(url, data_dir, "--dry-run", "--json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["changes"] == [{"offer": "openai/o3", "field": "usd_per_mtok_output", "old": 8.0, "new": 160.0, "pct": 1900.0}]
    assert doc["rejected"] and doc["written"] == [] and doc["dry_run"] is True
    assert refresh(url, data_dir, "--check", "--json") == 0
    rows = json.loads(capsys.readouterr().out)["disagreements"]
    assert [(r["offer_id"], r["field"], r["ours"], r["feed"]) for r in rows] == [
        ("openai/o3", "usd_per_mtok_output", 8.0, 160.0)]


def test_openrouter_refresh_updates_changed_quality_scores_only(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRICING_TODAY", "2026-12-02")
    shutil.copy(ROOT / "data" / "quality.yaml", data_dir / "quality.yaml")
    url = server.serve_json("/m0", OPENROUTER_SMALL)
    before = hashes(data_dir)
    assert refresh(url, data_dir, source="openrouter") == 0  # same scores: nothing to write
    assert hashes(data_dir) == before
    feed = copy.deepcopy(OPENROUTER_SMALL)
    for m in feed["data"]:
        if m["id"] == "openai/gpt-4o-mini":
            m["benchmarks"]["artificial_analysis"]["coding_index"] = 12.5
    url = server.serve_json("/m1", feed)
    assert refresh(url, data_dir, "--dry-run", source="openrouter") == 0
    out = capsys.readouterr().out
    assert "openai/gpt-4o-mini: Artificial Analysis Coding Index: 11.4 -> 12.5" in out
    assert hashes(data_dir) == before
    assert refresh(url, data_dir, source="openrouter") == 0
    after = hashes(data_dir)
    assert [k for k in after if after[k] != before[k]] == ["quality.yaml"]
    scores = {(q.key, q.index_name): q for q in load_catalog(data_dir).quality}
    changed = scores[("openai/gpt-4o-mini", "Artificial Analysis Coding Index")]
    assert changed.value == 12.5 and changed.as_of == dt.date(2026, 12, 2) and url in changed.source
    kept = scores[("openai/gpt-4o-mini", "Artificial Analysis Agentic Index")]
    assert kept.as_of == dt.date(2026, 8, 1)


# --------------------------------------------------------------------------- hostile feeds (issue 13)


def test_redirect_is_followed(server: FeedServer) -> None:
    server.serve_json("/real.json", [1])
    url = server.serve("/moved", Reply(301, headers={"Location": "/real.json"}))
    assert fetch_json(url, FAST) == [1]


def test_redirect_loop_is_named_and_not_retried(server: FeedServer) -> None:
    server.serve("/a", Reply(302, headers={"Location": "/b"}))
    url_b = server.serve("/b", Reply(302, headers={"Location": "/a"}))
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"/a: redirect loop: .*/a -> .*/b -> .*/a$"):
        fetch_json(server.url("/a"), FAST, sleep=sleep)
    assert got == [] and server.hits["/a"] == 1 and url_b


def test_too_many_redirects(server: FeedServer) -> None:
    for i in range(10):
        server.serve(f"/r{i}", Reply(302, headers={"Location": f"/r{i + 1}"}))
    with pytest.raises(RefreshError, match=r"/r0: more than 5 redirects"):
        fetch_json(server.url("/r0"), FAST, sleep=lambda s: None)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x/", "data:,{}"])
def test_redirect_to_non_http_is_refused_at_once(server: FeedServer, target: str) -> None:
    url = server.serve("/evil", Reply(302, headers={"Location": target}))
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"/evil: redirected to (.*not an http\(s\) URL; refused|an invalid URL)"):
        fetch_json(url, FAST, sleep=sleep)
    assert server.hits["/evil"] == 1 and got == []


def test_corrupt_gzip_body(server: FeedServer) -> None:
    url = server.serve("/gz", Reply(body=b"\x1f\x8b\x08\x00garbage, not deflate data" * 10,
                                    headers={"Content-Encoding": "gzip"}))
    with pytest.raises(RefreshError, match=r"/gz: the body could not be decoded \(corrupt gzip"):
        fetch_json(url, FAST, sleep=lambda s: None)
    assert server.hits["/gz"] == 1


def test_gzip_bomb_is_capped_after_decoding(server: FeedServer) -> None:
    import gzip

    body = gzip.compress(b"[" + b"0," * 3_000_000 + b"0]")  # ~6 MB of JSON in a few kB
    url = server.serve("/bomb", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(RefreshError, match="passed the 1,000,000-byte limit"):
        fetch_json(url, FAST)


@pytest.mark.timeout(20)
def test_slow_drip_hits_the_overall_deadline(server: FeedServer) -> None:
    url = server.serve("/drip", Reply(body=json.dumps(LITELLM_SMALL).encode(), drip_s=0.05))
    policy = FetchPolicy(connect_timeout_s=1.0, read_timeout_s=1.0, attempts=3, backoff_s=0.01, deadline_s=1.0)
    t0 = time.perf_counter()
    with pytest.raises(RefreshError, match=r"/drip: body still arriving at the overall 1-s deadline"):
        fetch_json(url, policy)
    assert time.perf_counter() - t0 < 3.0  # each byte came well inside the 1 s read timeout


def test_retry_after_beyond_the_deadline_gives_up_at_once(server: FeedServer) -> None:
    url = server.serve("/rl3", Reply(503, headers={"Retry-After": "120"}))
    policy = FetchPolicy(attempts=4, max_retry_after_s=3600, deadline_s=5.0)
    got, sleep = sleeps()
    with pytest.raises(RefreshError, match=r"Retry-After 120\); the next try \(in 120 s\) would pass the overall 5-s deadline"):
        fetch_json(url, policy, sleep=sleep)
    assert got == [] and server.hits["/rl3"] == 1


def test_retries_stop_at_the_overall_deadline(server: FeedServer) -> None:
    url = server.serve("/down", Reply(500))
    now = [0.0]

    def fake_sleep(s: float) -> None:
        now[0] += s

    policy = FetchPolicy(attempts=10, backoff_s=1.0, max_backoff_s=100.0, deadline_s=10.0)
    with pytest.raises(RefreshError, match=r"HTTP 500 .*would pass the overall 10-s deadline, giving up after 4 attempt"):
        fetch_json(url, policy, sleep=fake_sleep, clock=lambda: now[0])
    assert now[0] == 1 + 2 + 4 and server.hits["/down"] == 4


@pytest.mark.parametrize(("depth", "expected"), [(100_000, "nested too deep to read"), (200, "nested more than 32 levels")])
def test_deeply_nested_json(server: FeedServer, depth: int, expected: str) -> None:
    url = server.serve("/deep", Reply(body=b"[" * depth + b"]" * depth))
    with pytest.raises(RefreshError, match=expected):
        fetch_json(url, FAST)


def test_huge_integer_in_json(server: FeedServer) -> None:
    url = server.serve("/int", Reply(body=b'{"x": ' + b"9" * 5000 + b"}"))
    with pytest.raises(RefreshError, match="unreadable JSON value"):
        fetch_json(url, FAST)


def test_not_utf8_body(server: FeedServer) -> None:
    url = server.serve("/latin1", Reply(body=b'{"x": "caf\xe9"}'))
    with pytest.raises(RefreshError, match="not UTF-8"):
        fetch_json(url, FAST)


@pytest.mark.parametrize("exc", [
    "httpx.LocalProtocolError('bad header')", "httpx.ProxyError('proxy said no')",
    "httpx.UnsupportedProtocol('nope')", "httpx.StreamConsumed()", "httpx.DecodingError('bad zstd')",
    "httpx.TooManyRedirects('x')", "httpx.WriteError('broken')", "httpx.PoolTimeout('pool')",
])
def test_every_httpx_error_is_plain_words(exc: str) -> None:
    import httpx

    err = eval(exc)

    class Boom(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            raise err

    with httpx.Client(transport=Boom()) as client, pytest.raises(RefreshError, match=r"^http://feed\.test/x: \S"):
        fetch_json("http://feed.test/x", FAST, client=client, sleep=lambda s: None)


def test_cli_refresh_redirect_loop_and_deadline(server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = hashes(data_dir)
    server.serve("/x", Reply(302, headers={"Location": "/x"}))
    assert refresh(server.url("/x"), data_dir) == 1
    assert "redirect loop" in capsys.readouterr().err
    url = server.serve("/rl", Reply(429, headers={"Retry-After": "3600"}))
    t0 = time.perf_counter()
    assert main(["refresh", "--source", "litellm", "--url", url, "--data-dir", str(data_dir),
                 "--retries", "5", "--deadline", "2"]) == 1
    assert time.perf_counter() - t0 < 5
    assert "would pass the overall 2-s deadline" in capsys.readouterr().err
    assert hashes(data_dir) == before


# --------------------------------------------------------------------------- the catalog cannot be emptied by accident


@pytest.mark.parametrize("feed", [{}, {"unrelated/model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6,
                                                            "litellm_provider": "nobody", "mode": "chat"}}])
def test_empty_feed_with_allow_large_and_prune_is_refused(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str], feed: dict[str, Any]
) -> None:
    before = hashes(data_dir)
    url = server.serve_json("/empty.json", feed)
    assert refresh(url, data_dir, "--allow-large-changes", "--prune") == 1
    io = capsys.readouterr()
    assert "rejected" in io.out + io.err and hashes(data_dir) == before
    assert main(["validate", "--data-dir", str(data_dir)]) == 0


def test_shrinking_below_half_needs_its_own_flag(
    server: FeedServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = {k: v for k, v in LITELLM_SMALL.items() if not k.startswith("deepseek")}
    before = hashes(data_dir)
    url = server.serve_json("/nods.json", feed)
    assert refresh(url, data_dir, "--allow-large-changes", "--prune") == 1
    out = capsys.readouterr().out
    assert "deepseek: the result keeps 0 of its 3 offers, below the floor of 2" in out
    assert hashes(data_dir) == before
    assert refresh(url, data_dir, "--allow-large-changes", "--prune", "--allow-shrink") == 0
    capsys.readouterr()
    assert main(["validate", "--data-dir", str(data_dir)]) == 1  # and validate then refuses the empty provider
    assert "api/deepseek.yaml: offers: provider has no offers" in capsys.readouterr().out


def test_silent_server_stops_at_the_overall_deadline_not_the_read_timeout(server: FeedServer) -> None:
    url = server.serve("/silent", Reply(body=b"{}", delay_s=2.0))
    t0 = time.perf_counter()
    with pytest.raises(RefreshError, match=r"/silent: no answer within the overall 0\.5-s deadline"):
        fetch_json(url, FetchPolicy(read_timeout_s=30, attempts=3, deadline_s=0.5))
    assert time.perf_counter() - t0 < 1.8
