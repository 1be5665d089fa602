"""Sending one delivery: the signed POST, what its answer means, and when to try again.

2xx: delivered. A timeout, a connection error, 5xx, 408 or 429: retried later (retry_delay:
exponential with jitter, Retry-After honoured up to the cap). Another status (4xx, a
redirect): failed at once. The request goes to the address the safe-URL check resolved
(urls.py), so a name rebound since the check is not followed.

The client is aiohttp, not httpx (which the OIDC calls use): a delivery is a worker's whole
job, and on the same machine aiohttp POSTs one for about a tenth of httpx's CPU (0.13 ms
against 1.3 ms, measured against the bench's sink), which is what the API beside it loses.
"""

import email.utils
import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from yarl import URL

from app.clock import utcnow
from app.config import Settings
from app.services.notifications.urls import Target, UnsafeUrl, resolve_safe

RETRYABLE_STATUSES = {408, 429}
USER_AGENT = "IncidentConsole-Notifications/1.0"
ANSWER_READ_BYTES = 64 * 1024  # of a receiver's answer, read so its connection can be reused


def new_client(settings: Settings) -> aiohttp.ClientSession:
    """The sending client: at most NOTIFICATION_CONCURRENCY connections (kept alive), the
    per-request timeout, no redirects followed (per request), no proxy from the environment."""
    connector = aiohttp.TCPConnector(limit=settings.notification_concurrency, limit_per_host=0,
                                     use_dns_cache=False)
    return aiohttp.ClientSession(
        connector=connector, trust_env=False, headers={"User-Agent": USER_AGENT},
        timeout=aiohttp.ClientTimeout(total=settings.notification_timeout_seconds),
        auto_decompress=False, skip_auto_headers=("Accept-Encoding",))


def retry_delay(attempts: int, base: float, cap: float, retry_after: float | None = None,
                rand: random.Random | None = None) -> float:
    """Seconds until the next try after `attempts` failed ones: base x 4^(attempts-1), a
    random 50-100% of it (jitter spreads a crowd's retries), capped; a receiver's
    Retry-After, when given, instead (up to the cap). With base 5 s: ~2.5-5 s, 10-20 s,
    40-80 s, 160-320 s ..."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    full = base * 4 ** max(attempts - 1, 0)
    return min(full * (0.5 + 0.5 * (rand or random).random()), cap)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Job:
    id: str
    channel_id: int
    event: str
    kind: str
    url: str
    secret: str | None
    body: str
    attempts: int


@dataclass
class Outcome:
    job: Job
    delivered: bool
    retry: bool
    status_code: int | None
    error: str | None
    retry_after: float | None = None


async def send(client: aiohttp.ClientSession, settings: Settings, job: Job) -> Outcome:
    """One POST of a delivery, to the address the safe-URL check resolved; its outcome."""
    try:
        target = await resolve_safe(job.url, settings)
    except UnsafeUrl as exc:
        retry = str(exc).startswith("cannot resolve")
        return Outcome(job, False, retry, None, str(exc)[:500])
    raw = job.body.encode()
    headers = {"Content-Type": "application/json",
               "X-Incident-Console-Event": job.event,
               "X-Incident-Console-Delivery": job.id}
    if job.secret:
        headers["X-Incident-Console-Signature"] = signature(job.secret, raw)
    url, server_hostname = pinned(job.url, target, headers)
    try:  # the client's total timeout bounds the whole exchange, the answer's read included
        async with client.post(url, data=raw, headers=headers, allow_redirects=False,
                               server_hostname=server_hostname) as response:
            code = response.status
            retry_after = parse_retry_after(response.headers.get("Retry-After"), utcnow())
            await response.content.read(ANSWER_READ_BYTES)
    except TimeoutError:
        return Outcome(job, False, True, None, "timed out")
    except aiohttp.ClientError as exc:
        return Outcome(job, False, True, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= code < 300:
        return Outcome(job, True, False, code, None)
    if code >= 500 or code in RETRYABLE_STATUSES:
        return Outcome(job, False, True, code, f"HTTP {code}", retry_after)
    why = "redirect not followed" if 300 <= code < 400 else "refused by the receiver"
    return Outcome(job, False, False, code, f"HTTP {code}: {why}")


def pinned(url: str, target: Target, headers: dict[str, str]) -> tuple[URL, str | None]:
    """The URL with its host replaced by the checked address (Host header and TLS server
    name kept as the name), so the connection goes where the check looked."""
    parsed = URL(url)
    if target.address is None:
        return parsed, None
    default_port = 443 if parsed.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    headers["Host"] = host if target.port == default_port else f"{host}:{target.port}"
    server_hostname = target.host if parsed.scheme == "https" else None
    return parsed.with_host(str(target.address)), server_hostname
