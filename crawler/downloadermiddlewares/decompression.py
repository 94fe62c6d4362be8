"""Scrapy's ``HttpCompressionMiddleware`` with reasons for what it drops or lets through.

Why: Scrapy ignores a decompression bomb (a small gzip body that inflates past
``DOWNLOAD_MAXSIZE``) with a plain ``IgnoreRequest``, filed as the reject reason ``ignored``,
and it inflates a gzip body cut off in the middle to whatever it holds without a word, so a
half page was stored or rejected as ``missing_body``. This subclass raises
:class:`crawler.downloadermiddlewares.guards.Refused` with the reason ``decompression_bomb`` or
``truncated_gzip`` instead, so the spider's errback files the right reject.

A truncated gzip member is found cheaply: its last four bytes are meant to be the inflated size
(ISIZE, mod 2**32); only when they disagree with what was inflated is the stream checked for
its end, which tells a cut-off stream from the rare body of several gzip members.

Settings: those of Scrapy's middleware (``COMPRESSION_ENABLED``, ``DOWNLOAD_MAXSIZE``).
Stats: ``govnews/decompression/<reason>``.
"""

from __future__ import annotations

import zlib
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.downloadermiddlewares.guards import Refused

_GZIP = (b"gzip", b"x-gzip")
_GZIP_MAGIC = b"\x1f\x8b"


def gzip_complete(body: bytes) -> bool:
    """Whether ``body`` is one or more whole gzip members (a cut-off one is not)."""
    data = body
    try:
        while data:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            while data and not inflater.eof:
                inflater.decompress(data, 1 << 20)  # bounded output: a bomb costs no memory
                data = inflater.unconsumed_tail
            if not inflater.eof:
                return False
            data = inflater.unused_data.lstrip(b"\x00")  # padding after the last member
    except zlib.error:
        return False
    return True


class CheckedDecompressionMiddleware(HttpCompressionMiddleware):
    """Decompress as Scrapy does; refuse bombs and cut-off gzip bodies with a reason."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        encodings = [e.strip().lower() for e in response.headers.getlist(b"Content-Encoding")]
        compressed = response.body
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:  # Scrapy raises it only for a body past DOWNLOAD_MAXSIZE
            self._count("decompression_bomb")
            raise Refused("decompression_bomb", str(exc)[:400]) from exc
        if (
            encodings
            and encodings[-1] in _GZIP
            and compressed.startswith(_GZIP_MAGIC)
            and isinstance(result, Response)
            and len(result.body) % (1 << 32) != int.from_bytes(compressed[-4:], "little")
            and not gzip_complete(compressed)
        ):
            self._count("truncated_gzip")
            raise Refused(
                "truncated_gzip",
                f"gzip body of {len(compressed)} B ends mid-stream ({len(result.body)} B inflated)",
            )
        return result

    def _count(self, reason: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govnews/decompression/{reason}")
