"""Completing a parcours issues its certificate, once, with its record and its e-mail."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.catalog.cli import import_courses
from lms.certificates.codes import ALPHABET, LENGTH, new_code, normalise_code
from lms.certificates.models import Certificate, CertificateEvent
from lms.learning.models import Enrollment
from lms.progress.operations import replay_progress
from lms.progress.queries import load_parcours
from lms.xapi.models import Statement
from tests.catalog.packages import write_package
from tests.certificates.helpers import clear_mail, complete_parcours, sent_mail
from tests.learning.helpers import all_modules, complete_module, enroll, take_quiz

EARNED = "http://id.tincanapi.com/verb/earned"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def certificates_of(db_session, user) -> list[Certificate]:
    return db_session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
    ).all()


def test_no_certificate_before_the_end(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    for module in all_modules(seed)[:-1]:
        complete_module(client, seed, module)
    kinds = [c.kind.value for c in certificates_of(db_session, user)]
    # Two levels done: their attestations (the seed asks for them), no certificate yet.
    assert kinds == ["level", "level"]


def test_completing_the_parcours_issues_certificate_attestations_and_records(
    app, client, login, make_user, seed, db_session
):
    clear_mail(app)
    user = make_user(name="Camille Martin")
    login(user)
    complete_parcours(client, seed)

    certificates = certificates_of(db_session, user)
    assert [(c.kind.value, c.scope) for c in certificates] == [
        ("level", "level:connaissances"),
        ("level", "level:competences"),
        ("level", "level:expertise"),
        ("parcours", "parcours"),
    ]
    certificate = certificates[-1]
    assert certificate.learner_name == "Camille Martin"
    assert certificate.parcours_title == seed.title
    assert len(certificate.level_titles) == 3
    assert certificate.level_titles[0].startswith("Connaissances — ")
    assert certificate.issuer_name == "Parcours"
    assert [e.action.value for e in certificate.events] == ["issued"]

    # Each earned statement follows the completion it attests, in the same write.
    rows = db_session.execute(
        sa.select(Statement.verb_id, Statement.object_id)
        .where(Statement.user_id == user.id)
        .order_by(Statement.seq)
    ).all()
    verbs = [verb for verb, _ in rows]
    assert verbs.count(EARNED) == 4
    assert verbs[-2:] == [COMPLETED, EARNED]
    assert rows[-1].object_id.endswith(f"/parcours/{seed.slug}/certificat")
    earned = db_session.scalar(
        sa.select(Statement.payload)
        .where(Statement.user_id == user.id)
        .order_by(Statement.seq.desc())
    )
    assert f"/verify/{certificate.code}" in str(earned["result"]["extensions"])

    # The learner is told by e-mail, for the parcours and for each level.
    messages = sent_mail(app)
    assert len(messages) == 4
    last = messages[-1]
    assert last["To"] == user.email
    assert seed.title in last["Subject"]
    body = last.get_content()
    assert certificate.display_code in body
    assert f"https://parcours.test/verify/{certificate.code}" in body


def test_replay_and_repeated_completion_issue_nothing_more(
    client, login, make_user, seed, db_session
):
    user = make_user()
    login(user)
    complete_parcours(client, seed)
    certificates = db_session.scalar(sa.select(sa.func.count()).select_from(Certificate))
    statements = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))

    replay_progress()
    db_session.commit()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Statement)) == statements
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == certificates

    # Passing the last quiz again after the end records the attempt, and issues nothing.
    assert take_quiz(client, seed, all_modules(seed)[-1], right=True).status_code == 302
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == certificates


def test_the_database_refuses_a_second_certificate_or_a_duplicate_code(
    client, login, make_user, seed, db_session
):
    user = make_user()
    login(user)
    complete_parcours(client, seed)
    certificate = certificates_of(db_session, user)[-1]
    # The same scope for the same enrolment, then the same code for another scope.
    for code, scope in ((new_code(), "parcours"), (certificate.code, "other")):
        twin = Certificate(
            code=code,
            enrollment_id=certificate.enrollment_id,
            user_id=user.id,
            parcours_id=seed.id,
            kind=certificate.kind,
            scope=scope,
            learner_name="x",
            parcours_title="x",
            level_titles=[],
            issuer_name="x",
            completed_at=certificate.completed_at,
        )
        with pytest.raises(IntegrityError), db_session.begin_nested():
            db_session.add(twin)


def test_codes_are_long_random_and_without_look_alikes():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == LENGTH >= 10
        assert set(code) <= set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)
    code = next(iter(codes))
    spaced = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    assert normalise_code(spaced) == code
    assert normalise_code(code[:-1]) is None
    assert normalise_code("<script>alert(1)</script>") is None
    assert normalise_code("") is None


def test_parcours_without_level_attestations_issues_only_the_certificate(
    tmp_path, client, login, make_user, db_session
):
    import_courses(write_package(tmp_path / "essai").path)
    db_session.commit()
    essai = load_parcours("essai")
    assert essai.issues_level_attestations is False
    user = make_user()
    login(user)
    complete_parcours(client, essai)
    assert [c.kind.value for c in certificates_of(db_session, user)] == ["parcours"]
    enrollment = db_session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user.id))
    events = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(CertificateEvent)
        .join(Certificate)
        .where(Certificate.enrollment_id == enrollment.id)
    )
    assert events == 1
