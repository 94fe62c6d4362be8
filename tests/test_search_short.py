"""1- and 2-character terms through the indexes of migration 0007, and the ranking window.

On a small generated set, on real SQLite (FTS5 trigram expansion, two-newline sentinel) and real
PostgreSQL (GIN over characters), every 1- and 2-character term of the text, a character at the
very end of a title or body included, finds exactly what the LIKE scan finds, also after
articles are updated and deleted; a database migrated to 0006 and filled gets the new index on
upgrade; a common term ranks only the newest ``RANK_WINDOW`` matches.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

import pipelines.db.search as search_module
from pipelines.db.migrate import upgrade
from pipelines.db.models import Article
from pipelines.db.search import match_expression, search
from pipelines.db.session import make_engine, make_session_factory
from tests.test_search import like_scan

CHARS = "区会议人才发展鑫燚犇G"
BASE = datetime(2024, 3, 1, tzinfo=UTC)


def fill(db_url: str, n: int = 40, seed: int = 3) -> None:
    """``n`` articles of random text over a small alphabet, each ending in a distinct pattern
    so that both 1- and 2-character terms occur at the ends of titles and bodies."""
    rng = random.Random(seed)
    engine = make_engine(db_url)
    with make_session_factory(engine).begin() as session:
        for i in range(n):
            session.add(
                Article(
                    site="s",
                    url=f"http://x.gov.cn/{seed}/{i}.html",
                    title="".join(rng.choices(CHARS, k=rng.randint(1, 5))),
                    body_text="".join(rng.choices(CHARS + "。，", k=rng.randint(0, 30))),
                    published_at=BASE + timedelta(days=i),
                    content_hash=f"{i:064x}",
                    first_seen_at=BASE,
                    last_seen_at=BASE,
                )
            )
    engine.dispose()


def terms() -> list[str]:
    return [*CHARS, "g", *(a + b for a in CHARS[:6] for b in CHARS[:6]), "区 鑫", "不在"]


def assert_like_scan(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        for term in terms():
            expected = set.intersection(*(like_scan(db_url, t) for t in term.split()))
            assert {h.id for h in search(conn, term, limit=10_000)} == expected, term
    engine.dispose()


@pytest.fixture
def filled(db_url: str) -> str:
    upgrade(db_url)
    fill(db_url)
    return db_url


def test_short_terms_equal_like_scan(filled: str) -> None:
    assert_like_scan(filled)
    assert like_scan(filled, "区") and like_scan(filled, "鑫") and like_scan(filled, "议人")


def test_last_character_of_a_title_is_found(filled: str) -> None:
    engine = make_engine(filled)
    with make_session_factory(engine).begin() as session:
        session.add(
            Article(
                site="s",
                url="http://x.gov.cn/end.html",
                title="召开会议垚",
                body_text="正文以淼结尾淼",
                content_hash="e" * 64,
                first_seen_at=BASE,
                last_seen_at=BASE,
            )
        )
    with engine.connect() as conn:
        assert [h.title for h in search(conn, "垚")] == ["召开会议垚"]
        assert [h.title for h in search(conn, "淼")] == ["召开会议垚"]
        assert [h.title for h in search(conn, "议垚")] == ["召开会议垚"]
    engine.dispose()


def test_index_follows_updates_and_deletes(filled: str) -> None:
    engine = make_engine(filled)
    with engine.begin() as conn:
        ids = conn.scalars(select(Article.id).order_by(Article.id)).all()
        conn.execute(
            update(Article).where(Article.id.in_(ids[:10])).values(title="鑫垚", body_text="犇")
        )
        conn.execute(update(Article).where(Article.id.in_(ids[10:20])).values(body_text="无"))
        conn.execute(delete(Article).where(Article.id.in_(ids[20:30])))
    fill(filled, n=10, seed=4)  # new rows after the changes
    assert_like_scan(filled)
    with engine.connect() as conn:
        assert {h.id for h in search(conn, "垚", limit=100)} == set(ids[:10])
        assert not {h.id for h in search(conn, "区", limit=100)} & set(ids[20:30])
    engine.dispose()


def test_upgrade_from_0006_indexes_existing_articles(db_url: str) -> None:
    upgrade(db_url, "0006")
    fill(db_url)
    upgrade(db_url)
    assert_like_scan(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = conn.scalars(text("SELECT indexname FROM pg_indexes")).all()
            assert "ix_articles_text_chars" in names
        else:
            sql = text("SELECT sql FROM sqlite_master WHERE name = 'articles_fts_src'")
            assert "char(10) || char(10)" in str(conn.scalar(sql))
    engine.dispose()


def test_common_terms_rank_the_newest_window(filled: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "RANK_WINDOW", 5)
    matching = sorted(like_scan(filled, "区"))
    assert len(matching) > 10
    engine = make_engine(filled)
    with engine.connect() as conn:
        few = search(conn, "区", limit=3)
        every = search(conn, "区", limit=len(matching))
        count = conn.scalar(select(func.count()).select_from(Article))
    engine.dispose()
    assert len(few) == 3 and {h.id for h in few} <= set(matching[-5:])
    assert {h.id for h in every} == set(matching)  # a limit past the window ranks every match
    assert count == 40


def test_one_character_terms_expand_like_two_character_ones() -> None:
    vocab = ["区\n\n", "区会议", "区域", "发展区"]

    def lookup(lo: str, hi: str, cap: int) -> list[str]:
        return [t for t in sorted(vocab) if lo <= t < hi][:cap]

    assert match_expression(["区"], lookup) == '("区\n\n" OR "区会议" OR "区域")'
    assert match_expression(["鑫"], lookup) == ""
    assert match_expression(["Ω"], lookup) is None  # non-ASCII case folding: left to LIKE
