from flask import Blueprint

from lms.authoring import models  # noqa: F401

bp = Blueprint("authoring", __name__, url_prefix="/atelier")
