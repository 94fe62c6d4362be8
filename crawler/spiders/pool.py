"""A process pool for the spider's pure extraction calls, so a crawl can use a second core.

Scrapy runs every callback, pipeline and the downloader on one thread; article extraction is
pure CPU work (bytes in, picklable dataclass out) costing about as much as a whole bare fetch.
:class:`ExtractPool` runs it in worker processes while the reactor keeps fetching and storing:
the spider ``await``\\ s :meth:`ExtractPool.run` (the asyncio reactor, ``TWISTED_REACTOR``).

- workers are started with the ``spawn`` context (a running reactor is never forked), lazily
  on first use; until the first worker has answered a warm-up call, extraction runs inline, so
  a small crawl never waits for interpreter start-up;
- an exception raised by the function in a worker is re-raised to the caller, as inline;
- a broken pool (a worker killed, a result that cannot be pickled back) falls back to inline
  extraction for the rest of the crawl, so the crawl itself never fails because of the pool;
- ``workers`` is ``GOVNEWS_EXTRACT_WORKERS``: ``0`` = always inline, ``auto`` = one worker when
  this process may run on more than one CPU (one is enough: the reactor thread stays the
  bottleneck), else inline; see docs/performance.md.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


def _ready() -> bool:
    """The warm-up call: by the time it returns, the worker is started and importable."""
    import crawler.extract.article
    import crawler.extract.listing  # noqa: F401

    return True


def resolve_workers(value: object) -> int:
    """``GOVNEWS_EXTRACT_WORKERS`` as a number of worker processes (``auto``, ``0``, ``N``)."""
    text = str(value if value is not None else "auto").strip().lower()
    if text in ("", "auto"):
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cpus = os.cpu_count() or 1
        return 1 if cpus > 1 else 0
    return max(0, int(text))


class ExtractPool:
    """Runs pure functions in worker processes when warm, inline otherwise (see module doc)."""

    def __init__(self, workers: int, on_remote: Callable[[], None] | None = None) -> None:
        self.workers = workers
        self.on_remote = on_remote  # called after each call answered by a worker (a stat)
        self._executor: ProcessPoolExecutor | None = None
        self._warm: Future[bool] | None = None
        self.broken = False
        self.remote_calls = 0

    def _start(self) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
        )
        self._warm = self._executor.submit(_ready)

    def usable(self) -> bool:
        """Whether the next :meth:`run` goes to a worker (starts the pool on first call)."""
        return self._usable()

    def _usable(self) -> bool:
        if self.workers <= 0 or self.broken:
            return False
        if self._executor is None:
            try:
                self._start()
            except Exception as exc:  # cannot start processes here: stay inline
                self._give_up(exc)
                return False
        warm = self._warm
        if warm is None or not warm.done():
            return False
        if warm.exception() is not None:
            self._give_up(warm.exception())
            return False
        return True

    def _give_up(self, exc: BaseException | None) -> None:
        log.warning("extraction pool unusable (%r): extracting inline from now on", exc)
        self.broken = True
        self.shutdown()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, in a worker when the pool is warm; its exceptions propagate."""
        if not self._usable():
            return fn(*args, **kwargs)
        assert self._executor is not None
        try:
            future = self._executor.submit(fn, *args, **kwargs)
            result = await asyncio.wrap_future(future)
        except (BrokenProcessPool, RuntimeError) as exc:
            # RuntimeError: submit after a shutdown (the pool broke under another call)
            if not isinstance(exc, BrokenProcessPool) and not self.broken:
                raise
            if not self.broken:
                self._give_up(exc)
            return fn(*args, **kwargs)
        except Exception as exc:
            if _is_pickling_error(exc):
                self._give_up(exc)
                return fn(*args, **kwargs)
            raise
        self.remote_calls += 1
        if self.on_remote is not None:
            self.on_remote()
        return result

    def shutdown(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=not self.broken, cancel_futures=True)


def _is_pickling_error(exc: BaseException) -> bool:
    import pickle

    return isinstance(exc, pickle.PicklingError) or "pickle" in type(exc).__name__.lower()
