"""Statements built once per kind of event by the real builders, stamped per learner."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from lms.catalog.models import Parcours
from lms.xapi.index import involved_activities, involved_agents
from lms.xapi.statements import XAPI_VERSION, Journey
from lms.xapi.store import context_activities_as_lists, platform_authority

ACTOR_MARK = "demo-actor-placeholder"
REGISTRATION_MARK = "00000000-0000-4000-8000-000000000000"
TIME_MARK = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
CODE_MARK = "DEMOCODEPLACEHOLDER"


@dataclass
class _Template:
    text: str
    verb_id: str
    object_id: str
    agents: list[tuple[str, bool]]
    activities: list[tuple[str, bool]]
    scaled: float | None


class Templates:
    """Statements built once per kind of event by the real builders, with placeholders."""

    def __init__(self, parcours: Parcours) -> None:
        self.parcours = parcours
        self.journey = Journey(
            user=SimpleNamespace(public_id=ACTOR_MARK),
            registration=REGISTRATION_MARK,
            parcours=parcours,
        )
        self.cache: dict[tuple, _Template] = {}

    def get(self, key: tuple, make: Callable[[Journey, datetime], dict], caused: bool) -> _Template:
        key = (*key, caused)
        if key not in self.cache:
            payload = context_activities_as_lists(dict(make(self.journey, TIME_MARK)))
            payload["id"] = "@@id@@"
            payload["stored"] = "@@stored@@"
            payload.setdefault("authority", platform_authority())
            payload["version"] = payload.get("version") or XAPI_VERSION
            if caused:
                payload.setdefault("context", {})["statement"] = {
                    "objectType": "StatementRef",
                    "id": "@@cause@@",
                }
            score = (payload.get("result") or {}).get("score") or {}
            self.cache[key] = _Template(
                text=json.dumps(payload).replace(TIME_MARK.isoformat(), "@@time@@"),
                verb_id=payload["verb"]["id"],
                object_id=str(payload["object"].get("id", ""))[:1000],
                agents=list(dict(involved_agents(payload)).items()),
                activities=list(dict(involved_activities(payload)).items()),
                scaled=score.get("scaled"),
            )
        return self.cache[key]


@dataclass
class Batch:
    """Rows waiting to be inserted, table by table."""

    statements: list[dict] = field(default_factory=list)
    agents: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    parcours_progress: list[dict] = field(default_factory=list)
    module_progress: list[dict] = field(default_factory=list)
    level_progress: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)
