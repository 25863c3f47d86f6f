"""A large demo cohort, generated in bulk: the rows the write path would have written.

Going through `record_statements` one action at a time costs a few milliseconds per
statement, hours for a million. This generator writes the same rows in batches instead:

- statements are built by the real builders (`lms.xapi.statements`), once per kind of
  event, then stamped for each learner (id, actor, registration, timestamp, cause), with
  the same normalisation as the store (`context_activities_as_lists`, authority, version,
  `stored`, `context.statement` on derived statements) and the same index rows;
- the progress projection, quiz attempts and certificates are computed by `_Learner`,
  which follows the rules of `lms.progress.projection` (live mode) and of the write path
  (completions recorded right after their cause, each level attestation and the
  certificate right after the completion they attest).

`tests/networks/test_demo_data.py` holds it to that: replaying the generated statements
rebuilds exactly the generated projection, and the same journey through the real
operations stores the same statements. Demo data only: no e-mail is queued, and the
command refuses to run while statements are forwarded to an outside LRS.
"""

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.passwords import hash_password
from lms.catalog.models import Level, Module, Parcours, Question
from lms.certificates.codes import new_code
from lms.certificates.models import Certificate, CertificateEvent
from lms.certificates.operations import verification_url
from lms.core.templating import LEVEL_LABELS
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.networks.models import Cohort, CohortMember, MemberSource
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.xapi import statements as build
from lms.xapi.index import involved_activities, involved_agents
from lms.xapi.models import Statement, StatementActivity, StatementAgent
from lms.xapi.statements import XAPI_VERSION, Journey
from lms.xapi.store import context_activities_as_lists, platform_authority

_ACTOR = "demo-actor-placeholder"
_REGISTRATION = "00000000-0000-4000-8000-000000000000"
_TIME = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
_CODE = "DEMOCODEPLACEHOLDER"

FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgan",
    "Lou",
    "Charlie",
    "Noa",
    "Eden",
    "Maël",
    "Yanis",
    "Inès",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Emma",
    "Jules",
    "Manon",
    "Nathan",
    "Sarah",
    "Lucas",
    "Zoé",
    "Théo",
    "Jeanne",
    "Adam",
    "Alice",
    "Malik",
    "Aïcha",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Nguyen",
    "Benali",
    "Diallo",
)


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
            user=SimpleNamespace(public_id=_ACTOR), registration=_REGISTRATION, parcours=parcours
        )
        self.cache: dict[tuple, _Template] = {}

    def get(self, key: tuple, make: Callable[[Journey, datetime], dict], caused: bool) -> _Template:
        key = (*key, caused)
        if key not in self.cache:
            payload = context_activities_as_lists(dict(make(self.journey, _TIME)))
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
                text=json.dumps(payload).replace(_TIME.isoformat(), "@@time@@"),
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


