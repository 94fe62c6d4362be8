"""Right reasons and honest dates (issue 23 item 7), crawled from the fault site into SQLite and
PostgreSQL: a decompression bomb is ``decompression_bomb`` (not ``ignored``), a gzip body cut in
half ``truncated_gzip`` (not ``missing_body``), a TLS handshake with a plain-HTTP server
``tls_error`` (not ``connection_refused``); a page dated 2099 or before 1949 keeps its date,
flagged in ``methods``, and 1900-01-01 10:00 is 02:00 UTC (fixed +08:00, not the 1900 local mean
time of Asia/Shanghai).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.extract.dates import parse_date
from crawler.items import ArticleItem
from pipelines.validation import date_flag
from tests.faultsite import FaultSite
from tests.test_faults_crawl import crawl_args


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("发布时间：1900-01-01 10:00", datetime(1900, 1, 1, 2, 0, tzinfo=UTC)),
        ("1988年7月1日 12:00", datetime(1988, 7, 1, 4, 0, tzinfo=UTC)),  # no 1986-91 summer time
        ("2024-03-05 10:21", datetime(2024, 3, 5, 2, 21, tzinfo=UTC)),
    ],
)
def test_page_dates_are_fixed_plus_eight(raw: str, utc: datetime) -> None:
    value = parse_date(raw)
    assert value is not None and value.utcoffset() == timedelta(hours=8)
    assert value == utc


@pytest.mark.parametrize(
    ("published", "flag"),
    [
        (datetime(2099, 1, 1, tzinfo=UTC), "in_future"),
        (datetime(1900, 1, 1, 2, tzinfo=UTC), "before_1949"),
        (datetime(1948, 12, 31, tzinfo=UTC), "before_1949"),
        (datetime(1949, 1, 1, tzinfo=UTC), None),
        (datetime(2024, 3, 6, 12, tzinfo=UTC), None),  # within a day of the fetch
        (None, None),
    ],
)
def test_date_flag(published: datetime | None, flag: str | None) -> None:
    item = ArticleItem(url="http://x/", site="s", published_at=published)
    assert date_flag(item, now=datetime(2024, 3, 6, tzinfo=UTC)) == flag


def _rows(db_url: str, sql: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.slow
def test_reasons_and_dates_as_crawled(db_url: str, tmp_path: Path) -> None:
    with FaultSite() as site:
        args = crawl_args(site, tmp_path / "unused.db", "/reasons/", "/dates/")
        args[args.index("--db") + 1] = db_url
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        urls = {site.reasons_url(k): v for k, v in FaultSite.reason_articles.items()}
        dated = {site.url(p): d for p, d in FaultSite.dated_articles.items()}
    assert proc.returncode == 0, proc.stderr[-2000:]
    rejects = {url: reason for url, reason in _rows(db_url, "SELECT url, reason FROM rejects")}
    assert rejects == urls
    stored = {
        url: (_utc(published), raw, _json(m), _json(q) or [])
        for url, published, raw, m, q in _rows(
            db_url, "SELECT url, published_at, published_raw, methods, quality FROM articles"
        )
    }
    assert set(stored) == set(dated)
    flags = {"2099": "in_future", "1900": "before_1949", "1948": "before_1949", "2024": None}
    for url, shown in dated.items():
        published, raw, methods, quality = stored[url]
        page_time = datetime.fromisoformat(shown).replace(tzinfo=UTC) - timedelta(hours=8)
        assert published == page_time, (url, published)  # the page's value, kept
        assert shown in raw
        assert methods.get("published_flag") == flags[shown[:4]]
        assert ("date_implausible" in quality) == (flags[shown[:4]] is not None)
