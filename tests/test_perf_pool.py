"""Extraction in worker processes (GOVNEWS_EXTRACT_WORKERS, crawler/runtime/pool.py).

The pool must not change what is stored: a worker returns what inline extraction returns, an
exception raised in a worker reaches the spider (which makes it an ``extraction_error`` reject),
a killed worker falls back to inline extraction, and a demo crawl with one worker stores the
same articles as an inline one. No timing assertions: the warm-up is awaited, not timed.
"""

from __future__ import annotations

import asyncio
import copy
import os
import pickle
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import pytest
from scrapy import Spider
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.extract.article import extract_article
from crawler.items import ArticleItem
from crawler.runtime.pool import WorkerPool, in_worker, resolve_workers
from crawler.spiders.prepare import prepare_article
from pipelines.cleaning import CleaningPipeline
from pipelines.fingerprint import content_hash

T = TypeVar("T")

URL = "http://www.example.gov.cn/xwzx/202405/t20240512_1.html"
PAGE = """<html><head><title>区政府召开常务会议_区内动态</title></head><body>
<div class="main"><h1>区政府召开常务会议</h1>
<div class="info">发布时间：2024-05-12 09:30 来源：区政府办 浏览次数：123</div>
<div class="content"><p onclick="x()">５月１２日，区政府召开常务会议，研究部署““重点””工作。</p>
<script>alert(1)</script>
<p>会议强调，要压实责任，<a href="javascript:alert(1)">确保</a>落地见效。</p>
<p><a href="/files/a.pdf">附件：工作方案.pdf</a></p><p>打印本页</p></div></div>
</body></html>""".encode()


class Boom(ValueError):
    pass


def raising_extract(html: bytes, url: str, **kwargs: object) -> object:
    raise Boom(f"cannot read {url}")