class _Learner:
    """One learner's journey, folded as the live projection folds it."""

    def __init__(self, gen: "Generator", user: dict, enrollment: dict) -> None:
        self.gen = gen
        self.user = user
        self.enrollment = enrollment
        self.journey: dict | None = None
        self.modules: dict[int, dict] = {}
        self.levels: dict[int, datetime] = {}
        self.attempts: dict[int, int] = {}

    def emit(self, key: tuple, make, time: datetime, cause: str | None = None, code: str = ""):
        template = self.gen.templates.get(key, make, caused=cause is not None)
        statement_id = str(uuid.uuid4())
        moment = time.isoformat()
        text = (
            template.text.replace("@@id@@", statement_id)
            .replace(_ACTOR, self.user["public_id"])
            .replace(_REGISTRATION, self.enrollment["registration"])
            .replace("@@time@@", moment)
            .replace("@@stored@@", moment)
        )
        if cause is not None:
            text = text.replace("@@cause@@", cause)
        if code:
            text = text.replace(_CODE, code)
        seq = self.gen.next_seq()
        batch = self.gen.batch
        batch.statements.append(
            {
                "seq": seq,
                "id": statement_id,
                "actor_key": f"account:{self.gen.base_url}|{self.user['public_id']}",
                "user_id": self.user["id"],
                "verb_id": template.verb_id,
                "object_id": template.object_id,
                "registration": self.enrollment["registration"],
                "timestamp": time,
                "stored": time,
                "is_voided": False,
                "client_id": None,
                "payload": json.loads(text),
            }
        )
        for agent, direct in template.agents:
            batch.agents.append(
                {
                    "statement_seq": seq,
                    "agent_key": agent.replace(_ACTOR, self.user["public_id"]),
                    "is_direct": direct,
                }
            )
        for activity, direct in template.activities:
            batch.activities.append(
                {"statement_seq": seq, "activity_id": activity, "is_direct": direct}
            )
        return statement_id, template

    # The projection's folds -------------------------------------------------------------

    def _touch(self, module: Module, time: datetime) -> dict:
        self.journey["last_activity_at"] = max(self.journey["last_activity_at"], time)
        self.journey["last_module_id"] = module.id
        progress = self.modules.setdefault(
            module.id,
            {
                "module_id": module.id,
                "read_at": None,
                "quiz_attempts": 0,
                "best_score": None,
                "quiz_passed_at": None,
                "completed_at": None,
                "last_activity_at": time,
            },
        )
        progress["last_activity_at"] = max(progress["last_activity_at"], time)
        return progress

    def register(self, time: datetime) -> None:
        self.emit(("registered",), build.registered, time)
        self.journey = {
            "started_at": time,
            "last_activity_at": time,
            "last_module_id": None,
            "completed_at": None,
        }

    def read(self, module: Module, time: datetime) -> None:
        cause, _t = self.emit(
            ("experienced", module.id), lambda j, t: build.experienced(j, module, t), time
        )
        progress = self._touch(module, time)
        progress["read_at"] = progress["read_at"] or time
        self._after(module, progress, time, cause)

    def quiz(self, module: Module, right: list[bool], time: datetime) -> None:
        quiz = module.quiz
        questions: list[Question] = list(quiz.questions)
        self.emit(("attempted", quiz.id), lambda j, t: build.attempted(j, quiz, t), time)
        self._touch(module, time)
        answers = {}
        for question, is_right in zip(questions, right, strict=True):
            chosen = _chosen(question, is_right)
            self.emit(
                ("answered", question.id, tuple(chosen)),
                lambda j, t, q=question, c=chosen, r=is_right: build.answered(j, q, c, r, t),
                time,
            )
            self._touch(module, time)
            answers[question.key] = {"chosen": chosen, "is_correct": is_right}
        correct, total = sum(right), len(questions)
        passed = correct * 100 >= quiz.effective_pass_mark * total
        cause, template = self.emit(
            ("result", quiz.id, correct),
            lambda j, t: build.quiz_result(
                j, quiz, correct=correct, total=total, is_passed=passed, timestamp=t
            ),
            time,
        )
        progress = self._touch(module, time)
        progress["quiz_attempts"] += 1
        if template.scaled is not None:
            best = progress["best_score"]
            progress["best_score"] = template.scaled if best is None else max(best, template.scaled)
        if passed:
            progress["quiz_passed_at"] = progress["quiz_passed_at"] or time
        number = self.attempts.get(quiz.id, 0) + 1
        self.attempts[quiz.id] = number
        self.gen.batch.attempts.append(
            {
                "enrollment_id": self.enrollment["id"],
                "quiz_id": quiz.id,
                "number": number,
                "answers": answers,
                "correct_count": correct,
                "question_count": total,
                "score": round(correct / total, 4),
                "is_passed": passed,
                "submitted_at": time,
            }
        )
        self._after(module, progress, time, cause)

    def _after(self, module: Module, progress: dict, time: datetime, cause: str) -> None:
        """Completions the statement caused, recorded in the write path's order."""
        quiz = module.quiz if module.quiz is not None and not module.quiz.is_archived else None
        if progress["completed_at"] is not None or progress["read_at"] is None:
            return
        if quiz is not None and progress["quiz_passed_at"] is None:
            return
        progress["completed_at"] = time
        chain: list[Module | Level | Parcours] = [module]
        level = module.level
        if level.id not in self.levels and all(
            (self.modules.get(m.id) or {}).get("completed_at") for m in level.modules
        ):
            self.levels[level.id] = time
            chain.append(level)
            parcours = self.gen.parcours
            if all(item.id in self.levels for item in parcours.levels):
                self.journey["completed_at"] = time
                chain.append(parcours)
        for target in chain:
            self._completed(target, time, cause)

    def _completed(self, target, time: datetime, cause: str) -> None:
        parcours = self.gen.parcours
        if isinstance(target, Module):
            self.emit(
                ("completed-module", target.id),
                lambda j, t: build.completed_module(j, target, t),
                time,
                cause,
            )
            self._touch(target, time)
            return
        self.journey["last_activity_at"] = max(self.journey["last_activity_at"], time)
        if isinstance(target, Level):
            self.emit(
                ("completed-level", target.id),
                lambda j, t: build.completed_level(j, target, t),
                time,
                cause,
            )
            if parcours.issues_level_attestations:
                self._certificate(target, time, cause)
        else:
            self.emit(
                ("completed-parcours",),
                lambda j, t: build.completed_parcours(j, parcours, t),
                time,
                cause,
            )
            self._certificate(None, time, cause)

    def _certificate(self, level: Level | None, time: datetime, cause: str) -> None:
        parcours = self.gen.parcours
        code = new_code()
        levels = parcours.levels if level is None else [level]
        self.gen.batch.certificates.append(
            {
                "code": code,
                "enrollment_id": self.enrollment["id"],
                "user_id": self.user["id"],
                "parcours_id": parcours.id,
                "level_id": level.id if level is not None else None,
                "kind": "parcours" if level is None else "level",
                "scope": "parcours" if level is None else f"level:{level.key.value}",
                "learner_name": self.user["name"],
                "parcours_title": parcours.title,
                "level_titles": [
                    f"{LEVEL_LABELS[item.key.value]} — {item.title}" for item in levels
                ],
                "issuer_name": self.gen.platform,
                "network_name": None,
                "completed_at": time,
                "issued_at": time,
            }
        )
        self.emit(
            ("earned", level.id if level is not None else None),
            lambda j, t: build.earned(j, level, verification_url(_CODE), t),
            time,
            cause,
            code=code,
        )

    def rows(self) -> None:
        batch = self.gen.batch
        enrollment_id = self.enrollment["id"]
        if self.journey is not None:
            batch.parcours_progress.append({"enrollment_id": enrollment_id, **self.journey})
        for progress in self.modules.values():
            batch.module_progress.append({"enrollment_id": enrollment_id, **progress})
        for level_id, time in self.levels.items():
            batch.level_progress.append(
                {"enrollment_id": enrollment_id, "level_id": level_id, "completed_at": time}
            )


