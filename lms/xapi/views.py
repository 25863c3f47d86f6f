"""Admin pages of the LRS: API clients, forwarding to an outside LRS."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import EmptyForm
from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.core.errors import DomainError
from lms.extensions import db
from lms.xapi.clients import create_client, forget_client
from lms.xapi.forms import SCOPE_LABELS, LRSClientForm
from lms.xapi.forwarding.operations import backlog, current_state
from lms.xapi.models import LRSClient

bp = Blueprint("lrs_admin", __name__, url_prefix="/admin/lrs")


@bp.route("/clients", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def clients():
    form = LRSClientForm()
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            client, secret = create_client(form.name.data, form.scopes.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
            status = 422
        else:
            db.session.commit()
            # Shown once, on this response only: it is not stored.
            created = {"key": client.key, "secret": secret, "name": client.name}
            form = LRSClientForm(formdata=None)
    elif form.errors:
        status = 422
    rows = db.session.scalars(sa.select(LRSClient).order_by(LRSClient.created_at.desc())).all()
    return render_template(
        "xapi/clients.html",
        form=form,
        clients=rows,
        created=created,
        scope_labels={scope.value: label for scope, label in SCOPE_LABELS.items()},
        toggle_form=EmptyForm(),
    ), status


@bp.post("/clients/<int:client_id>/actif")
@role_required(Role.ADMIN)
def toggle(client_id: int):
    client = db.session.get(LRSClient, client_id)
    if client is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    client.is_active = not client.is_active
    db.session.commit()
    forget_client(client.key)
    flash(_("Client réactivé.") if client.is_active else _("Client désactivé."), "success")
    return redirect(url_for("lrs_admin.clients"))


@bp.get("/forwarding")
@role_required(Role.ADMIN)
def forwarding():
    return render_template(
        "xapi/forwarding.html",
        url=current_app.config["XAPI_FORWARD_URL"],
        backlog=backlog(),
        state=current_state(),
    )
