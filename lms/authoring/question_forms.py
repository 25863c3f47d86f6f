"""From the question editor to a question in the file format, validated by the loader's
own schema (so the editor accepts exactly what a package may hold), and back."""

import string

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError

from lms.authoring.forms import QuestionForm
from lms.catalog.loader.reader import MESSAGES
from lms.catalog.loader.schema import QuestionSpec
from lms.catalog.questions import UnscorableAnswerError, format_number, parse_number

TYPE_LABELS = {
    "single_choice": _l("Choix unique"),
    "multiple_choice": _l("Choix multiple"),
    "true_false": _l("Vrai ou faux"),
    "matching": _l("Association (paires)"),
    "ordering": _l("Remise en ordre"),
    "numeric": _l("Réponse numérique"),
}


def question_from_form(form: QuestionForm, kind: str) -> tuple[dict | None, list[str]]:
    """The question the form describes, or None with the problems to show."""
    data: dict = {
        "id": form.key.data.strip(),
        "type": kind,
        "prompt": form.prompt.data.strip(),
    }
    if form.levers.data:
        data["levers"] = list(form.levers.data)
    problems: list[str] = []
    rows = [row for row in form.rows.entries if (row.form.text.data or "").strip()]
    used = {(row.form.id.data or "").strip() for row in rows} - {""}
    free_ids = iter(letter for letter in string.ascii_lowercase if letter not in used)

    def row_id(row) -> str:
        return (row.form.id.data or "").strip() or next(free_ids)

    if kind in {"single_choice", "multiple_choice"}:
        data["choices"] = [
            {
                "id": row_id(row),
                "text": row.form.text.data.strip(),
                **({"correct": True} if row.form.correct.data else {}),
            }
            for row in rows
        ]
    elif kind == "true_false":
        if form.answer_bool.data not in {"true", "false"}:
            problems.append(_("Indiquez si l'affirmation est vraie ou fausse."))
        data["answer"] = form.answer_bool.data == "true"
    elif kind == "matching":
        data["pairs"] = [
            {
                "id": row_id(row),
                "left": row.form.text.data.strip(),
                "right": (row.form.match.data or "").strip(),
            }
            for row in rows
        ]
    elif kind == "ordering":
        data["items"] = [{"id": row_id(row), "text": row.form.text.data.strip()} for row in rows]
    elif kind == "numeric":
        for field, name in ((form.answer_number, "answer"), (form.tolerance, "tolerance")):
            text = (field.data or "").strip()
            if not text:
                continue
            try:
                value = float(parse_number(text))
            except UnscorableAnswerError as problem:
                problems.append(f"{field.label.text} : {problem.message}")
                continue
            data[name] = int(value) if value.is_integer() else value
        if "answer" not in data:
            problems.append(_("Indiquez la réponse attendue."))
        if data.get("tolerance") == 0:
            data.pop("tolerance")
    data["explanation"] = form.explanation.data.strip()
    if problems:
        return None, problems
    try:
        QuestionSpec.model_validate(data)
    except ValidationError as error:
        return None, [_message(detail) for detail in error.errors(include_url=False)]
    return data, []


def _message(detail: dict) -> str:
    message = MESSAGES.get(detail["type"]) or str(detail["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in detail["loc"] if not str(part).startswith("function-"))
    return f"{where} : {message}" if where else message


def fill_form(form: QuestionForm, question: dict) -> None:
    """Put a stored question into the editor (GET)."""
    form.key.data = question["id"]
    form.prompt.data = question["prompt"]
    form.explanation.data = question["explanation"]
    form.levers.data = list(question.get("levers", []))
    kind = question["type"]
    if kind == "true_false":
        form.answer_bool.data = "true" if question.get("answer") else "false"
    if kind == "numeric":
        form.answer_number.data = format_number(float(question["answer"])).replace(".", ",")
        form.tolerance.data = format_number(float(question.get("tolerance", 0))).replace(".", ",")
    rows = []
    if kind in {"single_choice", "multiple_choice"}:
        rows = [
            {"id": c["id"], "text": c["text"], "correct": c.get("correct", False)}
            for c in question["choices"]
        ]
    elif kind == "matching":
        rows = [{"id": p["id"], "text": p["left"], "match": p["right"]} for p in question["pairs"]]
    elif kind == "ordering":
        rows = [{"id": i["id"], "text": i["text"]} for i in question["items"]]
    while len(form.rows.entries) < max(6, len(rows) + 2):
        form.rows.append_entry()
    for entry, row in zip(form.rows.entries, rows, strict=False):
        entry.form.id.data = row["id"]
        entry.form.text.data = row["text"]
        entry.form.correct.data = row.get("correct", False)
        entry.form.match.data = row.get("match", "")


def next_key(questions: list[dict], prefix: str = "q") -> str:
    used = {question["id"] for question in questions}
    number = len(questions) + 1
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"
