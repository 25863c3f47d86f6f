"""Security headers on every response, the page shown when a rate limit is reached, and
where a redirect may go.

The pages carry no inline script, no inline event handler and no inline style: the
Content-Security-Policy allows scripts and styles from this site only, so that markup slipped
into a page (a sanitiser's miss, a template's mistake) cannot run. A view that needs a
stricter policy sets its own header first and keeps it (uploaded files are served sandboxed,
see lms.catalog.views).
"""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Module content may show images from other https sites (Markdown ![…](https://…)).
        "img-src 'self' https:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Pages whose address carries a token (password reset, invitation, unsubscribe) must not
    # hand it to the sites they link to.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.register_error_handler(TooManyRequests, too_many_requests)


def set_security_headers(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    max_age = current_app.config.get("HSTS_MAX_AGE")
    if max_age:  # production only: HTTPS is certain there, and the header sticks for months
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(max_age)}; includeSubDomains"
        )
    return response


def too_many_requests(_error: TooManyRequests):
    # Flask-Limiter adds Retry-After and the X-RateLimit-* headers to this response.
    message = _("Trop de tentatives en peu de temps. Patientez quelques minutes, puis réessayez.")
    if request.path.startswith("/xapi/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(error=message)
    else:
        response = current_app.make_response(
            render_template("errors/error.html", status=429, message=message)
        )
    response.status_code = 429
    return response


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/parcours/x?page=2"), else None.

    Refuses what a browser would take elsewhere: an absolute URL, a scheme-relative one
    ("//evil.example"), a backslash (read as a slash by browsers) and control characters.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
