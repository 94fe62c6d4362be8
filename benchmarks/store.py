"""Benchmark storage and export: batched upserts vs raw ``executemany``; export rows/s and memory.

Run by hand, not in CI:

    python benchmarks/store.py [--rows 20000] [--batch 100] [--pg URL]
                               [--export-rows 10000,100000,1000000] [--export-dbs sqlite,postgres]
                               [--repeat-reports 10] [--explain] [--skip-upsert] [--skip-export]

Upserts: the same N synthetic articles (realistic sizes: ~1.2 kB of Chinese body text, body HTML,
attachments, methods JSON) are written into a fresh database, in transactions of ``--batch`` rows,
four ways:

- ``raw executemany``: the peer: the DB-API cursor's ``executemany`` of a plain ``INSERT`` of the
  same rows (parameters converted from the row dicts inside the timing), one commit per batch;
- ``upsert_articles``: ``pipelines.db.upsert.upsert_articles`` (``INSERT … ON CONFLICT DO UPDATE
  … RETURNING``) from the same row dicts, one session transaction per batch;
- ``upsert again``: the same call over rows that all exist already (the re-crawl case);
- ``StoragePipeline``: ``process_item`` of the ``ArticleItem``s: row building, content hash, the
  upsert, one ``view_counts`` row per article and the run heartbeat, as in a crawl.

Scale (issue 24, "a million articles"): a store grown to each size of ``--export-rows`` by
``store_fill.grow`` (eight sites, view-count readings, revisions, rejects, crawl runs), and at
each size: ``stats`` and ``health`` (the library calls behind the commands; the best of
``--repeat-reports`` runs, as the work is the same each time), the incremental check of a list
page (one lookup of its 20 links in both forms, then each link; the median over 40 pages),
a crawl's whole plan (``plan_crawl``: failures to retry, the resume check), and
``pipelines.db.export.export`` to ``csv``, ``jsonl`` and ``parquet``, each in a fresh process
(``spawn``) so that its peak RSS (``VmHWM``) is its own; growth is the peak minus the RSS after
imports. Every figure is printed with its ratio to the first size. ``--explain`` prints the
query plans of the lookups at the last size. PostgreSQL runs when ``--pg`` or
``GOVNEWS_TEST_PG_URL`` names a server; its databases are created and dropped here.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from measure import peak_rss_mib
from sqlalchemy import bindparam
from store_fill import ARTICLE_COLUMNS, BODY

#: the columns the upsert peer writes (the fill's, less those ``article_row`` defaults)
COLUMNS = [c for c in ARTICLE_COLUMNS if c not in ("body_kind", "quality", "removed_at")] + [
    "author",
    "canonical_url",
]
JSON_COLS = {"attachments", "methods"}


def make_items(n: int, body_repeat: int = 4, offset: int = 0) -> list[Any]:
    from crawler.items import ArticleItem

    base = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(offset, offset + n):
        body = f"第{i}号。" + BODY * body_repeat
        out.append(
            ArticleItem(
                url=f"http://www.example.gov.cn/xwzx/2024/t2024_{i}.html",
                site="bench",
                title=f"高新区召开第{i}次重点项目建设推进会",
                published_at=base + timedelta(minutes=i),
                published_raw="发布时间：2024-01-01",
                views=100 + i,
                views_method="static",
                body_text=body,
                body_html="<div>" + "".join(f"<p>{p}</p>" for p in body.split("。")) + "</div>",
                source="高新区融媒体中心",
                column_name="区内动态",
                attachments=[{"url": f"http://www.example.gov.cn/f/{i}.pdf", "name": "附件"}],
                methods={"title": "h1", "published": "label", "body": "density"},
                fetched_at=base + timedelta(days=400),
            )
        )
    return out


@contextmanager
def database(kind: str, pg: str | None, tmp: str) -> Iterator[str]:
    """A fresh, migrated database URL of ``kind`` (sqlite file or a new PostgreSQL database)."""
    from pipelines.db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp}/store-{uuid.uuid4().hex[:8]}.db"
        upgrade(url)
        yield url
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert pg
    name = f"govnews_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _raw_connect(url: str) -> tuple[Any, str]:
    """(DB-API connection, placeholder) for a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        conn = sqlite3.connect(u.database or ":memory:")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn, "?"
    import psycopg

    dsn = u.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(dsn), "%s"


def raw_insert(url: str, rows: list[dict[str, Any]], batch: int) -> None:
    """The peer: cursor.executemany of a plain INSERT, one commit per batch."""
    conn, ph = _raw_connect(url)
    sqlite = ph == "?"
    sql = f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({', '.join([ph] * len(COLUMNS))})"

    def value(name: str, v: Any) -> Any:
        if name in JSON_COLS and v is not None:
            return json.dumps(v, ensure_ascii=False)
        if sqlite and isinstance(v, datetime):
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return v

    cur = conn.cursor()
    for start in range(0, len(rows), batch):
        params = [tuple(value(c, r[c]) for c in COLUMNS) for r in rows[start : start + batch]]
        cur.executemany(sql, params)
        conn.commit()
    conn.close()


