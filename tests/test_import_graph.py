"""Data flows one way: spider -> extract -> item -> pipelines -> db -> export/query.

``pipelines`` imports nothing from ``crawler`` but ``crawler.items`` (the contract between the
two sides); what both need lives in ``textkit``, which imports neither; ``crawler`` imports
``pipelines`` only in ``crawler/cli.py``, ``crawler/commands/`` (the wiring) and
``crawler/web/`` (the query side ``govnews serve`` runs in Datasette), and names the store's
functions in its settings (strings, not imports). Read from the source with ``ast``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def imports(package: str) -> list[tuple[str, str]]:
    """(file, imported module) of every import in ``package``, including function-level ones."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append((str(path.relative_to(REPO)), node.module))
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(REPO)), alias.name) for alias in node.names]
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def test_pipelines_import_only_the_items_from_the_crawler() -> None:
    bad = [(f, m) for f, m in imports("pipelines") if _top(m) == "crawler" and m != "crawler.items"]
    assert bad == []


@pytest.mark.parametrize("package", ["textkit"])
def test_the_neutral_package_imports_neither_side(package: str) -> None:
    assert [(f, m) for f, m in imports(package) if _top(m) in ("crawler", "pipelines")] == []


def test_only_the_cli_wires_the_crawler_to_the_pipelines() -> None:
    wiring = ("crawler/cli.py", "crawler/commands/", "crawler/web/")
    bad = [
        (f, m) for f, m in imports("crawler") if _top(m) == "pipelines" and not f.startswith(wiring)
    ]
    assert bad == []


def test_extraction_is_pure() -> None:
    """crawler.extract imports no crawl machinery, no database and no network client."""
    forbidden = ("scrapy", "sqlalchemy", "pipelines", "requests", "aiohttp", "twisted")
    extract = [(f, m) for f, m in imports("crawler/extract") if _top(m) in forbidden]
    assert extract == []
