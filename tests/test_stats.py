"""``govnews stats`` figures on real SQLite and PostgreSQL, checked against the seeded rows,
and the analyst SQL views of migration 0002 (same answers on both dialects)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from click.testing import CliRunner
from sqlalchemy import text

from crawler.commands.stats import stats as stats_command
from pipelines.db.session import make_engine
from tests.analyst_seed import seed


def test_stats_json(db_url: str) -> None:
    rows = seed(db_url)
    res = CliRunner().invoke(stats_command, ["--db", db_url, "--format", "json"])
    assert res.exit_code == 0, res.output
    data = {d["site"]: d for d in json.loads(res.stdout)}
    per_site = Counter(str(r["site"]) for r in rows)
    assert {s: d["articles"] for s, d in data.items() if s != "*"} == dict(per_site)
    assert data["*"]["articles"] == len(rows) == 63
    with_views = sum(1 for r in rows if r["views"] is not None)
    assert data["*"]["with_views"] == with_views
    assert data["*"]["view_readings"] == 3 * with_views
    assert data["*"]["views_coverage"] == round(100 * with_views / len(rows), 1)
    assert data["*"]["first_published_at"] == "2024-01-15T02:00:00+00:00"
    table = CliRunner().invoke(stats_command, ["--db", db_url])
    assert table.exit_code == 0 and "haidian" in table.stdout and "%" in table.stdout


def test_stats_on_missing_database_is_one_line(tmp_path: object) -> None:
    res = CliRunner().invoke(stats_command, ["--db", f"sqlite:///{tmp_path}/none.db"])
    assert res.exit_code == 1 and "no database" in res.output


def test_analyst_views(db_url: str) -> None:
    rows = seed(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        latest = conn.execute(
            text("SELECT id, views, latest_views, month FROM v_articles_latest ORDER BY id")
        ).all()
        deltas = conn.execute(
            text(
                "SELECT article_id, day, views, delta_views FROM v_view_deltas_daily"
                " WHERE article_id = :id ORDER BY day"
            ),
            {"id": rows[0]["id"]},
        ).all()
        months = conn.execute(
            text("SELECT site, month, articles, with_views FROM v_articles_per_site_month")
        ).all()
    engine.dispose()
    assert len(latest) == len(rows)
    assert latest[0].latest_views == latest[0].views + 10  # third reading: +5 per day
    assert latest[3].latest_views is None and latest[3].views is None
    assert latest[0].month == "2024-01"
    assert [(str(d.day), d.views, d.delta_views) for d in deltas] == [
        ("2024-01-15", 100, None),
        ("2024-01-16", 105, 5),
        ("2024-01-17", 110, 5),
    ]
    assert sum(m.articles for m in months) == len(rows)
    first = rows[0]["published_at"]
    assert isinstance(first, date)
    assert any(m.site == rows[0]["site"] and m.month == "2024-01" for m in months)
