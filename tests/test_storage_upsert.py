"""The article upsert and content hash, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event

from pipelines.db.migrate import upgrade
from pipelines.db.session import make_engine, make_session_factory
from pipelines.db.upsert import article_row, upsert_articles
from pipelines.fingerprint import content_hash
from tests.storage_helpers import article, rows, scalar, utc

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_upsert_inserts_then_updates_in_place(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory.begin() as s:
        ids = upsert_articles(s, [article_row(article(n), seen_at=T0) for n in range(3)])
    assert sorted(ids) == sorted(article(n).url for n in range(3))
    later = T0 + timedelta(days=1)
    with factory.begin() as s:
        again = upsert_articles(
            s,
            [article_row(article(1, views=None, source="区政府办", title="新标题"), seen_at=later)],
        )
    assert again == {article(1).url: ids[article(1).url]}
    got = rows(
        engine,
        "SELECT title, views, source, first_seen_at, last_seen_at FROM articles WHERE url = :u",
        u=article(1).url,
    )[0]
    assert (got[0], got[1], got[2]) == ("新标题", 101, "区政府办")  # views kept: none found
    assert (utc(got[3]), utc(got[4])) == (T0, later)
    assert scalar(engine, "SELECT count(*) FROM articles") == 3


def test_same_url_twice_in_one_batch_last_wins(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory.begin() as s:
        ids = upsert_articles(
            s, [article_row(article(1), seen_at=T0), article_row(article(1, views=999), seen_at=T0)]
        )
    assert len(ids) == 1
    assert scalar(engine, "SELECT views FROM articles") == 999


def test_a_batch_is_one_statement(engine: Engine) -> None:
    statements: list[str] = []

    def count(conn: object, cursor: object, stmt: str, *args: object) -> None:
        if stmt.lstrip().upper().startswith("INSERT INTO ARTICLES"):
            statements.append(stmt)

    event.listen(engine, "before_cursor_execute", count)
    factory = make_session_factory(engine)
    with factory.begin() as s:
        ids = upsert_articles(s, [article_row(article(n), seen_at=T0) for n in range(50)])
    assert len(ids) == 50
    assert len(statements) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("标题", "正文 第一段\n\n第二段"), ("标题 ", "正文\u3000第一段 第二段")),
        (("标题", "正文\u200b内容"), ("标题", "正文内容")),
        (("ＡＢＣ１２３", "正文"), ("ABC123", "正文")),  # full-width forms (NFKC)
    ],
)
def test_content_hash_ignores_layout_noise(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert content_hash(*a) == content_hash(*b)


def test_content_hash_differs_for_different_text() -> None:
    assert content_hash("标题", "正文一") != content_hash("标题", "正文二")
    assert content_hash("标题一", "正文") != content_hash("标题二", "正文")
    assert len(content_hash("t", "b")) == 64


def test_row_without_body_is_refused() -> None:
    with pytest.raises(ValueError, match="without title or body"):
        article_row(article(1, body_text=None), seen_at=T0)
