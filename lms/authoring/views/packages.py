"""Export and import of packages, and the item analysis of quizzes."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from lms.authoring import operations
from lms.authoring.analysis import quiz_item_analysis
from lms.authoring.drafts import draft_package
from lms.authoring.forms import ImportForm
from lms.authoring.permissions import editable_parcours_or_abort
from lms.authoring.views import bp
from lms.authoring.views.content import FORM_SLACK_BYTES, trainer_required
from lms.catalog.files import too_large_message
from lms.catalog.package import BadArchiveError, live_package, package_files, zip_files
from lms.core.errors import Forbidden
from lms.extensions import csrf, db
from lms.learning.queries import module_in
from lms.progress.queries import load_any_parcours

MAX_PACKAGE_BYTES = 100 * 1024 * 1024


@bp.route("/<slug>/export.zip")
@trainer_required
def export(slug: str):
    """The published parcours as a `courses/` package; ?version=brouillon for the draft."""
    parcours = editable_parcours_or_abort(slug)
    if request.args.get("version") == "brouillon":
        data = draft_package(operations.get_draft(parcours))
        db.session.commit()  # the draft may just have been made from the published content
    else:
        parcours = load_any_parcours(slug)
        data = live_package(parcours)
    body = zip_files(slug, package_files(data))
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{slug}.zip"'},
    )


# Exempt from the app-wide CSRF check so that this route's own, larger limit applies
# before the body is read; ImportForm checks the token itself.
@csrf.exempt
@bp.route("/importer", methods=["GET", "POST"])
@trainer_required
def import_package():
    request.max_content_length = MAX_PACKAGE_BYTES + FORM_SLACK_BYTES
    try:
        form = ImportForm()
    except RequestEntityTooLarge:
        return render_template(
            "authoring/import.html",
            form=ImportForm(formdata=None),
            errors=[],
            message=too_large_message(MAX_PACKAGE_BYTES),
        ), 413
    errors, message, status = [], None, 200
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_PACKAGE_BYTES + 1)
        try:
            if len(data) > MAX_PACKAGE_BYTES:
                raise BadArchiveError(too_large_message(MAX_PACKAGE_BYTES))
            parcours, report = operations.import_zip(current_user, data)
        except operations.PublishError as error:
            db.session.rollback()
            errors, message, status = error.errors, error.message, 422
        except (BadArchiveError, Forbidden) as error:
            db.session.rollback()
            message, status = error.message, error.status
        else:
            db.session.commit()
            flash(
                _(
                    "Paquet importé : %(m)d modules, %(q)d questions.",
                    m=report.modules,
                    q=report.questions,
                ),
                "success",
            )
            return redirect(url_for("authoring.parcours", slug=parcours.slug))
    elif request.method == "POST":
        status = 422
    return render_template(
        "authoring/import.html", form=form, errors=errors, message=message
    ), status


@bp.route("/<slug>/analyse")
@trainer_required
def analysis(slug: str):
    editable_parcours_or_abort(slug)
    parcours = load_any_parcours(slug)
    quizzes = [
        (module, quiz_item_analysis(module))
        for level in parcours.levels
        for module in level.modules
        if module.quiz is not None and not module.quiz.is_archived
    ]
    return render_template("authoring/analysis.html", parcours=parcours, quizzes=quizzes)


@bp.route("/<slug>/modules/<module_slug>/analyse")
@trainer_required
def module_analysis(slug: str, module_slug: str):
    editable_parcours_or_abort(slug)
    parcours = load_any_parcours(slug)
    module = module_in(parcours, module_slug)
    if module is None:
        abort(404)
    return render_template(
        "authoring/analysis.html",
        parcours=parcours,
        quizzes=[(module, quiz_item_analysis(module))],
    )
