"""The worker registry of crawler.runtime.distributed against a real Redis: who starts, who
clears, and whose in-flight requests go back into the queue (crawler.runtime.inflight)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from crawler.runtime.distributed import JOIN_SCRIPT, LEAVE_SCRIPT
from crawler.runtime.inflight import POP_SCRIPT, RECOVER_SCRIPT

pytestmark = pytest.mark.redis
STALE = 30.0


@pytest.fixture
def keys(redis_url: str) -> Iterator[tuple[redis.Redis, tuple[str, str, str, str, str]]]:
    server = redis.Redis.from_url(redis_url)
    p = f"govnews-test-{uuid.uuid4().hex[:8]}:district:xq"
    names = (f"{p}:workers", f"{p}:requests", f"{p}:dupefilter", f"{p}:busy", f"{p}:inflight")
    yield server, names
    server.delete(*names)


def _join(server: redis.Redis, keys: tuple[str, ...], worker: str, now: float) -> list[int]:
    return list(server.eval(JOIN_SCRIPT, 5, *keys, now - STALE, now, worker))  # type: ignore[arg-type]


def _leave(server: redis.Redis, keys: tuple[str, ...], worker: str, now: float) -> int:
    return int(server.eval(LEAVE_SCRIPT, 5, *keys, now - STALE, worker))  # type: ignore[arg-type]


def test_first_worker_starts_a_new_crawl_second_joins(keys: tuple[redis.Redis, tuple]) -> None:
    server, names = keys
    workers, queue, dupefilter, _busy, _inflight = names
    server.sadd(dupefilter, "fingerprint-of-yesterday")
    now = time.time()
    assert _join(server, names, "a", now) == [0, 1, 0]  # fresh: yesterday's fingerprints go
    assert not server.exists(dupefilter)
    server.sadd(dupefilter, "fp1")
    server.zadd(queue, {"req": 0})
    assert _join(server, names, "b", now) == [1, 0, 0]  # joins: keeps the crawl's state
    assert server.sismember(dupefilter, "fp1")

    server.delete(queue)  # the crawl is done
    assert _leave(server, names, "a", now) == 0  # b is still there
    assert server.exists(dupefilter)
    assert _leave(server, names, "b", now) == 1  # last one out clears
    assert not server.exists(dupefilter) and not server.exists(workers)


def test_queue_left_by_killed_workers_is_resumed(keys: tuple[redis.Redis, tuple]) -> None:
    server, names = keys
    workers, queue, dupefilter, _busy, _inflight = names
    long_ago = time.time() - 3600
    _join(server, names, "dead", long_ago)  # a worker that was killed an hour ago
    server.sadd(dupefilter, "fp1")
    server.zadd(queue, {"req": 0})
    others, fresh, moved = _join(server, names, "new", time.time())
    # the dead one no longer counts (it held nothing in flight), but the queue is resumed
    assert (others, fresh, moved) == (0, 0, 0)
    assert server.sismember(dupefilter, "fp1") and server.exists(queue)
    assert server.zrange(workers, 0, -1) == [b"new"]
    # leaving with requests still queued keeps everything for the next workers
    assert _leave(server, names, "new", time.time()) == 0
    assert server.exists(queue) and server.exists(dupefilter)


# -- in-flight requests (crawler/runtime/inflight.py) -----------------------------------------


def _recover(server: redis.Redis, keys: tuple[str, ...], now: float) -> int:
    return int(server.eval(RECOVER_SCRIPT, 5, *keys, now - STALE))  # type: ignore[arg-type]


def test_a_pop_claims_the_request_under_the_worker(keys: tuple[redis.Redis, tuple]) -> None:
    server, names = keys
    _workers, queue, _dupefilter, _busy, inflight = names
    server.zadd(queue, {"later": 0, "first": -10})
    popped = server.eval(POP_SCRIPT, 2, queue, inflight, "a|1")  # type: ignore[arg-type]
    assert popped == b"first"  # the highest priority (lowest score), as scrapy-redis pops
    assert server.zrange(queue, 0, -1) == [b"later"]
    assert server.hgetall(inflight) == {b"a|1": b"-10|first"}
    server.delete(queue)
    assert server.eval(POP_SCRIPT, 2, queue, inflight, "a|2") is None  # type: ignore[arg-type]
    assert server.hlen(inflight) == 1


def test_a_stale_workers_requests_are_requeued_a_live_ones_not(
    keys: tuple[redis.Redis, tuple],
) -> None:
    server, names = keys
    workers, queue, dupefilter, busy, inflight = names
    now = time.time()
    server.zadd(workers, {"live": now, "dead": now - 3600})
    server.hset(busy, mapping={"live": "1", "dead": "1"})
    server.sadd(dupefilter, "fp-of-every-request-below")
    server.hset(
        inflight,
        mapping={
            "live|1": "0|being fetched",
            "dead|1": "-5|list page|with a bar",  # only the first "|" splits score from data
            "dead|2": "0|article",
            "gone|7": "3|left by a worker no longer registered",
        },
    )
    assert _recover(server, names, now) == 3
    assert server.zrange(queue, 0, -1, withscores=True) == [
        (b"list page|with a bar", -5.0),
        (b"article", 0.0),
        (b"left by a worker no longer registered", 3.0),
    ]
    assert server.hgetall(inflight) == {b"live|1": b"0|being fetched"}
    assert server.zrange(workers, 0, -1) == [b"live"]
    assert server.hgetall(busy) == {b"live": b"1"}
    assert server.sismember(dupefilter, "fp-of-every-request-below")  # requeued past it
    assert _recover(server, names, now) == 0  # nothing twice


def test_a_dead_workers_requests_keep_the_next_crawl_from_starting_fresh(
    keys: tuple[redis.Redis, tuple],
) -> None:
    server, names = keys
    _workers, queue, dupefilter, _busy, inflight = names
    _join(server, names, "dead", time.time() - 3600)
    server.sadd(dupefilter, "fp1")
    server.hset(inflight, "dead|1", "0|req")  # the queue itself is empty
    assert _join(server, names, "new", time.time()) == [0, 0, 1]  # resumed, not fresh
    assert server.zrange(queue, 0, -1) == [b"req"] and server.sismember(dupefilter, "fp1")


def test_a_leaving_worker_puts_back_what_it_did_not_finish(
    keys: tuple[redis.Redis, tuple],
) -> None:
    server, names = keys
    workers, queue, dupefilter, _busy, inflight = names
    now = time.time()
    _join(server, names, "a", now)
    _join(server, names, "b", now)
    server.sadd(dupefilter, "fp1")
    server.hset(inflight, mapping={"a|1": "0|unfinished", "b|1": "0|b's"})
    assert _leave(server, names, "a", now) == 0
    assert server.zrange(queue, 0, -1) == [b"unfinished"]
    assert server.hgetall(inflight) == {b"b|1": b"0|b's"}
    server.delete(queue)
    server.hdel(inflight, "b|1")
    assert _leave(server, names, "b", now) == 1
    assert not any(server.exists(k) for k in (workers, dupefilter, inflight))
