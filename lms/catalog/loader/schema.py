"""The shape of a package's files, as pydantic models that refuse unknown fields.

docs/course-format.md is the human description of the same format; keep them together.
"""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lms.catalog.models import LEVEL_ORDER, Lever, QuestionType

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PassMark = Annotated[int, Field(ge=0, le=100)]
CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelSpec(Spec):
    key: Literal["connaissances", "competences", "expertise"]
    title: Title
    summary: str = ""
    modules: list[Slug] = Field(min_length=1)


class ManifestSpec(Spec):
    slug: Slug
    title: Title
    summary: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "fr"
    pass_mark: PassMark = 70
    level_attestations: bool = False
    levels: list[LevelSpec]

    @field_validator("levels")
    @classmethod
    def three_levels_in_order(cls, levels: list[LevelSpec]) -> list[LevelSpec]:
        keys = [level.key for level in levels]
        expected = [key.value for key in LEVEL_ORDER]
        if keys != expected:
            raise ValueError(
                f"il faut exactement trois niveaux, dans l'ordre {', '.join(expected)} "
                f"(reçu : {', '.join(keys) or 'aucun'})"
            )
        return levels


class ResourceSpec(Spec):
    title: Title
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=1000)]
    kind: Literal["lien", "fiche-action", "kit", "document"] = "lien"


class ModuleFrontMatter(Spec):
    title: Title
    duration: Annotated[int, Field(gt=0, le=600)]
    levers: list[Lever] = Field(min_length=1)
    resources: list[ResourceSpec] = Field(default_factory=list)


class ChoiceSpec(Spec):
    id: Key
    text: Text
    correct: bool = False


class QuestionSpec(Spec):
    id: Key
    type: Literal["single_choice", "multiple_choice", "true_false"]
    prompt: Text
    explanation: Text
    levers: list[Lever] = Field(default_factory=list)
    choices: list[ChoiceSpec] | None = None
    answer: bool | None = None

    @field_validator("choices")
    @classmethod
    def choices_fit_the_type(
        cls, choices: list[ChoiceSpec] | None, info: ValidationInfo
    ) -> list[ChoiceSpec] | None:
        # Checked here rather than in answers_fit_the_type so that the error names the
        # question's `choices` field (and its line), not the whole question.
        kind = info.data.get("type")
        if choices is None or kind not in CHOICE_TYPES:
            return choices
        if len(choices) < 2:
            raise ValueError(f"une question {kind} doit proposer au moins deux choix")
        ids = [choice.id for choice in choices]
        duplicates = sorted({choice_id for choice_id in ids if ids.count(choice_id) > 1})
        if duplicates:
            raise ValueError(f"identifiant de choix en double : {', '.join(duplicates)}")
        correct = sum(choice.correct for choice in choices)
        if correct == 0:
            raise ValueError("aucune bonne réponse (ajoutez « correct: true » à un choix)")
        if kind == QuestionType.SINGLE_CHOICE and correct != 1:
            raise ValueError(
                f"une question single_choice a exactement une bonne réponse (ici {correct})"
            )
        return choices

    @model_validator(mode="after")
    def answers_fit_the_type(self) -> "QuestionSpec":
        if self.type == QuestionType.TRUE_FALSE:
            if self.choices is not None:
                raise ValueError(
                    "une question true_false n'a pas de « choices » mais un « answer »"
                )
            if self.answer is None:
                raise ValueError("une question true_false doit avoir « answer: true » ou « false »")
            return self
        if self.answer is not None:
            raise ValueError(f"une question {self.type} a des « choices », pas de « answer »")
        if self.choices is None:
            raise ValueError(f"une question {self.type} doit proposer au moins deux choix")
        return self

    def stored_choices(self) -> list[dict]:
        if self.type == QuestionType.TRUE_FALSE:
            return [
                {"id": "true", "text": "Vrai", "correct": self.answer is True},
                {"id": "false", "text": "Faux", "correct": self.answer is False},
            ]
        assert self.choices is not None  # noqa: S101 - guaranteed by the validator
        return [choice.model_dump() for choice in self.choices]


class QuizSpec(Spec):
    title: Title | None = None
    pass_mark: PassMark | None = None
    max_attempts: Annotated[int, Field(ge=1, le=100)] | None = None
    questions: list[QuestionSpec] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def unique_question_ids(cls, questions: list[QuestionSpec]) -> list[QuestionSpec]:
        ids = [question.id for question in questions]
        duplicates = sorted({qid for qid in ids if ids.count(qid) > 1})
        if duplicates:
            raise ValueError(f"identifiant de question en double : {', '.join(duplicates)}")
        return questions
