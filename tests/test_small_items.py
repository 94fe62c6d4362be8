"""Smaller promises of issue 26: ``scripts/check`` leaves no temporary folder behind, progress
lines give a total and an ETA where columns declare their size, ``python -m demoportal``
listens where ``govnews demo`` does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crawler.commands.demo import demo
from crawler.extensions.core import declared_size
from demoportal.__main__ import main as demo_main
from demoportal.server import DEFAULT_PORT

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("columns", "elapsed", "expected"),
    [
        ({}, 10, ""),
        ({"c": {"declared_pages": None, "reached_pages": 3}}, 10, ""),
        (
            {"c": {"declared_items": 350, "reached_items": 70, "declared_pages": 18}},
            20,
            " of 350 declared (20%, ETA 1m20s)",
        ),
        (
            {"c": {"declared_pages": 12, "reached_pages": 3, "pager": "trs"}},
            30,
            " (list pages 3/12 declared, 25%, ETA 1m30s)",
        ),
        (  # a column stopped on purpose (incremental) is not this crawl's size
            {
                "a": {"declared_items": 100, "reached_items": 50},
                "b": {"declared_items": 900, "reached_items": 5, "stopped": "incremental"},
            },
            3600,
            " of 100 declared (50%, ETA 1h00m)",
        ),
        ({"c": {"declared_pages": 40, "reached_pages": 1, "pager": "jpage"}}, 5, ""),
        ({"c": {"declared_items": 10, "reached_items": 12}}, 5, " of 10 declared"),
    ],
)
def test_progress_total_and_eta(columns: dict[str, object], elapsed: float, expected: str) -> None:
    assert declared_size(columns, elapsed) == expected


def test_demo_module_defaults_to_the_demo_port(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    class Site:
        def __init__(self, host: str, port: int) -> None:
            seen.append(port)

        def start(self) -> None:
            raise SystemExit(0)

    monkeypatch.setattr("demoportal.__main__.DemoSite", Site)
    with pytest.raises(SystemExit):
        demo_main([])
    port_option = next(p for p in demo.params if p.name == "port")
    assert seen == [DEFAULT_PORT] == [port_option.default] == [8760]


@pytest.mark.slow
def test_scripts_check_leaves_no_temporary_folder(tmp_path: Path) -> None:
    stub = tmp_path / "python"
    log = tmp_path / "dirs.txt"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        'echo "$GOVNEWS_SERVICES_DIR" >> "$STUB_LOG"\n'
        'for a in "$@"; do case $a in --basetemp=*) d=${a#--basetemp=}; '
        'mkdir -p "$d" && head -c 4096 /dev/zero > "$d/file";; esac; done\n'
    )
    stub.chmod(0o755)
    env = {**os.environ, "SKIP_INSTALL": "1", "PYTHON": str(stub), "STUB_LOG": str(log)}
    env.pop("GOVNEWS_SERVICES_DIR", None)
    res = subprocess.run(
        ["bash", str(REPO / "scripts" / "check")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    dirs = set(log.read_text().split())
    assert len(dirs) == 1 and dirs.pop().startswith("/tmp/govnews-services.")
    assert not any(Path(d).exists() for d in log.read_text().split())
