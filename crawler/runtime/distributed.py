"""Scale-out: several worker processes split one crawl through Redis (scrapy-redis underneath).

Enabled by ``GOVNEWS_REDIS_URL`` (:mod:`crawler.settings` then sets ``SCHEDULER`` to
:class:`SiteScheduler`). Each site gets its own keys, ``govnews:district:<site>:*``: the request
queue (scrapy-redis ``PriorityQueue``), the dupefilter (scrapy-redis ``RFPDupeFilter``), a
worker registry (a sorted set of heartbeats plus a hash of busy flags), and the requests in
flight (a hash; :mod:`crawler.runtime.inflight`).

- **Seeding**: every worker yields the start URLs; the shared dupefilter keeps one copy, and
  whichever worker is free pops the next request, so a worker started later gets work at once.
- **Ending**: scrapy-redis spiders idle forever; here a worker closes by itself once the queue is
  empty, no other live worker is busy (one could still add requests), and it has been idle for
  ``GOVNEWS_REDIS_MAX_IDLE`` seconds (default 10).
- **A worker dies** (killed, machine lost): a pop moves the request into the in-flight hash
  under the worker's id, and it leaves only once done (its items committed). Every live worker,
  on each heartbeat and when idle, drops the registry entries without a heartbeat for
  ``GOVNEWS_REDIS_WORKER_STALE`` seconds (default 30) and puts their in-flight requests back
  into the queue, past the dupefilter, so another worker fetches them. A dead worker that was
  busy keeps the others from ending until then. A worker that stops by itself (or on Ctrl-C)
  puts back what it has not finished as it leaves.
- **Next crawl / resume**: the last worker to leave an empty queue deletes the dupefilter, so the
  next scheduled crawl starts fresh. Workers that were killed leave their queue (and in-flight
  requests) behind; the next worker to start requeues and resumes them (the dupefilter is kept).

Settings read: ``REDIS_URL`` and scrapy-redis' ``SCHEDULER_*`` (queue class, keys with
``%(spider)s`` = ``district:<site>``; the queue must be ``PriorityQueue``),
``GOVNEWS_REDIS_MAX_IDLE``, ``GOVNEWS_REDIS_WORKER_STALE``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.runtime.inflight import META_KEY, POP_SCRIPT, RECOVER, RECOVER_SCRIPT, InFlight, Ticket

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0

# All registry scripts take KEYS workers, queue, dupefilter, busy, in-flight and ARGV[1] = the
# stale cutoff; recover() (crawler/runtime/inflight.py) runs first, so a dead worker's requests
# are back in the queue before anyone decides that the queue is empty.

# Register this worker; if it is the first live one and the queue is empty, a new crawl starts:
# forget the fingerprints of the previous one. Atomic, so two workers starting together agree.
# Returns {other live workers, 1 if a new crawl, requests requeued}.
JOIN_SCRIPT = (
    RECOVER
    + """
local moved = recover()
local others = redis.call('ZCARD', KEYS[1])
local fresh = 0
if others == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  fresh = 1
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[3], '1')
return {others, fresh, moved}
"""
)

# Unregister (what this worker has not finished goes back into the queue with the dead ones');
# the last live worker leaving an empty queue clears the crawl's state.
LEAVE_SCRIPT = (
    RECOVER
    + """
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
recover()
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
  return 1