class TwoArgError(Exception):
    """Pickles, but cannot be rebuilt from its args (a common shape of library exceptions)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code}: {text}")


def raises_unrebuildable(html: bytes, url: str, **kwargs: object) -> object:
    raise TwoArgError(7, f"cannot read {url}")


def returns_unpicklable(html: bytes, url: str, **kwargs: object) -> object:
    if in_worker():
        return lambda: None  # cannot travel back
    return extract_article(html, url)


def dies_in_worker(html: bytes, url: str, **kwargs: object) -> object:
    if in_worker():  # only ever in the worker
        os._exit(3)
    return extract_article(html, url)


async def _warm(pool: WorkerPool) -> None:
    deadline = time.monotonic() + 120  # a generous bound for a busy machine, not a measurement
    while not pool.usable():
        assert not pool.broken
        assert time.monotonic() < deadline, "worker never started"
        await asyncio.sleep(0.05)


def test_resolve_workers() -> None:
    assert resolve_workers("0") == 0
    assert resolve_workers(2) == 2
    assert resolve_workers("auto") == (1 if len(os.sched_getaffinity(0)) > 1 else 0)
    assert resolve_workers(None) == resolve_workers("auto")


def test_zero_workers_is_inline() -> None:
    pool = WorkerPool(0)
    assert not pool.usable()
    page = asyncio.run(pool.run(extract_article, PAGE, URL, profile=None, http_charset=None))
    assert page == extract_article(PAGE, URL)
    assert pool.remote_calls == 0


def _uvloop_run(main: Coroutine[Any, Any, T]) -> T:
    uvloop = pytest.importorskip("uvloop")
    return cast(T, uvloop.run(main))


@pytest.mark.parametrize("run", [asyncio.run, _uvloop_run], ids=["asyncio-loop", "uvloop"])
def test_worker_result_equals_inline(run: Callable[[Coroutine[Any, Any, object]], object]) -> None:
    """The crawl's loop is uvloop's where installed (crawler.settings): its transports are not
    asyncio.Transport subclasses, and the pool must still get its answers from the worker."""

    async def go() -> object:
        pool = WorkerPool(1)
        try:
            await _warm(pool)
            out = await pool.run(extract_article, PAGE, URL, profile=None, http_charset=None)
            assert pool.remote_calls == 1
            assert not pool.broken
            return out
        finally:
            pool.shutdown()

    page = run(go())
    inline = extract_article(PAGE, URL)
    assert page == inline
    assert inline.title == "区政府召开常务会议"
    assert inline.views == 123


def test_exception_in_worker_reaches_the_caller() -> None:
    async def go() -> None:
        pool = WorkerPool(1)
        try:
            await _warm(pool)
            with pytest.raises(Boom, match="cannot read"):
                await pool.run(raising_extract, PAGE, URL)
            assert not pool.broken  # one bad page does not stop the pool
            page = await pool.run(extract_article, PAGE, URL, profile=None, http_charset=None)
            assert page.title == "区政府召开常务会议"
        finally:
            pool.shutdown()

    asyncio.run(go())


def test_what_cannot_come_back_is_done_inline() -> None:
    """An exception the reactor cannot rebuild, or a result the worker cannot pickle: that call
    runs inline (so the caller sees what inline extraction gives) and the pool stays up."""

    async def go() -> None:
        pool = WorkerPool(1)
        try:
            await _warm(pool)
            with pytest.raises(TwoArgError, match="7: cannot read"):
                await pool.run(raises_unrebuildable, PAGE, URL)
            page = await pool.run(returns_unpicklable, PAGE, URL)
            assert page == extract_article(PAGE, URL)
            assert not pool.broken and pool.usable()
            page = await pool.run(extract_article, PAGE, URL, profile=None, http_charset=None)
            assert page.title == "区政府召开常务会议" and pool.remote_calls == 1
        finally:
            pool.shutdown()

    asyncio.run(go())


def test_killed_worker_falls_back_to_inline() -> None:
    async def go() -> None:
        pool = WorkerPool(1)
        try:
            await _warm(pool)
            page = await pool.run(dies_in_worker, PAGE, URL)
            assert page == extract_article(PAGE, URL)
            assert pool.broken and not pool.usable()
            page = await pool.run(extract_article, PAGE, URL, profile=None, http_charset=None)
            assert page.title == "区政府召开常务会议"
        finally:
            pool.shutdown()

    asyncio.run(go())


def where_run(n: int) -> tuple[int, bool]:
    """``n`` and whether it ran in a worker; raises when run on the caller's thread, so a test
    can see that an exception of a call the loop took itself reaches the caller too."""
    if not in_worker():
        raise Boom(f"{n} ran here")
    return n, True


def _run_many(pool: WorkerPool, count: int) -> list[object]:
    async def go() -> list[object]:
        try:
            await _warm(pool)
            calls = (pool.run(where_run, n) for n in range(count))
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            pool.shutdown()

    return asyncio.run(go())


def test_an_idle_loop_takes_waiting_calls_itself() -> None:
    """``help_when`` holds: the loop runs waiting calls itself (newest first) while the worker
    takes the oldest; every caller gets its own call's outcome, raised or returned."""
    pool = WorkerPool(1, help_when=lambda: True)
    out = _run_many(pool, 40)
    here = [n for n, o in enumerate(out) if isinstance(o, Boom)]
    remote = [o for o in out if not isinstance(o, Boom)]
    assert remote == [(n, True) for n in range(40) if n not in here]
    assert [str(out[n]) for n in here] == [f"{n} ran here" for n in here]
    assert len(here) == pool.helped_calls > 0
    assert pool.remote_calls == len(remote) >= 2  # the first two went out before any help
    assert 39 in here and 0 not in here


def test_a_busy_loop_leaves_every_call_to_the_worker() -> None:
    pool = WorkerPool(1, help_when=lambda: False)
    out = _run_many(pool, 40)
    assert out == [(n, True) for n in range(40)]
    assert pool.helped_calls == 0 and pool.remote_calls == 40


