"""The working copy trainers edit. Learners never see it: publishing turns it into a
package and imports it with the loader, exactly as `flask lms import-course` would.

The draft holds content in the shape of the package files (see docs/course-format.md), so
that what a trainer builds is what a `courses/` package holds. Each part carries a version
number, bumped by every save: a save made from an older version is refused (two trainers
editing the same module), never silently overwritten.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Parcours
from lms.core.db import utcnow
from lms.extensions import db


class ParcoursDraft(db.Model):
    __tablename__ = "parcours_drafts"

    parcours_id: Mapped[int] = mapped_column(
        sa.ForeignKey("parcours.id", ondelete="CASCADE"), primary_key=True
    )
    # parcours.yaml without the module lists: slug, title, summary, language, pass_mark,
    # level_attestations, levels [{key, title, summary}].
    manifest: Mapped[dict] = mapped_column(sa.JSON)
    # {level key: [module slugs in order]}
    structure: Mapped[dict] = mapped_column(sa.JSON)
    # banque.yaml's questions (file format).
    bank: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    # Resource files: {"fichiers/<name>": sha256 of the stored file}.
    files: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    bank_version: Mapped[int] = mapped_column(default=1)
    has_changes: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None]
    # SHA-256 of the published package the draft starts from: if the published content
    # changes otherwise (a `flask lms import-course`), publishing the draft would undo that
    # change, so it is refused until the trainer starts again from the published version.
    based_on: Mapped[str | None] = mapped_column(sa.String(64))

    parcours: Mapped[Parcours] = relationship()
    modules: Mapped[list["ModuleDraft"]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="ModuleDraft.id"
    )

    def module(self, slug: str) -> "ModuleDraft | None":
        return next((module for module in self.modules if module.slug == slug), None)


class ModuleDraft(db.Model):
    __tablename__ = "module_drafts"
    __table_args__ = (sa.UniqueConstraint("parcours_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcours_id: Mapped[int] = mapped_column(
        sa.ForeignKey("parcours_drafts.parcours_id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(sa.String(80))
    # The front matter of modules/<slug>.md: title, duration, levers, resources.
    front: Mapped[dict] = mapped_column(sa.JSON)
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    # quizzes/<slug>.yaml, or None when the module has no quiz.
    quiz: Mapped[dict | None] = mapped_column(sa.JSON)
    # The module's text and its quiz are versioned apart: two trainers may work on each.
    version: Mapped[int] = mapped_column(default=1)
    quiz_version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    draft: Mapped[ParcoursDraft] = relationship(back_populates="modules")
