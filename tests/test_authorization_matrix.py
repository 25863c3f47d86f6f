"""Who may do what: every route of the URL map × every role, with its expected outcome.

A route missing from MATRIX fails `test_every_route_has_an_entry`; an entry whose endpoint or
method no longer exists fails it too. Adding a route is one line in MATRIX:

    "endpoint METHOD  anon learner other trainer owner manager_other manager admin",

each column the expected answer to that role: a status code (200, 302, 403, 404, 405, 422…),
or `login` (302 to the login page). The roles, all in one world built once per backend:

    anon           not logged in
    learner        enrolled in the seed parcours, modules done, quiz attempts, certificate
    other          another learner, enrolled in nothing
    trainer        a trainer who neither owns the seed parcours nor trains its cohort
    owner          the trainer who owns the seed parcours and trains the cohort
    manager_other  the manager of another network
    manager        the manager of the network that runs the cohort
    admin          an administrator

URL arguments are looked up by name in the world's `arguments` (build_world: cohort,
network, certificate code…); a new argument name adds a value there, and an endpoint whose
argument means something else maps it in ENDPOINT_ARGUMENTS. Each
request is sent without a body (POST as an empty form, CSRF checks off as in TestConfig):
the column says whether the role gets in (2xx, 302, or a 422 for the empty form) or is kept
out (login, 403, 404). The xAPI routes answer every web role 401: a session grants nothing
there, only LRS credentials do (tests/xapi checks those).

The world is committed once per backend inside an outer transaction; each request runs in a
savepoint rolled back after it, so a POST (publish, delete, log out) changes nothing for the
next one, and the whole module costs one world per backend instead of one per case.
"""

import hashlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user
from lms.accounts.registration import start_registration
from lms.accounts.reset import reset_token
from lms.catalog.operations import add_owner
from lms.certificates.keys import ensure_signing_key
from lms.certificates.models import Certificate, CertificateKind
from lms.extensions import db
from lms.mail.models import MailKind, MailMessage
from lms.mail.unsubscribe import unsubscribe_token
from lms.networks.enrolment import add_member, start_import
from lms.networks.models import MemberSource, NetworkManager
from lms.progress.queries import load_parcours
from lms.xapi.clients import create_client
from tests.authoring import helpers as authoring
from tests.certificates.helpers import complete_parcours
from tests.conftest import SEED_SLUG
from tests.fixtures.databases import rolled_back_sessions
from tests.fixtures.factories import PASSWORD
from tests.networks.helpers import csv_bytes, make_cohort, make_network

ROLES = ("anon", "learner", "other", "trainer", "owner", "manager_other", "manager", "admin")

