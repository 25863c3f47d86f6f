"""Draft questions as snapshots, so previews use the learner's own presentation and scoring
without creating any learner record."""

import hashlib
import random

from lms.authoring.models import ModuleDraft, ParcoursDraft
from lms.catalog.loader.schema import QuestionSpec
from lms.catalog.questions import Snapshot


def draft_snapshot(question: dict, from_bank: bool) -> Snapshot:
    spec = QuestionSpec.model_validate(question)
    return {
        "key": spec.id,
        "type": spec.type,
        "prompt": spec.prompt,
        "explanation": spec.explanation,
        "levers": [lever.value for lever in spec.levers],
        "choices": spec.stored_choices(),
        "numeric_answer": float(spec.answer) if spec.type == "numeric" else None,
        "numeric_tolerance": float(spec.tolerance or 0) if spec.type == "numeric" else None,
        "from_bank": from_bank,
    }


def preview_snapshots(draft: ParcoursDraft, module: ModuleDraft, seed: str) -> list[Snapshot]:
    """The quiz's own questions, then a draw from the draft's bank, as an attempt would."""
    quiz = module.quiz or {}
    snaps = [draft_snapshot(question, False) for question in quiz.get("questions", [])]
    draw = quiz.get("draw")
    if draw:
        wanted = set(draw.get("levers", []))
        bank = [q for q in draft.bank if not wanted or wanted & set(q.get("levers", []))]
        rng = random.Random(hashlib.sha256(f"draw|{seed}".encode()).digest())  # noqa: S311
        drawn = rng.sample(bank, min(draw["count"], len(bank)))
        snaps += [draft_snapshot(question, True) for question in drawn]
    return snaps
