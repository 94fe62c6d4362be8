"""``govnews eval CORPUS_DIR``: extraction quality on a labelled corpus (``labels.jsonl``).

Same metric as the reference scorer (:mod:`crawler.commands.scoring`); prints per-field scores,
then the worst pages per field. ``--json`` prints only the scores as one JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.commands.extract import article_record
from crawler.commands.scoring import Report, load_labels, score_page
from crawler.extract.article import extract_article


def evaluate(corpus: Path) -> Report:
    """Extract every labelled article page of ``corpus`` and score it."""
    report = Report()
    for pid, lab in load_labels(corpus).items():
        raw = (corpus / f"{pid}.html").read_bytes()
        record = article_record(extract_article(raw, lab.get("url")), None, None)
        score_page(report, pid, lab, record, raw)
    return report


@click.command("eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--worst", default=5, show_default=True, help="Worst pages listed per field.")
def eval_(corpus: Path, as_json: bool, worst: int) -> None:
    """Score extraction on a labelled corpus (a folder with NNN.html and labels.jsonl).

    \b
    Example:
        govnews eval ../shared/corpus/dev
        govnews eval ../shared/corpus/dev --json
    """
    if not (corpus / "labels.jsonl").is_file():
        raise click.ClickException(f"{corpus} has no labels.jsonl")
    report = evaluate(corpus)
    scores = report.scores()
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False))
        return
    click.echo(f"pages            {scores['pages']}")
    click.echo(f"title            {_figure(scores['title_acc'])} on {scores['title_pages']} pages")
    click.echo(f"date             {_figure(scores['date_acc'])} on {scores['date_pages']} pages")
    views = scores["views_acc"]
    click.echo(
        f"views (static)   {_figure(views)} "
        f"on {scores['views_pages']} pages, {scores['false_views']} false counts"
    )
    click.echo(f"body F1 mean     {_figure(scores['body_f1_mean'])}")
    share = _figure(scores["body_f1_ge_0.9"])
    click.echo(f"body F1 >= 0.9   {share} of {scores['body_pages']} pages")
    click.echo(f"empty bodies     {scores['empty_bodies']}")
    ranked = sorted(report.body_f1.items(), key=lambda kv: kv[1])[:worst]
    click.echo("\nworst body F1: " + ", ".join(f"{pid} {s:.3f}" for pid, s in ranked))
    for name in ("title", "date", "views"):
        for pid, gold, got in report.misses.get(name, [])[:worst]:
            click.echo(f"miss {name:5} {pid}: expected {gold[:50]!r} got {got[:50]!r}")


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


eval_.name = "eval"
