"""Build the statements of a learner's journey with `tincan`, as xAPI 1.0.3 JSON.

One small builder per learning event. Every statement carries the learner as an account
(homePage = the platform, name = the opaque public id, never the e-mail), the enrolment's
registration, the parent and grouping activities (question → quiz → module → level →
parcours), the content language and the platform.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from tincan import (
    Activity,
    ActivityDefinition,
    ActivityList,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
    Result,
    Score,
    Statement,
    Verb,
)

from lms.accounts.models import User
from lms.catalog import questions
from lms.catalog.models import Level, Module, Parcours, QuestionType, Quiz
from lms.catalog.questions import Snapshot
from lms.xapi import ids, vocabulary
from lms.xapi.vocabulary import VerbDef

XAPI_VERSION = "1.0.3"


@dataclass(frozen=True)
class Journey:
    """Who and where: the learner and the enrolment a statement belongs to."""

    user: User
    registration: str
    parcours: Parcours


def actor(user: User) -> Agent:
    return Agent(
        account=AgentAccount(home_page=current_app.config["LMS_BASE_URL"], name=user.public_id),
    )


def _lang(parcours: Parcours) -> str:
    return {"fr": "fr-FR", "en": "en-US"}.get(parcours.language, parcours.language)


def _verb(verb: VerbDef) -> Verb:
    return Verb(id=verb.id, display=LanguageMap(verb.display))


def _name(parcours: Parcours, text: str) -> LanguageMap:
    return LanguageMap({_lang(parcours): text})


def parcours_activity(parcours: Parcours) -> Activity:
    return Activity(
        id=ids.parcours_iri(parcours.slug),
        definition=ActivityDefinition(
            type=vocabulary.TYPE_COURSE,
            name=_name(parcours, parcours.title),
        ),
    )


def level_activity(level: Level) -> Activity:
    parcours = level.parcours
    return Activity(
        id=ids.level_iri(parcours.slug, level.key.value),
        definition=ActivityDefinition(
            type=vocabulary.TYPE_LEVEL, name=_name(parcours, level.title)
        ),
    )


def module_activity(module: Module) -> Activity:
    parcours = module.parcours
    return Activity(
        id=ids.module_iri(parcours.slug, module.slug),
        definition=ActivityDefinition(
            type=vocabulary.TYPE_MODULE, name=_name(parcours, module.title)
        ),
    )


def quiz_activity(quiz: Quiz) -> Activity:
    module = quiz.module
    parcours = module.parcours
    return Activity(
        id=ids.quiz_iri(parcours.slug, module.slug),
        definition=ActivityDefinition(type=vocabulary.TYPE_QUIZ, name=_name(parcours, quiz.title)),
    )


def question_activity(quiz: Quiz, snap: Snapshot) -> Activity:
    """The question as the learner saw it (a snapshot), with the component lists of its
    interaction type: choices, source and target (matching), or none (true/false, numeric).
    A bank question has one id for the whole parcours, whatever quiz drew it."""
    module = quiz.module
    parcours = module.parcours
    kind = snap["type"]
    definition = ActivityDefinition(
        type=vocabulary.TYPE_QUESTION,
        description=_name(parcours, snap["prompt"]),
        interaction_type=questions.interaction_type(snap),
        correct_responses_pattern=[questions.correct_pattern(snap)],
    )

    def components(text_key: str) -> InteractionComponentList:
        return InteractionComponentList(
            [
                InteractionComponent(id=choice["id"], description=_name(parcours, choice[text_key]))
                for choice in snap["choices"]
            ]
        )

    if kind == QuestionType.MATCHING:
        definition.source = components("text")
        definition.target = components("match")
    elif kind in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.ORDERING}:
        definition.choices = components("text")
    if snap.get("from_bank"):
        iri = ids.bank_question_iri(parcours.slug, snap["key"])
    else:
        iri = ids.question_iri(parcours.slug, module.slug, snap["key"])
    return Activity(id=iri, definition=definition)


def _context(journey: Journey, parents: list[Activity], grouping: list[Activity]) -> Context:
    context_activities = ContextActivities()
    if parents:
        context_activities.parent = ActivityList(parents)
    if grouping:
        context_activities.grouping = ActivityList(grouping)
    return Context(
        registration=uuid.UUID(journey.registration),
        platform=current_app.config["XAPI_PLATFORM"],
        language=_lang(journey.parcours),
        context_activities=context_activities,
    )


def _statement(
    journey: Journey,
    verb: VerbDef,
    activity: Activity,
    timestamp: datetime,
    *,
    parents: list[Activity] | None = None,
    grouping: list[Activity] | None = None,
    result: Result | None = None,
) -> dict:
    statement = Statement(
        id=uuid.uuid4(),
        actor=actor(journey.user),
        verb=_verb(verb),
        object=activity,
        context=_context(journey, parents or [], grouping or []),
        timestamp=timestamp,
        result=result,
        version=XAPI_VERSION,
    )
    return json.loads(statement.to_json(XAPI_VERSION))


def registered(journey: Journey, timestamp: datetime) -> dict:
    return _statement(
        journey, vocabulary.REGISTERED, parcours_activity(journey.parcours), timestamp
    )


def experienced(journey: Journey, module: Module, timestamp: datetime) -> dict:
    return _statement(
        journey,
        vocabulary.EXPERIENCED,
        module_activity(module),
        timestamp,
        parents=[level_activity(module.level)],
        grouping=[parcours_activity(module.parcours)],
    )


def _quiz_context(quiz: Quiz) -> dict:
    module = quiz.module
    return {
        "parents": [module_activity(module)],
        "grouping": [level_activity(module.level), parcours_activity(module.parcours)],
    }


def attempted(journey: Journey, quiz: Quiz, timestamp: datetime) -> dict:
    return _statement(
        journey, vocabulary.ATTEMPTED, quiz_activity(quiz), timestamp, **_quiz_context(quiz)
    )


def answered(
    journey: Journey,
    quiz: Quiz,
    snap: Snapshot,
    response: list[str],
    is_correct: bool,
    timestamp: datetime,
) -> dict:
    """The learner's answer to one question of a quiz attempt (the quiz is its parent)."""
    module = quiz.module
    return _statement(
        journey,
        vocabulary.ANSWERED,
        question_activity(quiz, snap),
        timestamp,
        parents=[quiz_activity(quiz)],
        grouping=[
            module_activity(module),
            level_activity(module.level),
            parcours_activity(module.parcours),
        ],
        result=Result(response=questions.response_pattern(snap, response), success=is_correct),
    )