# fmt: off
MATRIX = [
    # endpoint                       method anon  lrnr  other trnr  owner m_oth mgr   admin
    "access.join                     GET    200   200   200   200   200   200   200   200",
    "access.join                     POST   200   302   302   302   302   302   302   302",
    "access.set_password             GET    410   410   410   410   410   410   410   410",
    "access.set_password             POST   410   410   410   410   410   410   410   410",
    "accounts.account                GET    login 200   200   200   200   200   200   200",
    "privacy.policy                  GET    200   200   200   200   200   200   200   200",
    "pages.accessibility             GET    200   200   200   200   200   200   200   200",
    "language.switch                 POST   400   400   400   400   400   400   400   400",
    "privacy.mine                    GET    login 200   200   200   200   200   200   200",
    "privacy.export                  GET    login 200   200   200   200   200   200   200",
    "privacy.delete                  POST   login 422   422   422   422   422   422   422",
    "accounts.account                POST   login 422   422   422   422   422   422   422",
    "accounts.confirm                GET    login login login login login login login login",
    "accounts.forgot_password        GET    200   200   200   200   200   200   200   200",
    "accounts.forgot_password        POST   422   422   422   422   422   422   422   422",
    "accounts.login                  GET    200   302   302   302   302   302   302   302",
    "accounts.login                  POST   422   302   302   302   302   302   302   302",
    "accounts.logout                 POST   login 302   302   302   302   302   302   302",
    "accounts.register               GET    200   302   302   302   302   302   302   302",
    "accounts.register               POST   422   302   302   302   302   302   302   302",
    "accounts.reset                  GET    200   200   200   200   200   200   200   200",
    "accounts.reset                  POST   422   422   422   422   422   422   422   422",
    "authoring.add_link              POST   login 403   403   403   302   403   403   302",
    "authoring.add_module            POST   login 403   403   403   302   403   403   302",
    "authoring.analysis              GET    login 403   403   403   200   403   403   200",
    "authoring.bank                  GET    login 403   403   403   200   403   403   200",
    "authoring.create                POST   login 403   403   422   422   403   403   422",
    "authoring.discard               POST   login 403   403   403   302   403   403   302",
    "authoring.edit_bank_question    GET    login 403   403   403   404   403   403   404",
    "authoring.edit_bank_question    POST   login 403   403   403   404   403   403   404",
    "authoring.edit_question         GET    login 403   403   403   200   403   403   200",
    "authoring.edit_question         POST   login 403   403   403   422   403   403   422",
    "authoring.export                GET    login 403   403   403   200   403   403   200",
    "authoring.import_package        GET    login 403   403   200   200   403   403   200",
    "authoring.import_package        POST   login 403   403   422   422   403   403   422",
    "authoring.index                 GET    login 403   403   200   200   403   403   200",
    "authoring.module                GET    login 403   403   403   200   403   403   200",
    "authoring.module                POST   login 403   403   403   422   403   403   422",
    "authoring.module_analysis       GET    login 403   403   403   200   403   403   200",
    "authoring.move_module           POST   login 403   403   403   302   403   403   302",
    "authoring.new_bank_question     GET    login 403   403   403   200   403   403   200",
    "authoring.new_bank_question     POST   login 403   403   403   422   403   403   422",
    "authoring.new_question          GET    login 403   403   403   200   403   403   200",
    "authoring.new_question          POST   login 403   403   403   422   403   403   422",
    "authoring.owners_page           GET    login 403   403   403   200   403   403   200",
    "authoring.owners_page           POST   login 403   403   403   422   403   403   422",
    "authoring.parcours              GET    login 403   403   403   200   403   403   200",
    "authoring.parcours              POST   login 403   403   403   422   403   403   422",
    "authoring.preview_module        GET    login 403   403   403   200   403   403   200",
    "authoring.preview_quiz          GET    login 403   403   403   200   403   403   200",
    "authoring.preview_quiz          POST   login 403   403   403   422   403   403   422",
    "authoring.publish               POST   login 403   403   403   302   403   403   302",
    "authoring.quiz                  GET    login 403   403   403   200   403   403   200",
    "authoring.quiz                  POST   login 403   403   403   409   403   403   409",
    "authoring.remove_bank_question  POST   login 403   403   403   302   403   403   302",
    "authoring.remove_module         POST   login 403   403   403   302   403   403   302",
    "authoring.remove_question       POST   login 403   403   403   302   403   403   302",
    "authoring.remove_resource       POST   login 403   403   403   302   403   403   302",
    "authoring.upload                POST   login 403   403   403   422   403   403   422",
    "catalog.file                    GET    login 404   404   404   200   404   404   200",
    "catalog.index                   GET    200   200   200   200   200   200   200   200",
    "certificates.credential         GET    login 200   404   404   404   404   404   404",
    "certificates.credential_id      GET    302   302   302   302   302   302   302   302",
    "certificates.manage             GET    login 403   403   403   200   403   403   200",
    "certificates.manage             POST   login 403   403   403   422   403   403   422",
    "certificates.manage_list        GET    login 403   403   200   200   403   403   200",
    "certificates.mine               GET    login 200   200   200   200   200   200   200",
    "certificates.pdf                GET    login 200   404   404   404   404   404   404",
    "certificates.verify             GET    200   200   200   200   200   200   200   200",
    "certificates.verify_badge       POST   422   422   422   422   422   422   422   422",
    "certificates.verify_form        GET    200   200   200   200   200   200   200   200",
    "health.healthz                  GET    200   200   200   200   200   200   200   200",
    "jobs.runs                       GET    login 403   403   403   403   403   403   200",
    "keys.jwk                        GET    200   200   200   200   200   200   200   200",
    "keys.jwks                       GET    200   200   200   200   200   200   200   200",
    "learning.attempt                GET    login 200   403   403   403   403   403   403",
    "learning.completed              GET    login 200   302   302   302   302   302   302",
    "learning.enroll_in              POST   login 302   302   302   302   302   302   302",
    "learning.home                   GET    login 200   200   200   200   200   200   200",
    "learning.mark_read              POST   login 302   403   403   403   403   403   403",
    "learning.module                 GET    login 200   403   403   403   403   403   403",
    "learning.parcours               GET    200   200   200   200   200   200   200   200",
    "learning.quiz                   GET    login 200   403   403   403   403   403   403",
    "learning.quiz                   POST   login 422   403   403   403   403   403   403",
    "lrs_admin.clients               GET    login 403   403   403   403   403   403   200",
    "lrs_admin.clients               POST   login 403   403   403   403   403   403   422",
    "lrs_admin.forwarding            GET    login 403   403   403   403   403   403   200",
    "lrs_admin.toggle                POST   login 403   403   403   403   403   403   302",
    "mail.unsubscribe                GET    200   200   200   200   200   200   200   200",
    "mail.unsubscribe                POST   200   200   200   200   200   200   200   200",
    "networks.add_manager            POST   login 403   403   403   403   403   403   422",
    "networks.add_structures         POST   login 403   403   403   403   404   422   422",
    "networks.admin_networks         GET    login 403   403   403   403   403   403   200",
    "networks.admin_networks         POST   login 403   403   403   403   403   403   422",
    "networks.cohort_settings        GET    login 403   403   403   403   404   200   200",
    "networks.cohort_settings        POST   login 403   403   403   403   404   422   422",
    "networks.confirm                POST   login 403   403   403   403   404   302   302",
    "networks.index                  GET    login 403   403   200   200   200   200   200",
    "networks.network                GET    login 403   403   403   403   404   200   200",
    "networks.new_cohort             GET    login 403   403   403   403   404   200   200",
    "networks.new_cohort             POST   login 403   403   403   403   404   422   422",
    "networks.preview                GET    login 403   403   403   403   404   200   200",
    "networks.remove_manager         POST   login 403   403   403   403   403   403   302",
    "networks.renew_code             POST   login 403   403   403   403   404   302   302",
    "networks.upload                 GET    login 403   403   403   403   404   200   200",
    "networks.upload                 POST   login 403   403   403   403   404   422   422",
    "reports.certificates_zip        GET    login 403   403   404   200   404   200   200",
    "reports.dashboard               GET    login 403   403   404   200   404   200   200",
    "reports.export_csv              GET    login 403   403   404   200   404   200   200",
    "reports.export_xlsx             GET    login 403   403   404   200   404   200   200",
    "static                          GET    200   200   200   200   200   200   200   200",
    "xapi.about                      GET    200   200   200   200   200   200   200   200",
    "xapi.get_statements             GET    401   401   401   401   401   401   401   401",
    "xapi.post_statements            POST   401   401   401   401   401   401   401   401",
    "xapi.put_statement              PUT    401   401   401   401   401   401   401   401",
    "xapi_documents.activities       GET    401   401   401   401   401   401   401   401",
    "xapi_documents.activity_profile DELETE 401   401   401   401   401   401   401   401",
    "xapi_documents.activity_profile GET    401   401   401   401   401   401   401   401",
    "xapi_documents.activity_profile POST   401   401   401   401   401   401   401   401",
    "xapi_documents.activity_profile PUT    401   401   401   401   401   401   401   401",
    "xapi_documents.agent_profile    DELETE 401   401   401   401   401   401   401   401",
    "xapi_documents.agent_profile    GET    401   401   401   401   401   401   401   401",
    "xapi_documents.agent_profile    POST   401   401   401   401   401   401   401   401",
    "xapi_documents.agent_profile    PUT    401   401   401   401   401   401   401   401",
    "xapi_documents.agents           GET    401   401   401   401   401   401   401   401",
    "xapi_documents.state            DELETE 401   401   401   401   401   401   401   401",
    "xapi_documents.state            GET    401   401   401   401   401   401   401   401",
    "xapi_documents.state            POST   401   401   401   401   401   401   401   401",
    "xapi_documents.state            PUT    401   401   401   401   401   401   401   401",
]
# fmt: on

