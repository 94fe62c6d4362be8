"""CSV formula injection (issue 23 item 5): titles a spreadsheet would run as formulas are written
with a leading ``'`` by ``govnews export --format csv`` and ``govnews search --format csv``, on
real SQLite and PostgreSQL; ``search --format csv`` carries export's UTF-8 BOM.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from crawler.commands.export import export as export_command
from crawler.commands.search import search as search_command
from pipelines.db.export import spreadsheet_safe
from pipelines.db.session import make_engine
from tests.analyst_seed import seed

HOSTILE = {
    '=HYPERLINK("http://evil.example/","公式注入点击")': '\'=HYPERLINK("http://evil.example/","公式注入点击")',
    "+1+cmd|' /C calc'!A0 公式注入": "'+1+cmd|' /C calc'!A0 公式注入",
    "-2+3 公式注入": "'-2+3 公式注入",
    "@SUM(1+1) 公式注入": "'@SUM(1+1) 公式注入",
    "\t=1+1 公式注入": "'\t=1+1 公式注入",
    "\r=1+1 公式注入": "'\r=1+1 公式注入",
    "公式注入的普通标题 = 无害": "公式注入的普通标题 = 无害",
}


@pytest.mark.parametrize(("raw", "safe"), [*HOSTILE.items(), (-5, -5), (None, None)])
def test_spreadsheet_safe(raw: object, safe: object) -> None:
    assert spreadsheet_safe(raw) == safe


@pytest.fixture
def hostile_db(db_url: str) -> str:
    rows = seed(db_url, n=6)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for row, title in zip(rows, HOSTILE, strict=False):
            conn.execute(
                text("UPDATE articles SET title = :t, body_text = :b WHERE id = :i"),
                {"t": title, "b": "-1 正文以减号开头 公式注入", "i": row["id"]},
            )
    engine.dispose()
    return db_url


def _titles(raw: bytes) -> dict[str, dict[str, str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    records = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    return {r["title"]: r for r in records}


def test_export_csv_neutralises_formulas(hostile_db: str, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    res = CliRunner().invoke(
        export_command, ["--db", hostile_db, "--format", "csv", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    titles = _titles(out.read_bytes())
    for safe in HOSTILE.values():
        assert safe in titles
        assert titles[safe]["body_text"] == "'-1 正文以减号开头 公式注入"
    assert titles["'-2+3 公式注入"]["views"].lstrip("-").isdigit()  # numbers stay numbers


def test_search_csv_neutralises_formulas_and_has_a_bom(hostile_db: str) -> None:
    res = CliRunner().invoke(
        search_command, ["公式注入", "--db", hostile_db, "--format", "csv", "--limit", "50"]
    )
    assert res.exit_code == 0, res.output
    titles = _titles(res.stdout_bytes)
    assert set(titles) == set(HOSTILE.values())
