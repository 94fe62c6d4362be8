"""Benchmark storage and export: batched upserts vs raw ``executemany``; export rows/s and memory.

Run by hand, not in CI:

    python benchmarks/store.py [--rows 20000] [--batch 100] [--pg URL]
                               [--export-rows 100000,1000000] [--export-dbs sqlite,postgres]
                               [--skip-upsert] [--skip-export]

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

Export: ``pipelines.db.export.export`` of 100k and 1M synthetic rows (``--export-rows``) to
``csv``, ``jsonl`` and ``parquet``, each in a fresh process (``spawn``) so that its peak RSS
(``VmHWM``) is its own; growth is the peak minus the RSS after imports. Memory is flat when
the growth does not scale with the row count. PostgreSQL runs when ``--pg`` or
``GOVNEWS_TEST_PG_URL`` names a server; its databases are created and dropped here.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from measure import peak_rss_mib

BODY = (
    "会议传达学习了上级有关会议和文件精神，通报了前一阶段工作进展情况，研究部署了下一步重点任务。"
    "会议强调，要坚持以人民为中心的发展思想，把群众满意作为检验工作成效的根本标准。"
    "各部门要进一步提高政治站位，压实工作责任，细化任务分工，确保各项措施落地见效。"
)
COLUMNS = [
    "site",
    "url",
    "title",
    "published_at",
    "published_raw",
    "views",
    "body_text",
    "body_html",
    "source",
    "author",
    "column_name",
    "canonical_url",
    "attachments",
    "methods",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "last_crawl_run_id",
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


def fill(url: str, have: int, target: int, body_repeat: int) -> None:
    """Grow ``articles`` from ``have`` to ``target`` rows: up to 10k rows through raw inserts,
    then copies of existing rows under new URLs by ``INSERT … SELECT`` (building the data is not
    what is measured, and a million Python-side inserts would take longer than the benchmark)."""
    from sqlalchemy import text

    from pipelines.db.session import make_engine
    from pipelines.db.upsert import article_row

    seed = min(target, 10000)
    if have < seed:
        items = make_items(seed - have, body_repeat, offset=have)
        raw_insert(
            url, [article_row(i, seen_at=i.fetched_at or i.published_at) for i in items], 5000
        )
        have = seed
    cols = ", ".join(COLUMNS)
    copied = ", ".join("url || '#' || CAST(id + :k AS TEXT)" if c == "url" else c for c in COLUMNS)
    engine = make_engine(url)
    with engine.begin() as conn:
        while have < target:
            n = min(have, target - have)
            conn.execute(
                text(
                    f"INSERT INTO articles ({cols}) SELECT {copied} FROM articles "
                    "WHERE id IN (SELECT id FROM articles ORDER BY id LIMIT :n)"
                ),
                {"k": have, "n": n},
            )
            have += n
    engine.dispose()


def _export_child(url: str, fmt: str, path: str, queue: Any) -> None:
    from pipelines.db.export import ExportOptions, export
    from pipelines.db.session import make_engine

    engine = make_engine(url)
    with engine.connect():  # the driver and pool are part of the baseline
        pass
    if fmt == "parquet":
        import pyarrow.parquet  # noqa: F401  (so is the library: growth is the data's)
    baseline = peak_rss_mib()
    started = time.perf_counter()
    n = export(engine, fmt, path, ExportOptions())
    seconds = time.perf_counter() - started
    queue.put({"rows": n, "seconds": seconds, "peak": peak_rss_mib(), "baseline": baseline})


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


def bench_export(kinds: list[str], args: argparse.Namespace, tmp: str) -> None:
    sizes = sorted(int(s) for s in args.export_rows.split(","))
    print(f"\nexport: {', '.join(f'{s:,}' for s in sizes)} rows, default columns")
    print(
        f"{'database':<9} {'format':<8} {'rows':>9} {'rows/s':>8} {'file MiB':>9} "
        f"{'peak RSS':>9} {'growth':>7}"
    )
    for kind in kinds:
        with database(kind, args.pg, tmp) as url:
            have = 0
            for size in sizes:
                fill(url, have, size, args.body_repeat)
                have = size
                for fmt in ("csv", "jsonl", "parquet"):
                    r = export_once(url, fmt, tmp)
                    print(
                        f"{kind:<9} {fmt:<8} {r['rows']:>9} {r['rows'] / r['seconds']:>8.0f} "
                        f"{r['mib']:>9.1f} {r['peak']:>9.1f} {r['peak'] - r['baseline']:>7.1f}",
                        flush=True,
                    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="articles for the upsert part")
    parser.add_argument("--batch", type=int, default=100, help="rows per transaction")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each upsert; best kept")
    parser.add_argument("--pg", default=os.environ.get("GOVNEWS_TEST_PG_URL"))
    parser.add_argument("--export-rows", default="100000,1000000")
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
            bench_export(dbs, args, tmp)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