end
return 0
"""
)


def crawl_key(spider: Spider) -> str:
    """``district:<site>``: what ``%(spider)s`` means in the queue and dupefilter keys."""
    return f"{spider.name}:{getattr(spider, 'site_name', None) or spider.name}"


class SiteScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis scheduler with per-site keys, a worker registry and a self-ending idle."""

    crawler: Crawler
    max_idle: float = 10.0
    stale_after: float = 30.0
    worker: str = ""
    idle_since: float | None = None
    busy: bool = True
    loop: AsyncioLoopingCall | LoopingCall | None = None
    inflight: InFlight

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteScheduler:
        instance: SiteScheduler = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.max_idle = crawler.settings.getfloat("GOVNEWS_REDIS_MAX_IDLE", 10.0)
        instance.stale_after = crawler.settings.getfloat("GOVNEWS_REDIS_WORKER_STALE", 30.0)
        # unique even for a restarted worker that got its predecessor's pid (a container's 1):
        # the same id would make the dead one's in-flight requests look alive
        instance.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        instance.idle_since = None
        instance.busy = True
        instance.loop = None
        crawler.signals.connect(instance.spider_idle, signal=signals.spider_idle)
        return instance

    # -- lifecycle ----------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        key = crawl_key(spider)
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": key},
            serializer=self.serializer,
        )
        self.df = RFPDupeFilter(
            self.server,
            key=self.dupefilter_key % {"spider": key},
            debug=spider.settings.getbool("DUPEFILTER_DEBUG"),
        )
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError(
                f"SCHEDULER_QUEUE_CLASS {self.queue_cls}: a distributed crawl needs "
                "scrapy_redis.queue.PriorityQueue (its in-flight requests are put back by score)"
            )
        prefix = self.queue.key.rsplit(":", 1)[0]  # govnews:district:<site>
        self.workers_key, self.busy_key = f"{prefix}:workers", f"{prefix}:busy"
        self.inflight = InFlight(self.crawler, self.server, f"{prefix}:inflight", self.worker)
        now = time.time()
        others, fresh, moved = self.server.eval(
            JOIN_SCRIPT, 5, *self._keys(), now - self.stale_after, now, self.worker
        )
        self._requeued(moved)
        pending = len(self.queue)
        if fresh:
            logger.info("distributed crawl %s: first worker, new crawl", key)
        elif pending:
            logger.info(
                "distributed crawl %s: joining (%d other live workers, %d requests queued)",
                key,
                others,
                pending,
            )
        # Scrapy's looping call (asyncio or Twisted, whichever runs); _heartbeat never raises,
        # which would stop it for good. Beats well inside the stale time, however short.
        self.loop = create_looping_call(self._heartbeat)
        self.loop.start(min(HEARTBEAT_SECONDS, self.stale_after / 4), now=False)

    def close(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        # what is still claimed now was not finished: LEAVE puts it back into the queue
        self.inflight.closed = True
        now = time.time()
        cleared = self.server.eval(
            LEAVE_SCRIPT, 5, *self._keys(), now - self.stale_after, self.worker
        )
        if cleared:
            logger.info("distributed crawl %s: last worker out, state cleared", self.df.key)
        elif len(self.queue):
            logger.info("distributed crawl: %d requests left in the queue", len(self.queue))

    def _keys(self) -> tuple[str, str, str, str, str]:
        return self.workers_key, self.queue.key, self.df.key, self.busy_key, self.inflight.key

    # -- busy/idle ----------------------------------------------------------------------------

    # enqueue as in scrapy-redis, minus the deprecated ``spider=`` argument of stats; the pop
    # claims the request in the in-flight hash in the same Lua call (crawler/runtime/inflight.py)

    def enqueue_request(self, request: Request) -> bool:
        # a ticket here came with a copied meta: a retry or redirect of a popped request, which
        # is done once its successor is queued (or was queued by someone before)
        ticket = request.meta.pop(META_KEY, None)
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            self.queue.push(request)
            return True
        finally:
            if isinstance(ticket, Ticket):
                ticket.replaced()

    def next_request(self) -> Request | None:
        field = self.inflight.claim()
        data = self.server.eval(POP_SCRIPT, 2, self.queue.key, self.inflight.key, field)
        if data is None:
            return None
        request = request_from_dict(self.queue.serializer.loads(data), spider=self.spider)
        self.inflight.track(request, field)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        self.idle_since = None
        if not self.busy:
            self._set_busy(True)
        return request

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.server.hset(self.busy_key, self.worker, "1" if busy else "0")
        self.server.zadd(self.workers_key, {self.worker: time.time()})

    def _heartbeat(self) -> None:
        try:
            self.server.zadd(self.workers_key, {self.worker: time.time()})
            self._recover()
        except Exception as exc:  # a missed heartbeat must not stop the crawl (nor the loop)
            logger.warning("redis heartbeat failed: %s", exc)

    def _recover(self) -> int:
        """Put the requests of workers gone stale back into the queue; how many."""
        cutoff = time.time() - self.stale_after
        return self._requeued(int(self.server.eval(RECOVER_SCRIPT, 5, *self._keys(), cutoff)))

    def _requeued(self, moved: int) -> int:
        if moved:
            logger.info("distributed crawl: %d requests of a dead worker requeued", moved)
            if self.stats:
                self.stats.inc_value("govnews/distributed/requeued", moved)
        return moved

    def _others_busy(self) -> bool:
        live = self.server.zrangebyscore(self.workers_key, time.time() - self.stale_after, "+inf")
        others = [w for w in live if (w.decode() if isinstance(w, bytes) else w) != self.worker]
        if not others:
            return False
        flags = self.server.hmget(self.busy_key, others)
        return any(f in (b"1", "1") for f in flags)

    def spider_idle(self, spider: Spider) -> Any:
        """Keep an idle worker alive while the crawl may still produce work for it."""
        if self.busy:
            self._set_busy(False)
        self.inflight.idle()
        self._recover()  # a dead worker's requests count as queued, not as lost
        now = time.time()
        if len(self.queue) or self._others_busy():
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        logger.info("distributed crawl: queue empty and all workers idle, this worker stops")
