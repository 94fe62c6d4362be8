"""The crawl's stats: Scrapy's collector without its per-call compatibility shim, and its
downloader stats without a second serialisation of every request.

Scrapy 2.19's ``StatsCollector`` answers every attribute lookup through a Python
``__getattribute__`` that wraps the stats methods to warn about a deprecated ``spider``
argument; a crawl calls them a dozen times per page, and the shim made them several times
slower (≈ 3 % of the reactor thread's time in ``benchmarks/crawl.py``). govnews passes no
``spider`` argument, so plain attribute lookup is all it needs. Selected by ``STATS_CLASS``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.stats import DownloaderStats as ScrapyDownloaderStats
from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` with ordinary attribute lookup (see the module doc)."""

    __getattribute__ = object.__getattribute__


class DownloaderStats(ScrapyDownloaderStats):
    """Scrapy's ``downloader/*`` counts (requests by method, responses by status, response
    bytes, exceptions by type), without ``downloader/request_bytes``.

    Scrapy measures a request by serialising it again (``request_httprepr``: the request line,
    Host and every header, ≈ 18 µs) for a figure that is little more than the URL lengths; on the
    reactor thread, the crawl's bottleneck, that was ≈ 1 % of a page. Responses and exceptions
    are counted by Scrapy's own code. Selected in ``DOWNLOADER_MIDDLEWARES`` in place of Scrapy's
    (same order, 850).
    """

    def process_request(  # type: ignore[override]
        self, request: Request
    ) -> None:
        inc = self.stats.inc_value
        inc("downloader/request_count")
        inc(f"downloader/request_method_count/{request.method}")
