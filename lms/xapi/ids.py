"""Activity ids: stable IRIs under a configurable base, built from content slugs.

They are the keys that tie a statement — ours or an outside tool's — to our content, so they
are built from slugs and keys that never change once a parcours is open, never from
database ids.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app


def activity_base() -> str:
    config = current_app.config
    base = config.get("XAPI_ACTIVITY_BASE") or f"{config['LMS_BASE_URL']}/xapi/activities"
    return base.rstrip("/")


def parcours_iri(parcours_slug: str) -> str:
    return f"{activity_base()}/parcours/{quote(parcours_slug)}"


def level_iri(parcours_slug: str, level_key: str) -> str:
    return f"{parcours_iri(parcours_slug)}/niveaux/{quote(level_key)}"


def module_iri(parcours_slug: str, module_slug: str) -> str:
    return f"{parcours_iri(parcours_slug)}/modules/{quote(module_slug)}"


def quiz_iri(parcours_slug: str, module_slug: str) -> str:
    return f"{module_iri(parcours_slug, module_slug)}/quiz"


def question_iri(parcours_slug: str, module_slug: str, question_key: str) -> str:
    return f"{quiz_iri(parcours_slug, module_slug)}/questions/{quote(question_key)}"


def bank_question_iri(parcours_slug: str, question_key: str) -> str:
    """A question of the parcours' bank: one activity whatever quiz draws it."""
    return f"{parcours_iri(parcours_slug)}/banque/questions/{quote(question_key)}"


def certificate_iri(parcours_slug: str, level_key: str | None = None) -> str:
    """The achievement a certificate (or a level attestation) stands for."""
    if level_key is None:
        return f"{parcours_iri(parcours_slug)}/certificat"
    return f"{level_iri(parcours_slug, level_key)}/attestation"


@dataclass(frozen=True)
class ActivityRef:
    """What an activity id designates in our catalogue."""

    kind: str  # "parcours", "level", "module", "quiz" or "question"
    parcours_slug: str
    level_key: str | None = None
    module_slug: str | None = None
    question_key: str | None = None


_SEGMENT = r"([A-Za-z0-9_-]+)"
_PATTERNS = [
    ("question", re.compile(rf"/parcours/{_SEGMENT}/modules/{_SEGMENT}/quiz/questions/{_SEGMENT}")),
    ("quiz", re.compile(rf"/parcours/{_SEGMENT}/modules/{_SEGMENT}/quiz")),
    ("module", re.compile(rf"/parcours/{_SEGMENT}/modules/{_SEGMENT}")),
    ("level", re.compile(rf"/parcours/{_SEGMENT}/niveaux/{_SEGMENT}")),
    ("parcours", re.compile(rf"/parcours/{_SEGMENT}")),
]


def parse_activity_iri(iri: str) -> ActivityRef | None:
    """The catalogue entity an activity id designates, or None if it is not one of ours."""
    base = activity_base()
    if not iri.startswith(base + "/"):
        return None
    path = iri[len(base) :]
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        groups = match.groups()
        if kind == "parcours":
            return ActivityRef(kind, groups[0])
        if kind == "level":
            return ActivityRef(kind, groups[0], level_key=groups[1])
        if kind == "question":
            return ActivityRef(kind, groups[0], module_slug=groups[1], question_key=groups[2])
        return ActivityRef(kind, groups[0], module_slug=groups[1])
    return None
