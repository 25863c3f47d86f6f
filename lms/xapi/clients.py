"""LRS clients: credentials and scopes of the outside tools that use the xAPI API."""

import enum
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.extensions import db
from lms.xapi.models import LRSClient


class Scope(enum.StrEnum):
    """xAPI 1.0.3 §4.2 (Communication, authorization scope), the ones we grant."""

    STATEMENTS_WRITE = "statements/write"
    STATEMENTS_READ = "statements/read"
    STATEMENTS_READ_MINE = "statements/read/mine"
    STATE = "state"
    PROFILE = "profile"
    ALL = "all"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_client(
    name: str, scopes: list[str], created_by: User | None = None
) -> tuple[LRSClient, str]:
    """A new client and its secret, shown once; flushes."""
    name = name.strip()
    if not name:
        raise DomainError(_("Donnez un nom au client."))
    unknown = sorted(set(scopes) - {scope.value for scope in Scope})
    if unknown or not scopes:
        raise DomainError(
            _("Portées inconnues ou absentes : %(scopes)s", scopes=", ".join(unknown) or "—")
        )
    secret = secrets.token_urlsafe(32)
    client = LRSClient(
        name=name,
        key=secrets.token_urlsafe(18),
        secret_sha256=_digest(secret),
        scopes=sorted(set(scopes)),
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(client)
    db.session.flush()
    return client, secret


@dataclass(frozen=True)
class ClientIdentity:
    """What a request needs to know of the client that sent it: kept between requests."""

    id: int
    name: str
    key: str
    scopes: tuple[str, ...]


def authenticate_client(key: str, secret: str) -> ClientIdentity | None:
    """The active client with these credentials, or None.

    Outside tools send a request per statement or batch, each with the same credentials:
    a client checked in the last CLIENT_CACHE_SECONDS is taken from this process's memory
    instead of the database. A client deactivated here is forgotten at once; other
    processes refuse it within those seconds.
    """
    digest = _digest(secret)
    cache = _cache()
    cached = cache.get(key)
    if cached is not None:
        expires, cached_digest, identity = cached
        if time.monotonic() < expires and hmac.compare_digest(cached_digest, digest):
            return identity
    client = db.session.scalar(sa.select(LRSClient).where(LRSClient.key == key))
    # Compare even for an unknown key, so that timing tells nothing.
    expected = client.secret_sha256 if client is not None else _digest(secrets.token_hex(8))
    if not hmac.compare_digest(expected, digest):
        return None
    if client is None or not client.is_active:
        return None
    identity = ClientIdentity(client.id, client.name, client.key, tuple(client.scopes))
    lifetime = current_app.config["CLIENT_CACHE_SECONDS"]
    if lifetime > 0:
        cache[key] = (time.monotonic() + lifetime, digest, identity)
    return identity


def forget_client(key: str) -> None:
    """Drop a client from this process's cache (after its deactivation)."""
    _cache().pop(key, None)


def _cache() -> dict[str, tuple[float, str, ClientIdentity]]:
    # One per app, so that apps on other databases (tests, benches) never share entries.
    return current_app.extensions.setdefault("lrs_client_cache", {})


def has_scope(client: ClientIdentity, needed: Scope) -> bool:
    granted = set(client.scopes)
    if Scope.ALL in granted or needed in granted:
        return True
    # Reading all statements includes reading one's own.
    return needed == Scope.STATEMENTS_READ_MINE and Scope.STATEMENTS_READ in granted


def client_authority(client: ClientIdentity) -> dict:
    """The authority of the statements a client stores: an agent the client stands for."""
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {
            "homePage": f"{current_app.config['LMS_BASE_URL']}/xapi/clients",
            "name": client.key,
        },
    }
