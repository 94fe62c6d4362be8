"""Fleet benchmark: many local hosts crawled at production politeness, govnews vs a bare spider.

Run by hand, not in CI:

    python benchmarks/fleet.py [--hosts 50] [--articles 25] [--delay 1.0]
                               [--only bare,sqlite,postgres] [--variant NAME=ENV,...]
                               [--find-capacity] [--pg postgresql+psycopg://...]

N hosts, each a distinct loopback address (127.1.x.y, so Scrapy gives each its own download
slot as it would distinct portals), each serving one column of ``--articles`` generated articles
in the demo portal's TRS templates (benchmarks/crawl.py's ``render_site``; the titles name the
host so no two hosts share an article). One asyncio server process answers for every host.
Every crawler obeys robots.txt and waits ``--delay`` seconds between requests to a host (Scrapy's
``DOWNLOAD_DELAY``, fixed: ``RANDOMIZE_DOWNLOAD_DELAY`` off, because Scrapy draws the random
delay again each time it looks at a waiting slot, which makes the mean wait longer than the
delay), with AutoThrottle off: the politeness bound of the fleet is N / delay pages/s. The
crawlers, each a child process:

- ``bare``: one plain Scrapy spider over every host (follows list and article links, nothing
  else), with the broad-crawl settings govnews uses (``DownloaderAwarePriorityQueue``);
- ``sqlite`` / ``postgres``: ``govnews crawl --sites-file`` (one crawler per site, the fleet
  path of ``govnews crawl``) into a fresh SQLite file / a fresh PostgreSQL database (when
  ``--pg`` or ``GOVNEWS_TEST_PG_URL`` gives a server);
- ``--variant NAME=PART[;PART]``: a sqlite run with extra environment (``VAR=VALUE``), settings
  (``-s KEY=VALUE``) or options (``--workers 1``), e.g. ``one-process=--workers 1``, to judge
  one piece of speed machinery.

Printed per crawler: wall time (process start to exit: a fleet's start-up is part of its cost),
pages, aggregate pages/s and its ratio to the bound, CPU-seconds per page (the child and its
children, user+sys), peak RSS (the child's, from ``wait4``) and pages per host (min / median /
max: a host that got fewer was starved). ``--find-capacity`` doubles N from ``--hosts`` until
a crawler no longer reaches 0.95 of the bound, and prints the last N that did, for each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# this checkout's crawler package, not whichever one is installed
sys.path.insert(1, str(REPO))

from crawl import _Http, _pg_database, bare_spider, render_site  # noqa: E402

#: the share of the politeness bound a crawler must reach to "meet" it
MEETS = 0.95


def host(index: int) -> str:
    """The loopback address of host ``index`` (Linux routes all of 127/8 to lo)."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