def orm_upsert(url: str, rows: list[dict[str, Any]], batch: int) -> None:
    from pipelines.db.session import make_engine, make_session_factory
    from pipelines.db.upsert import upsert_articles

    engine = make_engine(url)
    factory = make_session_factory(engine)
    for start in range(0, len(rows), batch):
        with factory.begin() as session:
            upsert_articles(session, rows[start : start + batch])
    engine.dispose()


def pipeline(url: str, items: list[Any], batch: int) -> None:
    from pipelines.storage import StoragePipeline

    pipe = StoragePipeline(url, batch, lock=False)
    pipe.open_spider(None)
    for item in items:
        pipe.process_item(item)
    pipe.close_spider(None)


def bench_upserts(kinds: list[str], args: argparse.Namespace, tmp: str) -> None:
    from pipelines.db.upsert import article_row

    items = make_items(args.rows)
    rows = [article_row(i, seen_at=i.fetched_at or i.published_at) for i in items]
    print(f"\nupserts: {args.rows} articles, batches of {args.batch}")
    print(f"{'database':<9} {'method':<18} {'rows/s':>9} {'ratio':>6}")
    for kind in kinds:
        cases: list[tuple[str, Callable[[str], None], bool]] = [
            ("raw executemany", lambda u: raw_insert(u, rows, args.batch), False),
            ("upsert_articles", lambda u: orm_upsert(u, rows, args.batch), False),
            ("upsert again", lambda u: orm_upsert(u, rows, args.batch), True),
            ("StoragePipeline", lambda u: pipeline(u, items, args.batch), False),
        ]
        base = 0.0
        for name, run, again in cases:
            best = 0.0
            for _ in range(args.repeat):
                with database(kind, args.pg, tmp) as url:
                    if again:
                        orm_upsert(url, rows, args.batch)
                    started = time.perf_counter()
                    run(url)
                    best = max(best, len(rows) / (time.perf_counter() - started))
            base = base or best
            print(f"{kind:<9} {name:<18} {best:>9.0f} {best / base:>6.2f}", flush=True)


# -- export ----------------------------------------------------------------------------------


def _export_child(url: str, fmt: str, path: str, queue: Any) -> None:
    from pipelines.db.export import ExportOptions, export
    from pipelines.db.session import make_engine

    engine = make_engine(url)
    with engine.connect():  # the driver and pool are part of the baseline
        pass
    if fmt == "parquet":
        import pyarrow.parquet  # noqa: F401  (so is the library: growth is the data's)
    baseline = peak_rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    n = export(engine, fmt, path, ExportOptions())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    queue.put(
        {"rows": n, "seconds": seconds, "cpu": cpu, "peak": peak_rss_mib(), "baseline": baseline}
    )


