"""Unsubscribe links: a signed token naming the person and the kind of mail.

The token never expires (a link in an old message must still work) and carries the opaque
public id, not the e-mail. Unsubscribing is harmless, so the link is its own authority.
"""

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from lms.accounts.models import User
from lms.extensions import db
from lms.mail.models import MailKind, MailOptOut

_SALT = "parcours-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user: User, kind: MailKind) -> str:
    return _serializer().dumps({"u": user.public_id, "k": kind.value})


def unsubscribe_url(user: User, kind: MailKind) -> str:
    # Built by hand: jobs run outside any request, where url_for has no server name.
    return f"{current_app.config['LMS_BASE_URL']}/desabonnement/{unsubscribe_token(user, kind)}"


def unsubscribe_headers(user: User, kind: MailKind) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients show an "unsubscribe" button."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_token(token: str) -> tuple[User, MailKind] | None:
    """The person and the kind of mail a token names, or None if it is not one of ours."""
    try:
        data = _serializer().loads(token)
        kind = MailKind(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    user = db.session.scalar(sa.select(User).where(User.public_id == data.get("u")))
    return (user, kind) if user is not None else None


def is_opted_out(user_id: int, kind: MailKind) -> bool:
    return db.session.get(MailOptOut, (user_id, kind)) is not None


def opt_out(user: User, kind: MailKind) -> bool:
    """Stop this kind of mail for this person; False if it was already stopped. Flushes."""
    if is_opted_out(user.id, kind):
        return False
    db.session.add(MailOptOut(user_id=user.id, kind=kind))
    db.session.flush()
    return True


def opt_in(user: User, kind: MailKind) -> None:
    db.session.execute(
        sa.delete(MailOptOut).where(MailOptOut.user_id == user.id, MailOptOut.kind == kind)
    )
    db.session.flush()
