"""The shape of a package's files, as pydantic models that refuse unknown fields.

docs/course-format.md is the human description of the same format; keep them together.
"""

import math
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
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
FILE_DIR = "fichiers"
FILE_PATTERN = rf"^{FILE_DIR}/[A-Za-z0-9][A-Za-z0-9._-]{{0,100}}$"
QUESTION_TYPES = Literal[
    "single_choice", "multiple_choice", "true_false", "matching", "ordering", "numeric"
]
# The fields each type uses besides id, type, prompt, explanation and levers.
TYPE_FIELDS = {
    "single_choice": {"choices"},
    "multiple_choice": {"choices"},
    "true_false": {"answer"},
    "matching": {"pairs"},
    "ordering": {"items"},
    "numeric": {"answer", "tolerance"},
}


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
                _(
                    "il faut exactement trois niveaux, dans l'ordre %(expected)s "
                    "(reçu : %(given)s)",
                    expected=", ".join(expected),
                    given=", ".join(keys) or _("aucun"),
                )
            )
        return levels


class ResourceSpec(Spec):
    """A link (`url`), or a file of the package's `fichiers/` folder (`file`)."""

    title: Title
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=1000)] | None = None
    file: Annotated[str, StringConstraints(pattern=FILE_PATTERN)] | None = None
    kind: Literal["lien", "fiche-action", "kit", "document"] = "lien"

    @model_validator(mode="after")
    def url_or_file(self) -> "ResourceSpec":
        if (self.url is None) == (self.file is None):
            raise ValueError(_("une ressource a soit un « url », soit un « file » (fichiers/…)"))
        return self


class ModuleFrontMatter(Spec):
    title: Title
    duration: Annotated[int, Field(gt=0, le=600)]
    levers: list[Lever] = Field(min_length=1)
    resources: list[ResourceSpec] = Field(default_factory=list)


class ChoiceSpec(Spec):
    id: Key
    text: Text
    correct: bool = False


class PairSpec(Spec):
    id: Key
    left: Text
    right: Text


class ItemSpec(Spec):
    id: Key
    text: Text


def _unique_ids(values: list, message: str) -> None:
    """`message` names the duplicated ids with %(ids)s."""
    ids = [value.id for value in values]
    duplicates = sorted({value_id for value_id in ids if ids.count(value_id) > 1})
    if duplicates:
        raise ValueError(message % {"ids": ", ".join(duplicates)})


