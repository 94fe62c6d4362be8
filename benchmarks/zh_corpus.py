"""Generated Chinese government-news articles for ``benchmarks/million.py``, and the bulk fill.

The text must index like the real thing, not like one repeated paragraph: a sentence pool built
from a vocabulary of government-news words picked with Zipf weights (a few words everywhere, a
long tail rarely), and in every article a few place/person names made of uncommon characters
(the rare 1-, 2- and 3-character terms a user also searches for). Body lengths are log-normal
(median ≈ 1000 characters). Everything is seeded: the same ``--rows`` give the same articles.

The fill is not what is measured, so it takes the fastest path each database offers: SQLite
``executemany`` in one transaction per step (the FTS5 triggers of migration 0002 stay live: that
is the index a user's database has); PostgreSQL ``COPY`` with the GIN indexes dropped and rebuilt
from their own ``pg_indexes`` definitions afterwards (a rebuild is much faster than 1M inserts
into a GIN index), then ``ANALYZE``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from store import COLUMNS


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = words(
    "发展 工作 建设 推进 全面 加强 经济 社会 服务 管理 创新 改革 落实 企业 项目 群众 安全 "
    "会议 人民 政府 重点 实施 提升 组织 党委 城市 农村 市场 产业 环境 政策 体系 生态 文化 "
    "教育 医疗 卫生 就业 人才 科技 营商环境 高质量发展 乡村振兴 疫情防控 安全生产 招商引资 "
    "民生 保障 基层 治理 党建 干部 作风 廉政 监督 检查 整改 部署 调研 座谈 培训 宣传 "
    "志愿服务 文明城市 生态环境 污染防治 垃圾分类 河长制 防汛 抗旱 消防 交通 道路 基础设施 "
    "园区 开发区 高新区 街道 社区 村委会 居委会 网格化 数字化 智慧城市 政务服务 一网通办 "
    "放管服 审批 备案 许可 税收 财政 预算 审计 统计 国土 规划 住房 保障房 棚户区 改造 "
    "养老 托育 残疾人 退役军人 优抚 救助 扶贫 脱贫攻坚 帮扶 对口支援 东西部协作 粮食 耕地 "
    "种植 养殖 合作社 电商 物流 消费 外贸 投资 融资 金融 中小企业 民营经济 专精特新 "
    "新能源 碳达峰 碳中和 节能 减排 水利 电力 供暖 燃气 供水 食品安全 药品 市场监管 "
    "知识产权 法治 普法 信访 调解 矛盾纠纷 平安建设 扫黑除恶 禁毒 反诈 应急管理 演练 "
    "重大项目 开工 竣工 签约 考察 指导 视察 慰问 表彰 先进 典型 经验 做法 成效 进展 "
    "会议强调 会议指出 会议要求 要坚持 要强化 要统筹 切实 扎实 持续 深入 有力 有序 稳步"
)
FILLER = words("的 了 和 在 是 对 为 以 及 与 将 把 按照 通过 进一步 各项 有关 相关 全区 全市")
PUNCT = ("，", "，", "，", "、", "；")
# uncommon characters: names built from them are the rare terms
RARE_CHARS = (
    "鑫燚淼焱垚犇骉麤羴猋赑灥厵嚞叒叕昍晶瞐畾磊品惢姦劦茻歮䲆䲜鱻龘靐飝驫譶䨻"
    "翀翯婧媛嫣妤姝婕瑾瑜璇琦琨珺玥珏琰瑄璐岚崧嵘峤峥岑屹巍嵩杳杪楠榕桦槿梓"
    "栩柘桉楷樾檀霖霏雯霁霆曦晗昀昊昱晟暄暻炜烨焕熠煜熹灏沣沅泓洵浚涵淳溪湛"
)
SITES = ("haidian", "chaoyang", "xicheng", "pudong", "tianhe", "futian", "yuhang", "jiangbei")
COLUMN_NAMES = ("区内动态", "通知公告", "政务公开", "部门动态", "街镇动态", "政策解读")
ARTICLE_COLUMNS = ("id", *COLUMNS, "body_kind")  # store.py's columns, with ids chosen here
VIEW_COLUMNS = ("article_id", "observed_at", "views", "method", "self_incremented", "crawl_run_id")
RUN_COLUMNS = ("id", "site", "start_urls", "started_at", "finished_at", "status", "pages")
RUN_COLUMNS += ("items", "rejects", "errors", "stats")
RUNS_PER_SITE = 30
START = datetime(2016, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3600


class Corpus:
    """Seeded sentence pool, names and weights; :meth:`article` makes article ``i``."""

    def __init__(self, seed: int = 24) -> None:
        rng = random.Random(seed)
        zipf = [1.0 / (rank + 1) for rank in range(len(WORDS))]
        rng.shuffle(zipf)  # which word is common is not the list order
        self.names = [
            "".join(self._name_char(rng) for _ in range(rng.choice((2, 2, 3))))
            for _ in range(40_000)
        ]
        self.sentences = [self._sentence(rng, zipf) for _ in range(20_000)]
        # a Zipf law over sentences too: some boilerplate recurs everywhere
        self.cum_weights = list(accumulate(1.0 / (r + 10) for r in range(len(self.sentences))))

    @staticmethod
    def _name_char(rng: random.Random) -> str:
        """Half from a small pool of uncommon characters, half from the whole CJK block (rare)."""
        if rng.random() < 0.5:
            return rng.choice(RARE_CHARS)
        return chr(0x4E00 + rng.randrange(20_902))

    def _sentence(self, rng: random.Random, zipf: list[float]) -> str:
        parts: list[str] = []
        for _ in range(rng.randint(3, 9)):
            parts.extend(rng.choices(WORDS, weights=zipf, k=rng.randint(1, 3)))
            parts.append(rng.choice(FILLER))
            if rng.random() < 0.3:
                parts.append(rng.choice(PUNCT))
        if rng.random() < 0.1:
            parts.insert(rng.randrange(len(parts)), rng.choice(self.names))
        return "".join(parts).strip("，、；") + "。"

    def body(self, rng: random.Random) -> str:
        want = min(12_000, max(120, int(rng.lognormvariate(6.9, 0.55))))  # median ≈ 1000
        out: list[str] = []
        size = 0
        while size < want:
            chunk = rng.choices(self.sentences, cum_weights=self.cum_weights, k=8)
            out.extend(chunk)
            size += sum(map(len, chunk))
        names = rng.sample(self.names, 3)
        out.insert(0, f"{names[0]}、{names[1]}在{names[2]}调研时指出，")
        return "".join(out)[:want]

    def article(self, i: int) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        """Article ``i`` (ids from 1) as a row of :data:`ARTICLE_COLUMNS`, and its view readings."""
        rng = random.Random(i * 7919)
        site_no = i % len(SITES)
        site = SITES[site_no]
        published = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
        body = self.body(rng)
        title = "".join(rng.choices(WORDS, k=rng.randint(3, 7)))
        if rng.random() < 0.2:
            title = rng.choice(self.names) + title
        run_id = site_no * RUNS_PER_SITE + RUNS_PER_SITE
        views = int(rng.paretovariate(1.2) * 50)
        readings = [
            (i, published + timedelta(days=d), views * (d + 1) // 4, "static", False, run_id)
            for d in range(rng.randint(1, 5))
        ]
        paragraphs = body.split("。")
        row = {
            "id": i,
            "site": site,
            "url": f"http://www.{site}.gov.cn/{COLUMN_NAMES[i % 6]}/{published:%Y%m}/t{i}.html",
            "title": title,
            "published_at": published,
            "published_raw": f"发布时间：{published:%Y-%m-%d}",
            "views": readings[-1][2],
            "body_text": body,
            "body_html": "<div>" + "".join(f"<p>{p}。</p>" for p in paragraphs if p) + "</div>",
            "source": f"{site}融媒体中心",
            "author": None,
            "canonical_url": None,
            "column_name": COLUMN_NAMES[i % len(COLUMN_NAMES)],
            "attachments": "[]",
            "methods": '{"title": "h1", "body": "density"}',
            "content_hash": hashlib.sha256(body.encode()).hexdigest(),
            "first_seen_at": published + timedelta(hours=2),
            "last_seen_at": published + timedelta(days=len(readings)),
            "last_crawl_run_id": run_id,
            "body_kind": "text",
        }
        return row, readings


def runs() -> Iterator[tuple[Any, ...]]:
    """``RUNS_PER_SITE`` finished runs per site, a day apart, with the fill stats a crawl saves."""
    stats = {f"govnews/fill/{f}": 95 for f in ("title", "published", "views", "body")}
    stats |= {"govnews/fill/articles": 100, "govnews/fill/confident": 90}
    for s, site in enumerate(SITES):
        for r in range(RUNS_PER_SITE):
            at = START + timedelta(days=SPAN_DAYS + r)
            row = (s * RUNS_PER_SITE + r + 1, site, f'["http://www.{site}.gov.cn/"]', at)
            yield (*row, at + timedelta(minutes=20), "finished", 120, 100, 0, 0, json.dumps(stats))


def sqlite_value(v: Any) -> Any:
    """SQLAlchemy's SQLite form of a timestamp: naive UTC text."""
    return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if isinstance(v, datetime) else v