def _chosen(question: Question, right: bool) -> list[str]:
    correct = question.correct_choice_ids
    if right:
        return sorted(correct)
    return [next(c["id"] for c in question.choices if c["id"] not in correct)]


# A journey is a list of actions: ("read", module) or ("quiz", module, [right per question]).
Action = tuple


def plan_journey(rng: random.Random, parcours: Parcours, profile: str | None = None) -> list:
    """A plausible journey: some never start, some finish, some fail a quiz three times."""
    modules = [module for level in parcours.levels for module in level.modules]
    profile = (
        profile
        or rng.choices(["none", "partial", "stuck", "complete"], weights=[12, 62, 10, 16])[0]
    )
    if profile == "none":
        return []
    if profile == "complete":
        done = len(modules)
    elif profile == "partial":
        # Mid-way through a cohort, most learners are in the first levels.
        done = rng.randint(1, min(6, len(modules) - 1))
    else:
        done = rng.randint(0, len(modules) - 1)
    actions: list[Action] = []
    for module in modules[:done]:
        actions.append(("read", module))
        quiz = module.quiz
        if quiz is None or quiz.is_archived:
            continue
        limit = quiz.max_attempts or 3
        fails = rng.choices([0, 1, 2], weights=[65, 25, 10])[0]
        for _ in range(min(fails, limit - 1)):
            actions.append(("quiz", module, _wrong(rng, quiz)))
        actions.append(("quiz", module, [True] * len(quiz.questions)))
    if profile == "stuck":
        module = modules[done]
        actions.append(("read", module))
        if module.quiz is not None and not module.quiz.is_archived:
            for _ in range(module.quiz.max_attempts or 3):
                actions.append(("quiz", module, _wrong(rng, module.quiz)))
    return actions


def _wrong(rng: random.Random, quiz) -> list[bool]:
    answers = [rng.random() < 0.6 for _ in quiz.questions]
    answers[rng.randrange(len(answers))] = False
    return answers


