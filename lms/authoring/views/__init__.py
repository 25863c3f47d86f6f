"""The trainers' workshop (/atelier): every route takes the parcours slug first and checks
ownership with `editable_parcours_or_abort` before anything else."""

from flask import Blueprint, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from lms.catalog.files import size_label, too_large_message

bp = Blueprint("authoring", __name__, url_prefix="/atelier")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A body past the limit, refused before it is read: say what the limit is."""
    limit = request.max_content_length
    message = too_large_message(limit) if limit else str(error.description)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message, max_bytes=limit, max=size_label(limit or 0)), 413
    return render_template("errors/error.html", status=413, message=message), 413


from lms.authoring.views import content, packages, quizzes  # noqa: E402, F401 - registers routes
