"""A scale-out worker's requests in flight: claimed in Redis as popped, released when done.

scrapy-redis pops a request off the shared queue and forgets it: a worker killed with requests
in its downloader or its storage buffer lost them, and the shared dupefilter kept anyone else
from fetching them again. Here every pop moves the request, in one Lua script, from the queue
into the crawl's in-flight hash (``govnews:district:<site>:inflight``, field
``<worker>|<n>``, value ``<score>|<serialized request>``), and the request carries a
:class:`Ticket` in ``meta`` (``govnews_inflight``) that says when it is done:

- its callback's output was consumed (the requests it yielded are in the Redis queue) and every
  item it yielded has left the item pipelines (:mod:`crawler.spidermiddlewares.inflight`);
- its download failed for good and goes to its errback, whose reject row waits for the next
  commit (:mod:`crawler.downloadermiddlewares.inflight`; a commit that lands before the errback
  has run releases it early, so a kill at that moment can lose that one reject row);
- a downloader middleware put a new request in its stead (a retry, a redirect): the new one is in
  the queue (:class:`crawler.runtime.distributed.SiteScheduler` releases it as it enqueues);
- or the worker went idle (nothing is left in its engine, so whatever a path above missed, such
  as a callback that raised, is over).

A done request that yielded no item is released at once; one with items only once the storage
pipeline says they are committed (the :data:`crawler.items.items_stored` signal, sent after each
batch and when the crawl goes idle): items in a batch not yet written die with the worker, and
their request must then be fetched again. So the hash holds at most ``CONCURRENT_REQUESTS``
plus one storage batch's requests per worker. What becomes of a dead worker's entries is
:data:`RECOVER` (used by :mod:`crawler.runtime.distributed`).
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler.items import items_stored

logger = logging.getLogger(__name__)

META_KEY = "govnews_inflight"

# KEYS[1] queue (sorted set), KEYS[2] in-flight hash; ARGV[1] the field to claim it under.
# The lowest score first, as scrapy-redis' PriorityQueue pops; the score is kept for the requeue.
POP_SCRIPT = """
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #head == 0 then
  return false
end
redis.call('ZREM', KEYS[1], head[1])
redis.call('HSET', KEYS[2], ARGV[1], head[2] .. '|' .. head[1])
return head[1]
"""

# A Lua function for the registry scripts (KEYS: workers, queue, dupefilter, busy, in-flight;
# ARGV[1]: the stale cutoff). It drops the workers whose last heartbeat is older than the cutoff,
# then puts every in-flight entry whose worker is not in the registry (dead, or gone without
# releasing it) back into the queue with its score. Straight into the queue: the dupefilter has
# seen those requests already and would drop them.
RECOVER = """
local function recover()
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  for _, worker in ipairs(gone) do
    redis.call('HDEL', KEYS[4], worker)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  local entries = redis.call('HGETALL', KEYS[5])
  local moved = 0
  for i = 1, #entries, 2 do
    local field, value = entries[i], entries[i + 1]
    local owner = string.sub(field, 1, (string.find(field, '|', 1, true) or 0) - 1)
    if not redis.call('ZSCORE', KEYS[1], owner) then
      local cut = string.find(value, '|', 1, true)
      redis.call('ZADD', KEYS[2], string.sub(value, 1, cut - 1), string.sub(value, cut + 1))
      redis.call('HDEL', KEYS[5], field)
      moved = moved + 1
    end
  end
  return moved
end
"""

RECOVER_SCRIPT = RECOVER + "return recover()\n"


class Ticket:
    """What one popped request still owes before its in-flight entry may go."""

    __slots__ = ("field", "items", "output_done", "produced", "tracker")

    def __init__(self, tracker: InFlight, field: str) -> None:
        self.tracker = tracker
        self.field = field
        self.items = 0  # yielded, not yet out of the item pipelines
        self.produced = False  # yielded an item: wait for the storage commit
        self.output_done = False

    def item_out(self) -> None:
        self.items += 1
        self.produced = True

    def item_done(self) -> None:
        self.items -= 1
        self._maybe_done()

    def output_finished(self) -> None:
        self.output_done = True
        self._maybe_done()

    def failed(self) -> None:
        """The download failed for good: the errback's reject row waits for the commit too."""
        self.produced = self.output_done = True
        self._maybe_done()

    def replaced(self) -> None:
        """A retry or redirect of this request is in the queue now: nothing else to wait for."""
        self.output_done = True
        self.items = 0
        self._maybe_done()

    def _maybe_done(self) -> None:
        if self.output_done and self.items <= 0:
            self.tracker.done(self)


class InFlight:
    """This worker's claims in the in-flight hash, released as their requests are done."""

    def __init__(self, crawler: Crawler, server: Any, key: str, worker: str) -> None:
        self.server = server
        self.key = key
        self.worker = worker
        self.open: dict[str, Ticket] = {}
        self.uncommitted: list[str] = []  # done, their items not yet committed
        self._numbers = itertools.count(1)
        self.closed = False
        for handler, signal in (
            (self._item_left, signals.item_scraped),
            (self._item_left, signals.item_dropped),
            (self._item_left, signals.item_error),
            (self.stored, items_stored),
        ):
            crawler.signals.connect(handler, signal=signal)

    def claim(self) -> str:
        """A new field name for the next pop (unique within this worker's id)."""
        return f"{self.worker}|{next(self._numbers)}"

    def track(self, request: Request, field: str) -> None:
        ticket = Ticket(self, field)
        self.open[field] = ticket
        request.meta[META_KEY] = ticket

    def done(self, ticket: Ticket) -> None:
        if self.open.pop(ticket.field, None) is None:
            return  # released already
        if ticket.produced:
            self.uncommitted.append(ticket.field)
        else:
            self._release([ticket.field])

    def stored(self) -> None:
        """The storage committed every item it was given: release the requests behind them."""
        fields, self.uncommitted = self.uncommitted, []
        self._release(fields)

    def idle(self) -> None:
        """The engine holds nothing: every open request is over, whatever path it took."""
        for ticket in list(self.open.values()):
            ticket.produced = True  # a missed item may still sit in the storage buffer
            ticket.output_done, ticket.items = True, 0
            self.done(ticket)

    def _item_left(self, response: Any = None) -> None:
        # a Failure (an errback's item) has no meta, nor has a response built without a request
        ticket = getattr(response, "meta", {}).get(META_KEY)
        if isinstance(ticket, Ticket):
            ticket.item_done()

    def _release(self, fields: list[str]) -> None:
        if not fields or self.closed:
            return
        try:
            self.server.hdel(self.key, *fields)
        except Exception as exc:  # kept: the requests are fetched again if this worker dies
            logger.warning("redis: could not release %d in-flight requests: %s", len(fields), exc)
