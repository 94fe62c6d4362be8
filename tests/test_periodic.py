"""crawler.runtime.periodic.Every: the crawl's heartbeats and progress line, on the asyncio loop
with or
without a Twisted reactor."""

from __future__ import annotations

import asyncio
import logging

import pytest

from crawler.runtime.periodic import Every


def test_calls_every_interval_until_stopped() -> None:
    calls: list[float] = []

    async def go() -> None:
        loop = asyncio.get_running_loop()
        every = Every(0.02, lambda: calls.append(loop.time()))
        started = loop.time()
        every.start()
        assert every.running
        await asyncio.sleep(0.11)
        every.stop()
        assert not every.running
        seen = len(calls)
        await asyncio.sleep(0.06)
        assert len(calls) == seen  # nothing after stop
        assert calls[0] - started >= 0.02  # the first call waits one interval, as a heartbeat

    asyncio.run(go())
    assert 3 <= len(calls) <= 6


def test_a_failing_call_is_logged_and_the_next_still_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = 0

    def beat() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database restarting")

    async def go() -> None:
        every = Every(0.01, beat)
        every.start()
        while calls < 3:
            await asyncio.sleep(0.01)
        every.stop()

    with caplog.at_level(logging.ERROR, logger="crawler.runtime.periodic"):
        asyncio.run(asyncio.wait_for(go(), 5))
    assert calls >= 3
    assert ["database restarting" in r.exc_text for r in caplog.records if r.exc_text] == [True]


def test_a_call_may_stop_its_own_timer() -> None:
    calls = 0

    async def go() -> None:
        def once() -> None:
            nonlocal calls
            calls += 1
            every.stop()

        every = Every(0.01, once)
        every.start()
        await asyncio.sleep(0.08)

    asyncio.run(go())
    assert calls == 1


def test_start_needs_the_crawls_running_loop() -> None:
    with pytest.raises(RuntimeError):
        Every(1.0, lambda: None).start()
