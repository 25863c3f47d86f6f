"""Item analysis of a quiz, computed from the `answered` statements in the store.

Per question: how many answers, the share that were right, the wrong answer chosen most
often, and a discrimination index: the share of right answers among the best attempts
(top 27 % by score) minus that among the weakest (bottom 27 %). Near 0 or negative, the
question does not tell strong learners from weak ones.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.catalog.models import Module
from lms.extensions import db
from lms.xapi import ids, vocabulary
from lms.xapi.models import Statement, StatementActivity

GROUP_SHARE = 0.27


@dataclass
class ItemStats:
    activity_id: str
    prompt: str
    answers: int
    correct: int
    wrong_answer: str | None
    wrong_count: int
    discrimination: float | None

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answers if self.answers else None


def quiz_item_analysis(module: Module) -> list[ItemStats]:
    quiz_iri = ids.quiz_iri(module.parcours.slug, module.slug)
    statements = db.session.scalars(
        sa.select(Statement)
        .join(StatementActivity, StatementActivity.statement_seq == Statement.seq)
        .where(
            StatementActivity.activity_id == quiz_iri,
            StatementActivity.is_direct.is_(False),
            Statement.verb_id == vocabulary.ANSWERED.id,
            Statement.is_voided.is_(False),
        )
        .order_by(Statement.seq)
    ).all()
    # The answers of one attempt share their registration and timestamp.
    attempts: dict[tuple, dict[str, bool]] = defaultdict(dict)
    answers: dict[str, list[tuple[tuple, bool, str]]] = defaultdict(list)
    definitions: dict[str, dict] = {}
    for statement in statements:
        payload = statement.payload
        activity = payload.get("object") or {}
        result = payload.get("result") or {}
        activity_id = activity.get("id", "")
        success = bool(result.get("success"))
        attempt = (statement.registration, statement.timestamp, statement.actor_key)
        attempts[attempt][activity_id] = success
        answers[activity_id].append((attempt, success, str(result.get("response", ""))))
        definitions[activity_id] = activity.get("definition") or {}
    scores = {key: sum(values.values()) / len(values) for key, values in attempts.items()}
    return [
        _stats(activity_id, rows, definitions[activity_id], scores)
        for activity_id, rows in answers.items()
    ]


def _stats(activity_id: str, rows: list, definition: dict, scores: dict) -> ItemStats:
    wrong = Counter(response for _attempt, success, response in rows if not success)
    top_wrong, wrong_count = wrong.most_common(1)[0] if wrong else (None, 0)
    return ItemStats(
        activity_id=activity_id,
        prompt=_text(definition.get("description")) or activity_id,
        answers=len(rows),
        correct=sum(success for _attempt, success, _response in rows),
        wrong_answer=describe_response(definition, top_wrong) if top_wrong is not None else None,
        wrong_count=wrong_count,
        discrimination=_discrimination(rows, scores),
    )


def _discrimination(rows: list, scores: dict) -> float | None:
    if len(rows) < 2:
        return None
    ranked = sorted(rows, key=lambda row: scores[row[0]], reverse=True)
    size = max(1, round(len(ranked) * GROUP_SHARE))
    upper, lower = ranked[:size], ranked[-size:]
    return round(sum(row[1] for row in upper) / size - sum(row[1] for row in lower) / size, 2)


def _text(language_map: dict | None) -> str:
    if not language_map:
        return ""
    return language_map.get("fr-FR") or next(iter(language_map.values()), "")


def describe_response(definition: dict, response: str) -> str:
    """A response pattern in words, from the question as it was when answered."""
    kind = definition.get("interactionType")
    if kind == "true-false":
        return _("Vrai") if response == "true" else _("Faux")
    if kind == "numeric":
        return response.replace(".", ",")

    def labels(key: str) -> dict[str, str]:
        return {c.get("id"): _text(c.get("description")) for c in definition.get(key) or []}

    if kind == "matching":
        sources, targets = labels("source"), labels("target")
        parts = []
        for pair in response.split("[,]"):
            left, _sep, right = pair.partition("[.]")
            parts.append(f"{sources.get(left, left)} → {targets.get(right, right)}")
        return " ; ".join(parts)
    choices = labels("choices")
    separator = " → " if kind == "sequencing" else ", "
    return separator.join(choices.get(part, part) for part in response.split("[,]"))
