"""The statement store and the one write path for learning records.

`record_statements` is the only way a statement enters the store, whether it comes from a
learner's action or, later, from an outside tool through the LRS API. In the caller's
transaction it stores each statement, folds it into the progress projection and records the
completions that follow, so the store and the progress can never disagree.
"""

import uuid
from collections.abc import Container, Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import make_transient_to_detached

from lms.accounts.models import User
from lms.catalog.models import Level, Module, Parcours
from lms.certificates.operations import certificates_for
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.progress.projection import (
    Completion,
    ProjectionCache,
    apply_statement,
    due_completions,
    rebuild_user_progress,
)
from lms.xapi import bulk, vocabulary
from lms.xapi import statements as build
from lms.xapi.clients import ClientIdentity, client_authority
from lms.xapi.forwarding.operations import forwarding_is_on
from lms.xapi.ids import parse_activity_iri
from lms.xapi.index import agent_key as actor_key
from lms.xapi.index import involved_activities, involved_agents
from lms.xapi.models import Statement
from lms.xapi.statements import XAPI_VERSION, Journey


def record_statements(
    payloads: Iterable[dict],
    *,
    client: ClientIdentity | None = None,
    skip_stored: bool = False,
) -> list[Statement]:
    """Store statements and update progress from them; flushes, the caller commits.

    `client` is the outside tool that sent them through the API (its agent becomes their
    authority); None means the platform itself. Returns every statement stored, including
    the `completed` and `earned` statements the given ones caused, each after its cause.
    Raises Conflict if a statement id is already stored, unless `skip_stored`: such a
    statement is then left out, with no effect (the API compares it with the stored one,
    a repeat being allowed and a different statement refused).

    The statements that move progress are in the session, as the projection reads them;
    the others, stored in bulk, are returned as plain objects outside it (attaching
    thousands of them cost more than inserting them).
    """
    cache = ProjectionCache()
    stored: list[Statement] = []
    rows = [_row(payload, client) for payload in payloads]
    if not skip_stored:
        _refuse_stored_ids([row["id"] for row in rows])
    _resolve_users(rows)
    # Rows wait in `pending` to be inserted together, in the order in which they took
    # effect (replay follows storage order): the inert ones (storing is all there is to
    # do), and the others once folded into the projection with what they caused. A
    # voiding statement, which reads the store, and a statement that may already be
    # stored (whose effect must wait for its insert to tell) go through one by one.
    pending = _Pending()
    for row in rows:
        if _is_inert(row):
            pending.add(row, attach=False)
        elif skip_stored or row["verb_id"] == vocabulary.VOIDED.id:
            stored.extend(pending.insert(skip_stored))
            _record_row(row, cache, stored, client, skip_stored)
        else:
            _fold(row, cache, pending)
    stored.extend(pending.insert(skip_stored))
    db.session.flush()
    return stored


class _Pending:
    """Rows to insert together, each with whether its statement is to be in the session."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.attached: set[str] = set()

    def add(self, row: dict, *, attach: bool) -> None:
        self.rows.append(row)
        if attach:
            self.attached.add(row["id"])

    def insert(self, skip_stored: bool = False) -> list[Statement]:
        rows, attached = self.rows, self.attached
        self.rows, self.attached = [], set()
        return _insert_many(rows, skip_stored, attached=attached)


def _fold(row: dict, cache: ProjectionCache, pending: _Pending) -> None:
    """Fold a statement into the projection before it is stored, then the statements it
    causes (completions, certificates earned), each after its cause. Its id is new to the
    store (the caller looked): the projection reads only its columns."""
    statement = Statement(**row)  # not in the session: _insert_many stores it
    pending.add(row, attach=True)
    for completion in apply_statement(statement, cache, derive=True):
        for derived in _consequences(completion, statement):
            _fold(derived, cache, pending)


def _consequences(completion: Completion, cause: Statement) -> list[dict]:
    """The statements a completion calls for, in order: its `completed` statement (unless
    `cause` was that statement), then the `earned` of each certificate it issues; rows
    about the completion's learner, each pointing at its cause."""
    payloads = [completion_statement(completion)] if completion.needs_statement else []
    # Certificates are issued in the same transaction as the completion they attest.
    payloads += certificates_for(completion)
    return [
        _derived_row(_caused_by(payload, cause), completion.enrollment.user_id)
        for payload in payloads
    ]


def _derived_row(payload: dict, user_id: int) -> dict:
    """The row of a statement the platform derived about one of its learners (no need to
    look the actor up). Its id is new (the platform has just made it), so it is not looked
    up either: the unique index would refuse the impossible repeat."""
    row = _row(payload, None)
    row["user_id"] = user_id
    return row


