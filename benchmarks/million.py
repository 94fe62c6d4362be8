"""Benchmark govnews at 10k, 100k and 1M articles (issue 24): what grows faster than the data.

Run by hand, not in CI:

    python benchmarks/million.py [--rows 10000,100000,1000000] [--dbs sqlite,postgres]
                                 [--pg URL] [--keep DIR] [--repeat 5]

One database per kind, migrated by ``pipelines.db.migrate.upgrade`` and filled in steps with
generated Chinese articles (``benchmarks/zh_corpus.py``: Zipf-distributed government-news
vocabulary, rare names, log-normal body lengths around 1000 characters, 8 sites × 6 columns,
ten years of dates, 1-5 view readings each, 30 runs per site). At each step it measures, through
the functions the commands call:

- ``search`` (``pipelines.db.search.search``, limit 20, as ``govnews search``): p50/p95 over
  ``--repeat`` runs of a fixed query set of 1-, 2- and 3+-character terms, common and rare;
- ``known``: the incremental crawl's plan for one site (``pipelines.db.known.plan_crawl``, which
  the spider's planner setting names): the known-URL check a crawl does before its first page;
- ``export``: ``pipelines.db.export.export`` to CSV of every article in a fresh process (rows/s,
  and memory growth: peak RSS minus RSS after imports);
- ``size``: bytes on disk per article (SQLite file with its WAL; ``pg_database_size``);
- ``stats`` / ``health``: ``site_stats`` and ``site_health`` over every site.

Each figure is printed with its ratio to the first (smallest) step. PostgreSQL runs when
``--pg`` or ``GOVNEWS_TEST_PG_URL`` names a server; its database is created and dropped here.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# measure the checkout this file is in, not whichever one `pip install -e` pointed at
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import peak_rss_mib
from store import database
from zh_corpus import SITES, Corpus, fill_postgres, fill_sqlite

QUERIES_FIXED = {
    1: ["区", "会", "疫", "鑫"],
    2: ["会议", "人才", "扶贫", "发展", "妤楠"],
    3: ["营商环境", "高质量发展", "一网通办", "会议 人才", "召开安全生产会议"],
}


def queries(corpus: Corpus) -> dict[int, list[str]]:
    """The fixed query set plus rare terms taken from the generated names (seeded: stable)."""
    rare = corpus.names[1234]
    three = next(n for n in corpus.names[2000:] if len(n) == 3)
    return {
        1: [*QUERIES_FIXED[1], rare[-1]],
        2: [*QUERIES_FIXED[2], rare[:2]],
        3: [*QUERIES_FIXED[3], three],
    }


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def bench_search(url: str, qs: dict[int, list[str]], repeat: int) -> dict[str, float]:
    from pipelines.db.search import search
    from pipelines.db.session import make_engine

    engine = make_engine(url)
    out: dict[str, float] = {}
    with engine.connect() as conn:
        for n, terms in qs.items():
            times = [
                timed(lambda t=t: search(conn, t, limit=20)) for _ in range(repeat) for t in terms
            ]
            label = f"{n}+" if n == 3 else str(n)
            out[f"search {label}-char p50 ms"] = statistics.median(times)
            out[f"search {label}-char p95 ms"] = percentile(times, 95)
    engine.dispose()
    return out


def _export_child(url: str, queue: Any) -> None:
    from pipelines.db.export import ExportOptions, export
    from pipelines.db.session import make_engine

    engine = make_engine(url)
    base = peak_rss_mib()
    with open(os.devnull, "wb") as sink:
        started = time.perf_counter()
        n = export(engine, "csv", sink, ExportOptions())
        seconds = time.perf_counter() - started
    queue.put((n / seconds, peak_rss_mib() - base))


def bench_export(url: str) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_export_child, args=(url, queue))
    proc.start()
    rate, growth = queue.get()
    proc.join()
    return {"export CSV rows/s": rate, "export memory growth MiB": growth}


def bench_ops(url: str, repeat: int) -> dict[str, float]:
    from pipelines.db.health import site_health
    from pipelines.db.known import plan_crawl
    from pipelines.db.session import make_engine
    from pipelines.db.stats import site_stats

    engine = make_engine(url)

    def stats() -> None:
        with engine.connect() as conn:
            site_stats(conn)

    out = {
        "known-URL plan, one site ms": min(
            timed(lambda: plan_crawl(url, SITES[0], full=False, run_id=None)) for _ in range(repeat)
        ),
        "stats ms": min(timed(stats) for _ in range(repeat)),
        "health ms": min(timed(lambda: site_health(engine)) for _ in range(repeat)),
    }
    engine.dispose()
    return out


def db_size(kind: str, url: str) -> int:
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        size = int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    engine.dispose()
    return size


def run_kind(kind: str, args: argparse.Namespace, tmp: str) -> list[dict[str, float]]:
    corpus = Corpus()
    qs = queries(corpus)
    results: list[dict[str, float]] = []
    with database(kind, args.pg, args.keep or tmp) as url:
        have = 0
        for target in args.rows:
            started = time.perf_counter()
            if kind == "sqlite":
                fill_sqlite(url.removeprefix("sqlite:///"), corpus, have, target)
            else:
                fill_postgres(url.replace("+psycopg", ""), corpus, have, target)
            have = target
            print(f"{kind}: filled {target} in {time.perf_counter() - started:.0f} s", flush=True)
            figures = {"rows": float(target)}
            figures |= bench_search(url, qs, args.repeat)
            figures |= bench_ops(url, args.repeat)
            figures |= bench_export(url)
            figures["size bytes/article"] = db_size(kind, url) / target
            results.append(figures)
            print_table(kind, results)
    return results


def print_table(kind: str, results: list[dict[str, float]]) -> None:
    base = results[0]
    head = "".join(f" {int(r['rows']):>10} {'×':>6}" for r in results)
    print(f"\n{kind}\n{'figure':<30}{head}")
    for key in base:
        if key == "rows":
            continue
        cells = "".join(
            f" {r[key]:>10.1f} {r[key] / base[key] if base[key] else 0:>6.2f}" for r in results
        )
        print(f"{key:<30}{cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="10000,100000,1000000")
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--pg", default=os.environ.get("GOVNEWS_TEST_PG_URL"))
    parser.add_argument("--keep", help="keep the filled SQLite file in this directory")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.rows = sorted(int(n) for n in args.rows.split(","))
    kinds = [k for k in args.dbs.split(",") if k == "sqlite" or args.pg]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            run_kind(kind, args, tmp)


if __name__ == "__main__":
    main()
