"""Exports hold every article, on real SQLite and PostgreSQL: CSV (BOM, Chinese intact),
JSON Lines, Parquet read back with pyarrow; filters, columns and view-count history."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from crawler.commands.export import export as export_command
from tests.analyst_seed import seed

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def seeded(db_url: str) -> tuple[str, list[dict[str, object]]]:
    return db_url, seed(db_url)


def run(args: list[str]) -> bytes:
    res = CliRunner().invoke(export_command, args)
    assert res.exit_code == 0, res.output
    return res.stdout_bytes


def test_csv_has_bom_and_every_article(
    seeded: tuple[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    url, rows = seeded
    out = tmp_path / "a.csv"
    run(["--db", url, "--format", "csv", "-o", str(out), "--batch-size", "7"])
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in records] == [r["id"] for r in rows]
    assert [r["title"] for r in records] == [r["title"] for r in rows]
    assert [r["body_text"] for r in records] == [r["body_text"] for r in rows]
    first = records[0]
    assert first["published_at"] == "2024-01-15T02:00:00+00:00"
    assert json.loads(first["attachments"])[0]["name"] == "附件"
    assert records[3]["views"] == ""  # None is an empty cell


def test_jsonl_with_history(seeded: tuple[str, list[dict[str, object]]]) -> None:
    url, rows = seeded
    out = run(["--db", url, "--format", "jsonl", "--with-history", "--columns", "id,title,views"])
    records = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert len(records) == len(rows)
    assert set(records[0]) == {"id", "title", "views", "views_observed_at", "view_history"}
    for rec, row in zip(records, rows, strict=True):
        assert rec["title"] == row["title"]
        if row["views"] is None:
            assert rec["view_history"] == [] and rec["views_observed_at"] is None
        else:
            assert [h["views"] for h in rec["view_history"]] == [
                row["views"] + 5 * d
                for d in range(3)  # type: ignore[operator]
            ]
            assert rec["views_observed_at"] == "2024-01-17T02:00:00+00:00"


def test_parquet_round_trip(seeded: tuple[str, list[dict[str, object]]], tmp_path: Path) -> None:
    url, rows = seeded
    out = tmp_path / "a.parquet"
    run(
        ["--db", url, "--format", "parquet", "-o", str(out), "--batch-size", "10", "--with-history"]
    )
    table = pq.read_table(out)
    assert table.num_rows == len(rows)
    assert pq.ParquetFile(out).num_row_groups == 7  # 63 rows in groups of 10
    data = table.to_pylist()
    assert [d["title"] for d in data] == [r["title"] for r in rows]
    assert data[0]["published_at"] == rows[0]["published_at"]
    assert len(data[0]["view_history"]) == 3
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"


def test_filters(seeded: tuple[str, list[dict[str, object]]]) -> None:
    url, rows = seeded
    out = run(
        [
            "--db",
            url,
            "--format",
            "jsonl",
            "--site",
            "haidian",
            "--since",
            "2024-03-01",
            "--until",
            "2024-09-01",
            "--columns",
            "id,site,published_at",
        ]
    )
    records = [json.loads(line) for line in out.decode().splitlines()]
    lo, hi = datetime(2024, 3, 1, tzinfo=SHANGHAI), datetime(2024, 9, 1, tzinfo=SHANGHAI)
    expected = [
        r["id"]
        for r in rows
        if r["site"] == "haidian" and lo <= r["published_at"] < hi  # type: ignore[operator]
    ]
    assert [r["id"] for r in records] == expected and expected


def test_bad_arguments_are_one_line(seeded: tuple[str, list[dict[str, object]]]) -> None:
    url, _ = seeded
    for args, needle in [
        (["--since", "yesterday"], "yesterday"),
        (["--columns", "id,nope"], "nope"),
        (["--format", "xml"], "xml"),
    ]:
        res = CliRunner().invoke(export_command, ["--db", url, *args])
        assert res.exit_code == 2 and needle in res.output


def test_every_json_column_is_written_as_json(db_url: str, tmp_path: Path) -> None:
    """``quality`` (the low-confidence flags) is a JSON list like ``attachments``: CSV and JSON
    Lines write it as JSON, Parquet as a JSON string (it was a Python repr in CSV, and Parquet
    failed on it)."""
    from pipelines.db.migrate import upgrade
    from pipelines.db.models import Article
    from pipelines.db.session import make_engine, make_session_factory

    upgrade(db_url)
    engine = make_engine(db_url)
    seen = datetime(2024, 1, 15, 2, 0, tzinfo=SHANGHAI)
    with make_session_factory(engine).begin() as session:
        for i, quality in enumerate([["body_short", "日期存疑"], None]):
            session.add(
                Article(
                    site="s", url=f"http://x.test/{i}", title="t", body_text="b",
                    quality=quality, content_hash=str(i), first_seen_at=seen, last_seen_at=seen,
                )
            )  # fmt: skip
    engine.dispose()
    args = ["--db", db_url, "--columns", "id,quality"]
    records = list(csv.DictReader(io.StringIO(run(args).decode("utf-8-sig"))))
    assert [r["quality"] for r in records] == ['["body_short", "日期存疑"]', ""]
    lines = run([*args, "--format", "jsonl"]).decode("utf-8").splitlines()
    assert [json.loads(line)["quality"] for line in lines] == [["body_short", "日期存疑"], None]
    out = tmp_path / "q.parquet"
    run([*args, "--format", "parquet", "-o", str(out)])
    assert pq.read_table(out).column("quality").to_pylist() == ['["body_short", "日期存疑"]', None]
