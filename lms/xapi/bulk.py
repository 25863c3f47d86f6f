"""Storing statement rows with their index rows in as few round trips as possible.

Outside tools send statements one by one or in batches, and most of them (anything that is
not a learner of ours acting on one of our activities) only need to be stored, indexed and,
when forwarding is on, put in the outbox. On PostgreSQL all of that is one SQL statement,
whatever the number of statements: the rows travel as arrays, and data-modifying CTEs insert
the statements, then their index and outbox rows, joined on the statement id. On SQLite,
which has no round trips to save, multi-row INSERTs do the same.

Runs on the session's connection, inside the caller's transaction.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from lms.extensions import db
from lms.xapi.forwarding.models import ForwardingItem
from lms.xapi.models import Statement, StatementActivity, StatementAgent

# The statement columns the caller gives, in this order (seq is generated), with their
# PostgreSQL types (the rows travel as one JSON document; see _insert_postgresql).
STATEMENT_COLUMNS = {
    "id": "varchar",
    "actor_key": "varchar",
    "user_id": "bigint",
    "verb_id": "varchar",
    "object_id": "varchar",
    "registration": "varchar",
    "timestamp": "timestamptz",
    "stored": "timestamptz",
    "is_voided": "boolean",
    "is_reference": "boolean",
    "client_id": "bigint",
    "payload": "jsonb",
}


@dataclass
class StatementRows:
    """Statements to insert, and what they involve (by statement id)."""

    statements: list[dict] = field(default_factory=list)
    agents: list[tuple[str, str, bool]] = field(default_factory=list)  # id, agent key, direct
    activities: list[tuple[str, str, bool]] = field(default_factory=list)  # id, activity, direct


def insert_statements(
    rows: StatementRows, *, outbox: bool, skip_stored: bool = False
) -> dict[str, int]:
    """Insert the statements, their agent and activity index rows and, if `outbox`, their
    forwarding outbox items; returns each statement's sequence number by id. Statements
    are numbered in the order given.

    With `skip_stored`, a statement whose id is already stored is left out (it is missing
    from the result) instead of violating the unique index."""
    if not rows.statements:
        return {}
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _insert_postgresql(connection, rows, outbox, skip_stored)
    if skip_stored:
        rows = _without_stored(rows)
    return _insert_generic(connection, rows, outbox) if rows.statements else {}


def stored_ids(ids: list[str]) -> set[str]:
    """Those of `ids` already stored."""
    if not ids:
        return set()
    table = Statement.__table__
    connection = db.session.connection()
    return set(connection.execute(sa.select(table.c.id).where(table.c.id.in_(ids))).scalars())


def _without_stored(rows: StatementRows) -> StatementRows:
    # SQLite: writers hold the database lock from their first statement (BEGIN IMMEDIATE),
    # so nothing can be stored between this look and the insert.
    stored = stored_ids([row["id"] for row in rows.statements])
    if not stored:
        return rows
    return StatementRows(
        statements=[row for row in rows.statements if row["id"] not in stored],
        agents=[item for item in rows.agents if item[0] not in stored],
        activities=[item for item in rows.activities if item[0] not in stored],
    )


def _insert_postgresql(
    connection: sa.Connection, rows: StatementRows, outbox: bool, skip_stored: bool
) -> dict:
    columns = ", ".join(f'"{name}"' for name in STATEMENT_COLUMNS)
    typed = ", ".join(f'"{name}" {type_}' for name, type_ in STATEMENT_COLUMNS.items())
    outbox_cte = (
        ", outbox AS (INSERT INTO xapi_forwarding_outbox (statement_seq, created_at, attempts)"
        " SELECT seq, now(), 0 FROM stored)"
        if outbox
        else ""
    )
    # ON CONFLICT waits for a concurrent transaction storing the same id, then skips it:
    # the caller compares what is stored with what was sent.
    on_conflict = "ON CONFLICT (id) DO NOTHING" if skip_stored else ""
    # The rows travel as one JSON document, a parameter psycopg passes as it is: the driver
    # would otherwise adapt an array per column, element by element, which cost more than
    # the rest of a single-statement POST. ORDER BY position: the sequence numbers follow
    # the order given.
    sql = f"""
        WITH sent AS (SELECT %s::jsonb AS document), stored AS (
            INSERT INTO statements ({columns})
            SELECT {columns}
            FROM sent, jsonb_to_recordset(document -> 'statements') AS s({typed}, position int)
            ORDER BY s.position
            {on_conflict}
            RETURNING seq, id
        ), agents AS (
            INSERT INTO statement_agents (statement_seq, agent_key, is_direct)
            SELECT stored.seq, a ->> 1, (a ->> 2)::boolean
            FROM sent, jsonb_array_elements(document -> 'agents') AS a
            JOIN stored ON stored.id = a ->> 0
        ), activities AS (
            INSERT INTO statement_activities (statement_seq, activity_id, is_direct)
            SELECT stored.seq, a ->> 1, (a ->> 2)::boolean
            FROM sent, jsonb_array_elements(document -> 'activities') AS a
            JOIN stored ON stored.id = a ->> 0
        ){outbox_cte}
        SELECT seq, id FROM stored
    """  # noqa: S608 - only our own column names and types are interpolated
    document = json.dumps(
        {
            "statements": [
                {**row, "position": position} for position, row in enumerate(rows.statements)
            ],
            "agents": rows.agents,
            "activities": rows.activities,
        },
        default=_iso,
        ensure_ascii=False,
    )
    # exec_driver_sql: the driver's own placeholders, and its errors raised as SQLAlchemy's
    # (a unique id violated by a concurrent request is an IntegrityError the API handles).
    result = connection.exec_driver_sql(sql, (document,))
    return {statement_id: seq for seq, statement_id in result}


def _iso(value: object) -> str:
    # In UTC: PostgreSQL reads offsets up to ±15:59 only, and xAPI timestamps may carry any
    # offset up to ±23:59 (the statement keeps the one it was sent with).
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _insert_generic(connection: sa.Connection, rows: StatementRows, outbox: bool) -> dict:
    table = Statement.__table__
    result = connection.execute(
        sa.insert(table).returning(table.c.seq, table.c.id, sort_by_parameter_order=True),
        rows.statements,
    )
    seqs = {statement_id: seq for seq, statement_id in result}
    _insert_rows(
        connection,
        StatementAgent.__table__,
        [
            {"statement_seq": seqs[i], "agent_key": key, "is_direct": direct}
            for i, key, direct in rows.agents
        ],
    )
    _insert_rows(
        connection,
        StatementActivity.__table__,
        [
            {"statement_seq": seqs[i], "activity_id": key, "is_direct": direct}
            for i, key, direct in rows.activities
        ],
    )
    if outbox:
        _insert_rows(
            connection,
            ForwardingItem.__table__,
            [{"statement_seq": seq} for seq in seqs.values()],
        )
    return seqs


def _insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs ("insertmanyvalues");
    # without it each row would be an INSERT of its own.
    if rows:
        connection.execute(sa.insert(table).returning(table.c.id), rows)
