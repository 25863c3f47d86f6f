from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts.forms import EmptyForm, LoginForm, RegisterForm
from lms.accounts.operations import authenticate, create_user
from lms.core.errors import DomainError
from lms.extensions import db

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    """The `next` parameter if it stays on this site, else `default` (no open redirect)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/inscription", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.name.data, form.email.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Bienvenue %(name)s, votre compte est créé.", name=user.name), "success")
            return redirect(_safe_next(url_for("catalog.index")))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("learning.home")))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("catalog.index"))
