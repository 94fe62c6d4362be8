"""``pipelines.db.export.csv_line`` writes what ``csv.writer`` writes in its default dialect,
field for field, on the values an export meets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from pipelines.db.export import csv_line

ROWS: list[list[Any]] = [
    ["id", "site", "url", "title"],
    [1, "gxq", "http://x/1.html", "高新区召开工作会议"],
    [2, None, "", "a, b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\n"],
    [3, 1.5, 0.1 + 0.2, -7, True, False, 10**30, "'=SUM(A1)"],
    ['"', ",", "\n", " lead", "trail ", "\t", '<p class="x">正文，“引号”</p>'],
    [None, None],
    [""],
    [None],
    [datetime(2026, 12, 3, tzinfo=UTC).isoformat(), '{"a": [1, 2]}', "😀 emoji"],
]


@pytest.mark.parametrize("row", ROWS)
def test_csv_line_is_what_the_csv_module_writes(row: list[Any]) -> None:
    expected = io.StringIO(newline="")
    csv.writer(expected).writerow(row)
    assert csv_line(row) == expected.getvalue()


def test_csv_lines_read_back_as_written() -> None:
    text = "".join(csv_line(row) for row in ROWS[:5])
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[2] == ["2", "", "", "a, b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\n"]
    assert back[4][-1] == '<p class="x">正文，“引号”</p>'
