"""Plausible journeys, and the generator that writes learners and journeys in batches."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.passwords import hash_password
from lms.catalog.models import Parcours
from lms.certificates.models import Certificate, CertificateEvent
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.networks.demo.learner import Learner
from lms.networks.demo.statements import Batch, Templates
from lms.networks.models import Cohort, CohortMember, MemberSource
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.xapi.models import Statement, StatementActivity, StatementAgent

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
        self.network_name: str | None = None

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
        # Certificates name the learner's network, as the write path does.
        self.network_name = cohort.network.name
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
        learner = Learner(self, user, enrollment)
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
