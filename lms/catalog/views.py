import sqlalchemy as sa
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user, login_required

from lms.catalog.files import IMAGE_TYPES, blob_path
from lms.catalog.models import Module, Parcours, Resource, StoredFile
from lms.catalog.ownership import can_edit
from lms.catalog.queries import published_parcours
from lms.extensions import db

bp = Blueprint("catalog", __name__)


@bp.route("/")
def index():
    return render_template("catalog/index.html", parcours_list=published_parcours())


@bp.route("/fichiers/<sha256>/<name>")
@login_required
def file(sha256: str, name: str):
    """A resource file: for anyone signed in once a published module lists it; before
    that, only for the editors of the parcours it was uploaded to."""
    stored = db.session.scalars(sa.select(StoredFile).where(StoredFile.sha256 == sha256)).all()
    if not stored:
        abort(404)
    is_published = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Resource)
        .join(Module, Module.id == Resource.module_id)
        .join(Parcours, Parcours.id == Module.parcours_id)
        .where(
            Resource.file_sha256 == sha256,
            Module.is_archived.is_(False),
            Parcours.is_published.is_(True),
        )
    )
    if not is_published and not any(
        can_edit(current_user, db.session.get(Parcours, item.parcours_id)) for item in stored
    ):
        abort(404)
    content_type = stored[0].content_type
    response = send_file(
        blob_path(sha256),
        mimetype=content_type,
        as_attachment=content_type not in IMAGE_TYPES,
        download_name=name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