def export_once(url: str, fmt: str, tmp: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    path = os.path.join(tmp, f"export.{fmt}")
    proc = ctx.Process(target=_export_child, args=(url, fmt, path, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    result["mib"] = os.path.getsize(path) / 2**20
    os.remove(path)
    return result


def _best_seconds(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the work is the same each time, and on a shared machine
    only the slower runs pick up the other processes' noise."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _pages(url: str, n_pages: int, links: int = 20) -> list[list[str]]:
    """``n_pages`` list pages of site0: 3 in 4 links stored (random articles), 1 in 4 new,
    each link in the two forms the spider asks for (as linked and canonical)."""
    from sqlalchemy import text

    from pipelines.db.session import make_engine

    engine = make_engine(url)
    rng = random.Random(24)
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM articles")).scalar_one()
        ids = rng.sample(range(1, top + 1), min(top, n_pages * links * 12))
        stored = conn.execute(
            text("SELECT url FROM articles WHERE site = 'site0' AND id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        ).scalars()
        known = list(stored)
    engine.dispose()
    pages = []
    for p in range(n_pages):
        urls = known[p * links * 3 // 4 : (p + 1) * links * 3 // 4]
        urls += [f"http://www.site0.gov.cn/xwzx/new/{p}_{k}.html" for k in range(links // 4)]
        pages.append(urls + [u + "?utm_source=x" for u in urls])
    return pages


def time_reports(url: str, repeat: int) -> dict[str, float]:
    """Seconds for ``stats`` and ``health`` (the library calls behind the commands), the
    incremental check of one list page (one lookup of its links, then each link), and a
    crawl's whole plan (failures to retry, resume check)."""
    from pipelines.db.health import site_health
    from pipelines.db.known import StoredUrls, plan_crawl
    from pipelines.db.session import make_engine
    from pipelines.db.stats import site_stats

    engine = make_engine(url)

    def stats() -> None:
        with engine.connect() as conn:
            site_stats(conn)

    out = {
        "stats": _best_seconds(stats, repeat),
        "health": _best_seconds(lambda: site_health(engine), repeat),
        "plan": _best_seconds(lambda: plan_crawl(url, "site0", full=False, run_id=None), 3),
    }
    engine.dispose()
    pages = _pages(url, 40)
    known = StoredUrls(url, "site0")
    found = 0

    def check(page: list[str]) -> None:
        nonlocal found
        known.prefetch(page)
        found += sum(u in known for u in page)

    # each page once (a second lookup of the same links would find the database's cache warm)
    per_page = [_best_seconds(lambda page=page: check(page), 1) for page in pages]
    out["known_page"] = statistics.median(per_page)
    assert found, "no stored URL was found: the check measured nothing"
    return out


def explain(url: str) -> None:
    """The plans of the per-page lookup and of a stats seek, to show index use."""
    from sqlalchemy import text

    from pipelines.db.session import make_engine

    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    queries = [
        "SELECT url FROM articles WHERE site = 'site0' AND url IN ('a', 'b')"
        " UNION ALL SELECT url FROM article_urls WHERE site = 'site0' AND url IN ('a', 'b')",
        "SELECT last_seen_at FROM articles WHERE site = 'site0' AND last_seen_at IS NOT NULL"
        " ORDER BY last_seen_at DESC LIMIT 1",
        "SELECT r.url, r.reason FROM rejects r JOIN (SELECT MAX(id) AS id FROM rejects"
        " WHERE site = 'site0' GROUP BY url) last ON r.id = last.id",
    ]
    with engine.connect() as conn:
        for q in queries:
            plan = conn.execute(text(prefix + q)).all()
            print(f"  {q[:70]}…")
            for row in plan:
                print("    " + str(row[-1]))
    engine.dispose()


def bench_scale(kinds: list[str], args: argparse.Namespace, tmp: str) -> None:
    """The reports and export at each size of ``--export-rows``, with ratios to the first."""
    from store_fill import grow

    sizes = sorted(int(s) for s in args.export_rows.split(","))
    print(f"\nscale: {', '.join(f'{s:,}' for s in sizes)} articles (store_fill), default columns")
    head = f"{'database':<9} {'rows':>9} {'what':<22} {'figure':>10} {'vs first':>9}"
    for kind in kinds:
        first: dict[str, float] = {}
        with database(kind, args.pg, tmp) as url:
            have = 0
            for size in sizes:
                started = time.perf_counter()
                grow(url, have, size, args.body_repeat)
                have = size
                print(f"\n{kind} {size:,}: filled in {time.perf_counter() - started:.0f} s")
                print(head)
                figures = {
                    f"{k} ms": 1000 * v for k, v in time_reports(url, args.repeat_reports).items()
                }
                for fmt in ("csv", "jsonl", "parquet"):
                    r = export_once(url, fmt, tmp)
                    figures[f"export {fmt} rows/s"] = r["rows"] / r["seconds"]
                    # per second of the exporting process's CPU: what the machine's load moves
                    # least (the database server's own CPU is not in it)
                    figures[f"export {fmt} rows/cpu-s"] = r["rows"] / r["cpu"]
                    figures[f"export {fmt} MiB"] = r["peak"] - r["baseline"]
                for name, value in figures.items():
                    base = first.setdefault(name, value)
                    ratio = value / base if base else 0.0
                    print(f"{kind:<9} {size:>9} {name:<22} {value:>10.2f} {ratio:>9.2f}")
                if args.explain and size == sizes[-1]:
                    explain(url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="articles for the upsert part")
    parser.add_argument("--batch", type=int, default=100, help="rows per transaction")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each upsert; best kept")
    parser.add_argument("--pg", default=os.environ.get("GOVNEWS_TEST_PG_URL"))
    parser.add_argument("--export-rows", default="10000,100000,1000000", help="store sizes")
    parser.add_argument("--repeat-reports", type=int, default=10, help="runs of stats/health")
    parser.add_argument("--explain", action="store_true", help="query plans at the last size")
    parser.add_argument("--export-dbs", default="sqlite,postgres")
    parser.add_argument("--body-repeat", type=int, default=2, help="body size for export rows")
    parser.add_argument("--skip-upsert", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args(argv)
    kinds = ["sqlite"] + (["postgres"] if args.pg else [])
    if not args.pg:
        print("postgres: skipped (no --pg and no GOVNEWS_TEST_PG_URL)")
    print(f"cpus {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="govnews-store-") as tmp:
        if not args.skip_upsert:
            bench_upserts(kinds, args, tmp)
        if not args.skip_export:
            dbs = [k for k in kinds if k in args.export_dbs.split(",")]
            bench_scale(dbs, args, tmp)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
