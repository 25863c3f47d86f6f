"""Open Badges 3.0 credentials of certificates, signed as VC-JWTs.

The credential is an OpenBadgeCredential on the W3C Verifiable Credentials 2.0 contexts,
secured by the JSON Web Token proof format of Open Badges 3.0: a compact JWS, RS256,
whose `kid` header is the URL of the public JWK served by the platform.

JOSE library: PyJWT, the most used and actively maintained one in Python, small, RS256
through `cryptography`; the tests verify with jwcrypto, an independent implementation.
"""

import logging
import uuid
from datetime import UTC, datetime

import jwt
from flask_babel import gettext as _

from lms.certificates.keys import (
    ALGORITHM,
    ensure_signing_key,
    find_public_jwk,
    key_url,
    load_private_key,
)
from lms.certificates.models import Certificate, CertificateKind
from lms.core.errors import DomainError

logger = logging.getLogger(__name__)

CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
# The registered claims that OB 3.0 maps from credential properties ("JWT Payload Format").
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp")


class InvalidCredential(DomainError):  # noqa: N818 - reads as the verdict
    """A token that is not a credential signed by this platform."""


def build_credential(certificate: Certificate, *, base_url: str) -> dict:
    """The OpenBadgeCredential of a certificate or a level attestation.

    Built only from what the certificate copied at issue, so that it reads the same in ten
    years. The learner appears by name and by an opaque subject id: never by e-mail,
    database id or the public id that their xAPI statements carry.
    """
    base_url = base_url.rstrip("/")
    achievement = _achievement(certificate, base_url)
    if certificate.kind == CertificateKind.PARCOURS:
        name = _("Certificat « %(title)s »", title=certificate.parcours_title)
    else:
        name = _("Attestation de niveau « %(title)s »", title=achievement["name"])
    return {
        "@context": list(CONTEXTS),
        "id": f"{base_url}/credentials/{certificate.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {
            "id": f"{base_url}/issuer",
            "type": ["Profile"],
            "name": certificate.issuer_name,
            "url": base_url,
        },
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "id": subject_id(certificate.user.public_id, base_url),
            "type": ["AchievementSubject"],
            # OB 3.0 IdentityObject: the name, as the certificate and its public verification
            # page show it; a displayer needs it to say whose achievement this is.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.learner_name,
                }
            ],
            "activityEndDate": _iso(certificate.completed_at),
            "achievement": achievement,
        },
    }


def subject_id(public_id: str, base_url: str) -> str:
    """The learner's `credentialSubject.id` (the JWT `sub`, which OB 3.0 requires).

    Stable across the learner's credentials, but derived one way from their public id: the
    credential, which its holder shows to anyone, does not give out the account name that
    the LRS attributes statements to.
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url}/learners/{public_id}')}"


def sign_credential(credential: dict) -> str:
    """The credential as a VC-JWT (compact JWS, RS256) signed with the active key.

    As OB 3.0 says ("JSON Web Token Proof Format", on VC Data Model 2.0), the JWT payload
    is the credential itself, its members at the top level (no `vc` claim, which was the
    VC 1.1 layout), plus the claims mapped from it: `iss` = issuer.id, `jti` = id,
    `nbf` = validFrom, `sub` = credentialSubject.id, `exp` = validUntil. The header holds
    only what the specification allows: `alg`, `typ` "JWT" and `kid`, the URL of the
    public JWK. May generate the first key (flushed): the caller commits.
    """
    key = ensure_signing_key()
    payload = {**credential, **_claims_of(credential)}
    return jwt.encode(
        payload,
        load_private_key(key.kid),
        algorithm=ALGORITHM,
        headers={"typ": "JWT", "kid": key_url(key.kid)},
    )


def verify_credential_jwt(token: str) -> dict:
    """The credential of a VC-JWT signed by one of the platform's keys, active or not.

    Checks the signature against the stored public key named by `kid`, and that the claims
    match the credential as OB 3.0 ("Verify a Credential") requires. Says nothing of
    revocation: that is the certificate's status, looked up by its code.
    """
    invalid = InvalidCredential(
        _("Ce badge numérique n'est pas valide : sa signature ne peut pas être vérifiée.")
    )
    if not isinstance(token, str):
        raise invalid
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise invalid from None
    kid = header.get("kid")
    jwk = find_public_jwk(kid.rsplit("/", 1)[-1]) if isinstance(kid, str) else None
    if jwk is None:
        raise invalid
    try:
        public_key = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "jti", "nbf", "sub"]},
        )
    except jwt.PyJWTError as error:
        logger.info("credential rejected: %s", error)
        raise invalid from None
    credential = {name: value for name, value in payload.items() if name not in JWT_CLAIMS}
    try:
        expected = _claims_of(credential)
    except (KeyError, TypeError, ValueError):
        raise invalid from None
    if expected != {name: payload[name] for name in JWT_CLAIMS if name in payload}:
        logger.info("credential rejected: its claims do not match its properties")
        raise invalid
    return credential


def _achievement(certificate: Certificate, base_url: str) -> dict:
    parcours_url = f"{base_url}/achievements/{certificate.parcours.slug}"
    if certificate.kind == CertificateKind.PARCOURS:
        return {
            "id": parcours_url,
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": certificate.parcours_title,
            "description": _(
                "Certificat de réussite du parcours « %(title)s », délivré par %(issuer)s.",
                title=certificate.parcours_title,
                issuer=certificate.issuer_name,
            ),
            "criteria": {
                "narrative": _(
                    "Avoir lu chacun des modules du parcours et réussi le quiz de chaque "
                    "module, à chacun de ses niveaux : %(levels)s.",
                    levels=" ; ".join(certificate.level_titles),
                )
            },
        }
    level_key = certificate.scope.removeprefix("level:")
    level_title = certificate.level_titles[0]
    return {
        "id": f"{parcours_url}/niveaux/{level_key}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"{certificate.parcours_title} — {level_title}",
        "description": _(
            "Attestation de réussite du niveau « %(level)s » du parcours « %(title)s », "
            "délivrée par %(issuer)s.",
            level=level_title,
            title=certificate.parcours_title,
            issuer=certificate.issuer_name,
        ),
        "criteria": {
            "narrative": _(
                "Avoir lu chacun des modules du niveau « %(level)s » du parcours "
                "« %(title)s » et réussi le quiz de chaque module.",
                level=level_title,
                title=certificate.parcours_title,
            )
        },
    }


def _claims_of(credential: dict) -> dict:
    """The JWT claims that OB 3.0 maps from the credential's properties."""
    issuer = credential["issuer"]
    claims = {
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    subject = credential["credentialSubject"].get("id")
    if subject is not None:
        claims["sub"] = subject
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def _iso(moment: datetime) -> str:
    # Whole seconds: `nbf` is a NumericDate, and OB 3.0 wants it equal to validFrom.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _numeric_date(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"date without a time zone: {text}")
    return int(moment.timestamp())
