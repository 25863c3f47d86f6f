"""The statement resource: PUT, POST, GET (xAPI 1.0.3 Communication §2.1)."""

import json
import uuid
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.core.db import utcnow
from lms.extensions import db
from lms.xapi.api.attachments import (
    Part,
    check_attachments,
    multipart_response,
    parse_multipart,
    store_parts,
)
from lms.xapi.api.formats import FORMATS, formatted
from lms.xapi.api.protocol import XAPIError, current_client, install, require_scope
from lms.xapi.clients import Scope, has_scope
from lms.xapi.models import Statement, StatementActivity, StatementAgent
from lms.xapi.store import actor_key, context_activities_as_lists, record_statements
from lms.xapi.validation import (
    StatementError,
    validate_agent,
    validate_statement,
    validate_timestamp,
    validate_uuid,
)
from lms.xapi.validation.values import string

bp = Blueprint("xapi", __name__, url_prefix="/xapi")
install(bp)

MAX_LIMIT = 500
_LIST_PARAMETERS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
}
# Aliases of the statements table for the filter subqueries; made once, since making one
# costs more than the rest of a GET.
_TARGET = aliased(Statement, name="target")
_MATCHING = aliased(Statement, name="matching")
_REFERRER = aliased(Statement, name="referrer")
# What the LRS adds or may rewrite; two statements that differ only there are the same.
_LRS_SET = ("stored", "authority", "version")


@bp.after_request
def _consistent_through(response: Response) -> Response:
    if request.endpoint == "xapi.get_statements":
        # On every GET of statements, found or not (the conformance suite checks the 404s).
        response.headers.setdefault("X-Experience-API-Consistent-Through", utcnow().isoformat())
    return response


@bp.get("/about")
def about():
    return jsonify(version=["1.0.3"], extensions={})


def _request_body() -> tuple[object, dict[str, Part] | None]:
    """The JSON sent, and the attachment parts when the request is multipart/mixed
    (None for a JSON request)."""
    if request.mimetype == "multipart/mixed":
        text, parts = parse_multipart(request.content_type or "", request.get_data())
        return _json(text), parts
    return _json_body(), None


def _json_body() -> object:
    if not request.data:
        raise XAPIError(400, "the request has no body", "body")
    return _json(request.get_data())


def _json(data: bytes) -> object:
    if not data:
        raise XAPIError(400, "the request has no body", "body")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise XAPIError(400, f"the body is not valid JSON: {error}", "body") from None
    except RecursionError:
        raise XAPIError(400, "the body is nested too deeply", "body") from None


def _no_constant(name: str) -> object:
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(f"{name} is not JSON")


def _validate(statement: object, field_prefix: str = "") -> dict:
    try:
        validate_statement(statement)
    except StatementError as error:
        raise XAPIError(400, error.message, f"{field_prefix}{error.field}") from None
    assert isinstance(statement, dict)  # noqa: S101 - validate_statement checked it
    return statement


def _same(stored: dict, sent: dict) -> bool:
    def comparable(statement: dict) -> dict:
        return {k: v for k, v in statement.items() if k not in _LRS_SET and k != "timestamp"}

    return comparable(stored) == comparable(context_activities_as_lists(dict(sent)))


def _existing(ids: list[str]) -> dict[str, Statement]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Statement).where(Statement.id.in_(ids)))
    return {row.id: row for row in rows}


@bp.put("/statements")
@require_scope(Scope.STATEMENTS_WRITE)
def put_statement():
    statement_id = request.args.get("statementId")
    if statement_id is None:
        raise XAPIError(400, "statementId parameter required", "statementId")
    _check(validate_uuid, statement_id, "statementId")
    body, parts = _request_body()
    statement = _validate(body)
    statement_id = statement_id.lower()
    if "id" in statement and str(statement["id"]).lower() != statement_id:
        raise XAPIError(400, "the statement id differs from statementId", "id")
    statement = {**statement, "id": statement_id}
    _store([statement], _attachments([statement], parts))
    return Response(status=204)


@bp.post("/statements")
@require_scope(Scope.STATEMENTS_WRITE)
def post_statements():
    body, parts = _request_body()
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise XAPIError(400, "empty batch", "body")
    statements = []
    for index, statement in enumerate(batch):
        prefix = f"[{index}]." if isinstance(body, list) else ""
        statement = _validate(statement, prefix)
        statement = {**statement, "id": str(statement.get("id") or uuid.uuid4()).lower()}
        statements.append(statement)
    ids = [s["id"] for s in statements]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise XAPIError(400, f"the batch repeats statement id {duplicated[0]}", "id")
    _store(statements, _attachments(statements, parts))
    return jsonify(ids)


def _store(statements: list[dict], attachments: dict[str, Part]) -> None:
    """Store the statements not stored yet, all or nothing, and commit. One already stored
    with the same content is left as it is; with other content, 409 (§2.1.2)."""
    for attempt in (1, 2):
        try:
            store_parts(attachments)
            # Inserted unless their id is stored: the usual case costs no look-up first.
            stored = record_statements(statements, client=current_client(), skip_stored=True)
            _refuse_different_repeats(statements, {statement.id for statement in stored})
            db.session.commit()
            return
        except IntegrityError:
            # Another request stored one of these attachments between the look and the
            # insert: look again, once, now that it is committed.
            db.session.rollback()
            if attempt == 2:
                raise


