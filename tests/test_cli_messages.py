"""What an operator reads: one line per error naming the bad value, the ``pip install`` line of
a missing extra, the traceback only with GOVNEWS_DEBUG=1, non-HTML refused by ``extract``,
revisit runs not flagged by ``health``, and one time rule (Asia/Shanghai labelled in tables,
UTC in machine formats, stated in ``--help``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from crawler.cli import cli
from pipelines.db.models import CrawlRun
from pipelines.db.session import make_engine
from tests.analyst_seed import seed


def govnews(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point (main() turns exceptions into lines and exit codes)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


def test_db_nonsense_echoes_the_value() -> None:
    res = govnews("stats", "--db", "nonsense")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "Error: --db 'nonsense' is not a database URL; e.g. sqlite:///govnews.db or "
        "postgresql://user@host/dbname"
    ]
    res = govnews("search", "会议", env={"GOVNEWS_DB": "nonsense"})
    assert res.returncode == 2 and "GOVNEWS_DB 'nonsense'" in res.stderr


def test_postgres_connection_refused_is_one_line() -> None:
    url = f"postgresql://u@127.0.0.1:{refused_port()}/x"
    res = govnews("stats", "--db", url)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Connection refused" in lines[0] and "127.0.0.1" in lines[0]
    assert "sqlalche.me" not in res.stderr


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("hello", "utf-8")
    res = govnews("stats", "--db", f"sqlite:///{notes}")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        f"Error: cannot open sqlite:///{notes}: file is not a database"
    ]


def test_traceback_only_with_govnews_debug(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from crawler.cli import main; sys.argv = ['govnews', *sys.argv[1:]]; main()"
    )
    db = tmp_path / "news.db"
    seed(f"sqlite:///{db}", n=2)
    args = [sys.executable, "-c", code, "export", "--format", "parquet", "--db", f"sqlite:///{db}"]
    out = tmp_path / "out.parquet"
    res = subprocess.run([*args, "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and not out.exists()
    assert res.stderr.strip().splitlines() == [
        "Error: Parquet export (pyarrow) needs the 'export' extra (pyarrow is not installed): "
        "pip install 'govnews[export]'"
    ]
    # an unexpected error: one line, and the traceback behind GOVNEWS_DEBUG=1
    boom = (
        "import sys, crawler.commands.stats as s\n"
        "def fail(*a, **k): raise RuntimeError('disk on fire\\nsecond line')\n"
        "s.open_database = fail\n"
        "from crawler.cli import main; sys.argv = ['govnews', 'stats']; main()"
    )
    res = subprocess.run([sys.executable, "-c", boom], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == ["Error: RuntimeError: disk on fire"]
    env = {**os.environ, "GOVNEWS_DEBUG": "1"}
    res = subprocess.run(
        [sys.executable, "-c", boom], capture_output=True, text=True, timeout=60, env=env
    )
    assert res.returncode == 1 and "Traceback" in res.stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00", "a Parquet file"),
        (b"%PDF-1.7\n", "a PDF file"),
        (b"\x00\x01\x02binary", "binary data"),
        ("纯文本，没有标记".encode(), "no HTML markup"),
    ],
)
def test_extract_refuses_what_is_not_html(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "page.bin"
    bad.write_bytes(content)
    good = tmp_path / "page.html"
    good.write_text("<html><body><h1>标题</h1><p>正文内容。</p></body></html>", "utf-8")
    res = CliRunner().invoke(cli, ["extract", str(bad), str(good)])
    assert res.exit_code == 1
    assert f"Error: {bad} is not an HTML page ({reason}); skipped" in res.stderr
    assert len(res.stdout.strip().splitlines()) == 1  # the good page is still extracted
    assert json.loads(res.stdout)["file"] == str(good)


def test_health_knows_a_revisit_from_a_crawl(sqlite_url: str) -> None:
    seed(sqlite_url, n=2)
    engine = make_engine(sqlite_url)
    start = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(CrawlRun.__table__),
            [
                {
                    "site": "revisit",
                    "start_urls": [],
                    "started_at": start,
                    "finished_at": start + timedelta(minutes=1),
                    "status": "finished",
                    "items": 0,
                    "stats": {"govnews/storage/view_counts": 4},
                }
            ],
        )
    engine.dispose()
    res = CliRunner().invoke(cli, ["health", "--db", sqlite_url, "--site", "revisit"])
    assert res.exit_code == 0, res.output
    assert "no_articles" not in res.output and "revisit run: 4 view-count readings" in res.output


def test_one_time_rule_in_tables_machine_formats_and_help(sqlite_url: str) -> None:
    rows = seed(sqlite_url, n=3)
    first = min(rows, key=lambda r: r["id"])  # published 2024-01-15 02:00 UTC
    assert first["published_at"] == datetime(2024, 1, 15, 2, 0, tzinfo=UTC)
    run = CliRunner().invoke
    table = run(cli, ["search", first["title"].split()[0][:2], "--db", sqlite_url]).output
    assert "2024-01-15 10:00 +08:00" in table
    data = json.loads(
        run(cli, ["search", first["title"][:2], "--db", sqlite_url, "--format", "json"]).output
    )
    assert "2024-01-15T02:00:00+00:00" in {d["published_at"] for d in data}
    for command in ("search", "stats", "health"):
        text = " ".join(run(cli, [command, "--help"]).output.split())
        assert "Asia/Shanghai (2024-05-08 09:30 +08:00)" in text and "UTC" in text, command


@pytest.mark.parametrize("command", [["db", "upgrade"], ["revisit"]])
def test_writing_commands_name_the_database_in_one_line(tmp_path: Path, command: list[str]) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("hello", "utf-8")
    res = govnews(*command, "--db", f"sqlite:///{notes}")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        f"Error: database error on sqlite:///{notes}: file is not a database"
    ]
    url = f"postgresql://u:secret@127.0.0.1:{refused_port()}/x"
    res = govnews(*command, "--db", url)
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1
    assert "Connection refused" in res.stderr and "secret" not in res.stderr
    assert "postgresql://u:***@127.0.0.1" in res.stderr
