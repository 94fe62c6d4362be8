"""Helpers for the storage tests: drive the real pipelines with a crawler from get_crawler."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, text

from crawler.items import ArticleItem
from pipelines.dedupe import DedupePipeline
from pipelines.storage import StoragePipeline
from pipelines.validation import ValidationPipeline


class DemoSpider(Spider):
    name = "storage_test"
    site_name = "teststadt"
    start_urls: ClassVar[list[str]] = ["http://127.0.0.1:1/qndt/"]  # never fetched


@dataclass
class Run:
    crawler: Crawler
    spider: Spider
    storage: StoragePipeline
    validation: ValidationPipeline
    dedupe: DedupePipeline

    def feed(self, items: Iterable[Any]) -> None:
        """Pass items through validation -> dedupe -> storage, as Scrapy's chain would."""
        from scrapy.exceptions import DropItem

        for item in items:
            try:
                out = self.dedupe.process_item(self.validation.process_item(item))
            except DropItem:
                continue
            self.storage.process_item(out)

    def close(self, reason: str = "finished") -> None:
        self.storage.close_spider(self.spider)
        # what the spider_closed signal does (sending the real signal would also wake
        # extensions that need the crawl's running event loop)
        self.storage.spider_closed(self.spider, reason)

    def stat(self, key: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(key)


def open_run(db_url: str, batch_size: int = 100, site: str | None = None, **settings: Any) -> Run:
    crawler = get_crawler(
        DemoSpider, {"GOVNEWS_DB": db_url, "GOVNEWS_BATCH_SIZE": batch_size, **settings}
    )
    spider = DemoSpider.from_crawler(crawler)
    if site is not None:
        spider.site_name = site  # type: ignore[attr-defined]
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.set_value("start_time", datetime.now(UTC))  # as CoreStats would
    storage = StoragePipeline.from_crawler(crawler)
    run = Run(
        crawler,
        spider,
        storage,
        ValidationPipeline.from_crawler(crawler),
        DedupePipeline.from_crawler(crawler),
    )
    storage.open_spider(spider)
    return run


def article(n: int, **kw: Any) -> ArticleItem:
    fields: dict[str, Any] = {
        "url": f"http://127.0.0.1:1/qndt/{n}.html",
        "site": "teststadt",
        "title": f"高新区召开第{n}次工作会议",
        "body_text": f"3月{n}日，高新区召开工作会议。\n会议强调“十三五”成果。",
        "views": 100 + n,
        "views_method": "static",
    }
    fields.update(kw)
    return ArticleItem(**fields)


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def utc(value: Any) -> datetime:
    """A timestamp column read back as aware UTC (SQLite via text() gives naive strings)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def hold_run(db_url: str, site: str, start_urls: list[str] | None = None) -> None:
    """Migrate ``db_url`` and insert a live ``running`` row of ``site``, held by this (alive)
    test process, as a crawl in progress elsewhere would hold it."""
    from pipelines.db.migrate import upgrade
    from pipelines.db.models import CrawlRun
    from pipelines.db.runs import owner_id
    from pipelines.db.session import make_engine

    upgrade(db_url)
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            CrawlRun.__table__.insert().values(
                site=site,
                start_urls=start_urls or [],
                started_at=now,
                heartbeat_at=now,
                status="running",
                owner=owner_id(),
            )
        )
    engine.dispose()
