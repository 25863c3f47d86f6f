"""Reading documents, and the activity and person views built from what the LRS holds."""

from datetime import datetime

import sqlalchemy as sa

from lms.extensions import db
from lms.xapi.documents.models import DocumentContext, XAPIDocument
from lms.xapi.index import IFIS
from lms.xapi.models import Statement

# How many of the latest statements about an activity make its definition: enough to gather
# every language a tool uses, and a bounded read however many statements there are.
DEFINITION_WINDOW = 100
# Language maps of a definition gather their languages across statements (§2.5).
_LANGUAGE_MAPS = ("name", "description")


def find_document(
    context: DocumentContext, document_id: str, *, for_update: bool = False
) -> XAPIDocument | None:
    query = sa.select(XAPIDocument).where(XAPIDocument.key == context.document_key(document_id))
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def document_ids(
    context: DocumentContext, since: datetime | None = None
) -> list[tuple[str, datetime]]:
    """Ids and update times of the documents of a context, oldest update first.

    Without a registration, the state documents of every registration are listed.
    """
    query = sa.select(XAPIDocument.document_id, XAPIDocument.updated_at).where(
        XAPIDocument.context_key == context.key
    )
    if context.registration is not None:
        query = query.where(XAPIDocument.registration == context.registration)
    if since is not None:
        query = query.where(XAPIDocument.updated_at > since)
    rows = db.session.execute(query.order_by(XAPIDocument.updated_at, XAPIDocument.id))
    return [(row.document_id, row.updated_at) for row in rows]


def activity_object(activity_id: str) -> dict:
    """The Activity object the LRS knows (§2.5): its definition gathered from the latest
    statements about it, newer values first, language maps merged across them."""
    objects = db.session.scalars(
        sa.select(Statement.payload["object"])
        .where(Statement.object_id == activity_id[:1000], Statement.is_voided.is_(False))
        .order_by(Statement.seq.desc())
        .limit(DEFINITION_WINDOW)
    ).all()
    definition: dict = {}
    for obj in reversed(objects):
        if not isinstance(obj, dict) or obj.get("id") != activity_id:
            continue
        for key, value in (obj.get("definition") or {}).items():
            known = definition.get(key)
            if key in _LANGUAGE_MAPS and isinstance(known, dict) and isinstance(value, dict):
                definition[key] = {**known, **value}
            else:
                definition[key] = value
    activity = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def person_object(agent: dict) -> dict:
    """The Person object of an agent (§2.4): what the agent says of itself, as arrays.

    The LRS keeps no directory of people, so there is nothing more to add.
    """
    person: dict = {"objectType": "Person"}
    for key in ("name", *IFIS):
        if key in agent:
            person[key] = [agent[key]]
    return person
