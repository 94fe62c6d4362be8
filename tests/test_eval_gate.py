"""Evaluation gate: extraction quality on the labelled dev corpus must not drop below the pinned
floors in tests/eval_baseline.json (in the spirit of trafilatura's eval gate).

The corpus lies beside the checkout (../shared/corpus/dev) and is never copied into the repo; the
test skips with the reason when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.eval import eval_, evaluate

BASELINE = Path(__file__).parent / "eval_baseline.json"

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def scores(corpus_dev: Path) -> dict[str, float]:
    return evaluate(corpus_dev).scores()


def _baseline() -> dict[str, dict[str, float]]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("metric", sorted(_baseline()["floors"]))
def test_score_not_below_floor(scores: dict[str, float], metric: str) -> None:
    floor = _baseline()["floors"][metric]
    assert scores[metric] is not None
    assert scores[metric] >= floor, f"{metric} dropped to {scores[metric]} (floor {floor})"


def test_no_false_view_counts(scores: dict[str, float]) -> None:
    assert scores["false_views"] <= _baseline()["ceilings"]["false_views"]


def test_all_labelled_pages_scored(scores: dict[str, float]) -> None:
    assert scores["pages"] == _baseline()["pages"]


def test_eval_command_prints_scores(corpus_dev: Path) -> None:
    result = CliRunner().invoke(eval_, [str(corpus_dev), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pages"] == _baseline()["pages"]
    text = CliRunner().invoke(eval_, [str(corpus_dev), "--worst", "3"])
    assert "title" in text.output and "worst body F1" in text.output


def test_eval_command_rejects_folder_without_labels(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_, [str(tmp_path)])
    assert result.exit_code != 0
    assert "labels.jsonl" in result.output


def test_same_metric_as_reference_scorer(
    corpus_dev: Path, scores: dict[str, float], tmp_path: Path
) -> None:
    import subprocess
    import sys

    from crawler.commands.extract import article_record
    from crawler.extract.article import extract_article
    from crawler.extract.scoring import load_labels

    reference = corpus_dev.parent / "score.py"
    if not reference.is_file():
        pytest.skip(f"{reference} is absent")
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for pid in load_labels(corpus_dev):
            raw = (corpus_dev / f"{pid}.html").read_bytes()
            record = article_record(extract_article(raw), None, None)
            out.write(json.dumps({"id": pid, **record}, ensure_ascii=False) + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(reference),
            str(corpus_dev / "labels.jsonl"),
            str(corpus_dev),
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
