"""Fetch a JSON feed over HTTP: timeouts, retries with backoff, a size limit, errors that name URL and cause."""

from __future__ import annotations

import email.utils
import json
import math
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from pricing.errors import DataError, InputError
from pricing.io import check_depth
from pricing.refresh import RefreshError

USER_AGENT = "pricing-refresh/0.1 (+https://github.com/; open-weights-vs-api cost tool)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_JSON_DEPTH = 32  # the feeds nest ~5 deep; far deeper is a broken or hostile answer


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
    deadline_s: float = 180.0  # overall: connects, reads, retries, backoff and Retry-After waits
    max_redirects: int = 5


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


def _read_capped(
    resp: httpx.Response, url: str, max_bytes: int, *, end: float = math.inf,
    clock: Callable[[], float] = time.monotonic, deadline_s: float = math.inf,
) -> bytes:
    """The body, refusing (before or while streaming) anything over max_bytes or arriving past `end`."""
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
        if clock() > end:
            raise RefreshError(
                f"{url}: body still arriving at the overall {deadline_s:g}-s deadline "
                f"({total:,} bytes so far: a stalled or dripping server); download aborted"
            )
    return b"".join(chunks)


def decode_json(body: bytes, url: str) -> Any:
    """Parse JSON, saying whether the document looks truncated or is otherwise invalid."""
    try:
        doc = json.loads(body)
    except RecursionError:
        raise RefreshError(f"{url}: JSON nested too deep to read (over {MAX_JSON_DEPTH} levels); refused") from None
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
    except ValueError as e:  # e.g. an integer over Python's digit limit
        raise RefreshError(f"{url}: unreadable JSON value: {str(e).splitlines()[0][:200]}") from None
    try:
        check_depth(doc, url, max_depth=MAX_JSON_DEPTH)
    except DataError as e:
        raise RefreshError(f"{url}: JSON {e.issues[0].message}; refused") from None
    return doc


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


def _location(resp: httpx.Response, url: str) -> str:
    """The absolute URL a redirect points to (RefreshError when it has none)."""
    loc = resp.headers.get("location")
    if not loc:
        raise RefreshError(f"{url}: HTTP {resp.status_code} redirect without a Location header")
    try:
        return str(httpx.URL(url).join(loc))
    except httpx.InvalidURL as e:
        raise RefreshError(f"{url}: redirected to an invalid URL {loc[:200]!r}: {e}") from None


def _plain(e: httpx.HTTPError | httpx.StreamError) -> str:
    """Plain words for an httpx error that is not a transport failure."""
    if isinstance(e, httpx.DecodingError):
        return f"the body could not be decoded (corrupt gzip/deflate/brotli data?): {e}"
    if isinstance(e, httpx.TooManyRedirects):
        return f"too many redirects: {e}"
    if isinstance(e, httpx.StreamError):
        return f"the response stream could not be read: {type(e).__name__}"
    return f"request failed: {type(e).__name__}: {e}"


def fetch_bytes(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
    clock: Callable[[], float] = time.monotonic,
    accept: str = "text/csv, text/plain",
) -> bytes:
    """GET url and return its body (a CSV price list), with fetch_json's deadline, retries, caps and errors."""
    body: bytes = fetch_json(url, policy, sleep=sleep, client=client, clock=clock, _decode=_raw, _accept=accept)
    return body


def _raw(body: bytes, url: str) -> bytes:
    return body