def test_shutdown_runs_the_workers_exit_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers leave without the interpreter's teardown, but their atexit hooks (the writer's
    engine disposal) still run, and they exit with status 0."""
    marker = tmp_path / "hook-ran"
    (tmp_path / "exit_probe.py").write_text(
        "import atexit, os, pathlib\n"
        "atexit.register(lambda: pathlib.Path(os.environ['EXIT_PROBE']).write_text('ran'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("EXIT_PROBE", str(marker))

    async def go() -> list[subprocess.Popen[bytes]]:
        pool = WorkerPool(1, warm=("exit_probe",))
        await _warm(pool)
        processes = list(pool.processes)
        pool.shutdown()
        return processes

    (process,) = asyncio.run(go())
    assert process.returncode == 0
    assert marker.read_text() == "ran"


def test_workers_spawned_before_the_loop_are_the_ones_that_answer() -> None:
    """The spider spawns its worker as Scrapy builds it, before the reactor runs; the pool
    joins that process once the loop runs instead of starting another."""
    pool = WorkerPool(1)
    pool.spawn()  # no event loop here
    ((spawned, _),) = pool._spawned

    async def go() -> int:
        try:
            await _warm(pool)
            return await pool.run(os.getpid)
        finally:
            pool.shutdown()

    assert asyncio.run(go()) == spawned.pid
    assert pool.remote_calls == 1
    assert spawned.returncode == 0


def _wait_until_ready(sock: socket.socket) -> None:
    """Until a spawned worker's ready frame is there to read (not read: the pool joins it)."""
    deadline = time.monotonic() + 120  # a generous bound for a busy machine, not a measurement
    while not select.select([sock], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "worker never became ready"


@pytest.fixture
def slow_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module whose import takes a minute: a worker warming it never says it is ready."""
    (tmp_path / "slow_import.py").write_text("import time\ntime.sleep(60)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "slow_import"


def test_spawned_workers_that_never_joined_end_with_shutdown(slow_import: str) -> None:
    """A crawl that fails before its loop runs still leaves no worker behind: a warm worker
    leaves on its own (status 0), one still importing is stopped at once (SIGTERM) instead of
    the crawl's end waiting for its imports."""
    pool = WorkerPool(1)
    pool.spawn()
    ((warm, sock),) = pool._spawned
    _wait_until_ready(sock)
    pool.shutdown()
    assert warm.returncode == 0
    assert not pool._spawned and not pool.processes

    pool = WorkerPool(1, warm=(slow_import,))
    pool.spawn()
    ((importing, _),) = pool._spawned
    pool.shutdown()
    assert importing.returncode == -signal.SIGTERM
    assert not pool._spawned and not pool.processes


def test_joined_worker_still_importing_is_stopped_at_shutdown(slow_import: str) -> None:
    """The same for a worker the loop has joined but that has not said it is ready."""

    async def go() -> subprocess.Popen[bytes]:
        pool = WorkerPool(1, warm=(slow_import,))
        pool.start()
        assert not pool.usable()  # calls run inline meanwhile
        (process,) = pool.processes
        pool.shutdown()
        return process

    process = asyncio.run(go())
    assert process.returncode == -signal.SIGTERM


def test_spider_spawns_its_worker_as_scrapy_builds_it() -> None:
    from crawler.spiders.district import DistrictSpider

    crawler = get_crawler(DistrictSpider, {"GOVNEWS_EXTRACT_WORKERS": "1"})
    spider = DistrictSpider.from_crawler(crawler, start_url="http://127.0.0.1:1/news/")
    assert spider._pool is not None
    ((process, _),) = spider._pool._spawned
    assert process.poll() is None  # running, importing its extraction modules
    spider.closed("finished")
    assert process.returncode is not None  # stopped (SIGTERM while importing, else 0)

    crawler = get_crawler(DistrictSpider, {"GOVNEWS_EXTRACT_WORKERS": "0"})
    spider = DistrictSpider.from_crawler(crawler, start_url="http://127.0.0.1:1/news/")
    assert spider._pool is not None and not spider._pool._spawned


@pytest.mark.parametrize(
    "published_at",
    [
        datetime(2024, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        datetime(2024, 3, 1, 9, 30),  # naive
        datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),  # fixed offset
        None,
    ],
)
def test_article_item_pickles_compactly_and_exactly(published_at: datetime | None) -> None:
    """Items cross two process boundaries per page: their own compact pickle must give back
    the same item, time zones (the same objects) and DST fold included."""
    item = ArticleItem(
        url=URL,
        site="example",
        title="标题",
        published_at=published_at,
        views=7,
        body_text="正文",
        attachments=[{"url": URL + ".pdf", "name": "附件"}],
        methods={"title": "h1"},
        fetched_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        content_hash="ab" * 32,
        cleaned=(1, 2),
    )
    back = pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == item
    assert type(back.published_at) is type(item.published_at)
    if published_at is not None:
        assert back.published_at.tzinfo == published_at.tzinfo
        if isinstance(published_at.tzinfo, ZoneInfo):
            assert back.published_at.tzinfo is published_at.tzinfo
        assert back.published_at.fold == published_at.fold
        assert back.published_at.utcoffset() == published_at.utcoffset()
    assert back.fetched_at is not None and back.fetched_at.tzinfo is UTC
    assert back.cleaned == (1, 2) and back.attachments == item.attachments
    assert copy.deepcopy(item) == item


# -- the worker cleans and hashes the item; the pipelines then do not repeat it ---------------


def test_prepared_item_is_cleaned_by_the_pipeline_once() -> None:
    """The extraction step leaves the item uncleaned (cleaning is the pipelines' step); the
    cleaning pipeline cleans it, and an item that arrives cleaned passes as it is."""
    prepared, counter = prepare_article(PAGE, URL, site="teststadt")
    assert counter is None  # the page shows its count
    assert prepared.cleaned is None and prepared.content_hash is None
    assert "““" in (prepared.body_text or "")
    stats = MemoryStatsCollector(get_crawler(Spider))
    CleaningPipeline(stats).process_item(prepared)
    assert prepared.cleaned == (0, 2)  # ““ and ”” collapsed; the extractor already left 打印本页
    assert prepared.content_hash == content_hash(prepared.title, prepared.body_text)
    assert "““" not in (prepared.body_text or "") and "打印本页" not in (prepared.body_text or "")
    assert "<script" not in (prepared.body_html or "")
    assert "onclick" not in (prepared.body_html or "")

    before = (prepared.title, prepared.body_text, prepared.body_html)
    assert CleaningPipeline(stats).process_item(prepared) is prepared
    assert (prepared.title, prepared.body_text, prepared.body_html) == before
    assert stats.get_value("govnews/cleaning/items") == 2
    assert stats.get_value("govnews/cleaning/quotes_collapsed") == 4  # counted each time


# -- a whole crawl: one worker stores exactly what inline extraction stores ------------------


def _demo_rows(
    db_file: Path, workers: str, port: int, uvloop: str = "1"
) -> list[tuple[object, ...]]:
    env = {
        **os.environ,
        "GOVNEWS_EXTRACT_WORKERS": workers,
        "GOVNEWS_HTTPCACHE": "0",
        "GOVNEWS_UVLOOP": uvloop,
    }
    args = ["demo", "--db", f"sqlite:///{db_file}", "--port", str(port), "--quiet"]
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(db_file) as conn:
        return conn.execute(
            "SELECT url, title, published_at, body_text, body_html, source, author, "
            "column_name, views, content_hash FROM articles ORDER BY url"
        ).fetchall()


@pytest.mark.slow
def test_demo_crawl_with_a_worker_stores_the_same_articles(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    """Inline on asyncio's own loop (the default), pooled on uvloop's (both opt-in)."""
    port = free_port()  # the same URLs in both databases
    inline = _demo_rows(tmp_path / "inline.db", "0", port, uvloop="0")
    pooled = _demo_rows(tmp_path / "pooled.db", "1", port)
    assert len(inline) >= 30
    assert pooled == inline
