"""Benchmark a whole crawl: a bare Scrapy spider vs ``govnews crawl`` into SQLite / PostgreSQL.

Run by hand, not in CI:

    python benchmarks/crawl.py [--articles 3000] [--per-page 20] [--concurrency 16]
                               [--repeat 1] [--pg postgresql+psycopg://...]
                               [--only bare,sqlite,postgres] [--items N]
                               [--by rate|cpu_rate]

A local site of N synthetic articles (the demo portal's TRS layout: one column, 20 links per list
page, 下一页 pagination, a static view count on each article) is pre-rendered into memory and
served by a minimal asyncio HTTP/1.1 server (keep-alive) in its own process, pinned to the last
CPU, so the server does not take the crawler's core; each crawler runs in its own process pinned
to the first CPU (``--no-pin`` turns pinning off). Three crawlers read the same pages with the same
concurrency, no download delay, no autothrottle, robots.txt off:

(a) ``bare``: a plain Scrapy spider that follows the list and article links and does nothing else;
(b) ``sqlite``: ``govnews crawl --full`` (the click command, in-process) into a fresh SQLite file;
(c) ``postgres``: the same into a fresh PostgreSQL database, when ``--pg`` or
    ``GOVNEWS_TEST_PG_URL`` gives a server (the database is created and dropped here).

``CONCURRENT_ITEMS`` is govnews's value for both (``--items`` overrides it for both). Time and
CPU (user+sys) are measured inside each child around the crawl itself (not the interpreter's
imports); pages/CPU-s is the steadier figure on a busy machine. Pages
are Scrapy's ``response_received_count``; peak RSS is the child's ``VmHWM``. With
``--repeat`` the runs alternate between the crawlers, the table shows the best run of each and
the medians follow it. Prints pages/s, the ratio to (a) and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

from measure import peak_rss_mib

REPO = Path(__file__).resolve().parents[1]
_SENTENCES = (
    "会议传达学习了上级有关会议和文件精神，通报了前一阶段工作进展情况，研究部署了下一步重点任务。",
    "会议强调，要坚持以人民为中心的发展思想，把群众满意作为检验工作成效的根本标准。",
    "各部门要进一步提高政治站位，压实工作责任，细化任务分工，确保各项措施落地见效。",
    "要聚焦企业和群众反映强烈的堵点难点问题，持续优化营商环境，提升政务服务效能。",
    "据了解，今年以来，该项工作已累计服务群众3200余人次，解决实际问题150余件。",
    "下一步，将持续完善工作机制，加强督导检查，推动工作常态化、制度化、规范化开展。",
)


# -- the site ------------------------------------------------------------------------------------


def render_site(articles: int, per_page: int) -> dict[bytes, bytes]:
    """{path: HTML bytes} of one TRS-style column with ``articles`` articles."""
    from demoportal import templates
    from demoportal.data import Column, DemoArticle

    column = Column("bench", "区内动态", "区内动态", "/bench/", "trs", "index", per_page=per_page)
    items = []
    for i in range(articles):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        title = f"高新区召开第{i + 1}次重点项目建设推进会"
        lead = f"{day[5:7]}月{day[8:10]}日，{title}，区有关部门负责同志参加会议。"
        paras = (lead, *(_SENTENCES[(i + k) % len(_SENTENCES)] for k in range(4)))
        path = f"/bench/{day[:7].replace('-', '')}/t{day.replace('-', '')}_{i + 1}.html"
        items.append(
            DemoArticle(
                key=i + 1,
                column="bench",
                path=path,
                title=title,
                published=f"{day} 09:{i % 60:02d}",
                source="高新区融媒体中心",
                views=100 + i,
                counter="static",
                paragraphs=paras,
            )
        )
    pages: dict[bytes, bytes] = {}
    for a in items:
        pages[a.path.encode()] = templates.article_page(a, column, "").encode("utf-8")
    n_pages = max(1, -(-articles // per_page))
    for p in range(n_pages):
        chunk = items[p * per_page : (p + 1) * per_page]
        html = templates.list_page(column, chunk, p, n_pages)
        pages[templates.list_page_url(column, p).encode()] = html.encode("utf-8")
    return pages


class _Http(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive from a dict of pre-rendered pages; nothing else."""

    pages: ClassVar[dict[bytes, bytes]] = {}
    missing = b"404"

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            path = parts[1].split(b"?", 1)[0] if len(parts) > 1 else b"/"
            body = self.pages.get(path)
            status = b"200 OK" if body is not None else b"404 Not Found"
            body = body if body is not None else self.missing
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )


