"""What an extraction worker does with one article page: extract it, build the item, clean it.

Cleaning is the pipelines' concern (:func:`pipelines.cleaning.clean_item`), and
``CleaningPipeline`` cleans any item that reaches it uncleaned. It is done here as well because
here it runs beside the extraction, in the worker process when there is one, instead of on the
reactor thread, the crawl's bottleneck (≈ 0.3 ms per article there; docs/performance.md). The
item records that it was cleaned and carries its content hash, so no pipeline repeats the work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.extract.article import extract_article
from crawler.items import ArticleItem
from pipelines.cleaning import clean_item


def prepare_article(
    html: bytes, url: str, *, site: str, profile: Any = None, http_charset: str | None = None
) -> ArticleItem:
    """The cleaned :class:`ArticleItem` of one article page (``views_method`` "static" when
    the page shows its count; the spider may still ask a counter for it)."""
    page = extract_article(html, url, profile=profile, http_charset=http_charset)
    item = ArticleItem(
        url=url,
        site=site,
        title=page.title,
        published_at=page.published_at,
        published_raw=page.published_raw,
        views=page.views,
        views_raw=page.views_raw,
        views_dynamic=page.views_dynamic,
        views_method="static" if page.views is not None else None,
        body_text=page.body_text,
        body_html=page.body_html,
        source=page.source,
        author=page.author,
        column_name=page.column,
        canonical_url=page.canonical_url,
        attachments=list(page.attachments),
        methods=dict(page.methods),
        fetched_at=datetime.now(UTC),
    )
    clean_item(item)
    return item
