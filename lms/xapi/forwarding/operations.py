"""Send the statements of the outbox to the outside LRS, in batches, backing off on failure.

A statement is never lost: its outbox item stays until the outside LRS has accepted it. Its id
is sent with it, so a batch sent twice (a crash after sending, before marking it sent) is
recognised by the outside LRS rather than stored again.
"""

import http.client
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from tincan import RemoteLRS
from tincan.http_request import HTTPRequest
from tincan.lrs_response import LRSResponse

from lms.core.db import utcnow
from lms.extensions import db
from lms.xapi.forwarding.models import ForwardingItem, ForwardingState
from lms.xapi.models import Statement

logger = logging.getLogger(__name__)

STATE_ID = 1
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class ForwardResult:
    sent: int = 0
    pending: int = 0
    error: str | None = None
    # True when the run did not try: forwarding is off, or the backoff is not over.
    skipped: bool = False
    next_attempt_at: datetime | None = None


def forwarding_is_on() -> bool:
    """Whether stored statements go into the outbox: the write path puts each statement
    there in the transaction that stores it, so that stored and forwarded never disagree."""
    return bool(current_app.config.get("XAPI_FORWARD_URL"))


def forwarding_state() -> ForwardingState:
    """The single state row, created (and flushed) the first time."""
    state = db.session.get(ForwardingState, STATE_ID)
    if state is None:
        state = ForwardingState(id=STATE_ID, consecutive_failures=0)
        db.session.add(state)
        db.session.flush()
    return state


def current_state() -> ForwardingState:
    """The state as it stands, for reading: an empty one (not added) before any run."""
    return db.session.get(ForwardingState, STATE_ID) or ForwardingState(consecutive_failures=0)


def backlog() -> int:
    """How many statements wait to be sent."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ForwardingItem)
        .where(ForwardingItem.sent_at.is_(None))
    )


def forward_pending(now: datetime | None = None) -> ForwardResult:
    """Send one batch of unsent statements, in storage order; commits.

    A job: it owns its transaction (it ends the read before calling the outside LRS and
    commits the outcome once), so callers must have committed their own work.
    """
    now = now or utcnow()
    if not current_app.config.get("XAPI_FORWARD_URL"):
        return ForwardResult(skipped=True, pending=backlog())
    state = forwarding_state()
    if state.next_attempt_at is not None and state.next_attempt_at > now:
        return ForwardResult(skipped=True, pending=backlog(), next_attempt_at=state.next_attempt_at)
    rows = db.session.execute(
        sa.select(ForwardingItem.id, Statement.payload)
        .join(Statement, Statement.seq == ForwardingItem.statement_seq)
        .where(ForwardingItem.sent_at.is_(None))
        .order_by(ForwardingItem.statement_seq)
        .limit(current_app.config["XAPI_FORWARD_BATCH"])
    ).all()
    if not rows:
        db.session.commit()
        return ForwardResult()
    item_ids = [row.id for row in rows]
    payloads = [row.payload for row in rows]
    # Nothing is written yet: ending the read here keeps the transaction (on SQLite, the
    # write lock) from staying open while the outside LRS answers.
    db.session.rollback()
    error = _send(payloads)

    items = db.session.scalars(
        sa.select(ForwardingItem).where(ForwardingItem.id.in_(item_ids))
    ).all()
    state = forwarding_state()
    for item in items:
        item.attempts += 1
    if error is None:
        for item in items:
            item.sent_at = item.sent_at or now
        state.last_success_at = now
        state.consecutive_failures = 0
        state.next_attempt_at = None
    else:
        state.consecutive_failures += 1
        state.last_error = error[:2000]
        state.last_error_at = now
        state.next_attempt_at = now + min(
            timedelta(seconds=2**state.consecutive_failures), MAX_BACKOFF
        )
        logger.warning(
            "forwarding to the outside LRS failed (%s in a row): %s",
            state.consecutive_failures,
            error,
        )
    db.session.flush()
    result = ForwardResult(
        sent=len(items) if error is None else 0,
        pending=backlog(),
        error=error,
        next_attempt_at=state.next_attempt_at,
    )
    db.session.commit()
    return result


def _send(payloads: list[dict]) -> str | None:
    """POST the statements to the outside LRS; returns None on success, else the error."""
    config = current_app.config
    lrs = RemoteLRS(
        endpoint=config["XAPI_FORWARD_URL"],
        username=config["XAPI_FORWARD_USERNAME"],
        password=config["XAPI_FORWARD_PASSWORD"],
        version="1.0.3",
    )
    try:
        response = _post(lrs, payloads)
        if response.success:
            return None
        if response.response.status != 409:
            return _describe(response)
        # A conflict refuses the whole batch: the outside LRS already holds one of them
        # (sent before a crash, never marked sent). One by one, a conflict means "already
        # there", which is what a resend needs.
        for payload in payloads:
            single = response if len(payloads) == 1 else _post(lrs, [payload])
            if not single.success and single.response.status != 409:
                return _describe(single)
            if not single.success:
                logger.info("statement %s already held by the outside LRS", payload.get("id"))
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    return None


def _post(lrs: RemoteLRS, payloads: list[dict]) -> LRSResponse:
    # RemoteLRS.save_statements would rebuild each statement through tincan's models, which
    # rewrite it (durations reformatted, objectType added): the outside LRS must receive
    # the statement as stored, the same one for the same id. Same client, same request.
    request = HTTPRequest(method="POST", resource="statements")
    request.headers["Content-Type"] = "application/json"
    request.content = json.dumps(payloads)
    return lrs._send_request(request)


def _describe(response: LRSResponse) -> str:
    body = (response.data or b"")[:500]
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return f"HTTP {response.response.status}: {body}"
