"""What each question type accepts as an answer, how it is scored, and how it reads.

Everything works on a question *snapshot* (a plain dict), so that an attempt scores, shows
and reports the questions exactly as they were when the learner answered them, whatever
is published later. A response is always a list of strings:
- choice types (single, multiple, true/false): the chosen choice ids;
- matching: "left.right" pair ids, one per left item (the right side named by its pair);
- ordering: the item ids in the learner's order;
- numeric: one number, written with a dot ("2.5").
"""

import math
import re
from decimal import Context, Decimal, InvalidOperation, localcontext

from flask_babel import gettext as _

from lms.catalog.models import CHOICE_QUESTION_TYPES, Question, QuestionType

Snapshot = dict

# Longer than any number a quiz asks for; keeps stored responses and arithmetic small.
MAX_NUMBER_LENGTH = 30
# Plain writing only: an exponent ("1e999999999") would make Decimal arithmetic overflow
# or store a huge expansion.
# Enough digits that no accepted number is rounded when written back or compared.
_EXACT = Context(prec=2 * MAX_NUMBER_LENGTH + 20)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class UnscorableAnswerError(ValueError):
    """A response that cannot be scored (blank, unknown ids, not a number)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def snapshot(question: Question) -> Snapshot:
    """The question as it stands now: what an attempt keeps."""
    return {
        "key": question.key,
        "type": question.type.value,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "levers": list(question.levers),
        "choices": [dict(choice) for choice in question.choices],
        "numeric_answer": question.numeric_answer,
        "numeric_tolerance": question.numeric_tolerance,
        "from_bank": question.quiz_id is None,
    }


def _ids(snap: Snapshot) -> list[str]:
    return [choice["id"] for choice in snap["choices"]]


def normalize(snap: Snapshot, raw: list[str] | None) -> list[str]:
    """The response in canonical form; raises UnscorableAnswerError if it cannot be scored."""
    raw = [item.strip() for item in (raw or []) if item and item.strip()]
    kind = snap["type"]
    if not raw:
        raise UnscorableAnswerError(_blank_message(kind))
    if kind in CHOICE_QUESTION_TYPES:
        chosen = sorted(set(raw))
        if not set(chosen) <= set(_ids(snap)):
            raise UnscorableAnswerError(_("Réponse inconnue pour une question."))
        if kind != QuestionType.MULTIPLE_CHOICE and len(chosen) != 1:
            raise UnscorableAnswerError(_("Une seule réponse est attendue pour cette question."))
        return chosen
    if kind == QuestionType.MATCHING:
        pairs = dict(item.partition(".")[::2] for item in raw)
        ids = _ids(snap)
        if set(pairs) != set(ids) or len(pairs) != len(raw):
            raise UnscorableAnswerError(_("Associez chaque élément à une réponse."))
        if not set(pairs.values()) <= set(ids):
            raise UnscorableAnswerError(_("Réponse inconnue pour une question."))
        return [f"{left}.{pairs[left]}" for left in ids]
    if kind == QuestionType.ORDERING:
        if sorted(raw) != sorted(_ids(snap)):
            raise UnscorableAnswerError(
                _("Placez chaque élément une fois, de la première à la dernière place.")
            )
        return raw
    if kind == QuestionType.NUMERIC:
        if len(raw) != 1:
            raise UnscorableAnswerError(_("Une seule réponse est attendue pour cette question."))
        try:
            return [format_number(parse_number(raw[0]))]
        except ArithmeticError:
            # Decimal signals (overflow, invalid operation) are a refusal, never a 500.
            raise UnscorableAnswerError(_("Écrivez un nombre, par exemple 12 ou 2,5.")) from None
    raise UnscorableAnswerError(_("Type de question inconnu."))


def _blank_message(kind: str) -> str:
    if kind == QuestionType.MULTIPLE_CHOICE:
        return _("Cochez au moins une réponse.")
    if kind == QuestionType.MATCHING:
        return _("Associez chaque élément à une réponse.")
    if kind == QuestionType.ORDERING:
        return _("Placez chaque élément une fois, de la première à la dernière place.")
    if kind == QuestionType.NUMERIC:
        return _("Écrivez un nombre, par exemple 12 ou 2,5.")
    return _("Choisissez une réponse.")


def parse_number(text: str) -> Decimal:
    """A number as French speakers write it too: "2,5", "1 500", "-3"."""
    cleaned = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    if len(cleaned) > MAX_NUMBER_LENGTH:
        raise UnscorableAnswerError(
            _("Écrivez un nombre de %(max)d chiffres au plus.", max=MAX_NUMBER_LENGTH)
        )
    if not _NUMBER.fullmatch(cleaned):
        raise UnscorableAnswerError(_("Écrivez un nombre, par exemple 12 ou 2,5."))
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise UnscorableAnswerError(_("Écrivez un nombre, par exemple 12 ou 2,5.")) from None


def format_number(value: Decimal | float) -> str:
    """The shortest plain writing of a number: 2014, 2.5 (never 2014.0 nor 2E+3)."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        value = Decimal(repr(value))
    text = format(value.normalize(_EXACT), "f")
    return "0" if text in {"-0", ""} else text


