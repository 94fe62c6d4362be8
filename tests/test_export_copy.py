"""The PostgreSQL CSV export by COPY writes the bytes of the generic writer, on a real server.

Rows are written with the ORM (as the crawler writes them) and hold what CSV makes hard: formula
starts, quotes, commas, CR/LF, empty and NULL cells, Chinese and emoji, times with and without
microseconds, negative and missing counts, JSON with Chinese, JSON ``null``. The generic path
(:func:`iter_values` + :func:`write_csv`) is the reference.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from pipelines.db import export_copy
from pipelines.db.export import (
    ARTICLE_COLUMNS,
    ExportOptions,
    export,
    iter_values,
    write_csv,
)
from pipelines.db.migrate import upgrade
from pipelines.db.models import Article
from pipelines.db.session import make_engine, make_session_factory

pytestmark = pytest.mark.postgres

TRICKY_TEXTS = [
    '=HYPERLINK("http://evil/", "点击")',
    "+86 315 1234567",
    "-5℃ 寒潮预警",
    "@所有人",
    "\t缩进标题",
    "\r回车开头",
    '他说："你好"，然后离开',
    "逗号,分隔",
    "多行\n正文\r\n第三行",
    "",
    "😀 表情与中文",
    "\\.",
    "普通标题",
]


def _article(i: int, title: str) -> Article:
    shanghai = timezone(timedelta(hours=8))
    return Article(
        site="copy_site" if i % 2 else "other_site",
        url=f"http://example.test/a/{i}.html",
        title=title,
        published_at=None if i % 5 == 4 else datetime(2024, 3, 1, 9, 30, i, tzinfo=shanghai),
        published_raw=title or None,
        views=[None, 0, -3, 12345][i % 4],
        body_text=TRICKY_TEXTS[(i + 3) % len(TRICKY_TEXTS)],
        body_html=None if i % 3 == 0 else f"<p>{title}</p>",
        quality=None if i % 2 else ["body_short"],
        source=TRICKY_TEXTS[(i + 5) % len(TRICKY_TEXTS)] or None,
        author="",
        column_name="区内动态",
        attachments=[{"url": f"http://example.test/f{i}.pdf", "name": f"附件{i}"}] if i % 2 else [],
        methods=None if i % 3 else {"title": "h1", "body": "density"},
        content_hash=f"{i:064x}",
        first_seen_at=datetime(2024, 3, 2, 1, 2, 3, 456789 if i % 2 else 0, tzinfo=UTC),
        last_seen_at=datetime(2024, 3, 2, 1, 2, 3, tzinfo=UTC),
    )


@pytest.fixture
def pg_articles(pg_url: str) -> str:
    upgrade(pg_url)
    engine = make_engine(pg_url)
    with make_session_factory(engine).begin() as session:
        session.add_all(_article(i, t) for i, t in enumerate(TRICKY_TEXTS))
    engine.dispose()
    return pg_url


def _both(url: str, opts: ExportOptions) -> tuple[bytes, bytes]:
    """(COPY path, generic path) bytes for ``opts``."""
    engine = make_engine(url)
    fast, generic = io.BytesIO(), io.BytesIO()
    assert export_copy.applies(engine, "csv", opts)
    n = export_copy.copy_csv(engine, opts, fast)
    m = write_csv(iter_values(engine, opts), opts.all_columns, generic)
    engine.dispose()
    assert n == m
    return fast.getvalue(), generic.getvalue()


def test_default_columns_are_byte_identical(pg_articles: str) -> None:
    fast, generic = _both(pg_articles, ExportOptions())
    assert fast == generic
    records = list(csv.DictReader(io.StringIO(fast.decode("utf-8-sig"), newline="")))
    assert len(records) == len(TRICKY_TEXTS)
    assert records[0]["title"] == '\'=HYPERLINK("http://evil/", "点击")'
    assert records[8]["title"] == "多行\n正文\r\n第三行"
    assert records[0]["published_at"] == "2024-03-01T01:30:00+00:00"
    assert records[1]["first_seen_at"] == "2024-03-02T01:02:03.456789+00:00"
    assert records[2]["views"] == "-3"
    assert json.loads(records[1]["attachments"]) == [
        {"url": "http://example.test/f1.pdf", "name": "附件1"}
    ]


def test_every_column_and_filters_are_byte_identical(pg_articles: str) -> None:
    every = ExportOptions(columns=ARTICLE_COLUMNS)
    fast, generic = _both(pg_articles, every)
    assert fast == generic
    since = datetime(2024, 3, 1, 1, 30, 2, tzinfo=UTC)
    filtered = ExportOptions(site="copy_site", since=since, until=since + timedelta(seconds=6))
    fast, generic = _both(pg_articles, filtered)
    assert fast == generic
    ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(fast.decode("utf-8-sig")))]
    assert ids == [4, 6, 8]  # the odd rows published from 01:30:02 to before 01:30:08


@pytest.mark.parametrize("column", ["author", "title", "views", "published_at"])
def test_a_lone_column_is_written_as_the_csv_module_writes_it(
    pg_articles: str, column: str
) -> None:
    fast, generic = _both(pg_articles, ExportOptions(columns=(column,)))
    assert fast == generic


def test_json_is_stored_as_utf8_text(pg_articles: str) -> None:
    engine = make_engine(pg_articles)
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT attachments::text FROM articles WHERE id = 2"))
    engine.dispose()
    assert stored == '[{"url": "http://example.test/f1.pdf", "name": "附件1"}]'


def test_json_stored_with_escapes_reads_back_the_same(pg_articles: str) -> None:
    """Rows written before JSON was stored as UTF-8 hold ``\\u`` escapes; their cells are
    unescaped and parse to the same value."""
    engine = make_engine(pg_articles)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE articles SET attachments = CAST(:a AS json), methods = CAST(:m AS json)"
                " WHERE id = 2"
            ),
            {
                "a": json.dumps([{"url": "http://x.test/f.pdf", "name": "附件"}]),
                "m": json.dumps({"title": "标题", "nul": "a\u0000b"}),
            },
        )
    engine.dispose()
    opts = ExportOptions(columns=("id", "attachments", "methods"))
    fast, generic = _both(pg_articles, opts)
    fast_rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"), newline="")))
    generic_rows = list(csv.reader(io.StringIO(generic.decode("utf-8-sig"), newline="")))
    assert fast_rows[0] == generic_rows[0]
    for mine, theirs in zip(fast_rows[1:], generic_rows[1:], strict=True):
        assert mine[0] == theirs[0]
        assert [json.loads(c) if c else None for c in mine[1:]] == [
            json.loads(c) if c else None for c in theirs[1:]
        ]
    second = fast_rows[2]
    assert second[1] == '[{"url": "http://x.test/f.pdf", "name": "附件"}]'  # unescaped
    assert "\\u0000" in second[2]  # jsonb refuses NUL: the stored text is kept


def test_export_takes_the_copy_path_for_csv_only(
    pg_articles: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    real = export_copy.copy_csv

    def spy(*args: Any, **kwargs: Any) -> int | None:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_copy, "copy_csv", spy)
    engine = make_engine(pg_articles)
    out = io.BytesIO()
    assert export(engine, "csv", out, ExportOptions()) == len(TRICKY_TEXTS)
    assert len(calls) == 1
    assert export(engine, "jsonl", io.BytesIO(), ExportOptions()) == len(TRICKY_TEXTS)
    assert not export_copy.applies(engine, "csv", ExportOptions(with_history=True))
    assert len(calls) == 1  # JSON Lines is written by the generic path
    engine.dispose()


def test_sqlite_does_not_apply(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert not export_copy.applies(engine, "csv", ExportOptions())