def _refuse_different_repeats(statements: list[dict], inserted: set[str]) -> None:
    """409 if a statement left out as already stored differs from the stored one (the
    error handler rolls back the whole request)."""
    repeats = [statement for statement in statements if statement["id"] not in inserted]
    if not repeats:
        return
    existing = _existing([statement["id"] for statement in repeats])
    for statement in repeats:
        if not _same(existing[statement["id"]].payload, statement):
            raise XAPIError(409, f"another statement with id {statement['id']} is stored", "id")


def _attachments(statements: list[dict], parts: dict[str, Part] | None) -> dict[str, Part]:
    """The attachment contents to store with `statements` (Data §2.4.11)."""
    if parts is None:
        # A JSON request can only reference attachments (fileUrl), not carry them.
        for index, statement in enumerate(statements):
            for number, attachment in enumerate(statement.get("attachments") or []):
                if "fileUrl" not in attachment:
                    prefix = f"[{index}]." if len(statements) > 1 else ""
                    raise XAPIError(
                        400,
                        "an attachment without fileUrl must be sent in a multipart/mixed request",
                        f"{prefix}attachments[{number}]",
                    )
        return {}
    return check_attachments(statements, parts)


@bp.get("/statements")
@require_scope(Scope.STATEMENTS_READ, Scope.STATEMENTS_READ_MINE)
def get_statements():
    args = request.args
    consistent = utcnow()
    single = args.get("statementId"), args.get("voidedStatementId")
    if any(value is not None for value in single):
        return _single(*single)
    unknown = sorted(set(args) - _LIST_PARAMETERS)
    if unknown:
        # §3.2: a parameter we do not know, or in another case, is refused, not ignored.
        raise XAPIError(400, f"unknown parameter {unknown[0]}", unknown[0])
    client = current_client()
    ascending = _bool(args.get("ascending", "false"), "ascending")
    with_attachments = _bool(args.get("attachments", "false"), "attachments")
    limit = _int(args.get("limit", "0"), "limit")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    window = _Window(args, client, ascending)
    filters = _Filters(args)
    conditions = filters.conditions(Statement)
    query = sa.select(Statement)
    if not conditions:
        query = query.where(*window.conditions(Statement))
    elif filters.are_selective:
        # §2.1.3, filter conditions for StatementRefs: a statement that targets one matching
        # the filters is returned too (a voiding statement, a comment on a statement…),
        # even when the target itself is voided.
        # Gather the page from each side on its own, in order, each stopping at the page
        # size: the matching statements, and those referring to one. An OR of the two
        # would make the planner walk the whole store.
        direct = window.page(
            sa.select(_MATCHING.seq).where(*filters.conditions(_MATCHING)), _MATCHING, limit + 1
        )
        referring = window.page(
            sa.select(_REFERRER.seq).where(filters.referring(_REFERRER)), _REFERRER, limit + 1
        )
        query = query.where(Statement.seq.in_(sa.union_all(direct, referring)))
    else:
        # Filters that match much (verb, time): walk the store in order, testing each one,
        # and each referring one's target (§2.1.3, as above).
        query = query.where(
            sa.or_(sa.and_(*conditions), filters.referring(Statement)),
            *window.conditions(Statement),
        )
    order = Statement.seq.asc() if ascending else Statement.seq.desc()
    rows = db.session.scalars(query.order_by(order).limit(limit + 1)).all()
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        params = {k: v for k, v in args.items() if k != "cursor"}
        params["cursor"] = str(rows[-1].seq)
        more = "/xapi/statements?" + "&".join(f"{k}={_quote(v)}" for k, v in sorted(params.items()))
    form, languages = _format()
    result = {
        "statements": [formatted(row.payload, form, languages) for row in rows],
        "more": more,
    }
    response = _respond(result, [row.payload for row in rows], with_attachments)
    response.headers["X-Experience-API-Consistent-Through"] = consistent.isoformat()
    return response


class _Window:
    """What a page of statements is cut from whatever the filters: not voided, readable by
    the client, stored in the since/until range, past the cursor."""

    def __init__(self, args, client, ascending: bool) -> None:
        self.ascending = ascending
        self.client_id = None if has_scope(client, Scope.STATEMENTS_READ) else client.id
        self.since = _time(args["since"], "since") if "since" in args else None
        self.until = _time(args["until"], "until") if "until" in args else None
        self.cursor = _int(args["cursor"], "cursor") if "cursor" in args else None

    def conditions(self, statement) -> list:
        conditions = [statement.is_voided.is_(False)]
        if self.client_id is not None:
            conditions.append(statement.client_id == self.client_id)
        if self.since is not None:
            conditions.append(statement.stored > self.since)
        if self.until is not None:
            conditions.append(statement.stored <= self.until)
        if self.cursor is not None:
            after = statement.seq > self.cursor if self.ascending else statement.seq < self.cursor
            conditions.append(after)
        return conditions

    def page(self, query: sa.Select, statement, size: int) -> sa.Select:
        """The seqs of `query`'s first `size` statements in the window, in page order."""
        order = statement.seq.asc() if self.ascending else statement.seq.desc()
        cut = query.where(*self.conditions(statement)).order_by(order).limit(size).subquery()
        return sa.select(cut.c.seq)


