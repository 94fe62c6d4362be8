"""Same article, other URL: fold a batch's rows into the articles they already are.

An article row is the article of an existing row when its URL is that row's URL, or one of its
known other URLs (``article_urls``), or when the same site already has an article with the same
content hash (the normalised title and body: a ``.htm`` alias of a ``.html`` page, a link from
another column, a URL variant the spider's canonical form did not catch). Such a row is
rewritten to the stored URL, so the upsert updates that article instead of adding a copy, and
its own URL is kept in ``article_urls``; so are the URLs the spider saw for the item
(``ArticleItem.aliases``: the URL it fetched when the page's canonical link named another).
A URL always wins over a hash: a stored URL whose text changed stays its own article. The one
exception to "the first URL stays": when the stored copy's page named the incoming URL as its
canonical link, the article moves to that URL and the old one becomes the alias, so which URL
names an article does not depend on the order the variants were fetched in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from pipelines.db.chunks import chunks
from pipelines.db.models import Article, ArticleUrl

ARTICLES: Table = Article.__table__  # type: ignore[assignment]
ALIASES: Table = ArticleUrl.__table__  # type: ignore[assignment]


class Alias(NamedTuple):
    """``url`` is another URL of the article stored under ``target``."""

    url: str
    site: str
    target: str


def merge_same_articles(
    session: Session, rows: Sequence[dict[str, Any]], aliases_of: dict[str, list[str]]
) -> tuple[dict[str, str], list[Alias]]:
    """Rewrite each row's ``url`` to the article it is; returns ``{item URL: stored URL}`` and
    the other URLs to record once the articles have ids (:func:`store_aliases`)."""
    item_urls = [row["url"] for row in rows]
    urls = set(item_urls) | {a for v in aliases_of.values() for a in v}
    stored = set(select_in(session, select(ARTICLES.c.url), ARTICLES.c.url, urls))
    known = dict(
        select_in(
            session,
            select(ALIASES.c.url, ARTICLES.c.url).join(
                ARTICLES, ARTICLES.c.id == ALIASES.c.article_id
            ),
            ALIASES.c.url,
            urls,
        )
    )
    # (site, content hash) -> [URL of the article with that text, its page's canonical link]
    by_hash: dict[tuple[str, str], list[str | None]] = {}
    hashes = {row["content_hash"] for row in rows}
    cols = (ARTICLES.c.site, ARTICLES.c.content_hash, ARTICLES.c.url, ARTICLES.c.canonical_url)
    for site, digest, url, canonical in select_in(
        session, select(*cols), ARTICLES.c.content_hash, hashes, order=True
    ):
        by_hash.setdefault((site, digest), [url, canonical])  # the oldest with that text
        stored.add(url)
    renamed: dict[str, str] = {}
    pending: list[Alias] = []
    for row in rows:
        url, site, key = row["url"], row["site"], (row["site"], row["content_hash"])
        if url in stored or url in known:
            target = url if url in stored else known[url]
            by_hash.setdefault(key, [target, row.get("canonical_url")])
        else:
            hit = by_hash.setdefault(key, [url, row.get("canonical_url")])
            if hit[0] != url and hit[1] == url:  # the copy's own page names this URL: it wins
                renamed[str(hit[0])] = url
                pending.append(Alias(str(hit[0]), site, url))
                hit[0] = url
            target = str(hit[0])
        row["url"] = target
        others = [url, *aliases_of.get(url, [])]
        pending += [Alias(u, site, target) for u in others if u != target and u not in stored]
    for old, new in renamed.items():
        if old in stored:
            session.execute(update(ARTICLES).where(ARTICLES.c.url == old).values(url=new))
    for row in rows:
        row["url"] = _follow(renamed, row["url"])
    final = {item_url: row["url"] for item_url, row in zip(item_urls, rows, strict=True)}
    targets = set(final.values())  # a URL stored as an article in this batch is no alias
    aliases = [a._replace(target=_follow(renamed, a.target)) for a in pending]
    return final, [a for a in aliases if a.url not in targets]


def _follow(renamed: dict[str, str], url: str) -> str:
    seen = {url}
    while url in renamed and renamed[url] not in seen:
        url = renamed[url]
        seen.add(url)
    return url


def store_aliases(
    session: Session, aliases: Iterable[Alias], ids: dict[str, int], now: datetime
) -> int:
    """Insert the aliases whose article has an id and that are not recorded yet."""
    new = {a.url: a for a in aliases if a.target in ids}
    if not new:
        return 0
    recorded = set(select_in(session, select(ALIASES.c.url), ALIASES.c.url, set(new)))
    rows = [
        {"article_id": ids[a.target], "site": a.site, "url": a.url, "first_seen_at": now}
        for a in new.values()
        if a.url not in recorded
    ]
    if rows:
        session.execute(_insert_new(session), rows)
    return len(rows)


def _insert_new(session: Session) -> Any:
    """INSERT that skips a URL another crawl recorded meanwhile (unique ``url``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(ALIASES).on_conflict_do_nothing(index_elements=[ALIASES.c.url])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(ALIASES).on_conflict_do_nothing(index_elements=[ALIASES.c.url])
    return ALIASES.insert()


def select_in(
    session: Session, stmt: Any, column: Any, values: set[str], order: bool = False
) -> list[Any]:
    """``stmt`` filtered by ``column IN values``, one query per chunk (:mod:`.chunks`);
    one-column rows as plain values."""
    found: list[Any] = []
    for chunk in chunks(sorted(values)):
        part = stmt.where(column.in_(chunk))
        if order:
            part = part.order_by(ARTICLES.c.id)
        found += [row[0] if len(row) == 1 else tuple(row) for row in session.execute(part)]
    return found
