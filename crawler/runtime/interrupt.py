"""Ctrl-C (SIGINT) and SIGTERM during a crawl: the first stops it cleanly, a second forces.

Why not Scrapy's own handlers: a first Ctrl-C that arrives while the crawl is still opening
(pipelines migrating the database, the spider loading known URLs: the first second or two of
``govnews demo``) called ``Crawler.stop_async()`` before the engine ran, which then did nothing,
and the whole crawl ran on until a second Ctrl-C. Here the request to stop is kept until the
engine runs, then it is stopped the documented way (``Crawler.stop_async()``; the run ends with
the reason ``shutdown``, stored as ``interrupted``, and the batches already written stay). A
second signal marks the run ``interrupted`` (best effort, a few seconds at most) and leaves at
once with exit status 130, as a shell expects of an interrupted command.

The command's exit status after a clean stop is the CLI's choice (crawler/commands/running.py):
130 after Ctrl-C; 0 after SIGTERM, the way a service manager stops a crawl on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)

#: the exit status of a command ended by SIGINT (128 + 2), as shells report it
EXIT_INTERRUPTED = 130
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: how often a stop asked for before the engine runs looks again
_POLL_SECONDS = 0.05


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


class Interrupts:
    """Counts stop signals for the crawls of one process (one site, or a fleet of them) and
    acts on them for every crawl (see the module docstring)."""

    def __init__(self, crawlers: Sequence[Crawler], loop: asyncio.AbstractEventLoop) -> None:
        self.crawlers = list(crawlers)
        self.loop = loop
        self.count = 0
        #: the first stop signal received (SIGINT or SIGTERM), if any
        self.first: signal.Signals | None = None
        self.done = False

    @property
    def crawler(self) -> Crawler:
        """The first (for one site: the only) crawl."""
        return self.crawlers[0]

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: runs in the main thread, so it only schedules work."""
        self.count += 1
        name = signal.Signals(signum).name
        if self.count == 1:
            self.first = signal.Signals(signum)
            _say(f"{name}: stopping after the pages in flight; press Ctrl-C again to force")
            self.loop.call_soon_threadsafe(self._start_stopping)
            return
        _say(f"{name} again: forced stop (batches already written are kept)")
        self._mark_interrupted()
        sys.stdout.flush()
        os._exit(EXIT_INTERRUPTED)

    def _start_stopping(self) -> None:
        self.loop.create_task(self._stop())

    async def _stop(self) -> None:
        await asyncio.gather(*(self._stop_one(c) for c in self.crawlers))

    async def _stop_one(self, crawler: Crawler) -> None:
        # a stop asked for before the engine runs would be lost: wait until it runs (or until
        # every crawl has ended; one that ended by itself is waited for at a few polls a second)
        while not self.done:
            engine = crawler.engine
            if engine is not None and engine.running:
                await crawler.stop_async()
                return
            await asyncio.sleep(_POLL_SECONDS)

    def _mark_interrupted(self) -> None:
        """Best effort, in a thread with a deadline: the main thread may hold the database."""
        runs = []
        for crawler in self.crawlers:
            run_id = getattr(getattr(crawler, "spider", None), "crawl_run_id", None)
            db_url = crawler.settings.get("GOVNEWS_DB")
            if run_id is not None and db_url:
                runs.append((str(db_url), int(run_id)))
        if not runs:
            return

        # the store's function, named in the settings like a pipeline (no import of the
        # database side from the crawler)
        mark_interrupted = load_object(self.crawlers[0].settings.get("GOVNEWS_RUN_INTERRUPTED"))

        def mark() -> None:
            for db_url, run_id in runs:
                with contextlib.suppress(Exception):
                    mark_interrupted(db_url, run_id)

        worker = threading.Thread(target=mark, daemon=True)
        worker.start()
        worker.join(timeout=3)


@contextlib.contextmanager
def handling_interrupts(crawlers: Crawler | Sequence[Crawler]) -> Iterator[Interrupts]:
    """Install the handlers for the duration of the crawls, then restore the previous ones."""
    many = [crawlers] if isinstance(crawlers, Crawler) else list(crawlers)
    interrupts = Interrupts(many, asyncio.get_event_loop())
    previous: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int | None] = {}
    for signum in _SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, interrupts.handle)
    try:
        yield interrupts
    finally:
        interrupts.done = True
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
