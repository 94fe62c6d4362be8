"""The spine's "Done when" for the seed article, through the `govnews extract` command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler.commands.extract import extract


def test_seed_article_contract(seed_article: Path) -> None:
    result = CliRunner().invoke(extract, [str(seed_article)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["file"] == str(seed_article)
    assert rec["title"] == "启新程!再出发! 高新区召开2021年工作会议"
    assert rec["published"].startswith("2021-03-01")
    assert rec["views"] == 16701
    assert rec["column"] == "区内动态"
    body = rec["body"]
    assert body.startswith("3月1日,高新区召开2021年工作会议")
    assert body.endswith("逐梦启新程,扬帆再出发!")
    assert "“十三五”" in body
    assert "““" not in body and "””" not in body
    for word in ("国务院", "客户端", "打印本页", "关闭窗口", "放大", "分享到"):
        assert word not in body, word
    assert set(rec) >= {
        "file",
        "url",
        "title",
        "published",
        "views",
        "body",
        "source",
        "author",
        "column",
        "attachments",
        "body_kind",
        "methods",
        "quality",
    }
    assert rec["methods"]["views"] == "label"
    assert rec["body_kind"] == "text" and rec["quality"] == []  # the spec page: every field sure


def test_extract_keeps_input_order_and_reports_missing_file(
    seed_article: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.html"
    result = CliRunner().invoke(extract, [str(missing), str(seed_article), str(seed_article)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["file"] for r in out] == [str(seed_article), str(seed_article)]
    assert "Error: cannot read" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_extract_url_option_resolves_links(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_bytes(
        "<html><head><title>区里召开会议_某区政府</title></head><body>"
        "<h1>区里召开会议</h1><div>发布日期：2024-05-06</div><div id='zoom'>"
        "<p>5月6日，区里召开会议，研究部署近期重点工作，要求各部门抓好落实。</p>"
        "<p>附件：<a href='files/plan.docx'>工作方案</a></p></div></body></html>".encode()
    )
    url = "http://www.example.gov.cn/qndt/202405/t20240506_1.html"
    result = CliRunner().invoke(extract, [str(page), "--url", url])
    rec = json.loads(result.stdout)
    assert rec["url"] == url
    assert rec["attachments"] == [
        {"url": "http://www.example.gov.cn/qndt/202405/files/plan.docx", "name": "工作方案"}
    ]
    assert rec["published"] == "2024-05-06T00:00:00+08:00"