def _record_row(
    row: dict,
    cache: ProjectionCache,
    stored: list[Statement],
    client: ClientIdentity | None,
    skip_stored: bool = False,
) -> None:
    inserted = _insert_many([row], skip_stored, attached={row["id"]})
    if not inserted:  # already stored, and skip_stored: it has had its effect
        return
    statement = inserted[0]
    stored.append(statement)
    if statement.verb_id == vocabulary.VOIDED.id:
        _void(statement, cache, stored)
        return
    for completion in apply_statement(statement, cache, derive=True):
        for derived in _consequences(completion, statement):
            _record_row(derived, cache, stored, None)


def _void(voiding: Statement, cache: ProjectionCache, stored: list[Statement]) -> None:
    """Apply a voiding statement: the target, and what the platform derived from it
    (its completions, its `earned`), stop counting; the learner's progress is rebuilt
    without them, then completions still due are recorded afresh.

    Certificates already issued stay: withdrawing one is a person's decision (revocation).
    """
    target_id = str(voiding.payload["object"].get("id", "")).lower()
    target = db.session.scalar(sa.select(Statement).where(Statement.id == target_id))
    if target is None or target.is_voided:
        return
    if target.verb_id == vocabulary.VOIDED.id:
        raise DomainError(_("Une déclaration d'annulation ne peut pas être annulée."))
    target.is_voided = True
    derived = db.session.scalars(
        sa.select(Statement).where(
            Statement.user_id == target.user_id,
            Statement.client_id.is_(None),
            Statement.payload["context"]["statement"]["id"].as_string() == target.id,
        )
    ).all()
    for statement in derived:
        statement.is_voided = True
    db.session.flush()
    if target.user_id is None:
        return
    rebuild_user_progress(target.user_id)
    cache.forget_progress()
    enrollments = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.user_id == target.user_id)
    ).all()
    _record_due_completions(enrollments, cache, stored, cause=voiding)


# Each pass records at least one completion, and a parcours has few levels: a bound that is
# never reached guards against a rule that would keep finding the same completion due.
_MAX_DUE_PASSES = 50


def record_due_completions(enrollments: Iterable[Enrollment]) -> list[Statement]:
    """Record, through the write path, the completions the rules call for but nothing
    recorded yet (after a content change); returns the statements stored. Flushes."""
    stored: list[Statement] = []
    _record_due_completions(enrollments, ProjectionCache(), stored, cause=None)
    db.session.flush()
    return stored


def _record_due_completions(
    enrollments: Iterable[Enrollment],
    cache: ProjectionCache,
    stored: list[Statement],
    cause: Statement | None,
) -> None:
    now = utcnow()
    for enrollment in enrollments:
        for _pass in range(_MAX_DUE_PASSES):
            due = due_completions(enrollment, now)
            if not due:
                break
            for completion in due:
                payload = completion_statement(completion)
                if cause is not None:
                    payload = _caused_by(payload, cause)
                row = _derived_row(payload, completion.enrollment.user_id)
                _record_row(row, cache, stored, None)


def _caused_by(payload: dict, cause: Statement) -> dict:
    """Point a derived statement at its cause (context.statement), so that voiding the
    cause can find, and void, what followed from it."""
    context = payload.setdefault("context", {})
    context["statement"] = {"objectType": "StatementRef", "id": cause.id}
    return payload


def platform_authority() -> dict:
    """The authority of statements the platform itself makes."""
    return {
        "objectType": "Agent",
        "account": {"homePage": current_app.config["LMS_BASE_URL"], "name": "parcours"},
    }


