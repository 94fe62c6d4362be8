"""Evaluation gate: extraction quality on both labelled development sets (../shared/corpus/dev,
hand labels of government pages; ../shared/corpus/extra, third-party whole-text labels) must not
drop below the floors pinned in tests/eval_baseline.json (in the spirit of trafilatura's eval
gate), and no page may come back with an empty body.

The corpora lie beside the checkout and are never copied into the repo; the tests skip with the
reason when they are absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.commands.eval import eval_, evaluate

BASELINE = Path(__file__).parent / "eval_baseline.json"
SETS = ("dev", "extra")

pytestmark = pytest.mark.corpus


def _baseline(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8"))["sets"][name]
    return data


@pytest.fixture(scope="module", params=SETS)
def corpus(request: pytest.FixtureRequest, shared_dir: Path) -> tuple[str, Path]:
    path = shared_dir / "corpus" / request.param
    if not (path / "labels.jsonl").is_file():
        pytest.skip(f"{path} has no labels.jsonl")
    return request.param, path


@pytest.fixture(scope="module")
def scored(corpus: tuple[str, Path]) -> tuple[str, dict[str, Any]]:
    name, path = corpus
    return name, evaluate(path).scores()


def test_scores_not_below_floors(scored: tuple[str, dict[str, Any]]) -> None:
    name, scores = scored
    for metric, floor in _baseline(name)["floors"].items():
        assert scores[metric] is not None, f"{name}: {metric} not scored"
        assert scores[metric] >= floor, f"{name}: {metric} dropped to {scores[metric]} ({floor})"


def test_no_false_view_counts_and_no_empty_bodies(scored: tuple[str, dict[str, Any]]) -> None:
    name, scores = scored
    for metric, ceiling in _baseline(name)["ceilings"].items():
        assert scores[metric] <= ceiling, f"{name}: {metric} {scores[metric]} > {ceiling}"


def test_all_labelled_pages_scored(scored: tuple[str, dict[str, Any]]) -> None:
    name, scores = scored
    assert scores["pages"] == _baseline(name)["pages"]


def test_eval_command_prints_scores(corpus_dev: Path) -> None:
    result = CliRunner().invoke(eval_, [str(corpus_dev), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pages"] == _baseline("dev")["pages"]
    text = CliRunner().invoke(eval_, [str(corpus_dev), "--worst", "3"])
    assert "title" in text.output and "worst body F1" in text.output


def test_eval_command_rejects_folder_without_labels(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_, [str(tmp_path)])
    assert result.exit_code != 0
    assert "labels.jsonl" in result.output


def test_same_metric_as_reference_scorer(
    corpus: tuple[str, Path], scored: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    import subprocess
    import sys

    from crawler.commands.extract import article_record
    from crawler.commands.scoring import load_labels
    from crawler.extract.article import extract_article

    _, path = corpus
    _, scores = scored
    reference = path.parent / "score.py"
    if not reference.is_file():
        pytest.skip(f"{reference} is absent")
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for pid in load_labels(path):
            raw = (path / f"{pid}.html").read_bytes()
            record = article_record(extract_article(raw), None, None)
            out.write(json.dumps({"id": pid, **record}, ensure_ascii=False) + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(reference),
            str(path / "labels.jsonl"),
            str(path),
            str(pred),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    ref = json.loads(proc.stdout)
    for key in ("title_acc", "date_acc", "views_acc", "body_f1_mean", "body_f1_ge_0.9"):
        assert ref[key] == scores[key], key
