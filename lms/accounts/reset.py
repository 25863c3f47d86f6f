"""Password reset by e-mail: a signed link that expires and works once.

The token names the account by its opaque public id and is signed with a salt that contains
the current password hash: once the password is changed (by this link or otherwise) the
salt differs and every earlier link is dead. Asking for a link gives the same answer, after
the same work, whether or not the address has an account.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.accounts.operations import find_user_by_email, set_password
from lms.core.errors import DomainError
from lms.extensions import db
from lms.mail.operations import queue_mail

_SALT = "parcours-password-reset"
# Signs a token for addresses without an account, so that both answers cost the same.
_NOBODY_HASH = "no-account"


def _serializer(password_hash: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT + password_hash)


def reset_token(user: User) -> str:
    return _serializer(user.password_hash).dumps({"u": user.public_id})


def reset_url(token: str) -> str:
    return f"{current_app.config['LMS_BASE_URL']}/mot-de-passe/{token}"


def request_password_reset(email: str) -> None:
    """Queue a reset link for the account with this address, if there is one. Flushes."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        _serializer(_NOBODY_HASH).dumps({"u": ""})
        return
    token = reset_token(user)
    hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    body = _(
        "Bonjour %(name)s,\n\n"
        "Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte "
        "%(platform)s. Pour choisir un nouveau mot de passe, ouvrez ce lien :\n\n%(url)s\n\n"
        "Le lien est valable %(hours)d heure(s) et ne sert qu'une fois. Si vous n'avez rien "
        "demandé, ignorez ce message : votre mot de passe reste le même.\n",
        name=user.name,
        platform=current_app.config["PLATFORM_NAME"],
        url=reset_url(token),
        hours=hours,
    )
    queue_mail(user.email, _("Changer votre mot de passe"), body)


def user_for_token(token: str) -> User | None:
    """The account a reset link is for, while the link is valid; None otherwise."""
    try:
        _valid, data = _serializer("").loads_unsafe(token)
        public_id = data["u"]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if not isinstance(public_id, str) or not public_id:
        return None
    user = db.session.scalar(sa.select(User).where(User.public_id == public_id))
    if user is None or not user.is_active:
        return None
    try:
        _serializer(user.password_hash).loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (SignatureExpired, BadSignature):
        return None
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; the link (and every session) then ends."""
    user = user_for_token(token)
    if user is None:
        raise DomainError(invalid_link_message())
    set_password(user, password)
    return user


def invalid_link_message() -> str:
    return _("Ce lien n'est plus valable : il a expiré ou a déjà servi. Demandez-en un nouveau.")
