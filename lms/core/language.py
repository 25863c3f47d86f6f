"""The language switch: a small form in every page's footer, which works without JavaScript.

The choice is kept in the session, where `lms._select_locale` reads it.
"""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import gettext as _

from lms.core.errors import DomainError
from lms.core.security import local_path

bp = Blueprint("language", __name__)

# Each language is named in itself, whatever the page's language (and marked with its own
# `lang` in the template, for screen readers).
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@bp.app_context_processor
def language_choices() -> dict:
    languages = current_app.config["LANGUAGES"]
    return {
        "language_choices": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
        "language_next": _page_to_return_to(),
    }


def _page_to_return_to() -> str:
    """Where the switch brings the visitor back: this page, or, for a page answering a POST
    (a form shown again with its errors), the page the form was sent from, since a GET on
    a POST-only address would fail."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return local_path(referrer._replace(scheme="", netloc="").geturl()) or "/"
    return "/"


@bp.post("/langue")
def switch():
    # CSRF is checked by CSRFProtect before the view runs (a 400 without a valid token).
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        raise DomainError(
            _(
                "Langue inconnue : choisissez parmi %(languages)s.",
                languages=", ".join(
                    LANGUAGE_NAMES.get(code, code) for code in current_app.config["LANGUAGES"]
                ),
            )
        )
    session["lang"] = lang
    return redirect(local_path(request.form.get("next")) or url_for("catalog.index"))
