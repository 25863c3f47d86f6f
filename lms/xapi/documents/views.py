"""The document resources of the xAPI API (1.0.3 Communication §2.2 to §2.7): state,
activity profile and agent profile; and the activities and agents resources."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request

from lms.extensions import db
from lms.xapi.api.protocol import (
    XAPIError,
    install,
    require_scope,
)
from lms.xapi.clients import Scope
from lms.xapi.documents.models import DocumentContext, DocumentKind, XAPIDocument
from lms.xapi.documents.operations import (
    delete_document,
    delete_documents,
    merge_document,
    save_document,
)
from lms.xapi.documents.queries import (
    activity_object,
    document_ids,
    find_document,
    person_object,
)
from lms.xapi.store import actor_key
from lms.xapi.validation import (
    StatementError,
    validate_activity_id,
    validate_agent,
    validate_timestamp,
    validate_uuid,
)

bp = Blueprint("xapi_documents", __name__, url_prefix="/xapi")
install(bp)

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class _Resource:
    kind: DocumentKind
    id_param: str
    by_activity: bool
    by_agent: bool
    # State documents may belong to a registration and be deleted all at once; they need
    # no concurrency header on PUT (§3.1), profiles do.
    is_state: bool = False

    def parameters(self, method: str) -> set[str]:
        names = {self.id_param}
        if self.by_activity:
            names.add("activityId")
        if self.by_agent:
            names.add("agent")
        if self.is_state:
            names.add("registration")
        if method in {"GET", "HEAD"}:
            names.add("since")
        return names


STATE = _Resource(DocumentKind.STATE, "stateId", by_activity=True, by_agent=True, is_state=True)
ACTIVITY_PROFILE = _Resource(
    DocumentKind.ACTIVITY_PROFILE, "profileId", by_activity=True, by_agent=False
)
AGENT_PROFILE = _Resource(DocumentKind.AGENT_PROFILE, "profileId", by_activity=False, by_agent=True)
_METHODS = ["GET", "PUT", "POST", "DELETE"]


@bp.route("/activities/state", methods=_METHODS)
@require_scope(Scope.STATE)
def state():
    return _serve(STATE)


@bp.route("/activities/profile", methods=_METHODS)
@require_scope(Scope.PROFILE)
def activity_profile():
    return _serve(ACTIVITY_PROFILE)


@bp.route("/agents/profile", methods=_METHODS)
@require_scope(Scope.PROFILE)
def agent_profile():
    return _serve(AGENT_PROFILE)


@bp.get("/activities")
@require_scope(Scope.STATEMENTS_READ, Scope.STATE, Scope.PROFILE)
def activities():
    _only({"activityId"})
    activity_id = _required("activityId")
    _check(validate_activity_id, activity_id, "activityId")
    return jsonify(activity_object(activity_id))


@bp.get("/agents")
@require_scope(Scope.STATEMENTS_READ, Scope.STATE, Scope.PROFILE)
def agents():
    _only({"agent"})
    return jsonify(person_object(_agent()))


def _serve(resource: _Resource) -> Response:
    method = request.method
    _only(resource.parameters(method))
    context = DocumentContext(
        kind=resource.kind,
        activity_id=_activity_id() if resource.by_activity else None,
        agent_key=actor_key(_agent()) if resource.by_agent else None,
        registration=_registration() if resource.is_state else None,
    )
    # Only the state resource lists without an id on DELETE: its delete-all (§2.3).
    listing = method in {"GET", "HEAD"} or (method == "DELETE" and resource.is_state)
    document_id = _document_id(resource.id_param, required=not listing)
    since = _since() if "since" in request.args else None
    if document_id is None:
        if method == "DELETE":
            delete_documents(context)
            db.session.commit()
            return Response(status=204)
        return _list(context, since)
    if method in {"GET", "HEAD"}:
        return _get(context, document_id, resource.id_param)
    document = find_document(context, document_id, for_update=True)
    _check_preconditions(document, needs_header=method == "PUT" and not resource.is_state)
    if method == "PUT":
        save_document(context, document_id, request.get_data(), _content_type(), document)
    elif method == "POST":
        merge_document(context, document_id, request.get_data(), _content_type(), document)
    elif document is not None:
        delete_document(document)
    db.session.commit()
    return Response(status=204)


def _list(context: DocumentContext, since: datetime | None) -> Response:
    rows = document_ids(context, since)
    # The same stateId may exist in several registrations; list it once.
    response = jsonify(list(dict.fromkeys(document_id for document_id, _updated in rows)))
    if rows:
        response.last_modified = max(updated for _id, updated in rows)
    return response


def _get(context: DocumentContext, document_id: str, id_param: str) -> Response:
    document = find_document(context, document_id)
    if document is None:
        raise XAPIError(404, "no such document", id_param)
    response = Response(document.content, content_type=document.content_type)
    response.set_etag(document.etag)
    response.last_modified = document.updated_at
    return response


def _check_preconditions(document: XAPIDocument | None, *, needs_header: bool) -> None:
    """Concurrency control (§3.1), with RFC 7232 semantics for If-Match and If-None-Match."""
    has_if_match = "If-Match" in request.headers
    has_if_none_match = "If-None-Match" in request.headers
    if has_if_match and (document is None or not request.if_match.contains(document.etag)):
        raise XAPIError(
            412, "If-Match: the document does not exist, or has changed since", "If-Match"
        )
    if (
        has_if_none_match
        and document is not None
        and request.if_none_match.contains_weak(document.etag)
    ):
        raise XAPIError(412, "If-None-Match: the document exists", "If-None-Match")
    if needs_header and not (has_if_match or has_if_none_match):
        if document is not None:
            raise XAPIError(
                409,
                "the document exists and the request has no If-Match nor If-None-Match header: "
                "fetch the document and send its ETag in If-Match to replace it",
                "If-Match",
            )
        raise XAPIError(
            400,
            "a PUT on a profile needs an If-Match or If-None-Match header "
            '(If-None-Match: "*" to create a document)',
            "If-None-Match",
        )


# Parameters


def _only(allowed: set[str]) -> None:
    """§3.2: a parameter the resource does not know, or given twice, is refused."""
    for name in sorted(request.args):
        if name not in allowed:
            raise XAPIError(400, f"parameter {name} not allowed here", name)
        if len(request.args.getlist(name)) > 1:
            raise XAPIError(400, f"parameter {name} given more than once", name)


def _required(name: str) -> str:
    value = request.args.get(name)
    if value is None:
        raise XAPIError(400, f"{name} parameter required", name)
    return value


def _check(validator, value: object, field: str) -> None:
    try:
        validator(value, field)
    except StatementError as error:
        raise XAPIError(400, error.message, error.field) from None


def _activity_id() -> str:
    activity_id = _required("activityId")
    _check(validate_activity_id, activity_id, "activityId")
    return activity_id


def _agent() -> dict:
    try:
        agent = json.loads(_required("agent"))
    except (ValueError, RecursionError):
        raise XAPIError(400, "agent is not valid JSON", "agent") from None
    _check(validate_agent, agent, "agent")
    # §2.4, §2.6: an Agent, never a Group (an identified Group goes as an Agent object).
    if agent.get("objectType") == "Group":
        raise XAPIError(400, 'must be "Agent": a Group is not accepted here', "agent.objectType")
    return agent


def _registration() -> str | None:
    registration = request.args.get("registration")
    if registration is None:
        return None
    _check(validate_uuid, registration, "registration")
    return registration.lower()


def _document_id(name: str, *, required: bool) -> str | None:
    document_id = _required(name) if required else request.args.get(name)
    if document_id is not None and (not document_id or "\x00" in document_id):
        raise XAPIError(400, f"{name} must be a non-empty string without NUL", name)
    return document_id


def _since() -> datetime:
    since = request.args["since"]
    _check(validate_timestamp, since, "since")
    return datetime.fromisoformat(since).astimezone(UTC)


def _content_type() -> str:
    content_type = request.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
    if len(content_type) > 255 or not content_type.isprintable():
        raise XAPIError(400, "Content-Type too long or not printable", "Content-Type")
    return content_type
