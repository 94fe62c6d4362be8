"""The Scrapy stack a govnews crawl runs with (crawler/settings.py): what is off, and that the
leaner replacements behave as Scrapy's own (docs/performance.md, third round)."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.extensions.core import GcTuning
from crawler.extensions.logformatter import LogFormatter


@pytest.fixture(scope="module")
def settings() -> Settings:
    return get_project_settings()


def _enabled(settings: Settings, name: str) -> list[str]:
    from scrapy.utils.conf import build_component_list

    return [str(c) for c in build_component_list(settings.getwithbase(name))]


def test_no_remote_code_execution_endpoint(settings: Settings) -> None:
    """Scrapy's RemoteControl runs Python sent over HTTP; the telnet console is a shell."""
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not any("remote_control" in c for c in _enabled(settings, "EXTENSIONS"))


def test_remote_control_is_not_even_imported() -> None:
    """Scrapy imports every key of EXTENSIONS to resolve it, a None one too: the extension
    (which imports aiohttp's server, and on Twisted's stack would add aiohttp's 0.2-0.4 s of
    start-up) must not be among them. A fresh interpreter, as a crawl starts."""
    code = (
        "import sys\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from scrapy.utils.project import get_project_settings\n"
        "s = get_project_settings()\n"
        "names = build_component_list(s.get_component_priority_dict_with_base('EXTENSIONS'))\n"
        "assert 'crawler.extensions.core.GcTuning' in [str(n) for n in names], names\n"
        "print('scrapy.extensions.remote_control' in sys.modules, 'aiohttp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr


def _fresh_setting(expression: str, variable: str, value: str | None) -> str:
    """``expression`` over the project settings in a fresh interpreter (settings read the
    environment once, at import) with ``variable`` set to ``value`` or unset."""
    env = {k: v for k, v in os.environ.items() if k != variable}
    if value is not None:
        env[variable] = value
    code = (
        "from scrapy.utils.project import get_project_settings\n"
        f"s = get_project_settings()\nprint({expression})\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.strip() + out.stderr.strip()


def test_the_loop_is_asyncios_own() -> None:
    """asyncio's own event loop: uvloop's measured no gain at production politeness
    (benchmarks/fleet.py) and is not a dependency."""
    assert _fresh_setting("s.get('ASYNCIO_EVENT_LOOP')", "GOVNEWS_UVLOOP", "1") == "None"


def test_scrapys_default_stack(settings: Settings) -> None:
    """Twisted's asyncio reactor and Scrapy's own download handlers, stats collector and
    downloader stats: no private Scrapy module is loaded (issue 24)."""
    assert settings.getbool("TWISTED_REACTOR_ENABLED")
    assert settings.get("TWISTED_REACTOR").endswith("asyncioreactor.AsyncioSelectorReactor")
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert (
        handlers["http"]
        == handlers["https"]
        == ("scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler")
    )
    assert settings.get("STATS_CLASS") == "scrapy.statscollectors.MemoryStatsCollector"
    enabled = _enabled(settings, "DOWNLOADER_MIDDLEWARES")
    assert "scrapy.downloadermiddlewares.stats.DownloaderStats" in enabled


def test_unused_spider_middlewares_are_off(settings: Settings) -> None:
    enabled = _enabled(settings, "SPIDER_MIDDLEWARES")
    assert not any("DepthMiddleware" in c or "MetaCopyDetection" in c for c in enabled)
    # the ones that do something for a crawl stay
    assert any("HttpErrorMiddleware" in c for c in enabled)
    assert any("RefererMiddleware" in c for c in enabled)
    # Scrapy's URL length check, replaced by one that files a reject row (issue 23, item 4)
    assert "crawler.spidermiddlewares.urllength.UrlLengthRejects" in enabled
    assert not any("UrlLengthMiddleware" in c for c in enabled)


def _formatter(level: str) -> LogFormatter:
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    formatter = build_from_crawler(LogFormatter, crawler)
    assert isinstance(formatter, LogFormatter)
    return formatter


def test_log_formatter_skips_per_page_lines_only_below_their_level() -> None:
    spider = Spider("t")
    request = Request("http://127.0.0.1:1/a.html")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    quiet, verbose = _formatter("INFO"), _formatter("DEBUG")
    assert quiet.crawled(request, response, spider) is None
    assert quiet.scraped({"a": 1}, response, spider) is None
    crawled = verbose.crawled(request, response, spider)
    scraped = verbose.scraped({"a": 1}, response, spider)
    assert crawled is not None and crawled["level"] == logging.DEBUG
    assert crawled["args"]["status"] == 200
    assert scraped is not None and scraped["args"]["item"] == {"a": 1}
    # the other messages (dropped items, errors) are Scrapy's, at every level
    from scrapy.exceptions import DropItem

    dropped = quiet.dropped({"a": 1}, DropItem("bad", log_level="INFO"), response, spider)
    assert dropped is not None and "bad" in str(dropped["args"]["exception"])


@pytest.fixture
def unfreeze() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_gc_tuning_freezes_startup_objects_for_the_crawl_only(unfreeze: None) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    tuning = GcTuning()
    tuning.engine_started()
    assert gc.get_freeze_count() > 1000  # at least the modules' objects
    assert gc.get_threshold()[0] == max(GcTuning.GEN0_THRESHOLD, before[0])
    tuning.engine_stopped()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_gc_tuning_holds_until_the_last_engine_of_a_fleet_stops(unfreeze: None) -> None:
    """A fleet runs many engines in one process: the first site to finish must not thaw the
    collector under the others, nor save a threshold another engine had already raised."""
    gc.unfreeze()
    before = gc.get_threshold()
    first, second = GcTuning(), GcTuning()
    first.engine_started()
    second.engine_started()
    first.engine_stopped()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold()[0] == max(GcTuning.GEN0_THRESHOLD, before[0])
    second.engine_stopped()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
