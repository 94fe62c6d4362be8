"""The worker registry of crawler.runtime.distributed against a real Redis: who starts, who
clears."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from crawler.runtime.distributed import JOIN_SCRIPT, LEAVE_SCRIPT

pytestmark = pytest.mark.redis
STALE = 30.0


@pytest.fixture
def keys(redis_url: str) -> Iterator[tuple[redis.Redis, tuple[str, str, str, str]]]:
    server = redis.Redis.from_url(redis_url)
    p = f"govnews-test-{uuid.uuid4().hex[:8]}:district:xq"
    names = (f"{p}:workers", f"{p}:requests", f"{p}:dupefilter", f"{p}:busy")
    yield server, names
    server.delete(*names)


def _join(server: redis.Redis, keys: tuple[str, ...], worker: str, now: float) -> list[int]:
    return list(server.eval(JOIN_SCRIPT, 4, *keys, now - STALE, now, worker))  # type: ignore[arg-type]


def _leave(server: redis.Redis, keys: tuple[str, ...], worker: str, now: float) -> int:
    return int(server.eval(LEAVE_SCRIPT, 4, *keys, now - STALE, worker))  # type: ignore[arg-type]


def test_first_worker_starts_a_new_crawl_second_joins(keys: tuple[redis.Redis, tuple]) -> None:
    server, names = keys
    workers, queue, dupefilter, _busy = names
    server.sadd(dupefilter, "fingerprint-of-yesterday")
    now = time.time()
    assert _join(server, names, "a", now) == [0, 1]  # fresh: yesterday's fingerprints go
    assert not server.exists(dupefilter)
    server.sadd(dupefilter, "fp1")
    server.zadd(queue, {"req": 0})
    assert _join(server, names, "b", now) == [1, 0]  # joins: keeps the crawl's state
    assert server.sismember(dupefilter, "fp1")

    server.delete(queue)  # the crawl is done
    assert _leave(server, names, "a", now) == 0  # b is still there
    assert server.exists(dupefilter)
    assert _leave(server, names, "b", now) == 1  # last one out clears
    assert not server.exists(dupefilter) and not server.exists(workers)


def test_queue_left_by_killed_workers_is_resumed(keys: tuple[redis.Redis, tuple]) -> None:
    server, names = keys
    workers, queue, dupefilter, _busy = names
    long_ago = time.time() - 3600
    _join(server, names, "dead", long_ago)  # a worker that was killed an hour ago
    server.sadd(dupefilter, "fp1")
    server.zadd(queue, {"req": 0})
    others, fresh = _join(server, names, "new", time.time())
    assert (others, fresh) == (0, 0)  # the dead one no longer counts, but the queue is resumed
    assert server.sismember(dupefilter, "fp1") and server.exists(queue)
    assert server.zrange(workers, 0, -1) == [b"new"]
    # leaving with requests still queued keeps everything for the next workers
    assert _leave(server, names, "new", time.time()) == 0
    assert server.exists(queue) and server.exists(dupefilter)