def correct_response(snap: Snapshot) -> list[str]:
    kind = snap["type"]
    if kind in CHOICE_QUESTION_TYPES:
        return sorted(choice["id"] for choice in snap["choices"] if choice.get("correct"))
    if kind == QuestionType.MATCHING:
        return [f"{choice['id']}.{choice['id']}" for choice in snap["choices"]]
    if kind == QuestionType.ORDERING:
        return _ids(snap)
    return [format_number(snap["numeric_answer"])]


def is_correct(snap: Snapshot, response: list[str]) -> bool:
    if snap["type"] == QuestionType.NUMERIC:
        expected = Decimal(repr(float(snap["numeric_answer"])))
        tolerance = Decimal(repr(float(snap["numeric_tolerance"] or 0)))
        with localcontext(_EXACT):
            return abs(Decimal(response[0]) - expected) <= tolerance
    return response == correct_response(snap)


# xAPI 1.0.3 §2.4.4.1.4 (interaction types and their response patterns).
def interaction_type(snap: Snapshot) -> str:
    return {
        QuestionType.TRUE_FALSE: "true-false",
        QuestionType.MATCHING: "matching",
        QuestionType.ORDERING: "sequencing",
        QuestionType.NUMERIC: "numeric",
    }.get(QuestionType(snap["type"]), "choice")


def response_pattern(snap: Snapshot, response: list[str]) -> str:
    """ "a[,]b" for choices and sequences, "a[.]x[,]b[.]y" for matching, the number for
    numeric; true/false is the chosen "true" or "false"."""
    if snap["type"] == QuestionType.MATCHING:
        return "[,]".join(item.replace(".", "[.]", 1) for item in response)
    return "[,]".join(response)


def correct_pattern(snap: Snapshot) -> str:
    if snap["type"] == QuestionType.NUMERIC:
        answer = float(snap["numeric_answer"])
        tolerance = float(snap["numeric_tolerance"] or 0)
        if tolerance:
            low = format_number(Decimal(repr(answer)) - Decimal(repr(tolerance)))
            high = format_number(Decimal(repr(answer)) + Decimal(repr(tolerance)))
            return f"{low}[:]{high}"
    return response_pattern(snap, correct_response(snap))


def describe(snap: Snapshot, response: list[str]) -> list[str]:
    """The response in words, for the corrected attempt and the item analysis."""
    kind = snap["type"]
    texts = {choice["id"]: choice["text"] for choice in snap["choices"]}
    if kind == QuestionType.TRUE_FALSE:
        labels = {"true": _("Vrai"), "false": _("Faux")}
        return [labels.get(item, item) for item in response]
    if kind == QuestionType.MATCHING:
        rights = {choice["id"]: choice.get("match", "") for choice in snap["choices"]}
        described = []
        for item in response:
            left, _dot, right = item.partition(".")
            described.append(f"{texts.get(left, left)} → {rights.get(right, right)}")
        return described
    if kind == QuestionType.NUMERIC:
        return [item.replace(".", ",") for item in response]
    return [texts.get(item, item) for item in response]


def describe_correct(snap: Snapshot) -> list[str]:
    if snap["type"] == QuestionType.NUMERIC:
        tolerance = snap["numeric_tolerance"] or 0
        answer = format_number(float(snap["numeric_answer"])).replace(".", ",")
        if tolerance and math.isfinite(tolerance):
            margin = format_number(float(tolerance)).replace(".", ",")
            return [_("%(answer)s (à %(margin)s près)", answer=answer, margin=margin)]
        return [answer]
    return describe(snap, correct_response(snap))
