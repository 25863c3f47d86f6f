"""A person's agents in the LRS: the identities statements and documents know them by, and
the rewriting of those statements to an anonymous account.

Statements are the record of learning and stay (cohort figures, replay of the progress
projection), but the person must no longer be found in them. Every stored agent that names
them is replaced, in place, by one fresh anonymous account under our homePage; the indexed
columns follow, so the `agent` filter of the API finds nothing under the old identity.
Rewriting stored rows is not a new learning record: no statement is recorded, none voided.
"""

import hashlib

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.extensions import db
from lms.xapi.index import IFIS, agent_key
from lms.xapi.models import Statement, StatementAgent


def account_agent(public_id: str) -> dict:
    """The agent of one of our accounts, as the platform writes it in statements."""
    return {
        "objectType": "Agent",
        "account": {"homePage": current_app.config["LMS_BASE_URL"], "name": public_id},
    }


def person_keys(user: User) -> set[str]:
    """The agent keys that identify this person: our account, and their e-mail as an mbox
    or its SHA-1 (outside tools may use those)."""
    mailto = f"mailto:{user.email}"
    return {
        agent_key(account_agent(user.public_id)),
        f"mbox:{mailto}",
        f"mbox_sha1sum:{hashlib.sha1(mailto.encode()).hexdigest()}",  # noqa: S324 - xAPI IFI
    }


def statements_involving(user: User) -> sa.Select:
    """The statements that name the person anywhere (actor, object, instructor, team, a
    group's member, a sub-statement), in storage order."""
    keys = person_keys(user)
    indexed = sa.select(StatementAgent.statement_seq).where(StatementAgent.agent_key.in_(keys))
    return (
        sa.select(Statement)
        .where(sa.or_(Statement.seq.in_(indexed), Statement.user_id == user.id))
        .order_by(Statement.seq)
    )


def statements_as_actor(user: User) -> sa.Select:
    """The statements whose actor is the person, in storage order."""
    return (
        sa.select(Statement)
        .where(sa.or_(Statement.user_id == user.id, Statement.actor_key.in_(person_keys(user))))
        .order_by(Statement.seq)
    )


def replace_agents(value: object, keys: set[str], anonymous: dict) -> object:
    """`value` (a statement or part of it) with every agent identified by one of `keys`
    replaced by `anonymous` (its name, if any, goes with it)."""
    if isinstance(value, list):
        return [replace_agents(item, keys, anonymous) for item in value]
    if not isinstance(value, dict):
        return value
    if any(ifi in value for ifi in IFIS) and agent_key(value) in keys:
        return dict(anonymous)
    return {key: replace_agents(item, keys, anonymous) for key, item in value.items()}


def pseudonymise_statements(user: User, new_public_id: str) -> int:
    """Rewrite every statement naming the person to the anonymous account `new_public_id`;
    returns how many were rewritten. Flushes. Call before the user's e-mail is erased (it
    is one of the identities looked for)."""
    keys = person_keys(user)
    anonymous = account_agent(new_public_id)
    new_key = agent_key(anonymous)
    count = 0
    for statement in db.session.scalars(statements_involving(user)).all():
        # A new dict, so that the JSON column is seen as changed.
        statement.payload = replace_agents(statement.payload, keys, anonymous)
        statement.actor_key = agent_key(statement.payload["actor"])
        count += 1
    db.session.flush()
    db.session.execute(
        sa.update(StatementAgent)
        .where(StatementAgent.agent_key.in_(keys))
        .values(agent_key=new_key)
        .execution_options(synchronize_session=False)
    )
    return count