def _row(payload: dict, client: ClientIdentity | None) -> dict:
    """The statement's column values, its payload completed as the LRS stores it."""
    now = utcnow()
    if client is not None:
        payload = {**payload, "authority": client_authority(client)}
    payload = context_activities_as_lists(dict(payload))
    payload["id"] = str(payload.get("id") or uuid.uuid4()).lower()
    stored = now.isoformat()
    if "timestamp" not in payload:
        payload["timestamp"] = stored
    payload["stored"] = stored
    if "authority" not in payload:
        payload["authority"] = platform_authority()
    payload["version"] = payload.get("version") or XAPI_VERSION
    actor = payload["actor"]
    registration = (payload.get("context") or {}).get("registration")
    return {
        "id": payload["id"],
        "actor_key": actor_key(actor),
        "user_id": None,
        "verb_id": payload["verb"]["id"],
        "object_id": str(payload["object"].get("id", ""))[:1000],
        "registration": registration.lower() if isinstance(registration, str) else None,
        "timestamp": _aware(datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00"))),
        "stored": now,
        "is_voided": False,
        "is_reference": payload["object"].get("objectType") == "StatementRef",
        "client_id": client.id if client is not None else None,
        "payload": payload,
    }


def _refuse_stored_ids(ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        repeated = next(i for i in ids if ids.count(i) > 1)
        raise Conflict(_("La déclaration %(id)s est déjà enregistrée.", id=repeated))
    stored = bulk.stored_ids(ids)
    if stored:
        first = next(i for i in ids if i in stored)
        raise Conflict(_("La déclaration %(id)s est déjà enregistrée.", id=first))


def _resolve_users(rows: list[dict]) -> None:
    """Set user_id on the rows whose actor is one of our accounts (one query for all)."""
    base_url = current_app.config["LMS_BASE_URL"]
    names = {}
    for row in rows:
        account = row["payload"]["actor"].get("account") or {}
        if account.get("homePage") == base_url and isinstance(account.get("name"), str):
            names.setdefault(account["name"], []).append(row)
    if not names:
        return
    found = db.session.execute(
        sa.select(User.public_id, User.id).where(User.public_id.in_(list(names)))
    )
    for public_id, user_id in found:
        for row in names[public_id]:
            row["user_id"] = user_id


def _is_inert(row: dict) -> bool:
    """True when storing the statement is all there is to do: it voids nothing and is not
    a learner's statement about one of our activities (see `apply_statement`)."""
    if row["verb_id"] == vocabulary.VOIDED.id:
        return False
    return row["user_id"] is None or parse_activity_iri(row["object_id"]) is None


def _insert_many(
    rows: list[dict], skip_stored: bool = False, *, attached: Container[str] = ()
) -> list[Statement]:
    """Insert statements with their index and outbox rows (see `lms.xapi.bulk`): the ORM's
    unit of work would cost more than the inserts themselves. With `skip_stored`, those
    whose id is stored already are left out of the result. The statements `attached` names
    are returned in the session, as stored; the others as transient copies
    (adding one to a session would fail on its id, never store it twice)."""
    if not rows:
        return []
    involved = bulk.StatementRows(statements=rows)
    for row in rows:
        _index(row, involved)
    seqs = bulk.insert_statements(involved, outbox=forwarding_is_on(), skip_stored=skip_stored)
    statements = []
    for row in rows:
        if row["id"] not in seqs:
            continue
        statement = Statement(seq=seqs[row["id"]], **row)
        if row["id"] in attached:
            # Known to the session as stored, without a second INSERT.
            make_transient_to_detached(statement)
            db.session.add(statement)
        statements.append(statement)
    return statements


def _index(row: dict, involved: bulk.StatementRows) -> None:
    """Record who and what the statement involves, for the query filters."""
    agents: dict[str, bool] = {}
    for key, direct in involved_agents(row["payload"]):
        agents[key] = agents.get(key, False) or direct
    activities: dict[str, bool] = {}
    for activity_id, direct in involved_activities(row["payload"]):
        activities[activity_id[:1000]] = activities.get(activity_id[:1000], False) or direct
    involved.agents += [(row["id"], key, direct) for key, direct in agents.items()]
    involved.activities += [(row["id"], key, direct) for key, direct in activities.items()]


def context_activities_as_lists(payload: dict) -> dict:
    """xAPI §2.4.6.2: a single context activity is stored, and returned, as a list of one."""
    for statement in (payload, payload.get("object")):
        if not isinstance(statement, dict):
            continue
        activities = (statement.get("context") or {}).get("contextActivities")
        if not isinstance(activities, dict):
            continue
        statement["context"] = {
            **statement["context"],
            "contextActivities": {
                key: value if isinstance(value, list) else [value]
                for key, value in activities.items()
            },
        }
    return payload


def _aware(moment: datetime) -> datetime:
    # Validation requires a time zone; this guards the platform's own statements.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def completion_statement(completion: Completion) -> dict:
    """The `completed` statement that records a completion."""
    enrollment = completion.enrollment
    journey = Journey(
        user=enrollment.user, registration=enrollment.registration, parcours=enrollment.parcours
    )
    target = completion.target
    if isinstance(target, Module):
        return build.completed_module(journey, target, completion.timestamp)
    if isinstance(target, Level):
        return build.completed_level(journey, target, completion.timestamp)
    assert isinstance(target, Parcours)  # noqa: S101 - Completion's type says so
    return build.completed_parcours(journey, target, completion.timestamp)