def quiz_result(
    journey: Journey,
    quiz: Quiz,
    *,
    correct: int,
    total: int,
    is_passed: bool,
    timestamp: datetime,
) -> dict:
    return _statement(
        journey,
        vocabulary.PASSED if is_passed else vocabulary.FAILED,
        quiz_activity(quiz),
        timestamp,
        result=Result(
            score=Score(scaled=round(correct / total, 4), raw=correct, min=0, max=total),
            success=is_passed,
            completion=True,
        ),
        **_quiz_context(quiz),
    )


def completed_module(journey: Journey, module: Module, timestamp: datetime) -> dict:
    return _statement(
        journey,
        vocabulary.COMPLETED,
        module_activity(module),
        timestamp,
        parents=[level_activity(module.level)],
        grouping=[parcours_activity(module.parcours)],
        result=Result(completion=True),
    )


def completed_level(journey: Journey, level: Level, timestamp: datetime) -> dict:
    return _statement(
        journey,
        vocabulary.COMPLETED,
        level_activity(level),
        timestamp,
        parents=[parcours_activity(level.parcours)],
        result=Result(completion=True),
    )


def completed_parcours(journey: Journey, parcours: Parcours, timestamp: datetime) -> dict:
    return _statement(
        journey,
        vocabulary.COMPLETED,
        parcours_activity(parcours),
        timestamp,
        result=Result(completion=True),
    )


def earned(
    journey: Journey, level: Level | None, verification_url: str, timestamp: datetime
) -> dict:
    """The learner earned the certificate of the parcours, or the attestation of `level`."""
    parcours = journey.parcours
    if level is None:
        name = f"Certificat — {parcours.title}"
        iri = ids.certificate_iri(parcours.slug)
    else:
        name = f"Attestation — {parcours.title} — {level.title}"
        iri = ids.certificate_iri(parcours.slug, level.key.value)
    activity = Activity(
        id=iri,
        definition=ActivityDefinition(type=vocabulary.TYPE_CREDENTIAL, name=_name(parcours, name)),
    )
    statement = _statement(
        journey,
        vocabulary.EARNED,
        activity,
        timestamp,
        parents=[level_activity(level)] if level is not None else [parcours_activity(parcours)],
        grouping=[parcours_activity(parcours)] if level is not None else None,
        result=Result(completion=True, success=True),
    )
    # Where anyone can check the certificate; the code itself is meant to be shared.
    statement["result"]["extensions"] = {
        f"{ids.activity_base()}/extensions/verification-url": verification_url
    }
    return statement
