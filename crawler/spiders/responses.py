"""Small helpers over Scrapy responses and failures, shared by the spiders."""

from __future__ import annotations

import re

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure


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


def failure_reason(failure: Failure) -> tuple[str, str]:
    """A short, stable reason code (stored in ``rejects.reason``) and a human detail."""
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", f"HTTP {exc.response.status}"
    name = type(exc).__name__
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
    reason = getattr(exc, "govnews_reason", None)  # crawler.middlewares.Refused
    if isinstance(reason, str):
        return reason, str(exc)[:500]
    if name == "DownloadCancelledError" and "max size" in str(exc):
        return "too_large", str(exc)[:500]
    return reasons.get(name, "download_error"), f"{name}: {exc}"[:500]


def response_text(response: Response) -> str:
    """The body as text; a counter answering without a text Content-Type is read as UTF-8."""
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", "replace")
