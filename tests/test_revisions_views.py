"""What analysts see of edits and removals: ``govnews export --revisions`` (CSV, JSON Lines,
Parquet; SQLite and PostgreSQL), ``removed_at`` in an article export, and the web view's canned
query "changed or removed this month" run on a real SQLite file as Datasette runs it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from crawler.commands.export import export as export_command
from crawler.items import CHINA_TIME, RejectItem
from crawler.web.metadata import CHANGED_SQL, datasette_metadata
from tests.storage_helpers import article, open_run

NOW = datetime.now(UTC)
LAST_MONTH = NOW - timedelta(days=40)


def _edited_and_removed(db_url: str, edited_at: datetime = NOW) -> None:
    """Articles 1-3; 1 edited (seen at ``edited_at``), 2 gone, 3 unchanged."""
    first = open_run(db_url)
    first.feed([article(n, fetched_at=edited_at - timedelta(days=1)) for n in (1, 2, 3)])
    first.close()
    second = open_run(db_url)
    second.feed(
        [
            article(1, body_text="3月1日，高新区召开工作会议（更正）。", fetched_at=edited_at),
            RejectItem(article(2).url, "teststadt", "gone_page", "该信息已删除"),
            article(3, fetched_at=edited_at),
        ]
    )
    second.close()


def _export(db_url: str, *args: str) -> bytes:
    res = CliRunner().invoke(export_command, ["--db", db_url, "--quiet", *args])
    assert res.exit_code == 0, res.output
    return res.stdout_bytes


def test_export_revisions_in_every_format(db_url: str, tmp_path: Path) -> None:
    _edited_and_removed(db_url)
    (row,) = [
        json.loads(line)
        for line in _export(db_url, "--revisions", "--format", "jsonl").splitlines()
    ]
    assert row["url"] == article(1).url and row["site"] == "teststadt"
    assert row["changed"] == "body_text"
    assert row["body_text"] == article(1).body_text
    assert abs(datetime.fromisoformat(row["seen_at"]) - NOW) < timedelta(seconds=1)
    text = _export(db_url, "--revisions", "--format", "csv").decode("utf-8-sig")
    (cells,) = list(csv.DictReader(io.StringIO(text)))
    assert cells["body_text"] == article(1).body_text and cells["changed"] == "body_text"
    import pyarrow.parquet as pq

    out = tmp_path / "r.parquet"
    _export(db_url, "--revisions", "--format", "parquet", "-o", str(out))
    table = pq.read_table(out).to_pylist()
    assert [(r["article_id"], r["changed"]) for r in table] == [(row["article_id"], "body_text")]
    assert table[0]["seen_at"] == datetime.fromisoformat(row["seen_at"])
    # --since selects by when the edit was seen
    tomorrow = (NOW + timedelta(days=1)).astimezone(CHINA_TIME).date().isoformat()
    assert _export(db_url, "--revisions", "--format", "jsonl", "--since", tomorrow) == b""
    # the articles themselves are all still there, the gone one with its removed_at
    lines = _export(db_url, "--format", "jsonl", "--columns", "url,removed_at")
    removed = {r["url"]: r["removed_at"] for r in map(json.loads, lines.splitlines())}
    assert len(removed) == 3 and [u for u, at in removed.items() if at] == [article(2).url]


def test_export_revisions_refuses_article_columns(sqlite_url: str) -> None:
    _edited_and_removed(sqlite_url)
    res = CliRunner().invoke(export_command, ["--db", sqlite_url, "--revisions", "--with-history"])
    assert res.exit_code == 2 and "a revision export has its own columns" in res.output


def _changed_or_removed(db: str, month: str = "") -> list[tuple[str, int, str | None]]:
    with sqlite3.connect(db) as conn:
        return [
            (what, article_id, changed)
            for what, _at, _site, article_id, _t, changed, *_ in conn.execute(
                CHANGED_SQL, {"month": month}
            )
        ]


def test_canned_query_lists_this_months_changes_and_removals(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    _edited_and_removed(f"sqlite:///{db}")
    assert _changed_or_removed(str(db)) == [("removed", 2, None), ("changed", 1, "body_text")]
    assert _changed_or_removed(str(db), "2001-01") == []
    queries = datasette_metadata("news")["databases"]["news"]["queries"]
    assert queries["changed_or_removed"]["sql"] == CHANGED_SQL


def test_canned_query_leaves_out_last_months_edits(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    _edited_and_removed(f"sqlite:///{db}", edited_at=LAST_MONTH)
    # the removal is this month's (seen now); the edit was seen 40 days ago
    assert _changed_or_removed(str(db)) == [("removed", 2, None)]
    month = LAST_MONTH.astimezone(CHINA_TIME).strftime("%Y-%m")
    assert ("changed", 1, "body_text") in _changed_or_removed(str(db), month)
