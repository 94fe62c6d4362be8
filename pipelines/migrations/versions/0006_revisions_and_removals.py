"""``article_revisions`` and ``articles.removed_at``: edits and removals of articles.

A re-crawl or revisit that finds an article's text changed (another content hash) keeps the
previous title, body, date and hash as an ``article_revisions`` row (when the change was seen,
which fields changed); ``articles`` holds the latest. An article whose page is gone (404/410, a
"该信息已删除" page) gets ``removed_at``, never a DELETE. A new table and a plain ``ADD COLUMN``
on both dialects: no SQLite rebuild of ``articles``, so 0002's search triggers and views stay.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("articles", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "article_revisions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("article_id", BIG_ID, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
    )
    op.create_index(op.f("ix_article_revisions_article_id"), "article_revisions", ["article_id"])
    op.create_index(op.f("ix_article_revisions_seen_at"), "article_revisions", ["seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_article_revisions_seen_at"), table_name="article_revisions")
    op.drop_index(op.f("ix_article_revisions_article_id"), table_name="article_revisions")
    op.drop_table("article_revisions")
    op.drop_column("articles", "removed_at")
