from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import COOKIE_NAME, current_user, login_required, login_user, logout_user

from lms.accounts import limits
from lms.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from lms.accounts.operations import authenticate, change_password
from lms.accounts.registration import confirm_registration, start_registration
from lms.accounts.reset import (
    invalid_link_message,
    request_password_reset,
    reset_password,
    user_for_token,
)
from lms.core.errors import DomainError
from lms.core.security import local_path
from lms.extensions import db

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    """The `next` parameter if it stays on this site, else `default` (no open redirect)."""
    return local_path(request.args.get("next")) or default


@bp.route("/inscription", methods=["GET", "POST"])
@limits.reset_per_ip
@limits.reset_per_account
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        next_url = _safe_next(url_for("catalog.index"))
        start_registration(form.name.data, form.email.data, form.password.data, next_url)
        db.session.commit()
        # The same page whether or not the address already has an account (its owner is
        # told by mail).
        return render_template("accounts/check_mail.html", email=form.email.data)
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/inscription/<token>")
def confirm(token: str):
    try:
        user, next_url = confirm_registration(token)
    except DomainError as error:
        db.session.rollback()
        return render_template(
            "errors/error.html", status=error.status, message=error.message
        ), error.status
    db.session.commit()
    # Not logged in by the link: someone else's link (sent on purpose) must not log a
    # visitor into an account they do not own. The password proves it is theirs.
    flash(
        _("Bienvenue %(name)s, votre compte est activé. Connectez-vous.", name=user.name),
        "success",
    )
    return redirect(url_for("accounts.login", next=next_url))


@bp.route("/connexion", methods=["GET", "POST"])
@limits.login_per_ip
@limits.login_per_account
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


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.current_password.errors.append(error.message)
        else:
            db.session.commit()
            # Every other session has ended; this one goes on under the new session id.
            remember = (
                current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
            )
            login_user(current_user._get_current_object(), remember=remember)
            flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."), "success")
            return redirect(url_for("accounts.account"))
    status = 422 if form.errors else 200
    return render_template("accounts/account.html", form=form), status


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limits.reset_per_ip
@limits.reset_per_account
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        # The same words whether or not the address has an account.
        flash(
            _(
                "Si un compte existe avec l'adresse %(email)s, un e-mail vient de lui être "
                "envoyé avec un lien pour choisir un nouveau mot de passe.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = user_for_token(token)
    if user is None:
        return render_template("accounts/reset.html", problem=invalid_link_message()), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Votre mot de passe est changé. Connectez-vous avec le nouveau."), "success")
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/reset.html", form=form, user=user), status