class Generator:
    """Writes learners, their enrolments in a cohort, and their journeys, in batches."""

    def __init__(self, parcours: Parcours, base_url: str, platform: str, seed: int = 1) -> None:
        self.parcours = parcours
        self.base_url = base_url
        self.platform = platform
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.templates = Templates(parcours)
        self.batch = Batch()
        self.password_hash = hash_password("demo-apprenant")
        self._seq = (db.session.scalar(sa.select(sa.func.max(Statement.seq))) or 0) + 1
        self.statements_written = 0

    def next_seq(self) -> int:
        seq = self._seq
        self._seq += 1
        return seq

    def add_learners(
        self,
        cohort: Cohort,
        count: int,
        now: datetime,
        structure_ids: list[int],
        email_prefix: str,
        plans: list | None = None,
    ) -> None:
        """Create `count` learners in the cohort with journeys ending before `now`."""
        start = datetime.combine(cohort.starts_on, datetime.min.time(), tzinfo=UTC)
        for first in range(0, count, 250):
            size = min(250, count - first)
            users = self._insert_users(email_prefix, first, size)
            enrollments = self._insert_enrollments(users, start, now)
            db.session.execute(
                sa.insert(CohortMember),
                [
                    {
                        "cohort_id": cohort.id,
                        "user_id": user["id"],
                        "enrollment_id": enrollment["id"],
                        "structure_id": self.rng.choice(structure_ids) if structure_ids else None,
                        "source": MemberSource.CSV,
                        "joined_at": enrollment["enrolled_at"],
                    }
                    for user, enrollment in zip(users, enrollments, strict=True)
                ],
            )
            for index, (user, enrollment) in enumerate(zip(users, enrollments, strict=True)):
                plan = plans[first + index] if plans is not None else None
                self._journey(user, enrollment, now, cohort.inactivity_days, plan)
            self.flush()
            db.session.commit()

    def _insert_users(self, prefix: str, first: int, size: int) -> list[dict]:
        rows = []
        for n in range(first, first + size):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            rows.append(
                {
                    "public_id": uuid.uuid4().hex,
                    "email": f"{prefix}{n + 1}@parcours.demo",
                    "name": name,
                    "password_hash": self.password_hash,
                    "role": "learner",
                    "is_active": True,
                    "created_at": datetime.now(UTC),
                }
            )
        ids = db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True), rows
        ).all()
        return [{**row, "id": user_id} for row, user_id in zip(rows, ids, strict=True)]

    def _insert_enrollments(self, users: list[dict], start: datetime, now: datetime) -> list[dict]:
        rows = []
        for user in users:
            enrolled = start + timedelta(minutes=self.rng.randint(0, 3 * 24 * 60))
            enrolled = min(enrolled, now - timedelta(days=1))
            rows.append(
                {
                    "user_id": user["id"],
                    "parcours_id": self.parcours.id,
                    "registration": str(uuid.uuid4()),
                    "enrolled_at": enrolled,
                }
            )
        ids = db.session.scalars(
            sa.insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True), rows
        ).all()
        return [{**row, "id": enrollment_id} for row, enrollment_id in zip(rows, ids, strict=True)]

    def _journey(self, user, enrollment, now: datetime, idle_days: int, plan) -> None:
        learner = _Learner(self, user, enrollment)
        enrolled = enrollment["enrolled_at"]
        learner.register(enrolled)
        actions = plan if plan is not None else plan_journey(self.rng, self.parcours)
        if actions:
            # Some learners stopped long ago (inactive), most were active lately.
            if self.rng.random() < 0.3:
                last = now - timedelta(days=self.rng.randint(idle_days + 1, idle_days + 40))
            else:
                last = now - timedelta(hours=self.rng.randint(1, max(idle_days * 24 - 24, 2)))
            last = max(last, enrolled + timedelta(minutes=len(actions) + 1))
            step = (last - enrolled) / (len(actions) + 1)
            for index, action in enumerate(actions, start=1):
                moment = (enrolled + step * index).replace(microsecond=0)
                moment = max(moment, enrolled + timedelta(seconds=index))
                if action[0] == "read":
                    learner.read(action[1], moment)
                else:
                    learner.quiz(action[1], action[2], moment)
        learner.rows()

    def flush(self) -> None:
        """Insert the batch's rows, parents first."""
        batch = self.batch
        inserts = [
            (Statement, batch.statements),
            (StatementAgent, batch.agents),
            (StatementActivity, batch.activities),
            (ParcoursProgress, batch.parcours_progress),
            (ModuleProgress, batch.module_progress),
            (LevelProgress, batch.level_progress),
            (QuizAttempt, batch.attempts),
        ]
        for model, rows in inserts:
            for first in range(0, len(rows), 5000):
                db.session.execute(sa.insert(model), rows[first : first + 5000])
        if batch.certificates:
            ids = db.session.scalars(
                sa.insert(Certificate).returning(Certificate.id, sort_by_parameter_order=True),
                batch.certificates,
            ).all()
            db.session.execute(
                sa.insert(CertificateEvent),
                [
                    {"certificate_id": certificate_id, "action": "issued", "at": row["issued_at"]}
                    for certificate_id, row in zip(ids, batch.certificates, strict=True)
                ],
            )
        self.statements_written += len(batch.statements)
        self.batch = Batch()

    def finish(self) -> None:
        """Move PostgreSQL's sequence past the sequence numbers given explicitly."""
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('statements', 'seq'), "
                    "(SELECT MAX(seq) FROM statements))"
                )
            )
        db.session.commit()