class _Filters:
    """The agent, verb, activity and registration filters, read and checked once, then
    applied to whichever alias of the statements table a subquery needs."""

    def __init__(self, args) -> None:
        related_agents = _bool(args.get("related_agents", "false"), "related_agents")
        related_activities = _bool(args.get("related_activities", "false"), "related_activities")
        self.agents = None
        if "agent" in args:
            self.agents = sa.select(StatementAgent.statement_seq).where(
                StatementAgent.agent_key == actor_key(_agent(args["agent"]))
            )
            if not related_agents:
                self.agents = self.agents.where(StatementAgent.is_direct.is_(True))
        self.verb = args.get("verb")
        # A NUL character cannot be in a stored id (nor be sent to PostgreSQL): a 400.
        for name in ("verb", "activity"):
            if name in args:
                _check(string, args[name], name)
        self.activities = None
        if "activity" in args:
            self.activities = sa.select(StatementActivity.statement_seq).where(
                StatementActivity.activity_id == args["activity"]
            )
            if not related_activities:
                self.activities = self.activities.where(StatementActivity.is_direct.is_(True))
        self.registration = None
        if "registration" in args:
            _check(validate_uuid, args["registration"], "registration")
            self.registration = args["registration"].lower()
        # Filters that pick out few statements, through an index of their own.
        self.are_selective = any(
            value is not None for value in (self.agents, self.activities, self.registration)
        )

    def conditions(self, statement) -> list:
        conditions = []
        if self.agents is not None:
            conditions.append(statement.seq.in_(self.agents))
        if self.verb is not None:
            conditions.append(statement.verb_id == self.verb)
        if self.activities is not None:
            conditions.append(statement.seq.in_(self.activities))
        if self.registration is not None:
            conditions.append(statement.registration == self.registration)
        return conditions

    def referring(self, statement):
        """`statement` refers to one matching the filters: it is one of the few flagged as
        referring (indexed), and its target, found by id, matches."""
        target_matches = sa.exists().where(
            _TARGET.id == statement.object_id, *self.conditions(_TARGET)
        )
        # The bare column, as the partial index's condition is written (see the model).
        return sa.and_(statement.is_reference, target_matches)


def _single(statement_id: str | None, voided_id: str | None):
    if statement_id is not None and voided_id is not None:
        raise XAPIError(400, "statementId and voidedStatementId exclude each other")
    extra = set(request.args) - {"statementId", "voidedStatementId", "format", "attachments"}
    if extra:
        raise XAPIError(400, f"parameter {sorted(extra)[0]} not allowed here", sorted(extra)[0])
    wanted = statement_id if statement_id is not None else voided_id
    field = "statementId" if statement_id is not None else "voidedStatementId"
    _check(validate_uuid, wanted, field)
    with_attachments = _bool(request.args.get("attachments", "false"), "attachments")
    row = _existing([wanted.lower()]).get(wanted.lower())
    client = current_client()
    if row is not None and not has_scope(client, Scope.STATEMENTS_READ):
        row = row if row.client_id == client.id else None
    # A voided statement is found only as voided, and only a voided one is (§2.1.3).
    if row is None or row.is_voided != (voided_id is not None):
        raise XAPIError(404, "no such statement", field)
    form, languages = _format()
    response = _respond(formatted(row.payload, form, languages), [row.payload], with_attachments)
    response.headers["X-Experience-API-Consistent-Through"] = utcnow().isoformat()
    return response


def _respond(document: object, statements: list[dict], with_attachments: bool) -> Response:
    """JSON, or with attachments=true multipart/mixed: the JSON, then the attachments."""
    if not with_attachments:
        return jsonify(document)
    body, content_type = multipart_response(document, statements)
    return Response(body, content_type=content_type)


def _format() -> tuple[str, list[str]]:
    form = request.args.get("format", "exact")
    if form not in FORMATS:
        raise XAPIError(400, f"format must be one of {', '.join(FORMATS)}", "format")
    return form, [language for language, _quality in request.accept_languages]


def _check(validator, value: object, field: str) -> None:
    try:
        validator(value, field)
    except StatementError as error:
        raise XAPIError(400, error.message, error.field) from None


def _agent(text: str) -> dict:
    try:
        agent = json.loads(text)
    except ValueError:
        raise XAPIError(400, "agent is not valid JSON", "agent") from None
    _check(validate_agent, agent, "agent")
    return agent


def _time(text: str, field: str) -> datetime:
    _check(validate_timestamp, text, field)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bool(text: str, field: str) -> bool:
    if text not in {"true", "false"}:
        raise XAPIError(400, f"{field} must be true or false", field)
    return text == "true"


def _int(text: str, field: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise XAPIError(400, f"{field} must be a non-negative integer", field)
    return int(text)


def _quote(value: str) -> str:
    return quote(value, safe="")