# Arguments whose name means something else on one endpoint.
ENDPOINT_ARGUMENTS = {
    "access.join": {"code": "join_code"},
    "access.set_password": {"token": "invitation_token"},
    "accounts.confirm": {"token": "registration_token"},
    "accounts.reset": {"token": "reset_token"},
    "mail.unsubscribe": {"token": "unsubscribe_token"},
}


def parse_matrix(lines: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    table = {}
    for line in lines:
        endpoint, method, *outcomes = line.split()
        assert len(outcomes) == len(ROLES), f"{line!r}: one outcome per role {ROLES}"
        assert (endpoint, method) not in table, f"{endpoint} {method} twice"
        table[endpoint, method] = dict(zip(ROLES, outcomes, strict=True))
    return table


EXPECTED = parse_matrix(MATRIX)


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_entry(app):
    in_map = routes(app)
    missing = sorted(in_map - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - in_map)
    assert not missing, f"routes without an entry in MATRIX: {missing}"
    assert not stale, f"entries in MATRIX for routes that no longer exist: {stale}"


def _user(name: str, role: Role) -> User:
    return create_user(name, f"{name}@matrix.example.org", PASSWORD, role)


def _log_in_as(client, session_id: str | None) -> None:
    if session_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True


def registration_token(name: str, email: str) -> str:
    """The link a registration mails (lms.accounts.registration), read from the outbox."""
    start_registration(name, email, PASSWORD, "/")
    body = db.session.scalar(sa.select(MailMessage.body_text).where(MailMessage.recipient == email))
    return body.split("/inscription/")[1].split()[0]


def build_world(app: Flask) -> dict:
    seed = load_parcours(SEED_SLUG)
    users = {
        "learner": _user("learner", Role.LEARNER),
        "other": _user("other", Role.LEARNER),
        "trainer": _user("trainer", Role.TRAINER),
        "owner": _user("owner", Role.TRAINER),
        "manager_other": _user("manager_other", Role.NETWORK_MANAGER),
        "manager": _user("manager", Role.NETWORK_MANAGER),
        "admin": _user("admin", Role.ADMIN),
    }
    add_owner(SEED_SLUG, users["owner"].email)
    network = make_network("Réseau du monde")
    other_network = make_network("Autre réseau", ["Structure ailleurs"])
    for manager, managed in ((users["manager"], network), (users["manager_other"], other_network)):
        db.session.add(NetworkManager(network_id=managed.id, user_id=manager.id))
    cohort = make_cohort(network, seed, users["manager"], trainers=[users["owner"]])
    add_member(
        cohort,
        email=users["learner"].email,
        name=users["learner"].name,
        structure_id=None,
        source=MemberSource.CSV,
        actor=users["manager"],
        notify=False,
    )
    upload = start_import(
        cohort,
        "a.csv",
        csv_bytes("email;prenom;nom;structure\nn@example.org;N;O;PAVA de Lyon\n"),
        users["manager"],
    )
    lrs_client, _secret = create_client("Outil externe", ["statements/read"])
    db.session.commit()
    first_module = seed.levels[0].modules[0]
    client = app.test_client()
    with app.app_context():
        _log_in_as(client, users["learner"].get_id())
        complete_parcours(client, seed)
    with app.app_context():
        _log_in_as(client, users["owner"].get_id())
        response = authoring.upload(
            client, SEED_SLUG, first_module.slug, authoring.PDF_BYTES, "guide.pdf"
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    certificate = db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == users["learner"].id,
            Certificate.kind == CertificateKind.PARCOURS,
        )
    )
    question = first_module.quiz.questions[0]
    arguments = {
        "slug": SEED_SLUG,
        "module_slug": first_module.slug,
        "key": question.key,
        "kind": "single_choice",
        "index": 0,
        "number": 1,
        "code": certificate.code,
        "join_code": cohort.invitation_code,
        "cohort_id": cohort.id,
        "network_id": network.id,
        "import_id": upload.id,
        "user_id": users["manager"].id,
        "client_id": lrs_client.id,
        "sha256": hashlib.sha256(authoring.PDF_BYTES).hexdigest(),
        "name": "guide.pdf",
        "kid": ensure_signing_key().kid,
        "filename": "css/parcours.css",
        "reset_token": reset_token(users["learner"]),
        "registration_token": registration_token("Nouvelle", "nouvelle@matrix.example.org"),
        "unsubscribe_token": unsubscribe_token(users["learner"], MailKind.REMINDER),
        # Invitation tokens are only ever sent by mail; an unknown one must be refused alike.
        "invitation_token": "inconnu",
    }
    return {
        "session_ids": {role: user.get_id() for role, user in users.items()},
        "arguments": arguments,
    }


