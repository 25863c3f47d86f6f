"""Storing, merging and deleting documents. Each flushes; the caller commits."""

import hashlib
import json

import sqlalchemy as sa
from werkzeug.http import parse_options_header

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.xapi.documents.models import DocumentContext, XAPIDocument

JSON_TYPE = "application/json"


class DocumentError(DomainError):
    """A document the request cannot use; `field` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def save_document(
    context: DocumentContext,
    document_id: str,
    content: bytes,
    content_type: str,
    existing: XAPIDocument | None = None,
) -> XAPIDocument:
    """Store `content` as the document `document_id` of `context`, replacing `existing`."""
    document = existing or XAPIDocument(
        key=context.document_key(document_id),
        context_key=context.key,
        kind=context.kind,
        activity_id=context.activity_id,
        agent_key=context.agent_key,
        registration=context.registration,
        document_id=document_id,
    )
    document.content = content
    document.content_type = content_type
    document.etag = hashlib.sha1(content).hexdigest()  # noqa: S324 - the ETag §3.1 prescribes
    document.updated_at = utcnow()
    db.session.add(document)
    db.session.flush()
    return document


def merge_document(
    context: DocumentContext,
    document_id: str,
    content: bytes,
    content_type: str,
    existing: XAPIDocument | None = None,
) -> XAPIDocument:
    """POST on a document (§2.2, JSON procedure): the sent JSON object's top-level
    properties replace those of the stored one; without a stored one, it is stored as sent.

    Both documents must be JSON objects of type application/json, else DocumentError.
    """
    sent = _json_object(content, content_type, "the document sent", ("Content-Type", "body"))
    if existing is None:
        return save_document(context, document_id, content, content_type)
    stored = _json_object(
        existing.content, existing.content_type, "the stored document", ("document", "document")
    )
    merged = json.dumps({**stored, **sent}).encode()
    return save_document(context, document_id, merged, existing.content_type, existing)


def delete_document(document: XAPIDocument) -> None:
    db.session.delete(document)
    db.session.flush()


def delete_documents(context: DocumentContext) -> int:
    """Delete every document of `context` (of every registration unless it names one)."""
    query = sa.delete(XAPIDocument).where(XAPIDocument.context_key == context.key)
    if context.registration is not None:
        query = query.where(XAPIDocument.registration == context.registration)
    return db.session.execute(query).rowcount


def is_json(content_type: str) -> bool:
    return parse_options_header(content_type)[0].lower() == JSON_TYPE


def _json_object(content: bytes, content_type: str, what: str, fields: tuple[str, str]) -> dict:
    """The JSON object in `content`; `fields` name the culprit: its type, its content."""
    if not is_json(content_type):
        raise DocumentError(f"{what} is not of type {JSON_TYPE}: nothing to merge", fields[0])
    try:
        value = json.loads(content, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise DocumentError(f"{what} is not a JSON object: nothing to merge", fields[1])
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
