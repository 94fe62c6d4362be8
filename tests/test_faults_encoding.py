"""Chinese served with a Latin-1 or ASCII header is stored as Chinese (issue 23 item 3).

A header charset that cannot be right for the bytes (a Western single-byte label on a page whose
bytes read as GB18030 Chinese, or whose ``<meta>`` says otherwise) loses, and the encoding used
is recorded in the article's ``methods``. Unit table over :func:`decode_html`, then a crawl of
the fault site's ``/enc/`` column into SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.extract.decode import decode_html
from tests.faultsite import FaultSite, article_html
from tests.test_faults_crawl import crawl_args

TITLE = "区委常委会召开会议研究部署近期重点工作"


def _page(meta: str | None) -> bytes:
    page = article_html(TITLE, charset=meta or "gbk")
    return (page if meta else page.replace('<meta charset="gbk">', "")).encode("gbk")


@pytest.mark.parametrize(
    ("meta", "header"),
    [
        (None, "ISO-8859-1"),
        (None, "iso-8859-1"),
        (None, "latin1"),
        (None, "windows-1252"),
        (None, "us-ascii"),
        ("gbk", "ISO-8859-1"),
        ("gb2312", "us-ascii"),
        ("latin1", "ISO-8859-1"),
    ],
)
def test_latin1_or_ascii_header_on_gbk_bytes_loses(meta: str | None, header: str) -> None:
    decoded, encoding = decode_html(_page(meta), header)
    assert encoding == "gb18030"
    assert TITLE in decoded and "\ufffd" not in decoded


def test_a_latin1_page_under_a_latin1_header_stays_latin1() -> None:
    body = "<html><body><p>Café crème, naïve façade — déjà vu.</p></body></html>"
    decoded, encoding = decode_html(body.encode("cp1252"), "ISO-8859-1")
    assert (decoded, encoding) == (body, "cp1252")


def test_a_meta_beats_a_latin1_header_on_big5_bytes() -> None:
    body = '<html><head><meta charset="big5"></head><body><p>區委常委會召開會議</p></body></html>'
    decoded, encoding = decode_html(body.encode("big5"), "ISO-8859-1")
    assert encoding == "big5hkscs" and "區委常委會召開會議" in decoded


def test_a_right_gbk_header_still_wins() -> None:
    decoded, encoding = decode_html(_page("gbk"), "gbk")
    assert encoding == "gb18030" and TITLE in decoded


@pytest.mark.slow
def test_crawl_stores_chinese_and_records_the_encoding(db_url: str, tmp_path: Path) -> None:
    with FaultSite() as site:
        args = crawl_args(site, tmp_path / "unused.db", "/enc/")
        args[args.index("--db") + 1] = db_url
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = {
            url: (title, methods)
            for url, title, methods in conn.execute(
                text("SELECT url, title, methods FROM articles")
            )
        }
    engine.dispose()
    for path, title in FaultSite.encoding_articles.items():
        stored_title, methods = rows[site.url(path)]
        assert stored_title == title
        if isinstance(methods, str):  # a plain SELECT on SQLite returns the JSON text
            methods = json.loads(methods)
        assert methods["encoding"] == "gb18030"
