"""The statement store and the one write path for learning records.

`record_statements` is the only way a statement enters the store, whether it comes from a
learner's action or, later, from an outside tool through the LRS API. In the caller's
transaction it stores each statement, folds it into the progress projection and records the
completions that follow, so the store and the progress can never disagree.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.catalog.models import Level, Module, Parcours
from lms.certificates.operations import certificates_for
from lms.core.db import utcnow
from lms.core.errors import Conflict
from lms.extensions import db
from lms.progress.projection import Completion, ProjectionCache, apply_statement
from lms.xapi import statements as build
from lms.xapi.models import Statement
from lms.xapi.statements import XAPI_VERSION, Journey


def record_statements(payloads: Iterable[dict]) -> list[Statement]:
    """Store statements and update progress from them; flushes, the caller commits.

    Returns every statement stored, including the `completed` statements that the given
    ones caused, each right after the statement that caused it.
    """
    cache = ProjectionCache()
    stored: list[Statement] = []
    for payload in payloads:
        _record(payload, cache, stored)
    db.session.flush()
    return stored


def _record(payload: dict, cache: ProjectionCache, stored: list[Statement]) -> None:
    statement = _store(payload)
    stored.append(statement)
    for completion in apply_statement(statement, cache, derive=True):
        if completion.needs_statement:
            _record(completion_statement(completion), cache, stored)
        # Certificates are issued in the same transaction as the completion they attest.
        for earned in certificates_for(completion):
            _record(earned, cache, stored)


def platform_authority() -> dict:
    """The authority of statements the platform itself makes."""
    return {
        "objectType": "Agent",
        "account": {"homePage": current_app.config["LMS_BASE_URL"], "name": "parcours"},
    }


def _store(payload: dict) -> Statement:
    now = utcnow()
    payload = dict(payload)
    payload.setdefault("id", str(uuid.uuid4()))
    payload.setdefault("timestamp", now.isoformat())
    payload["stored"] = now.isoformat()
    payload.setdefault("authority", platform_authority())
    payload["version"] = payload.get("version") or XAPI_VERSION
    if db.session.scalar(sa.select(Statement.seq).where(Statement.id == payload["id"])):
        raise Conflict(_("La déclaration %(id)s est déjà enregistrée.", id=payload["id"]))
    actor = payload["actor"]
    context = payload.get("context") or {}
    statement = Statement(
        id=payload["id"],
        actor_key=actor_key(actor),
        user_id=_user_id(actor),
        verb_id=payload["verb"]["id"],
        object_id=payload["object"].get("id", ""),
        registration=context.get("registration"),
        timestamp=datetime.fromisoformat(payload["timestamp"]),
        stored=now,
        payload=payload,
    )
    db.session.add(statement)
    db.session.flush()
    return statement


def actor_key(actor: dict) -> str:
    """One string per agent identity, whatever inverse functional identifier it uses."""
    if "account" in actor:
        account = actor["account"]
        return f"account:{account['homePage']}|{account['name']}"
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if ifi in actor:
            return f"{ifi}:{actor[ifi]}"
    return "anonymous-group"


def _user_id(actor: dict) -> int | None:
    account = actor.get("account") or {}
    if account.get("homePage") != current_app.config["LMS_BASE_URL"]:
        return None
    return db.session.scalar(sa.select(User.id).where(User.public_id == account.get("name")))


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
