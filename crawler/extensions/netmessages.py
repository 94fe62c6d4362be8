"""Network failures in govnews's words, for log lines and ``rejects.detail`` alike.

aiohttp's messages carry its internals: ``Cannot connect to host 127.0.0.1:9
ssl:<ssl.SSLContext object at 0x7f…> [Connect call failed ('127.0.0.1', 9)]`` says "ssl" for a
plain-http URL and an object address nobody can use. :func:`plain` rewrites the known shapes
(connection refused, host not found, timeouts, reset connections) into ``cannot connect to
127.0.0.1:9 (connection refused)``; anything else passes through with the noise removed.
Scrapy's own lines (``Gave up retrying <GET url> (failed 3 times): …``, ``Error downloading
<GET url>: …``) become ``gave up on URL after 3 tries: …`` and ``cannot download URL: …``.
"""

from __future__ import annotations

import re

_SSL = re.compile(r"\s*ssl:(?:<ssl\.SSLContext object at 0x[0-9a-fA-F]+>|default|None|True|False)")
_HOST_PORT = re.compile(r"Cannot connect to host (\S+)")
_CAUSES = (
    (re.compile(r"Connect call failed|Connection refused|Errno 111", re.I), "connection refused"),
    (
        re.compile(
            r"Name or service not known|nodename nor servname|getaddrinfo|Errno -[235]", re.I
        ),
        "host not found",
    ),
    (re.compile(r"timed out|timeout", re.I), "timed out"),
    (re.compile(r"Connection reset|Errno 104", re.I), "connection reset"),
    (re.compile(r"No route to host|Network is unreachable", re.I), "network unreachable"),
)
_GAVE_UP = re.compile(r"^Gave up retrying <(\w+) (\S+)> \(failed (\d+) times\): (.*)$", re.S)
_ERROR_DOWNLOADING = re.compile(r"^Error downloading <(\w+) (\S+)>: ?(.*)$", re.S)


def cause(text: str) -> str | None:
    """The plain cause named in a network error's text, if it is a known one."""
    for pattern, name in _CAUSES:
        if pattern.search(text):
            return name
    return None


def plain(text: str) -> str:
    """One line in govnews's words for the text of a network error (see the module doc)."""
    text = _SSL.sub("", " ".join(str(text).split()))
    if match := _GAVE_UP.match(text):
        return f"gave up on {match[2]} after {match[3]} tries: {plain(match[4])}"
    if match := _ERROR_DOWNLOADING.match(text):
        return f"cannot download {match[2]}: {plain(match[3]) or 'unknown error'}"
    if host := _HOST_PORT.search(text):
        rest = text[host.end() :]
        why = cause(rest) or rest.strip(" []") or "failed"
        return f"cannot connect to {host[1]} ({why})"
    return text
