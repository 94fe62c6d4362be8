"""Every: call a function every few seconds on the crawl's asyncio event loop.

The crawl's heartbeats (the storage run row, the Redis worker registry) and the progress line
are timers on the event loop that Scrapy runs. Twisted's ``LoopingCall`` needs Twisted's
reactor, which a govnews crawl does not install by default (``TWISTED_REACTOR_ENABLED``,
:mod:`crawler.settings`); ``loop.call_later`` works the same with or without it, because the
reactor, when enabled, is Twisted's asyncio reactor running on that loop.

Unlike ``LoopingCall``, an exception in one call is logged and the next call still comes: a
heartbeat that failed once (a database restarting) should beat again, not stop for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Every:
    """``fn()`` every ``interval`` seconds from :meth:`start` until :meth:`stop`."""

    def __init__(self, interval: float, fn: Callable[[], object]) -> None:
        self.interval = interval
        self.fn = fn
        self._handle: asyncio.TimerHandle | None = None

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        """Schedule the first call ``interval`` seconds from now (needs a running loop)."""
        self.stop()
        self._handle = asyncio.get_running_loop().call_later(self.interval, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        try:
            self.fn()
        except Exception:
            logger.exception("%r failed; called again in %s s", self.fn, self.interval)
        if self._handle is not None:  # not stopped by fn itself
            self._handle = asyncio.get_running_loop().call_later(self.interval, self._tick)
