"""The trainers' workshop (/atelier): every route takes the parcours slug first and checks
ownership with `editable_parcours_or_abort` before anything else."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/atelier")

from lms.authoring.views import content, packages, quizzes  # noqa: E402, F401 - registers routes
