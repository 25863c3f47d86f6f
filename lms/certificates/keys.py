"""The RSA keys that sign Open Badges credentials (RS256, the specification's minimum).

The private half of each key is a PEM file in the keys folder (CERTIFICATE_KEYS_DIR, by
default the instance folder's keys/), outside the repository and the database; the public
half is a JWK in `signing_keys`, published for as long as the platform lives so that every
credential ever signed stays verifiable. These functions flush; the caller commits.
"""

import base64
import hashlib
import json
import logging
import os
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app

from lms.certificates.models import SigningKey
from lms.extensions import db

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
# Credentials are meant to be checked for years: 3072 bits keeps RSA comfortably strong
# beyond 2030 (NIST SP 800-57), for a one-off cost of a fraction of a second per key.
KEY_SIZE = 3072


def keys_dir() -> Path:
    configured = current_app.config.get("CERTIFICATE_KEYS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "keys"


def key_url(kid: str) -> str:
    """The public URL of a key's JWK (served by `keys_views`): the `kid` of a VC-JWT."""
    return f"{current_app.config['LMS_BASE_URL']}/keys/{kid}"


def private_key_path(kid: str) -> Path:
    return keys_dir() / f"{kid}.pem"


def ensure_signing_key() -> SigningKey:
    """The key that signs new credentials; generates the first one if there is none.

    Raises RuntimeError when the active key's private file is missing: credentials could
    no longer be signed, and generating a key silently would hide a lost backup.
    """
    key = db.session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.is_active)
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
        .limit(1)
    )
    if key is None:
        return _new_key()
    _check_private_file(key.kid)
    return key


def rotate_signing_key() -> SigningKey:
    """Sign new credentials with a new key; earlier keys stay published, inactive."""
    new_key = _new_key()
    db.session.execute(
        sa.update(SigningKey)
        .where(SigningKey.is_active, SigningKey.kid != new_key.kid)
        .values(is_active=False)
    )
    db.session.flush()
    return new_key


def public_jwks() -> dict:
    """Every public key, active or not, as a JWK Set (RFC 7517), the newest first."""
    keys = db.session.scalars(
        sa.select(SigningKey).order_by(SigningKey.created_at.desc(), SigningKey.kid)
    )
    return {"keys": [key.public_jwk for key in keys]}


def find_public_jwk(kid: str) -> dict | None:
    key = db.session.get(SigningKey, kid)
    return key.public_jwk if key is not None else None


def load_private_key(kid: str) -> rsa.RSAPrivateKey:
    """The private key of `kid`, read from its PEM file."""
    path = _check_private_file(kid)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError(f"{path} does not hold an RSA private key")
    return key


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an RSA public JWK: SHA-256 over its required members."""
    canonical = json.dumps(
        {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _new_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    numbers = private_key.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    kid = jwk_thumbprint(jwk)
    jwk.update(kid=kid, alg=ALGORITHM, use="sig")
    # The file first: a row without its file could never sign, a file without its row
    # (a rolled-back transaction) is only an unused file.
    _write_private_key(private_key, private_key_path(kid))
    key = SigningKey(kid=kid, public_jwk=jwk, is_active=True)
    db.session.add(key)
    db.session.flush()
    logger.info("generated the credential signing key %s", kid)
    return key


def _write_private_key(private_key: rsa.RSAPrivateKey, path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 from the start: no moment where another user could read it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def _check_private_file(kid: str) -> Path:
    path = private_key_path(kid)
    if not path.is_file():
        raise RuntimeError(
            f"The private key of the credential signing key {kid} is missing: {path} does "
            "not exist. Restore it from the backup of the instance folder (or set "
            "CERTIFICATE_KEYS_DIR to where it is); if it is lost for good, run "
            "`flask lms rotate-signing-key`: credentials signed before stay verifiable."
        )
    return path


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
