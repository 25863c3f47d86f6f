"""Registration confirmed by e-mail, answering the same whether or not the address has an
account.

Nothing is stored until the link is opened: the link carries the name, the address, the
password's Argon2 hash and where to go next, signed and expiring. Whoever reads the link could
create the account anyway; the hash in it is as costly to attack as the database's. If the
address already has an account, its owner is told by mail instead (and how to log in or
reset the password), and the person registering sees the same page as for a new address.
"""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.accounts.operations import create_user_with_hash, find_user_by_email, normalise_email
from lms.accounts.passwords import hash_password
from lms.core.errors import Conflict, NotFound
from lms.mail.operations import queue_mail

_SALT = "parcours-registration"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def start_registration(name: str, email: str, password: str, next_url: str) -> None:
    """Mail a confirmation link, or tell the owner of an existing account. Flushes."""
    base = current_app.config["LMS_BASE_URL"]
    platform = current_app.config["PLATFORM_NAME"]
    # Hashed in both cases: the answer takes the same time whether or not the account exists.
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        body = _(
            "Bonjour %(name)s,\n\n"
            "Quelqu'un (vous, sans doute) a voulu créer un compte %(platform)s avec cette "
            "adresse, qui en a déjà un. Pour vous connecter : %(login)s\n"
            "Mot de passe oublié ? Choisissez-en un nouveau : %(reset)s\n\n"
            "Si vous n'avez rien demandé, ignorez ce message.\n",
            name=existing.name,
            platform=platform,
            login=f"{base}/connexion",
            reset=f"{base}/mot-de-passe-oublie",
        )
        queue_mail(existing.email, _("Vous avez déjà un compte"), body)
        return
    token = _serializer().dumps(
        {"n": name.strip(), "e": normalise_email(email), "h": password_hash, "x": next_url}
    )
    days = max(1, current_app.config["REGISTRATION_MAX_AGE"] // 86400)
    body = _(
        "Bonjour %(name)s,\n\n"
        "Pour activer votre compte %(platform)s, ouvrez ce lien (valable %(days)d jour(s)) :\n"
        "%(url)s\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : aucun compte ne sera créé.\n",
        name=name.strip(),
        platform=platform,
        days=days,
        url=f"{base}/inscription/{token}",
    )
    queue_mail(normalise_email(email), _("Activez votre compte"), body)


def confirm_registration(token: str) -> tuple[User, str]:
    """Create the account a confirmation link describes; returns it and where to go next.
    Raises NotFound if the link is not valid, has expired, Conflict if it has already served."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["REGISTRATION_MAX_AGE"])
        name, email, password_hash, next_url = data["n"], data["e"], data["h"], data["x"]
    except (BadSignature, KeyError, TypeError):
        raise NotFound(
            _("Ce lien d'activation n'est pas valable ou a expiré. Recommencez l'inscription.")
        ) from None
    if find_user_by_email(email) is not None:
        raise Conflict(_("Ce compte est déjà activé : connectez-vous avec votre adresse e-mail."))
    return create_user_with_hash(name, email, password_hash), next_url
