"""The bulk generator writes exactly what the write path would: replaying its statements
rebuilds its projection, and a journey stored through the real operations gives the same
statements."""

import itertools
import json
import random
import re

import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.core.db import utcnow
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.learning.operations import mark_module_read, submit_quiz
from lms.networks.demo import Generator, chosen_answers, plan_journey
from lms.networks.enrolment import add_member
from lms.networks.models import CohortMember, MemberSource
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.progress.operations import replay_progress
from lms.xapi.models import Statement, StatementActivity, StatementAgent


def projection(enrollment_ids) -> dict:
    def rows(model, *columns):
        return sorted(
            tuple(getattr(row, column) for column in columns)
            for row in db.session.scalars(
                sa.select(model).where(model.enrollment_id.in_(enrollment_ids))
            )
        )

    return {
        "parcours": rows(
            ParcoursProgress,
            "enrollment_id",
            "started_at",
            "last_activity_at",
            "last_module_id",
            "completed_at",
        ),
        "modules": rows(
            ModuleProgress,
            "enrollment_id",
            "module_id",
            "read_at",
            "quiz_attempts",
            "best_score",
            "quiz_passed_at",
            "completed_at",
            "last_activity_at",
        ),
        "levels": rows(LevelProgress, "enrollment_id", "level_id", "completed_at"),
    }


def generator(app, seed_parcours) -> Generator:
    return Generator(seed_parcours, app.config["LMS_BASE_URL"], "Parcours", seed=7)


def test_replaying_generated_statements_rebuilds_the_generated_projection(
    app, cohort, seed, db_session
):
    rng = random.Random(11)
    profiles = itertools.islice(itertools.cycle(["none", "partial", "stuck", "complete"]), 24)
    plans = [plan_journey(rng, seed, profile) for profile in profiles]
    gen = generator(app, seed)
    gen.add_learners(cohort, len(plans), utcnow(), [], "gen-", plans=plans)
    gen.finish()
    enrollment_ids = db_session.scalars(
        sa.select(CohortMember.enrollment_id).where(CohortMember.cohort_id == cohort.id)
    ).all()
    generated = projection(enrollment_ids)
    assert len(generated["parcours"]) == 24
    assert generated["levels"]  # some levels were completed
    assert any(row[4] is not None for row in generated["parcours"])  # some finished

    replay_progress()
    db_session.expire_all()
    assert projection(enrollment_ids) == generated

    # The index rows are those the store writes for each statement.
    seqs = sa.select(Statement.seq).where(Statement.registration.is_not(None))
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(StatementAgent)
            .where(StatementAgent.statement_seq.in_(seqs))
        )
        == 2 * gen.statements_written
    )  # the actor and the platform's authority
    finished = sum(row[4] is not None for row in generated["parcours"])
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.kind == "parcours")
        )
        == finished
    )


def normalised(registration: str) -> list[dict]:
    """The enrolment's statements in storage order, with what differs between two runs
    (ids, clocks, learner, certificate codes) replaced by stable marks."""
    statements = db.session.scalars(
        sa.select(Statement).where(Statement.registration == registration).order_by(Statement.seq)
    ).all()
    position = {statement.id: index for index, statement in enumerate(statements)}
    result = []
    for statement in statements:
        payload = json.loads(json.dumps(statement.payload))
        payload["id"] = position[payload["id"]]
        payload["timestamp"] = payload["stored"] = "T"
        payload["actor"]["account"]["name"] = "A"
        payload["context"]["registration"] = "R"
        if "statement" in payload["context"]:
            payload["context"]["statement"]["id"] = position[payload["context"]["statement"]["id"]]
        text = re.sub(r"/verify/[A-Z0-9]+", "/verify/CODE", json.dumps(payload, sort_keys=True))
        activities = sorted(
            (row.activity_id, row.is_direct)
            for row in db.session.scalars(
                sa.select(StatementActivity).where(StatementActivity.statement_seq == statement.seq)
            )
        )
        result.append({"payload": json.loads(text), "activities": activities})
    return result


def test_a_generated_journey_stores_what_the_real_operations_store(
    app, cohort, seed, make_user, db_session
):
    plan = plan_journey(random.Random(3), seed, "complete")
    assert any(action[0] == "quiz" and not all(action[2]) for action in plan)  # a failure too

    # Through the cohort, as a manager's enrolment does: certificates then name the network.
    learner = make_user()
    member, _outcome = add_member(
        cohort,
        email=learner.email,
        name=learner.name,
        structure_id=None,
        source=MemberSource.CSV,
        actor=None,
        notify=False,
    )
    live = member.enrollment
    for action in plan:
        if action[0] == "read":
            mark_module_read(live, action[1])
        else:
            questions = list(action[1].quiz.questions)
            answers = {
                q.key: chosen_answers(q, right)
                for q, right in zip(questions, action[2], strict=True)
            }
            submit_quiz(live, action[1].quiz, answers)
    db_session.flush()

    gen = generator(app, seed)
    gen.add_learners(cohort, 1, utcnow(), [], "twin-", plans=[plan])
    gen.finish()
    twin = db_session.scalar(
        sa.select(Enrollment)
        .join(CohortMember, CohortMember.enrollment_id == Enrollment.id)
        .where(CohortMember.cohort_id == cohort.id, Enrollment.id != live.id)
    )

    live_statements, twin_statements = normalised(live.registration), normalised(twin.registration)
    assert len(twin_statements) == len(live_statements)
    assert twin_statements == live_statements

    def attempts(enrollment):
        return [
            (a.quiz_id, a.number, a.answers, a.correct_count, a.score, a.is_passed)
            for a in db_session.scalars(
                sa.select(QuizAttempt)
                .where(QuizAttempt.enrollment_id == enrollment.id)
                .order_by(QuizAttempt.id)
            )
        ]

    assert attempts(twin) == attempts(live)
    certificates = {
        enrollment.id: sorted(
            tuple(row)
            for row in (
                db_session.execute(
                    sa.select(Certificate.scope, Certificate.network_name).where(
                        Certificate.enrollment_id == enrollment.id
                    )
                ).all()
            )
        )
        for enrollment in (live, twin)
    }
    network = cohort.network.name
    assert certificates[twin.id] == certificates[live.id]
    assert certificates[live.id] == [
        ("level:competences", network),
        ("level:connaissances", network),
        ("level:expertise", network),
        ("parcours", network),
    ]


def test_demo_cohort_command(runner, seed, db_session):
    result = runner.invoke(args=["lms", "demo-cohort", "--learners", "12", "--statements", "0"])
    assert result.exit_code == 0, result.output
    cohort_id = int(re.search(r"Cohorte (\d+)", result.output).group(1))
    members = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(CohortMember)
        .where(CohortMember.cohort_id == cohort_id)
    )
    assert members == 12
    assert f"/cohortes/{cohort_id}" in result.output

    refused = runner.invoke(args=["lms", "demo-cohort", "--parcours", "inconnu"])
    assert refused.exit_code != 0
    assert "no published parcours 'inconnu'" in refused.output
