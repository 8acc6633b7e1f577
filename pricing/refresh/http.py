"""Fetch a JSON (or CSV) feed over HTTP: timeouts, retries with backoff, a size limit, errors that name URL and cause."""

from __future__ import annotations

import email.utils
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from pricing.errors import InputError
from pricing.refresh import RefreshError

USER_AGENT = "pricing-refresh/0.1 (+https://github.com/; open-weights-vs-api cost tool)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    """How patient a fetch is: timeouts (s), attempts, backoff and the body size limit."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    attempts: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_retry_after_s: float = 60.0
    max_bytes: int = 50_000_000


def check_url(url: str) -> str:
    """Refuse anything but an http(s) URL with a host (InputError: a usage problem)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--url must be an http:// or https:// URL with a host, got {url!r}")
    return url


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _cause(url: str, e: httpx.TransportError, policy: FetchPolicy) -> str:
    """A plain-words cause for a transport failure (DNS, refused, timeout, truncated body)."""
    if isinstance(e, httpx.ConnectTimeout):
        return f"timed out connecting after {policy.connect_timeout_s:g} s"
    if isinstance(e, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return f"timed out waiting for data after {policy.read_timeout_s:g} s"
    ctx: BaseException | None = e
    while ctx is not None:
        if isinstance(ctx, socket.gaierror):
            return f"DNS lookup failed for {urlsplit(url).hostname!r} ({ctx.strerror or ctx})"
        ctx = ctx.__cause__ or ctx.__context__
    text = str(e)
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return f"DNS lookup failed for {urlsplit(url).hostname!r} ({text})"
    if isinstance(e, httpx.RemoteProtocolError):
        return f"connection closed before the body was complete (truncated): {text or type(e).__name__}"
    if isinstance(e, httpx.ConnectError):
        return f"could not connect: {text or type(e).__name__}"
    return f"{type(e).__name__}: {text}"


def _read_capped(resp: httpx.Response, url: str, max_bytes: int) -> bytes:
    """The body, refusing (before or while streaming) anything over max_bytes."""
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise RefreshError(f"{url}: response is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
    chunks: list[bytes] = []
    total = 0
    for chunk in resp.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise RefreshError(f"{url}: response passed the {max_bytes:,}-byte limit; download aborted")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_json(body: bytes, url: str) -> Any:
    """Parse JSON, saying whether the document looks truncated or is otherwise invalid."""
    try:
        return json.loads(body)
    except UnicodeDecodeError as e:
        raise RefreshError(f"{url}: body is not UTF-8 text ({e.reason} at byte {e.start})") from e
    except json.JSONDecodeError as e:
        stripped = len(body.rstrip())
        if not body.strip():
            raise RefreshError(f"{url}: empty body, expected JSON") from e
        if e.pos >= stripped or _unclosed(body):
            raise RefreshError(
                f"{url}: invalid JSON, truncated: the document ends at byte {stripped:,} before it is complete"
            ) from e
        raise RefreshError(f"{url}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e


def _unclosed(body: bytes) -> bool:
    """True when the text ends inside a string or with brackets still open: a cut-off document."""
    depth, in_str, esc = 0, False, False
    for ch in body.decode("utf-8", "replace"):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_str or depth > 0


def fetch_json(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
) -> Any:
    """GET url and return its JSON, retrying 429/5xx/timeouts/connection errors with backoff.

    Every failure raises RefreshError naming the URL and the cause.
    """
    return decode_json(fetch_bytes(url, policy, sleep=sleep, client=client), url)


def fetch_bytes(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
    accept: str = "application/json",
) -> bytes:
    """GET url and return its body (size-capped), with fetch_json's retries, backoff and errors."""
    policy = policy or FetchPolicy()
    check_url(url)
    timeout = httpx.Timeout(policy.read_timeout_s, connect=policy.connect_timeout_s)
    own = client is None
    http = client or httpx.Client(
        timeout=timeout, follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}
    )
    last = ""
    try:
        for attempt in range(1, max(1, policy.attempts) + 1):
            wait = min(policy.backoff_s * 2 ** (attempt - 1), policy.max_backoff_s)
            try:
                with http.stream("GET", url, headers={"Accept": accept}) as resp:
                    if resp.status_code in RETRY_STATUS:
                        asked = _retry_after_s(resp.headers.get("retry-after"))
                        if asked is not None:
                            wait = min(asked, policy.max_retry_after_s)
                        last = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
                        if asked is not None:
                            last += f" (Retry-After {resp.headers.get('retry-after')})"
                    elif resp.status_code >= 400:
                        raise RefreshError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
                    else:
                        return _read_capped(resp, url, policy.max_bytes)
            except httpx.TransportError as e:
                last = _cause(url, e, policy)
                if "DNS lookup failed" in last:
                    break
            except httpx.InvalidURL as e:
                raise InputError(f"--url {url!r} is not a valid URL: {e}") from e
            if attempt < policy.attempts:
                sleep(wait)
        tries = f" after {policy.attempts} attempts" if policy.attempts > 1 and "DNS" not in last else ""
        raise RefreshError(f"{url}: {last}{tries}")
    finally:
        if own:
            http.close()
