"""Typed SQLAlchemy 2.x models. Table and column names are a contract with analysts.

Schema changes go through Alembic (``pipelines/migrations``); never ``create_all`` in
production code paths. Time columns end in ``_at`` and are stored timezone-aware (UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, but INTEGER on SQLite so that it stays a rowid alias (autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class CrawlRun(Base):
    """One run of the spider: what it was asked to do and what it did."""

    __tablename__ = "crawl_runs"
    # health reads a site's latest runs by an index seek, however many runs it has had (0008).
    # No index covers status or finished_at: on a full disk, finishing a run must rewrite only
    # its own row (pipelines.db.runs.finish_run)
    __table_args__ = (Index("ix_crawl_runs_site_started_at", "site", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site: Mapped[str] = mapped_column(String(200), index=True)
    start_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    rejects: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: the site lock: a 'running' row with a recent heartbeat blocks a second run of its site
    heartbeat_at: Mapped[datetime | None]
    #: "host:pid" of the process running it, so a killed run on this host is not waited for
    owner: Mapped[str | None] = mapped_column(String(200))


class Article(Base):
    """One article, unique by URL; re-crawls update it in place (upsert), and a change of its
    text keeps the text it replaced as an :class:`ArticleRevision`."""

    __tablename__ = "articles"
    # site first: it serves lookups by site alone too (migration 0003 dropped a site-only index)
    # migration 0008: stats reads each site's latest last_seen_at and health its latest
    # removed_at (partial: few articles are removed) by index seeks, not by scanning the site
    __table_args__ = (
        Index("ix_articles_site_published_at", "site", "published_at"),
        Index("ix_articles_site_last_seen_at", "site", "last_seen_at"),
        Index(
            "ix_articles_site_removed_at",
            "site",
            "removed_at",
            sqlite_where=text("removed_at IS NOT NULL"),
            postgresql_where=text("removed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_raw: Mapped[str | None] = mapped_column(Text)
    views: Mapped[int | None] = mapped_column(BigInteger)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    #: "text", or "images"/"attachments"/"video"/"audio": content that is scans, files or a player
    body_kind: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    #: low-confidence flags from extraction (JSON list), NULL when every field was found surely
    quality: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), default=None)
    source: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    column_name: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    methods: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: indexed (0008): health computes the fill rates of a run without fill stats from its rows
    last_crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    #: when a crawl or revisit first found the page gone (404/410, a "该信息已删除" page);
    #: NULL while it is online, cleared when it comes back. The row itself is never deleted.
    removed_at: Mapped[datetime | None]

    view_counts: Mapped[list[ViewCount]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )
    aliases: Mapped[list[ArticleUrl]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )


class ArticleUrl(Base):
    """Another URL of a stored article: a variant that gave the same text on the same site
    (``.htm`` beside ``.html``, another column's link), or the URL fetched when the page's
    canonical link named the one stored. Incremental crawls count these URLs as known."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    site: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    first_seen_at: Mapped[datetime]

    article: Mapped[Article] = relationship(back_populates="aliases")


class ArticleRevision(Base):
    """The text an article had before a re-crawl or revisit found it changed (another content
    hash): one row per change, the latest text staying in ``articles``."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    #: when the change was seen (the fetch of the new text)
    seen_at: Mapped[datetime] = mapped_column(index=True)
    #: the fields that differ, comma-separated: "title,body_text" (plain text: easy to filter)
    changed: Mapped[str] = mapped_column(String(200))
    #: the previous values
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))

    article: Mapped[Article] = relationship(back_populates="revisions")


class ViewCount(Base):
    """One reading of an article's view count: the time series (one row per crawl)."""

    __tablename__ = "view_counts"
    __table_args__ = (Index("ix_view_counts_article_id_observed_at", "article_id", "observed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    observed_at: Mapped[datetime]
    views: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str | None] = mapped_column(String(50))
    self_incremented: Mapped[bool] = mapped_column(Boolean, default=False)
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL")
    )

    article: Mapped[Article] = relationship(back_populates="view_counts")


class Reject(Base):
    """A URL that should have become an article and did not, with the reason."""

    __tablename__ = "rejects"
    # 0008: a crawl plan reads its site's rejects, and the previous run's, by index
    __table_args__ = (Index("ix_rejects_site_url", "site", "url"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), index=True)
    site: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(100), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]


class SiteCount(Base):
    """Per-site counters behind ``govnews stats`` and ``govnews health``, kept exact by database
    triggers on ``articles``, ``view_counts``, ``article_revisions`` and ``rejects`` (migration
    0008), so that the reports cost the same at a million articles as at ten thousand: counting
    at read time scans every row. Rejects without a site count under ``site = ''``."""

    __tablename__ = "site_counts"

    site: Mapped[str] = mapped_column(String(200), primary_key=True)
    articles: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    undated: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    with_views: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    low_confidence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    media_only: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    removed: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    view_readings: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    revisions: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    rejects: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: the latest ``article_revisions.seen_at`` of the site's articles
    last_revision_at: Mapped[datetime | None]
