"""Pages reached from a link: the cohort's invitation link, and the one-time link that lets
an invited person choose their password."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms import SelectChoice

from lms.core.errors import DomainError
from lms.extensions import db
from lms.networks.enrolment import cohort_by_code, join_by_code
from lms.networks.forms import JoinForm, SetPasswordForm
from lms.networks.invitations import accept_invitation, find_invitation, invitation_problem

bp = Blueprint("access", __name__)


@bp.route("/rejoindre/<code>", methods=["GET", "POST"])
def join(code: str):
    cohort = cohort_by_code(code)
    if cohort is None:
        abort(404)
    form = JoinForm()
    form.structure_id.choices = [SelectChoice(0, _("— Aucune ou autre —"))] + [
        SelectChoice(structure.id, structure.name) for structure in cohort.network.structures
    ]
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            _member, joined = join_by_code(cohort, current_user, form.structure_id.data or None)
        except DomainError as error:
            db.session.rollback()
            form.structure_id.errors.append(error.message)
        else:
            db.session.commit()
            if joined:
                flash(_("Vous avez rejoint la cohorte « %(name)s ».", name=cohort.name), "success")
            else:
                flash(_("Vous faites déjà partie de cette cohorte."), "info")
            return redirect(url_for("learning.parcours", slug=cohort.parcours.slug))
    return render_template("networks/join.html", cohort=cohort, form=form, code=code)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def set_password(token: str):
    invitation = find_invitation(token)
    problem = invitation_problem(invitation)
    if problem is not None:
        return render_template("networks/set_password.html", problem=problem, form=None), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(invitation, form.password.data)
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "networks/set_password.html", problem=error.message, form=None
            ), 410
        db.session.commit()
        login_user(user)
        flash(
            _("Votre mot de passe est enregistré. Bienvenue %(name)s !", name=user.name), "success"
        )
        if invitation.cohort is not None:
            return redirect(url_for("learning.parcours", slug=invitation.cohort.parcours.slug))
        return redirect(url_for("networks.index"))
    return render_template(
        "networks/set_password.html", problem=None, form=form, user=invitation.user
    ), 422 if form.errors else 200