@pytest.fixture(scope="module")
def world(app) -> Iterator[dict]:
    """The world, committed into an outer transaction that is rolled back at the end."""
    with rolled_back_sessions(app) as connection:
        world = build_world(app)
        world["connection"] = connection
        # Requests run in app contexts of their own (see observe), with sessions of their
        # own. This one is done: its last savepoint, under which the world's own requests
        # saved theirs, is released, not rolled back.
        db.session.commit()
        db.session.remove()
        yield world


@pytest.fixture
def db_session(world):
    """Overrides the suite's per-test database: each request of a case runs in a savepoint
    of the world, rolled back after it (see observe)."""


def url_for_rule(app: Flask, endpoint: str, arguments: dict) -> str:
    (rule,) = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    names = ENDPOINT_ARGUMENTS.get(endpoint, {})
    values = {name: arguments[names.get(name, name)] for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def outcome(response) -> str:
    if response.status_code == 302 and "/connexion" in response.headers["Location"]:
        return "login"
    return str(response.status_code)


def observe(app: Flask, world: dict, endpoint: str, method: str) -> dict[str, str]:
    url = url_for_rule(app, endpoint, world["arguments"])
    # xAPI requests name their version, so that the answer is about who asks.
    headers = {"X-Experience-API-Version": "1.0.3"} if url.startswith("/xapi/") else {}
    seen = {}
    for role in ROLES:
        savepoint = world["connection"].begin_nested()
        try:
            # A fresh app context per request, as on a server (Flask-Login caches the user
            # in `g`).
            with app.app_context():
                client = app.test_client()
                _log_in_as(client, world["session_ids"].get(role))
                response = client.open(url, method=method, data={}, headers=headers)
                seen[role] = outcome(response)
                response.close()
        finally:
            savepoint.rollback()
    return seen


@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_route_answers_each_role_as_expected(app, world, endpoint, method):
    expected = EXPECTED[endpoint, method]
    seen = observe(app, world, endpoint, method)
    wrong = {
        role: f"expected {expected[role]}, got {seen[role]}"
        for role in ROLES
        if seen[role] != expected[role]
    }
    assert not wrong, f"{method} {endpoint}: {wrong}"