class QuestionSpec(Spec):
    id: Key
    type: QUESTION_TYPES
    prompt: Text
    explanation: Text
    levers: list[Lever] = Field(default_factory=list)
    choices: list[ChoiceSpec] | None = None
    # true_false: true or false; numeric: the expected number.
    answer: StrictBool | Annotated[float, Field(allow_inf_nan=False)] | None = None
    # numeric: the accepted distance from `answer` (0: exactly).
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    # matching: the pairs, each left text with its right text.
    pairs: list[PairSpec] | None = None
    # ordering: the items, in the right order (learners see them shuffled).
    items: list[ItemSpec] | None = None

    @field_validator("pairs", "items")
    @classmethod
    def enough_parts(cls, parts: list | None, info: ValidationInfo) -> list | None:
        if parts is None:
            return parts
        if len(parts) < 2:
            raise ValueError(_("il faut au moins deux éléments (ici %(n)d)", n=len(parts)))
        _unique_ids(
            parts,
            _("identifiant de paire en double : %(ids)s")
            if info.field_name == "pairs"
            else _("identifiant d'élément en double : %(ids)s"),
        )
        if info.field_name == "pairs":
            rights = [pair.right for pair in parts]
            if len(set(rights)) != len(rights):
                raise ValueError(_("deux paires ont le même texte de droite"))
        return parts

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
            raise ValueError(
                _("une question %(type)s doit proposer au moins deux choix", type=kind)
            )
        ids = [choice.id for choice in choices]
        duplicates = sorted({choice_id for choice_id in ids if ids.count(choice_id) > 1})
        if duplicates:
            raise ValueError(
                _("identifiant de choix en double : %(ids)s", ids=", ".join(duplicates))
            )
        correct = sum(choice.correct for choice in choices)
        if correct == 0:
            raise ValueError(_("aucune bonne réponse (ajoutez « correct: true » à un choix)"))
        if kind == QuestionType.SINGLE_CHOICE and correct != 1:
            raise ValueError(
                _(
                    "une question single_choice a exactement une bonne réponse (ici %(n)d)",
                    n=correct,
                )
            )
        return choices

    @model_validator(mode="after")
    def answers_fit_the_type(self) -> "QuestionSpec":
        expected = TYPE_FIELDS[self.type]
        fields = ("choices", "answer", "tolerance", "pairs", "items")
        given = {name for name in fields if getattr(self, name) is not None}
        if given - expected:
            raise ValueError(
                _(
                    "une question %(type)s n'a pas de « %(fields)s » (champs attendus : "
                    "%(expected)s)",
                    type=self.type,
                    fields=", ".join(sorted(given - expected)),
                    expected=", ".join(sorted(expected)),
                )
            )
        if self.type == QuestionType.TRUE_FALSE and not isinstance(self.answer, bool):
            raise ValueError(_("une question true_false doit avoir « answer: true » ou « false »"))
        if self.type == QuestionType.NUMERIC and (
            self.answer is None or isinstance(self.answer, bool) or not math.isfinite(self.answer)
        ):
            raise ValueError(_("une question numeric doit avoir un « answer » numérique"))
        if self.type in CHOICE_TYPES and self.choices is None:
            raise ValueError(
                _("une question %(type)s doit proposer au moins deux choix", type=self.type)
            )
        if self.type == QuestionType.MATCHING and self.pairs is None:
            raise ValueError(_("une question matching doit avoir des « pairs » (left, right)"))
        if self.type == QuestionType.ORDERING and self.items is None:
            raise ValueError(_("une question ordering doit avoir des « items » dans le bon ordre"))
        return self

    def stored_choices(self) -> list[dict]:
        if self.type == QuestionType.TRUE_FALSE:
            return [
                {"id": "true", "text": "Vrai", "correct": self.answer is True},
                {"id": "false", "text": "Faux", "correct": self.answer is False},
            ]
        if self.type == QuestionType.MATCHING:
            assert self.pairs is not None  # noqa: S101 - guaranteed by the validator
            return [{"id": p.id, "text": p.left, "match": p.right} for p in self.pairs]
        if self.type == QuestionType.ORDERING:
            assert self.items is not None  # noqa: S101 - guaranteed by the validator
            return [item.model_dump() for item in self.items]
        if self.type == QuestionType.NUMERIC:
            return []
        assert self.choices is not None  # noqa: S101 - guaranteed by the validator
        return [choice.model_dump() for choice in self.choices]


class DrawSpec(Spec):
    """Questions drawn at random from the parcours' bank at each attempt."""

    count: Annotated[int, Field(ge=1, le=100)]
    # Only bank questions tagged with one of these levers; any question when empty.
    levers: list[Lever] = Field(default_factory=list)


def _check_question_ids(questions: list[QuestionSpec]) -> list[QuestionSpec]:
    ids = [question.id for question in questions]
    duplicates = sorted({qid for qid in ids if ids.count(qid) > 1})
    if duplicates:
        raise ValueError(
            _("identifiant de question en double : %(ids)s", ids=", ".join(duplicates))
        )
    return questions


class QuizSpec(Spec):
    title: Title | None = None
    pass_mark: PassMark | None = None
    max_attempts: Annotated[int, Field(ge=1, le=100)] | None = None
    shuffle_choices: bool = False
    draw: DrawSpec | None = None
    questions: list[QuestionSpec] = Field(default_factory=list)

    @field_validator("questions")
    @classmethod
    def unique_question_ids(cls, questions: list[QuestionSpec]) -> list[QuestionSpec]:
        return _check_question_ids(questions)

    @model_validator(mode="after")
    def has_questions(self) -> "QuizSpec":
        if not self.questions and self.draw is None:
            raise ValueError(
                _("un quiz a au moins une question, ou un tirage (« draw ») dans la banque")
            )
        return self


class BankSpec(Spec):
    """`banque.yaml`: the parcours' bank of questions, each tagged with its levers."""

    questions: list[QuestionSpec] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def unique_tagged_questions(cls, questions: list[QuestionSpec]) -> list[QuestionSpec]:
        untagged = [question.id for question in questions if not question.levers]
        if untagged:
            raise ValueError(
                _(
                    "chaque question de la banque a au moins un levier (sans : %(ids)s)",
                    ids=", ".join(untagged),
                )
            )
        return _check_question_ids(questions)