def fetch_json(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
    clock: Callable[[], float] = time.monotonic,
    _decode: Callable[[bytes, str], Any] = decode_json,
    _accept: str = "application/json",
) -> Any:
    """GET url and return its JSON, retrying 429/5xx/timeouts/connection errors with backoff.

    Everything (connects, reads, retries, backoff and Retry-After waits) fits in policy.deadline_s:
    a body dripped byte by byte or a server asking to come back in an hour ends at the deadline.
    Redirects are followed by hand: to http(s) only (anything else is refused at once), at most
    policy.max_redirects, loops named. Every failure raises RefreshError naming the URL and the cause.
    """
    policy = policy or FetchPolicy()
    check_url(url)
    try:
        httpx.URL(url)
    except httpx.InvalidURL as e:
        raise InputError(f"--url {url!r} is not a valid URL: {e}") from None
    start = clock()
    end = start + policy.deadline_s
    own = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(policy.read_timeout_s, connect=policy.connect_timeout_s),
        follow_redirects=False, headers={"User-Agent": USER_AGENT},
    )
    last = ""
    attempts_made = 0
    try:
        for attempt in range(1, max(1, policy.attempts) + 1):
            attempts_made = attempt
            wait = min(policy.backoff_s * 2 ** (attempt - 1), policy.max_backoff_s)
            try:
                return _get_json(http, url, policy, end, clock, _decode, _accept)
            except _Retry as r:
                last = r.reason
                if r.retry_after is not None:
                    wait = min(r.retry_after, policy.max_retry_after_s)
            except httpx.TransportError as e:
                last = _cause(url, e, policy)
                if "DNS lookup failed" in last:
                    break
            except httpx.InvalidURL as e:  # the URL itself was checked above: this is where a redirect points
                raise RefreshError(f"{url}: redirected to an invalid URL: {e}") from None
            except (httpx.HTTPError, httpx.StreamError) as e:
                raise RefreshError(f"{url}: {_plain(e)}") from None
            if attempt < policy.attempts:
                left = end - clock()
                if wait > left:
                    raise RefreshError(
                        f"{url}: {last}; the next try (in {wait:g} s) would pass the overall "
                        f"{policy.deadline_s:g}-s deadline, giving up after {attempt} attempt(s)"
                    )
                sleep(wait)
        tries = f" after {attempts_made} attempts" if attempts_made > 1 and "DNS" not in last else ""
        raise RefreshError(f"{url}: {last}{tries}")
    finally:
        if own:
            http.close()


class _Retry(Exception):
    """A retryable answer (429/5xx), with its Retry-After in seconds when given."""

    def __init__(self, reason: str, retry_after: float | None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def _get_json(http: httpx.Client, url: str, policy: FetchPolicy, end: float, clock: Callable[[], float],
              decode: Callable[[bytes, str], Any] = decode_json, accept: str = "application/json") -> Any:
    """One attempt: GET with redirects followed by hand, body read under the size cap and the deadline."""
    seen = [url]
    current = url
    while True:
        left = end - clock()
        if left <= 0:
            raise RefreshError(f"{url}: no answer within the overall {policy.deadline_s:g}-s deadline")
        timeout = httpx.Timeout(min(policy.read_timeout_s, left), connect=min(policy.connect_timeout_s, left))
        clipped = left < max(policy.read_timeout_s, policy.connect_timeout_s)
        try:
            doc, nxt = _one_get(http, url, current, seen, timeout, policy, end, clock, decode, accept)
        except httpx.TimeoutException:
            if clipped:  # the per-read timeout was cut short by the overall deadline: say which
                raise RefreshError(f"{url}: no answer within the overall {policy.deadline_s:g}-s deadline") from None
            raise
        if nxt is None:
            return doc
        current = nxt


def _one_get(
    http: httpx.Client, url: str, current: str, seen: list[str], timeout: httpx.Timeout, policy: FetchPolicy,
    end: float, clock: Callable[[], float], decode: Callable[[bytes, str], Any] = decode_json,
    accept: str = "application/json",
) -> tuple[Any, str | None]:
    """One GET: (JSON, None), or (None, next URL) for a redirect to follow."""
    with http.stream("GET", current, headers={"Accept": accept}, timeout=timeout) as resp:
        if resp.is_redirect:
            nxt = _location(resp, current)
            scheme = urlsplit(nxt).scheme
            if scheme not in ("http", "https"):
                raise RefreshError(f"{url}: redirected to {nxt[:200]!r}, not an http(s) URL; refused")
            if nxt in seen:
                chain = " -> ".join([*seen[seen.index(nxt):], nxt])
                raise RefreshError(f"{url}: redirect loop: {chain}")
            if len(seen) > policy.max_redirects:
                raise RefreshError(f"{url}: more than {policy.max_redirects} redirects (last to {nxt})")
            seen.append(nxt)
            return None, nxt
        if resp.status_code in RETRY_STATUS:
            asked = _retry_after_s(resp.headers.get("retry-after"))
            reason = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
            if asked is not None:
                reason += f" (Retry-After {resp.headers.get('retry-after')})"
            raise _Retry(reason, asked)
        if resp.status_code >= 400:
            raise RefreshError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
        body = _read_capped(resp, url, policy.max_bytes, end=end, clock=clock, deadline_s=policy.deadline_s)
        return decode(body, url), None
