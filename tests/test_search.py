"""Search finds exactly what a LIKE scan finds, for 1-, 2-, >=3-character and mixed terms,
on real SQLite (FTS5 trigram + expansion) and real PostgreSQL (pg_trgm), with bound parameters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, or_, select

from crawler.commands.search import search as search_command
from pipelines.db.migrate import alembic_config, check, upgrade
from pipelines.db.models import Article
from pipelines.db.search import search, snippet, split_terms
from pipelines.db.session import make_engine, make_session_factory
from tests.analyst_seed import seed


def downgrade(db_url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(db_url, foreign_keys=False)
    with engine.begin() as conn:
        cfg = alembic_config(db_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    engine.dispose()


TERMS = [
    "人才",
    "会议",
    "招商引资",
    "区",
    "GDP增长",
    "gdp",
    "100%",
    "a_b",
    "召开安全生产会议",
    "无",
]


def like_scan(db_url: str, term: str) -> set[int]:
    """The reference: every article whose title or body contains ``term`` (case-insensitive)."""
    engine = make_engine(db_url)
    pattern = "%" + term.replace("%", "\\%").replace("_", "\\_") + "%"
    with engine.connect() as conn:
        ids = conn.scalars(
            select(Article.id).where(
                or_(
                    func.lower(Article.title).like(func.lower(pattern), escape="\\"),
                    func.lower(Article.body_text).like(func.lower(pattern), escape="\\"),
                )
            )
        ).all()
    engine.dispose()
    return set(ids)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


def test_search_equals_like_scan(seeded: str) -> None:
    engine = make_engine(seeded)
    with engine.connect() as conn:
        for term in TERMS:
            expected = like_scan(seeded, term)
            got = {h.id for h in search(conn, term, limit=10_000)}
            assert got == expected, term
            assert expected or term == "a_b" or term == "无", f"test data lacks {term}"
    engine.dispose()


def test_short_terms_are_really_found(seeded: str) -> None:
    engine = make_engine(seeded)
    with engine.connect() as conn:
        titles = {h.title for h in search(conn, "会议", limit=10_000)}
        assert "会议" in titles  # a title that is exactly the 2-character term
        bodies = {h.id for h in search(conn, "人才", limit=10_000)}
        assert len(bodies) > 10
        assert len(search(conn, "区", limit=10_000)) == len(like_scan(seeded, "区"))
    engine.dispose()


def test_multi_term_query_is_an_and(seeded: str) -> None:
    engine = make_engine(seeded)
    with engine.connect() as conn:
        got = {h.id for h in search(conn, "会议 人才", limit=10_000)}
    engine.dispose()
    assert got == like_scan(seeded, "会议") & like_scan(seeded, "人才")
    assert got


def test_filters_and_ranking(seeded: str) -> None:
    engine = make_engine(seeded)
    since = datetime(2024, 6, 1, tzinfo=UTC)
    with engine.connect() as conn:
        hits = search(conn, "会议", site="haidian", since=since, limit=5)
        everything = search(conn, "会议", limit=10_000)
    engine.dispose()
    assert 0 < len(hits) <= 5
    assert all(h.site == "haidian" and h.published_at is not None for h in hits)
    assert all(h.published_at and h.published_at >= since for h in hits)
    scores = [h.score for h in everything]
    assert scores == sorted(scores, reverse=True)
    assert "会议" in everything[0].title


def test_hostile_query_is_only_data(seeded: str) -> None:
    engine = make_engine(seeded)
    before = inspect(engine).get_table_names()
    with engine.connect() as conn:
        for q in ["x'); DROP TABLE articles; --", '" OR 1=1 --', "NEAR(a b)", "*", "title:会议"]:
            hits = search(conn, q, limit=100)
            assert {h.id for h in hits} == set.intersection(
                *(like_scan(seeded, t) for t in split_terms(q))
            )
        count = conn.scalar(select(func.count()).select_from(Article))
    assert inspect(engine).get_table_names() == before
    assert count == 63
    engine.dispose()


def test_snippet_highlights_every_term() -> None:
    text = "今年以来，全区人才引进工作取得新进展，人才总量持续增长。"
    s = snippet(text, ["人才"], width=40)
    assert s.count("【人才】") == 2
    assert snippet("GDP grew", ["gdp"]) == "【GDP】 grew"
    assert snippet("没有", ["人才"]) == ""


def test_search_command_formats(seeded: str) -> None:
    runner = CliRunner()
    res = runner.invoke(search_command, ["招商引资", "--db", seeded, "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.output.splitlines()]
    assert {d["id"] for d in lines} <= like_scan(seeded, "招商引资")
    assert lines and all("【招商引资】" in d["snippet"] or "招商引资" in d["title"] for d in lines)
    res = runner.invoke(search_command, ["人才", "--db", seeded, "--limit", "3"])
    assert res.exit_code == 0 and "人才" in res.output
    res = runner.invoke(search_command, ["人才", "--db", seeded, "--since", "2024-13-01"])
    assert res.exit_code == 2 and "2024-13-01" in res.output


def test_index_follows_updates_and_deletes(seeded: str) -> None:
    engine = make_engine(seeded)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        first = session.scalars(select(Article).order_by(Article.id).limit(1)).one()
        first.body_text = "新增内容：数字经济产业园开园。"
        first.title = "园区"
        victim = session.scalars(
            select(Article).where(Article.title.contains("招商引资")).limit(1)
        ).one()
        victim_id, first_id = victim.id, first.id
        session.delete(victim)
    with engine.connect() as conn:
        for term in ["数字经济", "园区", "经济", "招商引资", "会议"]:
            assert {h.id for h in search(conn, term, limit=10_000)} == like_scan(seeded, term)
        assert first_id in {h.id for h in search(conn, "园区", limit=10)}
        assert victim_id not in {h.id for h in search(conn, "招商引资", limit=10_000)}
        if conn.dialect.name == "sqlite":  # the FTS index agrees with its content
            conn.exec_driver_sql("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    engine.dispose()


def test_migration_0002_round_trip_and_check(seeded: str) -> None:
    downgrade(seeded, "0001")
    engine = make_engine(seeded)
    views = set(inspect(engine).get_view_names())
    engine.dispose()
    assert not views & {"v_articles_latest", "v_view_deltas_daily", "v_articles_per_site_month"}
    upgrade(seeded)
    check(seeded)  # alembic check: no diff between models and the migrated schema
    engine = make_engine(seeded)
    with engine.connect() as conn:  # the rebuilt index serves existing rows
        assert {h.id for h in search(conn, "会议", limit=10_000)} == like_scan(seeded, "会议")
    engine.dispose()
