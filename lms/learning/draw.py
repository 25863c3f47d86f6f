"""Which questions an attempt asks, in what order: the quiz's own questions, then the ones
drawn from the bank, with choices shuffled where the quiz asks for it.

The draw is a pure function of a seed. For a learner the seed is their enrolment, the quiz
and the attempt number: reloading the quiz page shows the same questions, and submitting
recomputes exactly the questions the learner saw, with nothing stored before the attempt.
"""

import hashlib
import random
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from lms.catalog.models import Question, QuestionType, Quiz
from lms.catalog.questions import Snapshot, snapshot
from lms.extensions import db


@dataclass(frozen=True)
class PresentedQuestion:
    """A question as shown in one attempt.

    `order` lists the choice ids (choices, ordering items, or the right-hand sides of a
    matching question) in the order shown.
    """

    snap: Snapshot
    order: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.snap["key"]

    @property
    def type(self) -> str:
        return self.snap["type"]

    def choices_in_order(self) -> list[dict]:
        by_id = {choice["id"]: choice for choice in self.snap["choices"]}
        return [by_id[choice_id] for choice_id in self.order]


def learner_seed(registration: str, quiz: Quiz, number: int) -> str:
    return f"{current_app.config['SECRET_KEY']}|{registration}|{quiz.id}|{number}"


def bank_candidates(quiz: Quiz) -> list[Question]:
    if not quiz.draw_count:
        return []
    parcours_id = quiz.module.parcours_id
    candidates = db.session.scalars(
        sa.select(Question)
        .where(Question.bank_parcours_id == parcours_id, Question.is_archived.is_(False))
        .order_by(Question.position, Question.id)
    ).all()
    wanted = set(quiz.draw_levers or [])
    return [q for q in candidates if not wanted or wanted & set(q.levers)]


def present(
    quiz: Quiz, seed: str, fixed: list[Question] | None = None, bank: list[Question] | None = None
) -> list[PresentedQuestion]:
    """The questions of one attempt. `fixed` and `bank` default to the live content."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())  # noqa: S311 - not a secret
    fixed = list(quiz.questions) if fixed is None else fixed
    bank = bank_candidates(quiz) if bank is None else bank
    drawn = rng.sample(bank, min(quiz.draw_count or 0, len(bank))) if bank else []
    return [_presented(question, quiz, rng) for question in [*fixed, *drawn]]


def present_snapshots(quiz: Quiz, snaps: list[Snapshot], seed: str) -> list[PresentedQuestion]:
    """Previews: the same presentation rules over questions that are not stored."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())  # noqa: S311 - not a secret
    return [_order(snap, quiz.shuffle_choices, rng) for snap in snaps]


def _presented(question: Question, quiz: Quiz, rng: random.Random) -> PresentedQuestion:
    return _order(snapshot(question), quiz.shuffle_choices, rng)


def _order(snap: Snapshot, shuffle_choices: bool, rng: random.Random) -> PresentedQuestion:
    ids = [choice["id"] for choice in snap["choices"]]
    kind = snap["type"]
    shuffled = list(ids)
    if kind in {QuestionType.ORDERING, QuestionType.MATCHING} or (
        shuffle_choices and kind in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
    ):
        rng.shuffle(shuffled)
        # An ordering shown already in order, or pairs shown already matched, gives the
        # answer away: rotate by one.
        if kind in {QuestionType.ORDERING, QuestionType.MATCHING} and shuffled == ids:
            shuffled = shuffled[1:] + shuffled[:1]
    return PresentedQuestion(snap=snap, order=tuple(shuffled))
