"""Read a quiz's answers from the submitted form, for every question type.

Field names: `q_<key>` for choices and numbers; `q_<key>__<left id>` for each left item of
a matching question, whose options are tokens `r<n>` (the right-hand sides in the order
shown: an option value never gives away which pair it belongs to); `q_<key>__<n>` for the
rank given to the n-th item shown of an ordering question.
"""

from werkzeug.datastructures import MultiDict

from lms.catalog.models import QuestionType
from lms.learning.draw import PresentedQuestion

# A rank given to no item, or to several: the response cannot be a sequence.
_UNPLACED = "?"
MAX_RANK_DIGITS = 4


def field_name(question: PresentedQuestion, part: object | None = None) -> str:
    return f"q_{question.key}" if part is None else f"q_{question.key}__{part}"


def right_token(index: int) -> str:
    return f"r{index + 1}"


def presented_keys(questions: list[PresentedQuestion]) -> str:
    return ",".join(question.key for question in questions)


def responses_from(formdata: MultiDict, questions: list[PresentedQuestion]) -> dict[str, list[str]]:
    """Each question's raw response (see lms.catalog.questions), to be normalised."""
    return {question.key: _response(formdata, question) for question in questions}


def _response(formdata: MultiDict, question: PresentedQuestion) -> list[str]:
    kind = question.type
    if kind == QuestionType.MATCHING:
        tokens = {right_token(i): pair_id for i, pair_id in enumerate(question.order)}
        response = []
        for choice in question.snap["choices"]:
            token = formdata.get(field_name(question, choice["id"]), "")
            if token in tokens:
                response.append(f"{choice['id']}.{tokens[token]}")
        return response
    if kind == QuestionType.ORDERING:
        ranks: dict[int, list[str]] = {}
        for index, item_id in enumerate(question.order):
            value = formdata.get(field_name(question, index), "")
            # isdecimal, not isdigit: "²" is a digit that int() refuses; a rank has few digits.
            if value.isdecimal() and len(value) <= MAX_RANK_DIGITS:
                ranks.setdefault(int(value), []).append(item_id)
        if not ranks:
            return []
        size = len(question.order)
        return [
            ranks[rank][0] if len(ranks.get(rank, [])) == 1 else _UNPLACED
            for rank in range(1, size + 1)
        ]
    if kind == QuestionType.NUMERIC:
        value = formdata.get(field_name(question), "")
        return [value] if value.strip() else []
    return formdata.getlist(field_name(question))


def submitted_values(formdata: MultiDict | None) -> dict[str, list[str]]:
    """What the learner had entered, to show it again when the form is refused."""
    if formdata is None:
        return {}
    return {name: formdata.getlist(name) for name in formdata if name.startswith("q_")}
