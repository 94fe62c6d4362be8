"""The storage pipelines of one process that write to one database, batched together.

A fleet crawl runs one Scrapy crawler per site in one process (``govnews crawl --all``), each
with its own :class:`pipelines.storage.StoragePipeline`, its own ``crawl_runs`` row and its own
buffer. At production politeness each site has a few items every few seconds, so a batch per
site carried a batch's whole fixed cost (the write lock, the alias, hash and revision lookups,
the commit) for three or four rows: a third of a fleet's CPU went there, and the sites that
finish together (a fleet started at once ends at once) queued their last batches behind each
other (benchmarks/fleet.py). In a group, every member keeps its own buffer and counts, but a
flush writes every member's buffer in one transaction
(:func:`pipelines.db.batch.store_batches`: one run's bad row still costs no other run anything),
on one timer for the group, when the members together hold ``batch_size`` items, or when one of
them needs its items committed (it goes idle or closes). Each member is then told, with its own
:data:`crawler.items.items_stored` signal, as a lone pipeline would be.

Pipelines join a group when they share the process's engine (``GOVNEWS_DB_SHARED_ENGINE``, set
by every fleet crawl); a single-site crawl writes alone, as before.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, ClassVar

from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from pipelines.db.batch import store_batches
from pipelines.db.session import make_session_factory, shared_engine

if TYPE_CHECKING:
    from pipelines.storage import StoragePipeline

logger = logging.getLogger(__name__)


class WriteGroup:
    """The open storage pipelines of this process for one database URL (see the module)."""

    #: the open group of each database URL
    _open: ClassVar[dict[str, WriteGroup]] = {}

    def __init__(self, db_url: str, batch_size: int, interval: float) -> None:
        self.db_url = db_url
        self.batch_size = batch_size
        self.interval = interval
        self.factory = make_session_factory(shared_engine(db_url))
        self.members: list[StoragePipeline] = []
        self._loop: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def join(cls, pipe: StoragePipeline, *, timer: bool) -> WriteGroup:
        """Add ``pipe`` to its database's group (made by the first member); ``timer``: whether
        the group writes on its own every ``interval`` seconds (False when no event loop runs:
        tests driving pipelines by hand)."""
        group = cls._open.get(pipe.db_url)
        if group is None:
            interval = min(pipe.flush_seconds, pipe.heartbeat_seconds)
            group = cls._open[pipe.db_url] = cls(pipe.db_url, pipe.batch_size, interval)
        group.members.append(pipe)
        if timer and group._loop is None:
            # Scrapy's looping call (asyncio or Twisted, whichever runs); tick never raises
            group._loop = create_looping_call(group.tick)
            group._loop.start(group.interval, now=False)
        return group

    def leave(self, pipe: StoragePipeline) -> None:
        """Remove ``pipe`` (its buffer already written); the last member closes the group."""
        if pipe in self.members:
            self.members.remove(pipe)
        if not self.members:
            if self._loop is not None and self._loop.running:
                self._loop.stop()
            self._loop = None
            if WriteGroup._open.get(self.db_url) is self:
                del WriteGroup._open[self.db_url]

    def pending(self) -> int:
        """Items the members hold, all together."""
        return sum(len(member.buffer) for member in self.members)

    def flush(self) -> None:
        """Write every member's buffer in one transaction; each member counts what was its own
        and is told its items are committed."""
        parts = [(member, member.take_buffer()) for member in self.members if member.buffer]
        if parts:
            written = store_batches(self.factory, [(m.target(), batch) for m, batch in parts])
            now = time.monotonic()
            for (member, _), counts in zip(parts, written, strict=True):
                member.count_written(counts, now)
        for member in list(self.members):
            member.announce_stored()

    def tick(self) -> None:
        """Every ``interval``: write what waits, then move the heartbeat of each member that
        wrote nothing for its heartbeat interval. Never raises (a looping call that raised
        would stop)."""
        try:
            self.flush()
        except Exception as exc:  # store_batches counts its own failures; this is a bug
            logger.error("writing the group's batches failed: %r", exc)
        for member in list(self.members):
            member.beat_if_quiet()