def serve(articles: int, per_page: int, pin: bool) -> None:
    """Child: serve the site on a free port, print the port, run until killed."""
    if pin and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    _Http.pages = render_site(articles, per_page)

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(_Http, "127.0.0.1", 0, backlog=512)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(run())


# -- the crawlers (children) ---------------------------------------------------------------------


def _project_setting(name: str) -> Any:
    """govnews's value of a Scrapy setting, so that the bare spider runs with the same one."""
    from crawler import settings

    return getattr(settings, name)


def _common(concurrency: int) -> dict[str, Any]:
    return {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_ITEMS": int(
            os.environ.get("BENCH_ITEMS") or _project_setting("CONCURRENT_ITEMS")
        ),
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": os.environ.get("BENCH_LOG", "ERROR"),
    }


def _cpu() -> float:
    """User+sys CPU of this process and of its reaped children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def bare_spider(urls: list[str]) -> Any:
    """A plain Scrapy spider class over ``urls``: follows the column's article and next-page
    links and does nothing else (benchmarks/fleet.py uses it too)."""
    import scrapy

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = urls

        def parse(self, response: Any) -> Any:
            for href in response.css("ul.news-list a::attr(href)").getall():
                yield response.follow(href, self.article)
            nxt = response.xpath('//div[@class="page"]/a[text()="下一页"]/@href').get()
            if nxt:
                yield response.follow(nxt, self.parse)

        def article(self, response: Any) -> None:
            return None

    return Bare


def run_bare(url: str, concurrency: int) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    Bare = bare_spider([url])
    process = CrawlerProcess({**_common(concurrency), "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(Bare)
    started, cpu = time.perf_counter(), _cpu()
    process.crawl(crawler)
    process.start()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert crawler.stats is not None
    pages = crawler.stats.get_value("response_received_count", 0)
    return {"pages": pages, "seconds": seconds, "cpu": cpu}


def run_govnews(url: str, concurrency: int, db: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from crawler.cli import cli

    # what the command imports on first use, so that, as for the bare spider (whose Scrapy is
    # imported above its clock), the clock measures the crawl and not the interpreter's imports
    for module in ("crawler.commands.crawl", "pipelines.cleaning", "pipelines.dedupe"):
        importlib.import_module(module)
    for module in ("pipelines.storage", "pipelines.validation"):
        importlib.import_module(module)

    args = ["crawl", "--start-url", url, "--db", db, "--full", "--max-pages", "100000", "-q"]
    for name, value in _common(concurrency).items():
        args += ["-s", f"{name}={value}"]
    started, cpu = time.perf_counter(), _cpu()
    cli.main(args=args, standalone_mode=False)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    engine = create_engine(db)
    with engine.connect() as conn:
        pages = conn.execute(text("SELECT pages FROM crawl_runs ORDER BY id DESC LIMIT 1")).scalar()
        stored = conn.execute(text("SELECT count(*) FROM articles")).scalar()
    engine.dispose()
    return {"pages": pages, "seconds": seconds, "cpu": cpu, "articles": stored}


def child(kind: str, url: str, concurrency: int, db: str, pin: bool) -> None:
    if pin and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if kind.startswith("bare"):
        out = run_bare(url, concurrency)
    else:
        out = run_govnews(url, concurrency, db)
    out["rss_mib"] = peak_rss_mib()
    print("RESULT " + json.dumps(out), flush=True)


# -- the parent ----------------------------------------------------------------------------------


def _pg_database(base: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"govnews_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def _run_child(kind: str, url: str, args: argparse.Namespace, db: str, tmp: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--url", url, "--db", db]
    cmd += ["--concurrency", str(args.concurrency)] + ([] if args.pin else ["--no-pin"])
    env = {**os.environ, "GOVNEWS_HTTPCACHE_DIR": os.path.join(tmp, f"cache-{uuid.uuid4().hex}")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[7:])
            return result
    raise RuntimeError(f"{kind} crawler failed:\n{proc.stderr[-3000:]}")


#: the crawlers, in the order each round runs them
KINDS = ("bare", "sqlite", "postgres")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; best is reported")
    parser.add_argument("--pg", default=os.environ.get("GOVNEWS_TEST_PG_URL"))
    parser.add_argument(
        "--only",
        default="bare,sqlite,postgres",
        help=f"comma-separated subset of {','.join(KINDS)} (default: %(default)s)",
    )
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument(
        "--by",
        choices=("rate", "cpu_rate"),
        default="rate",
        help="which figure picks the best of --repeat runs and the ratio (default: wall pages/s)",
    )
    parser.add_argument(
        "--items", type=int, help="CONCURRENT_ITEMS for both (default: govnews's setting)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.articles, args.per_page, args.pin)
    if args.items:
        os.environ["BENCH_ITEMS"] = str(args.items)  # children inherit it
    if args.child:
        return child(args.child, args.url, args.concurrency, args.db, args.pin)

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--articles", str(args.articles)]
        + ["--per-page", str(args.per_page)]
        + ([] if args.pin else ["--no-pin"]),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/bench/index.html"
        expected = args.articles + max(1, -(-args.articles // args.per_page))
        kinds = [k for k in KINDS if k in args.only.split(",")]
        if "postgres" in kinds and not args.pg:
            print("postgres: skipped (no --pg and no GOVNEWS_TEST_PG_URL)")
            kinds.remove("postgres")
        print(
            f"site: {args.articles} articles, {expected} pages, concurrency {args.concurrency}, "
            f"CONCURRENT_ITEMS {args.items or _project_setting('CONCURRENT_ITEMS')}, "
            f"cpus {sorted(os.sched_getaffinity(0))}, pinned: {args.pin}"
        )
        best: dict[str, dict[str, Any]] = {}
        runs: dict[str, list[float]] = {}
        with tempfile.TemporaryDirectory(prefix="govnews-bench-") as tmp:
            for _ in range(args.repeat):
                for kind in kinds:
                    drop = None
                    if kind == "sqlite":
                        db = f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.db"
                    elif kind == "postgres":
                        db, drop = _pg_database(args.pg)
                    else:
                        db = ""
                    try:
                        r = _run_child(kind, url, args, db, tmp)
                    finally:
                        if drop is not None:
                            drop()
                    r["rate"] = r["pages"] / r["seconds"]
                    r["cpu_rate"] = r["pages"] / max(r["cpu"], 1e-9)
                    if r["pages"] != expected:
                        print(f"warning: {kind} fetched {r['pages']} pages, expected {expected}")
                    runs.setdefault(kind, []).append(r[args.by])
                    if kind not in best or r[args.by] > best[kind][args.by]:
                        best[kind] = r
    finally:
        server.kill()
        server.wait()
    base = best.get("bare", {})
    print(
        f"\n{'crawler':<11} {'pages':>6} {'wall s':>7} {'pages/s':>8} {'ratio':>6} "
        f"{'CPU s':>6} {'pages/CPU-s':>11} {'ratio':>6} {'RSS MiB':>8}  articles"
    )
    for kind, r in best.items():
        ratio = r["rate"] / base["rate"] if base else float("nan")
        cpu_ratio = r["cpu_rate"] / base["cpu_rate"] if base else float("nan")
        print(
            f"{kind:<11} {r['pages']:>6} {r['seconds']:>7.2f} {r['rate']:>8.1f} {ratio:>6.2f} "
            f"{r['cpu']:>6.2f} {r['cpu_rate']:>11.1f} {cpu_ratio:>6.2f} {r['rss_mib']:>8.1f}  "
            f"{r.get('articles', '-')}"
        )
    if args.repeat > 1 and base:
        # the best run of each is what the table compares; the medians show the spread
        mid = {kind: statistics.median(values) for kind, values in runs.items()}
        print(f"\nmedian of {args.repeat} runs ({args.by}):")
        for kind, value in mid.items():
            # each round runs every crawler once, one after the other: the ratio within a round
            # compares runs minutes apart, steadier on a VM whose speed drifts (performance.md)
            rounds = [v / b for v, b in zip(runs[kind], runs["bare"], strict=True)]
            print(
                f"{kind:<11} {value:>8.1f}  ratio {value / mid['bare']:.2f}"
                f"  median of the rounds' ratios {statistics.median(rounds):.2f}"
            )
    print("\nload average at the end:", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
