import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import str_enum, utcnow
from lms.extensions import db


class LevelKey(enum.StrEnum):
    CONNAISSANCES = "connaissances"
    COMPETENCES = "competences"
    EXPERTISE = "expertise"


LEVEL_ORDER: tuple[LevelKey, ...] = (
    LevelKey.CONNAISSANCES,
    LevelKey.COMPETENCES,
    LevelKey.EXPERTISE,
)


class Lever(enum.StrEnum):
    RICHESSES_HUMAINES = "richesses-humaines"
    FINANCEMENTS = "financements"
    ALLIANCES = "alliances"


class QuestionType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    MATCHING = "matching"
    ORDERING = "ordering"
    NUMERIC = "numeric"


# Types whose answer is a pick among `choices` (ids of choices).
CHOICE_QUESTION_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE}
)


class Parcours(db.Model):
    __tablename__ = "parcours"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(10), default="fr")
    pass_mark: Mapped[int] = mapped_column(default=70)
    is_published: Mapped[bool] = mapped_column(default=True)
    # Whether each completed level earns its own attestation, besides the certificate of the
    # whole parcours (manifest field `level_attestations`).
    issues_level_attestations: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    levels: Mapped[list["Level"]] = relationship(
        back_populates="parcours", order_by="Level.position", cascade="all, delete-orphan"
    )


class ParcoursOwner(db.Model):
    """A trainer who owns a parcours: edits it, and revokes or reinstates its certificates."""

    __tablename__ = "parcours_owners"

    parcours_id: Mapped[int] = mapped_column(
        sa.ForeignKey("parcours.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Level(db.Model):
    __tablename__ = "levels"
    __table_args__ = (sa.UniqueConstraint("parcours_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="CASCADE"))
    key: Mapped[LevelKey] = mapped_column(str_enum(LevelKey, 20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")

    parcours: Mapped[Parcours] = relationship(back_populates="levels")
    modules: Mapped[list["Module"]] = relationship(
        back_populates="level",
        order_by="Module.position",
        primaryjoin="and_(Level.id == Module.level_id, Module.is_archived == False)",  # noqa: E712
        viewonly=True,
    )


class Module(db.Model):
    __tablename__ = "modules"
    # Module slugs are unique within a parcours, not only within a level: activity ids
    # are built from them, and a module may move between levels without changing id.
    __table_args__ = (sa.UniqueConstraint("parcours_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("levels.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    duration_minutes: Mapped[int]
    levers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    # Rendered and sanitised once at import, so that pages never parse Markdown.
    body_html: Mapped[str] = mapped_column(sa.Text)
    # A module dropped from its package is archived, never deleted: learners' progress and
    # attempts on it are kept.
    is_archived: Mapped[bool] = mapped_column(default=False)

    level: Mapped[Level] = relationship()
    parcours: Mapped[Parcours] = relationship()
    resources: Mapped[list["Resource"]] = relationship(
        back_populates="module", order_by="Resource.position", cascade="all, delete-orphan"
    )
    quiz: Mapped["Quiz | None"] = relationship(back_populates="module", uselist=False)


class Resource(db.Model):
    """A link, or a file shipped with the package (then `url` is empty)."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[str] = mapped_column(sa.String(20), default="lien")
    # A file resource: its content hash (where it is stored) and its name in the package.
    file_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    file_name: Mapped[str | None] = mapped_column(sa.String(120))

    module: Mapped[Module] = relationship(back_populates="resources")


class StoredFile(db.Model):
    """An uploaded or imported file, stored outside the web root under its content hash.

    Files belong to one parcours: only its editors may fetch a file no published resource
    uses yet.
    """

    __tablename__ = "stored_files"
    __table_args__ = (sa.UniqueConstraint("parcours_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Quiz(db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    # Percentage, 0-100, that the score must reach; None means the parcours' pass mark.
    pass_mark: Mapped[int | None]
    max_attempts: Mapped[int | None]
    # Choices shown in a new random order at each attempt.
    shuffle_choices: Mapped[bool] = mapped_column(default=False)
    # Each attempt also draws `draw_count` questions at random from the parcours' bank,
    # among those tagged with one of `draw_levers` (any lever when empty).
    draw_count: Mapped[int | None]
    draw_levers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    is_archived: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship(back_populates="quiz")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="quiz",
        order_by="Question.position",
        primaryjoin="and_(Quiz.id == Question.quiz_id, Question.is_archived == False)",  # noqa: E712
        viewonly=True,
    )

    @property
    def effective_pass_mark(self) -> int:
        return self.pass_mark if self.pass_mark is not None else self.module.parcours.pass_mark


class Question(db.Model):
    """A question of a quiz, or of a parcours' bank (then `quiz_id` is None)."""

    __tablename__ = "questions"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "key"),
        sa.UniqueConstraint("bank_parcours_id", "key"),
        sa.CheckConstraint("(quiz_id IS NULL) <> (bank_parcours_id IS NULL)", name="quiz_or_bank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"))
    bank_parcours_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("parcours.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int]
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType, 20))
    prompt: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text)
    levers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # By type (see lms.catalog.questions):
    # - choices: [{"id": "a", "text": "...", "correct": true}, ...]; true/false questions
    #   hold two choices with ids "true" and "false", so they score like single choice;
    # - matching: the pairs [{"id": "a", "text": left, "match": right}, ...];
    # - ordering: the items [{"id": "a", "text": "..."}, ...] in the right order;
    # - numeric: [] (the answer is in numeric_answer ± numeric_tolerance).
    choices: Mapped[list[dict]] = mapped_column(sa.JSON)
    numeric_answer: Mapped[float | None] = mapped_column(sa.Double)
    numeric_tolerance: Mapped[float | None] = mapped_column(sa.Double)
    is_archived: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz | None] = relationship()

    @property
    def correct_choice_ids(self) -> list[str]:
        return [choice["id"] for choice in self.choices if choice.get("correct")]
