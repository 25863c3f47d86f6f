"""The quiz form, built for each quiz from its questions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired

from lms.catalog.models import Question, QuestionType


def field_name(question: Question) -> str:
    return f"q_{question.key}"


def quiz_form(questions: list[Question], formdata: object | None = None) -> FlaskForm:
    """A form with one field per question: radios, or checkboxes for multiple choice."""

    class QuizForm(FlaskForm):
        pass

    for question in questions:
        choices = [SelectChoice(choice["id"], choice["text"]) for choice in question.choices]
        required = InputRequired(_l("Choisissez une réponse."))
        if question.type == QuestionType.MULTIPLE_CHOICE:
            field = SelectMultipleField(
                question.prompt,
                choices=choices,
                validators=[InputRequired(_l("Cochez au moins une réponse."))],
            )
        else:
            field = RadioField(question.prompt, choices=choices, validators=[required])
        setattr(QuizForm, field_name(question), field)
    return QuizForm() if formdata is None else QuizForm(formdata=formdata)


def answers_from(form: FlaskForm, questions: list[Question]) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for question in questions:
        data = form[field_name(question)].data
        if data is None:
            answers[question.key] = []
        elif isinstance(data, list):
            answers[question.key] = [str(item) for item in data]
        else:
            answers[question.key] = [str(data)]
    return answers
