"""Account state changes. They flush; the caller commits."""

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Role, User
from lms.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError
from lms.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(name: str, email: str, password: str, role: Role = Role.LEARNER) -> User:
    """Create an account; raises Conflict when the e-mail is taken."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH)
        )
    if not name.strip():
        raise DomainError(_("Le nom est obligatoire."))
    return create_user_with_hash(name, email, hash_password(password), role)


def create_user_with_hash(
    name: str, email: str, password_hash: str, role: Role = Role.LEARNER
) -> User:
    """Create an account whose password was hashed earlier (a confirmed registration);
    raises Conflict when the e-mail is taken."""
    if find_user_by_email(email) is not None:
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."))
    user = User(
        name=name.strip(), email=normalise_email(email), password_hash=password_hash, role=role
    )
    db.session.add(user)
    db.session.flush()
    return user


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the active user of a session id ("<id>:<version>", see
    User.get_id), or None once the password has changed since the session was opened."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Give the account a new password and end every session opened with the old one
    (remember-me cookies included). Flushes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH)
        )
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The owner changes their password, proving they know the current one. Flushes."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("Le mot de passe actuel est incorrect."))
    set_password(user, new_password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; upgrades an outdated hash."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal accounts.
        verify_password(_DUMMY_HASH.get(), password)
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


class _LazyDummyHash:
    """A hash computed once with the current costs, for unknown e-mails."""

    def __init__(self) -> None:
        self._value: str | None = None

    def get(self) -> str:
        if self._value is None:
            self._value = hash_password("not-a-real-password")
        return self._value


_DUMMY_HASH = _LazyDummyHash()