def fill_sqlite(path: str, corpus: Corpus, have: int, target: int) -> None:
    """Articles ``have+1 .. target`` (and their readings; the runs on the first call)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    cols = ", ".join(ARTICLE_COLUMNS)
    art_sql = f"INSERT INTO articles ({cols}) VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
    vc_sql = f"INSERT INTO view_counts ({', '.join(VIEW_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
    if have == 0:
        ph = ", ".join("?" * len(RUN_COLUMNS))
        with conn:
            conn.executemany(
                f"INSERT INTO crawl_runs ({', '.join(RUN_COLUMNS)}) VALUES ({ph})",
                [tuple(map(sqlite_value, r)) for r in runs()],
            )
    # a transaction per 10k articles: one for the whole fill kept all of it in the write-ahead
    # log (14 GB at 1M), which the size figure then counted
    for start in range(have + 1, target + 1, 10_000):
        arts, views = [], []
        for i in range(start, min(start + 10_000, target + 1)):
            row, readings = corpus.article(i)
            arts.append(tuple(sqlite_value(row[c]) for c in ARTICLE_COLUMNS))
            views.extend(tuple(map(sqlite_value, r)) for r in readings)
        with conn:
            conn.executemany(art_sql, arts)
            conn.executemany(vc_sql, views)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def fill_postgres(dsn: str, corpus: Corpus, have: int, target: int) -> None:
    """As :func:`fill_sqlite`, by ``COPY`` with the GIN indexes rebuilt after the load."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        gin = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'articles' AND indexdef LIKE '%USING gin%'"
        ).fetchall()
        for name, _ in gin:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor() as cur:
            if have == 0:
                with cur.copy(f"COPY crawl_runs ({', '.join(RUN_COLUMNS)}) FROM STDIN") as cp:
                    for run in runs():
                        cp.write_row(run)
            for start in range(have + 1, target + 1, 10_000):
                views: list[tuple[Any, ...]] = []
                with cur.copy(f"COPY articles ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN") as cp:
                    for i in range(start, min(start + 10_000, target + 1)):
                        row, readings = corpus.article(i)
                        cp.write_row(tuple(row[c] for c in ARTICLE_COLUMNS))
                        views.extend(readings)
                with cur.copy(f"COPY view_counts ({', '.join(VIEW_COLUMNS)}) FROM STDIN") as cp:
                    for reading in views:
                        cp.write_row(reading)
        for _, definition in gin:
            conn.execute(definition)
        for table in ("articles", "view_counts", "crawl_runs"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        conn.execute("VACUUM ANALYZE")
