"""ValidationPipeline (rejects, never drops) and DedupePipeline (one item per URL per run)."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem, RejectItem, ViewReadingItem
from pipelines.dedupe import DedupePipeline
from pipelines.validation import ValidationPipeline
from tests.storage_helpers import article


class _Spider(Spider):
    name = "unit"


@pytest.fixture
def validation() -> ValidationPipeline:
    return ValidationPipeline.from_crawler(get_crawler(_Spider))


@pytest.fixture
def dedupe() -> DedupePipeline:
    return DedupePipeline.from_crawler(get_crawler(_Spider))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": None}, "missing_title"),
        ({"title": " \u3000\n"}, "missing_title"),
        ({"body_text": None}, "missing_body"),
        ({"body_text": "\u3000 \n "}, "missing_body"),
        ({"url": "javascript:void(0)"}, "bad_url"),
        ({"url": "/relative/1.html"}, "bad_url"),
        ({"url": "http:///nohost"}, "bad_url"),
    ],
)
def test_unstorable_article_becomes_reject(
    validation: ValidationPipeline, changes: dict[str, str | None], reason: str
) -> None:
    item = article(1, **changes)
    out = validation.process_item(item)
    assert isinstance(out, RejectItem)
    assert (out.url, out.site, out.reason) == (item.url, "teststadt", reason)
    assert out.detail
    assert validation.stats is not None
    assert validation.stats.get_value(f"govnews/validation/{reason}") == 1


def test_good_article_and_other_items_pass(validation: ValidationPipeline) -> None:
    good = article(1)
    assert validation.process_item(good) is good
    reading = ViewReadingItem(url=good.url, views=3)
    assert validation.process_item(reading) is reading
    reject = RejectItem(url=good.url, site="x", reason="http_404")
    assert validation.process_item(reject) is reject


def test_second_item_for_a_url_is_dropped_and_counted(dedupe: DedupePipeline) -> None:
    assert isinstance(dedupe.process_item(article(1)), ArticleItem)
    with pytest.raises(DropItem, match="duplicate URL"):
        dedupe.process_item(article(1, views=5))
    assert dedupe.stats is not None
    assert dedupe.stats.get_value("govnews/dedupe/duplicate_url") == 1


def test_same_text_under_another_url_is_kept_and_counted(dedupe: DedupePipeline) -> None:
    first = article(1)
    copy = article(1, url="http://127.0.0.1:1/other/1.html")
    assert dedupe.process_item(first) is first
    assert dedupe.process_item(copy) is copy
    assert dedupe.stats is not None
    assert dedupe.stats.get_value("govnews/dedupe/duplicate_content") == 1
    assert dedupe.stats.get_value("govnews/dedupe/duplicate_url") is None


def test_rejects_and_readings_pass_dedupe(dedupe: DedupePipeline) -> None:
    reject = RejectItem(url=article(1).url, site="x", reason="http_404")
    assert dedupe.process_item(reject) is reject
    assert dedupe.process_item(reject) is reject


def test_second_item_for_a_url_passes_when_it_brings_a_new_alias(dedupe: DedupePipeline) -> None:
    first = ArticleItem(url="http://x.cn/a/1.html", site="s", title="t", body_text="b")
    via_htm = ArticleItem(
        url="http://x.cn/a/1.html",
        site="s",
        title="t",
        body_text="b",
        aliases=["http://x.cn/a/1.htm"],
    )
    assert dedupe.process_item(first) is first
    assert dedupe.process_item(via_htm) is via_htm  # storage records the .htm URL
    with pytest.raises(DropItem):
        dedupe.process_item(via_htm)
