"""Small helpers over Scrapy requests, responses and failures, shared by the spiders."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract.counters import CounterRequest


def content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def request_of(failure: Failure) -> scrapy.Request:
    """Scrapy attaches the failed request to the failure it hands to an errback."""
    request: scrapy.Request = failure.request  # type: ignore[attr-defined]
    return request


def http_charset(response: Response) -> str | None:
    ctype = content_type(response)
    match = re.search(r"charset=([\w-]+)", ctype, re.I)
    return match.group(1) if match else None


#: words in an error (or its causes) that mean the TLS handshake failed, whatever the handler:
#: aiohttp wraps ssl.SSLError in a "connection refused", Twisted wraps OpenSSL's errors
_TLS_WORDS = ("[SSL", "SSL routines", "SSLError", "CERTIFICATE_VERIFY_FAILED", "tlsv1 alert")


def _tls_failure(exc: BaseException | None) -> bool:
    """Whether ``exc`` or anything it was raised from is a TLS error (a plain-HTTP server on
    an https URL, a bad certificate): a handshake failure is not a refused connection."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or any(w in str(current) for w in _TLS_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def failure_reason(failure: Failure) -> tuple[str, str]:
    """A short, stable reason code (stored in ``rejects.reason``) and a human detail."""
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.extensions.netmessages import plain

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", f"HTTP {exc.response.status}"
    name = type(exc).__name__
    if _tls_failure(exc):
        return "tls_error", f"{name}: {exc}"[:500]
    reasons = {
        "TimeoutError": "timeout",
        "TCPTimedOutError": "timeout",
        "DNSLookupError": "dns_error",
        "ConnectionRefusedError": "connection_refused",
        "ConnectionLost": "connection_lost",
        "ResponseNeverReceived": "connection_lost",
        "IgnoreRequest": "ignored",
        "ResponseFailed": "truncated_response",
        "ResponseDataLossError": "truncated_response",
        "DownloadTimeoutError": "timeout",
        "DownloadConnectionRefusedError": "connection_refused",
        "CannotResolveHostError": "dns_error",
        "DownloadFailedError": "connection_lost",
    }
    reason = getattr(exc, "govnews_reason", None)  # crawler.downloadermiddlewares.guards.Refused
    if isinstance(reason, str):
        return reason, str(exc)[:500]
    if name == "DownloadCancelledError" and "max size" in str(exc):
        return "too_large", str(exc)[:500]
    detail = plain(str(exc))
    if detail == str(exc):  # not a shape netmessages knows: keep the exception's name
        detail = f"{name}: {exc}"
    return reasons.get(name, "download_error"), detail[:500]


def response_text(response: Response) -> str:
    """The body as text; a counter answering without a text Content-Type is read as UTF-8."""
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", "replace")


def counter_request(
    counter: CounterRequest,
    callback: Callable[..., Any],
    errback: Callable[[Failure], Any],
    cb_kwargs: dict[str, Any],
) -> scrapy.Request:
    """The Scrapy request that reads one view counter.

    Never filtered by Scrapy (the spiders keep their own per-crawl set of counter keys: a
    filtered request would silently lose the item riding on it), never answered from the cache,
    and allowed off the site's domains (the spider decides which counter hosts it trusts; the
    SSRF guard still applies).
    """
    return scrapy.Request(
        counter.url,
        method=counter.method,
        body=counter.body,
        headers=dict(counter.headers) or None,
        callback=callback,
        errback=errback,
        cb_kwargs=cb_kwargs,
        dont_filter=True,
        meta={"govnews_counter": True, "allow_offsite": True, "dont_cache": True},
    )