class _FleetHttp(_Http):
    """The column of benchmarks/crawl.py, with the serving host's number in every title."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        address = transport.get_extra_info("sockname")[0]
        self.mark = f"第{address.rsplit('.', 2)[-2]}-{address.rsplit('.', 1)[-1]}区".encode()

    def data_received(self, data: bytes) -> None:
        write = self.transport.write
        self.transport.write = lambda out: write(out.replace("高新区".encode(), self.mark))
        try:
            super().data_received(data)
        finally:
            self.transport.write = write


def serve(hosts: int, articles: int) -> None:
    """Child: serve the column on every host's address, print the start URLs, run forever."""
    _Http.pages = render_site(articles, per_page=25)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        urls = []
        for i in range(hosts):
            server = await loop.create_server(_FleetHttp, host(i), 0, backlog=64)
            urls.append(f"http://{host(i)}:{server.sockets[0].getsockname()[1]}/bench/index.html")
        print(json.dumps(urls), flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


def run_bare(urls: list[str], delay: float) -> None:
    """Child: one bare Scrapy spider over every host; prints its pages per host."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    per_host: Counter[str] = Counter()

    def received(response: Any, **kwargs: Any) -> None:
        # every response, robots.txt included, as govnews's crawl_runs.pages counts them
        per_host[response.url.split("/")[2]] += 1

    process = CrawlerProcess(
        {
            "DOWNLOAD_DELAY": delay,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": max(16, 2 * len(urls)),
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
        }
    )
    crawler = process.create_crawler(bare_spider(urls))
    crawler.signals.connect(received, signal=signals.response_received)
    process.crawl(crawler)
    process.start()
    print("HOSTS " + json.dumps(list(per_host.values())), flush=True)


def _wait(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, float, str]:
    """Run ``cmd``; (wall seconds, CPU seconds of it and its children, peak RSS MiB, stdout)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def crawl_bare(urls: list[str], delay: float, tmp: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child-bare", json.dumps(urls), "--delay", str(delay)]
    wall, cpu, rss, out = _wait(cmd, dict(os.environ), tmp)
    lines = [line for line in out.splitlines() if line.startswith("HOSTS ")]
    if not lines:
        raise RuntimeError(f"bare crawler failed:\n{out[-3000:]}")
    return {"wall": wall, "cpu": cpu, "rss": rss, "per_host": json.loads(lines[0][6:])}


def crawl_govnews(
    urls: list[str], delay: float, db: str, tmp: str, extra: list[str]
) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    sites = Path(tmp) / f"sites-{time.monotonic_ns()}"
    sites.mkdir()
    names = []
    for i, url in enumerate(urls):
        names.append(f"fleet_{i:04d}")
        (sites / f"{names[-1]}.toml").write_text(
            f'name = "{names[-1]}"\nstart_urls = ["{url}"]\n'
            f"[politeness]\ndownload_delay = {delay}\nautothrottle = false\n",
            encoding="utf-8",
        )
    (sites / "fleet.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVNEWS_")}
    env |= {"GOVNEWS_SITES_DIR": str(sites), "GOVNEWS_HTTPCACHE_DIR": str(sites / "cache")}
    # "-s KEY=VALUE" parts are Scrapy settings, "--option VALUE" parts options of the command,
    # "VAR=VALUE" parts the environment
    settings = [w for part in extra if part.startswith("-") for w in part.split(" ", 1)]
    env |= dict(part.split("=", 1) for part in extra if not part.startswith("-"))
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--sites-file", str(sites / "fleet.txt")]
    cmd += ["--db", db, "--full", "--quiet", "-s", "RANDOMIZE_DOWNLOAD_DELAY=false", *settings]
    env["PYTHONPATH"] = str(REPO)
    wall, cpu, rss, out = _wait(cmd, env, str(REPO))
    if "fleet crawl of" not in out:
        raise RuntimeError(f"govnews crawl failed:\n{out[-3000:]}")
    engine = create_engine(db)
    with engine.connect() as conn:
        pages = [int(p or 0) for (p,) in conn.execute(text("SELECT pages FROM crawl_runs"))]
        stored = conn.execute(text("SELECT count(*) FROM articles")).scalar()
    engine.dispose()
    if len(pages) != len(urls):
        raise RuntimeError(f"govnews crawl left {len(urls) - len(pages)} sites out:\n{out[-3000:]}")
    return {"wall": wall, "cpu": cpu, "rss": rss, "per_host": pages, "articles": stored}


def row(name: str, hosts: int, delay: float, result: dict[str, Any]) -> dict[str, Any]:
    pages = sum(result["per_host"])
    rate = pages / result["wall"]
    per_host = sorted(result["per_host"])
    return {
        "crawler": name,
        "N": hosts,
        "wall s": round(result["wall"], 1),
        "pages": pages,
        "pages/s": round(rate, 1),
        "bound": round(hosts / delay, 1),
        # the best a polite crawl can do: every host's pages one delay apart from t=0
        "of bound": round((max(per_host) * delay) / result["wall"], 2),
        "CPU ms/page": round(1000 * result["cpu"] / max(pages, 1), 2),
        "peak MiB": round(result["rss"]),
        "pages/host": f"{per_host[0]}/{statistics.median(per_host):g}/{per_host[-1]}",
        "articles": result.get("articles", "-"),
    }


def print_rows(rows: list[dict[str, Any]]) -> None:
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.rjust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(str(r[k]).rjust(widths[k]) for k in keys), flush=True)


def fleet_round(hosts: int, args: argparse.Namespace, tmp: str) -> list[dict[str, Any]]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(hosts), "--articles", str(args.articles)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        urls = json.loads(server.stdout.readline())
        rows = []
        for kind in args.only.split(","):
            if kind == "bare":
                rows.append(row("bare", hosts, args.delay, crawl_bare(urls, args.delay, tmp)))
            elif kind == "sqlite":
                db = f"sqlite:///{tmp}/fleet-{time.monotonic_ns()}.db"
                out = crawl_govnews(urls, args.delay, db, tmp, [])
                rows.append(row("govnews sqlite", hosts, args.delay, out))
            elif kind == "postgres" and args.pg:
                db, drop = _pg_database(args.pg)
                try:
                    out = crawl_govnews(urls, args.delay, db, tmp, [])
                finally:
                    drop()
                rows.append(row("govnews postgres", hosts, args.delay, out))
        for variant in args.variant:
            name, _, spec = variant.partition("=")
            extra = [part.strip() for part in spec.split(";") if part.strip()]
            db = f"sqlite:///{tmp}/fleet-{time.monotonic_ns()}.db"
            out = crawl_govnews(urls, args.delay, db, tmp, extra)
            rows.append(row(f"govnews {name}", hosts, args.delay, out))
        return rows
    finally:
        server.kill()
        server.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--articles", type=int, default=25, help="articles per host")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--only", default="bare,sqlite,postgres")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--pg", default=os.environ.get("GOVNEWS_TEST_PG_URL"))
    parser.add_argument("--find-capacity", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-bare", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.articles)
        return
    if args.child_bare:
        run_bare(json.loads(args.child_bare), args.delay)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if not args.find_capacity:
            print_rows(fleet_round(args.hosts, args, tmp))
            return
        capacity: dict[str, int] = {}
        hosts, left = args.hosts, set(args.only.split(","))
        while left:
            args.only = ",".join(sorted(left))
            rows = fleet_round(hosts, args, tmp)
            print_rows(rows)
            for r in rows:
                kind = "bare" if r["crawler"] == "bare" else r["crawler"].split()[-1]
                if r["of bound"] >= MEETS:
                    capacity[kind] = hosts
                else:
                    left.discard(kind)
            left = {k for k in left if capacity.get(k) == hosts}
            hosts *= 2
        print("capacity (largest N at >= 0.95 of the bound):", json.dumps(capacity))


if __name__ == "__main__":
    main()
