"""The crawl's stats collector: Scrapy's in-memory one without its per-call compatibility shim.

Scrapy 2.19's ``StatsCollector`` answers every attribute lookup through a Python
``__getattribute__`` that wraps the stats methods to warn about a deprecated ``spider``
argument; a crawl calls them a dozen times per page, and the shim made them several times
slower (≈ 3 % of the reactor thread's time in ``benchmarks/crawl.py``). govnews passes no
``spider`` argument, so plain attribute lookup is all it needs. Selected by ``STATS_CLASS``.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` with ordinary attribute lookup (see the module doc)."""

    __getattribute__ = object.__getattribute__
