"""« Mes données » (export, account deletion) and the privacy policy."""

import io
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.networks.scoping import local_today
from lms.privacy.export import build_export, export_filename
from lms.privacy.forms import DeleteAccountForm
from lms.privacy.operations import check_deletion, erase_account
from lms.privacy.queries import data_summary

bp = Blueprint("privacy", __name__)


@bp.get("/confidentialite")
def policy():
    config = current_app.config
    return render_template(
        "privacy/policy.html",
        controller=config["PRIVACY_CONTROLLER"],
        contact=config["PRIVACY_CONTACT"],
        retention_days=config["ACCOUNT_RETENTION_DAYS"],
        warning_days=config["RETENTION_WARNING_DAYS"],
        # The outside LRS is named by its host: its path may carry a tenant's details.
        forward_host=urlsplit(config.get("XAPI_FORWARD_URL") or "").hostname,
    )


@bp.get("/compte/donnees")
@login_required
def mine():
    return _render_mine(DeleteAccountForm())


def _render_mine(form: DeleteAccountForm, status: int = 200):
    return render_template(
        "privacy/mine.html",
        summary=data_summary(current_user),
        form=form,
        can_delete=current_user.role != Role.ADMIN,
    ), status


@bp.get("/compte/donnees/export")
@login_required
def export():
    archive = build_export(current_user)
    response = send_file(
        io.BytesIO(archive),
        mimetype="application/zip",
        as_attachment=True,
        download_name=export_filename(local_today(utcnow())),
    )
    # Personal data: no copy left in a shared cache or the browser's.
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.post("/compte/donnees/suppression")
@login_required
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _render_mine(form, 422)
    try:
        check_deletion(current_user, form.password.data)
    except DomainError as error:
        form.password.errors.append(error.message)
        return _render_mine(form, 422)
    erase_account(current_user)
    db.session.commit()
    logout_user()
    flash(_("Votre compte est supprimé. Vos données personnelles ont été effacées."), "info")
    return redirect(url_for("catalog.index"))
