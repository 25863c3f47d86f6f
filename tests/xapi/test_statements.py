"""The statements a learner's journey leaves in the store, as an outside LRS would read them."""

import json

import sqlalchemy as sa
from tincan import Statement as TinCanStatement

from lms.learning.models import Enrollment
from lms.xapi import ids
from lms.xapi.models import Statement
from tests.learning.helpers import complete_module, enroll, read, take_quiz

ADL = "http://adlnet.gov/expapi/verbs/"
BASE = "https://parcours.test/xapi/activities/parcours/modeles-socio-economiques"


def statements_of(db_session, user) -> list[dict]:
    rows = db_session.scalars(
        sa.select(Statement).where(Statement.user_id == user.id).order_by(Statement.seq)
    ).all()
    return [row.payload for row in rows]


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].removeprefix(ADL) for s in statements]


def test_every_step_is_a_statement_in_order(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    read(client, seed, first)
    take_quiz(client, seed, first, right=False)
    take_quiz(client, seed, first, right=True)

    statements = statements_of(db_session, user)
    answered = ["answered"] * len(first.quiz.questions)
    assert verbs(statements) == [
        "registered",
        "experienced",
        "attempted",
        *answered,
        "failed",
        "attempted",
        *answered,
        "passed",
        "completed",
    ]
    assert statements[0]["object"]["id"] == BASE
    assert statements[1]["object"]["id"] == f"{BASE}/modules/{first.slug}"
    assert statements[-1]["object"]["id"] == f"{BASE}/modules/{first.slug}"


def test_actor_is_an_opaque_account_never_the_email(client, login, make_user, seed, db_session):
    user = make_user(email="camille.martin@example.org", name="Camille Martin")
    login(user)
    enroll(client, seed)
    read(client, seed, seed.levels[0].modules[0])
    statements = statements_of(db_session, user)
    assert statements
    for statement in statements:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "https://parcours.test", "name": user.public_id},
        }
        text = json.dumps(statement)
        assert "camille" not in text.lower()
        assert "Martin" not in text


def test_statements_are_valid_xapi_103_with_context(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    complete_module(client, seed, first)
    registration = db_session.scalar(
        sa.select(Enrollment.registration).where(Enrollment.user_id == user.id)
    )
    level = f"{BASE}/niveaux/connaissances"
    for statement in statements_of(db_session, user):
        # tincan parses it back: the JSON is a well-formed xAPI statement.
        TinCanStatement.from_json(json.dumps(statement))
        assert statement["version"] == "1.0.3"
        for key in ("id", "timestamp", "stored", "authority"):
            assert statement[key]
        context = statement["context"]
        assert context["registration"] == registration
        assert context["language"] == "fr-FR"
        assert context["platform"] == "Parcours"
        verb = statement["verb"]["id"]
        if verb == ADL + "experienced":
            assert context["contextActivities"]["parent"][0]["id"] == level
            assert context["contextActivities"]["grouping"][0]["id"] == BASE
            assert statement["object"]["definition"]["type"] == (
                "http://adlnet.gov/expapi/activities/lesson"
            )
        if verb in {ADL + "attempted", ADL + "passed", ADL + "failed"}:
            assert statement["object"]["id"] == f"{BASE}/modules/{first.slug}/quiz"
            activities = context["contextActivities"]
            assert activities["parent"][0]["id"] == f"{BASE}/modules/{first.slug}"
            assert [a["id"] for a in activities["grouping"]] == [level, BASE]


def test_answered_statements_carry_the_interaction(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    take_quiz(client, seed, first, right=False)
    answered = [s for s in statements_of(db_session, user) if s["verb"]["id"] == ADL + "answered"]
    questions = list(first.quiz.questions)
    assert len(answered) == len(questions)
    for statement, question in zip(answered, questions, strict=True):
        definition = statement["object"]["definition"]
        assert statement["object"]["id"] == (
            f"{BASE}/modules/{first.slug}/quiz/questions/{question.key}"
        )
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        expected_type = "true-false" if question.type == "true_false" else "choice"
        assert definition["interactionType"] == expected_type
        assert definition["correctResponsesPattern"] == ["[,]".join(question.correct_choice_ids)]
        if expected_type == "choice":
            assert [c["id"] for c in definition["choices"]] == [c["id"] for c in question.choices]
        assert statement["result"]["success"] is False
        assert statement["result"]["response"] not in definition["correctResponsesPattern"]
        parent = statement["context"]["contextActivities"]["parent"][0]["id"]
        assert parent == f"{BASE}/modules/{first.slug}/quiz"


def test_result_statements_carry_the_scaled_score(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    take_quiz(client, seed, first, right=False)
    take_quiz(client, seed, first, right=True)
    statements = statements_of(db_session, user)
    failed = next(s for s in statements if s["verb"]["id"] == ADL + "failed")
    passed = next(s for s in statements if s["verb"]["id"] == ADL + "passed")
    total = len(first.quiz.questions)
    assert failed["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": total}
    assert failed["result"]["success"] is False
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": total, "min": 0, "max": total}
    assert passed["result"]["success"] is True


def test_level_and_parcours_completion_are_recorded(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    for level in seed.levels:
        for module in level.modules:
            complete_module(client, seed, module)
    completed = [
        s["object"]["id"]
        for s in statements_of(db_session, user)
        if s["verb"]["id"] == ADL + "completed"
    ]
    assert len(completed) == 13 + 3 + 1
    assert completed[-1] == BASE
    assert completed[-2] == f"{BASE}/niveaux/expertise"
    assert f"{BASE}/niveaux/connaissances" in completed
    assert completed.index(f"{BASE}/niveaux/connaissances") == 4


def test_activity_base_is_configurable(app):

    with app.test_request_context():
        app.config["XAPI_ACTIVITY_BASE"] = "https://lrs.example.org/activities/"
        try:
            iri = ids.module_iri("p", "m1")
            assert iri == "https://lrs.example.org/activities/parcours/p/modules/m1"
            ref = ids.parse_activity_iri(iri)
            assert (ref.kind, ref.parcours_slug, ref.module_slug) == ("module", "p", "m1")
            assert ids.parse_activity_iri("https://elsewhere.example/parcours/p") is None
        finally:
            app.config["XAPI_ACTIVITY_BASE"] = None


def test_statements_command_shows_a_learners_record(runner, client, login, make_user, seed):
    user = make_user()
    login(user)
    enroll(client, seed)
    read(client, seed, seed.levels[0].modules[0])
    result = runner.invoke(args=["lms", "statements", "--email", user.email])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["registered", "experienced"]
    full = runner.invoke(args=["lms", "statements", "--email", user.email, "--full"])
    assert json.loads(full.output.splitlines()[0])["actor"]["account"]["name"] == user.public_id
    unknown = runner.invoke(args=["lms", "statements", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0
