"""The public keys of the credentials, for anyone who verifies one: no login, cacheable."""

from flask import Blueprint, Response, abort, jsonify

from lms.certificates.keys import find_public_jwk, public_jwks

keys_bp = Blueprint("keys", __name__)

# Short enough that a rotated key is published everywhere within minutes.
MAX_AGE = 300


@keys_bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """Every key, active or retired: credentials signed before a rotation still verify."""
    return _public(jsonify(public_jwks()))


@keys_bp.get("/keys/<kid>")
def jwk(kid: str) -> Response:
    """The JWK that a VC-JWT's `kid` header (this URL) dereferences to."""
    found = find_public_jwk(kid)
    if found is None:
        abort(404)
    return _public(jsonify(found))


def _public(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # Verifiers running in a browser (wallets, validators) fetch keys from other origins.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
