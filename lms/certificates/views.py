from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.certificates import queries
from lms.certificates.credentials import (
    build_credential,
    sign_credential,
    verify_credential_jwt,
)
from lms.certificates.forms import BadgeForm, ReinstateForm, RevokeForm
from lms.certificates.operations import (
    reinstate_certificate,
    revoke_certificate,
    verification_url,
)
from lms.certificates.pdf import document_for, render_certificate_pdf
from lms.core.errors import DomainError
from lms.extensions import db, limiter

bp = Blueprint("certificates", __name__)


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


# One budget for every public look-up, so that codes cannot be enumerated by spreading
# guesses over several URLs.
verify_limit = limiter.shared_limit(_verify_limit, scope="verify")


def _own_certificate_or_404(code: str):
    certificate = queries.find_by_code(code)
    # Another learner's certificate is "not found", not "forbidden": nothing is revealed.
    if certificate is None or certificate.user_id != current_user.id:
        abort(404)
    return certificate


@bp.route("/mes-certificats")
@login_required
def mine():
    return render_template(
        "certificates/mine.html", certificates=queries.certificates_of(current_user)
    )


@bp.route("/mes-certificats/<code>.pdf")
@login_required
def pdf(code: str):
    certificate = _own_certificate_or_404(code)
    document = document_for(certificate, verification_url(certificate.code))
    filename = f"certificat-{certificate.display_code}.pdf"
    return Response(
        render_certificate_pdf(document),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _noindex(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verify")
@verify_limit
def verify_form():
    code = request.args.get("code", "").strip()
    if not code:
        html = render_template("certificates/verify.html", state=None, badge_form=BadgeForm())
        return _noindex(Response(html))
    certificate = queries.find_by_code(code)
    return _verification_response(certificate, typed=code)


@bp.route("/verify/<code>")
@verify_limit
def verify(code: str):
    return _verification_response(queries.find_by_code(code), typed=code)


def _verification_response(certificate, typed: str) -> Response:
    if certificate is None:
        state, status = "unknown", 404
    elif certificate.is_revoked:
        state, status = "revoked", 200
    else:
        state, status = "valid", 200
    html = render_template(
        "certificates/verify.html",
        state=state,
        certificate=certificate,
        typed=typed[:40],
        badge_form=BadgeForm(),
    )
    return _noindex(Response(html, status=status))


@bp.route("/certificats")
@login_required
def manage_list():
    if current_user.role.value not in {"admin", "trainer"}:
        abort(403)
    search = request.args.get("q", "")
    return render_template(
        "certificates/manage_list.html",
        certificates=queries.managed_certificates(current_user, search),
        search=search,
    )


@bp.route("/certificats/<code>", methods=["GET", "POST"])
@login_required
def manage(code: str):
    certificate = queries.find_by_code(code)
    if certificate is None:
        abort(404)
    if not queries.can_manage(current_user, certificate):
        abort(403)
    revoke_form = RevokeForm(prefix="revoke")
    reinstate_form = ReinstateForm(prefix="reinstate")
    status = 200
    if request.method == "POST":
        try:
            if "revoke-submit" in request.form and revoke_form.validate_on_submit():
                revoke_certificate(certificate, current_user, revoke_form.reason.data)
                message = _("Certificat révoqué.")
            elif "reinstate-submit" in request.form and reinstate_form.validate_on_submit():
                reinstate_certificate(certificate, current_user, reinstate_form.note.data or "")
                message = _("Certificat rétabli.")
            else:
                message = None
                status = 422
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = error.status
        else:
            if message is not None:
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("certificates.manage", code=certificate.code))
    return render_template(
        "certificates/manage.html",
        certificate=certificate,
        revoke_form=revoke_form,
        reinstate_form=reinstate_form,
    ), status


@bp.route("/mes-certificats/<code>/open-badge.jwt")
@login_required
def credential(code: str):
    certificate = _own_certificate_or_404(code)
    token = sign_credential(
        build_credential(certificate, base_url=current_app.config["LMS_BASE_URL"])
    )
    db.session.commit()  # the signing key, if this was the first use
    filename = f"open-badge-{certificate.display_code}.jwt"
    return Response(
        token,
        mimetype="application/jwt",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/verify/badge")
@verify_limit
def verify_badge():
    """Check a downloaded Open Badges credential: its signature, then its certificate."""
    form = BadgeForm()
    certificate = None
    error = None
    if form.validate_on_submit():
        try:
            credential = verify_credential_jwt(form.credential.data.strip())
        except DomainError as problem:
            error = problem.message
        else:
            code = str(credential.get("id", "")).rsplit("/", 1)[-1]
            certificate = queries.find_by_code(code)
            if certificate is None:
                error = _("Ce badge est signé par la plateforme, mais son certificat est inconnu.")
    else:
        error = _("Collez le contenu du fichier .jwt du badge.")
    if certificate is None:
        html = render_template(
            "certificates/verify.html", state="badge_invalid", badge_error=error, badge_form=form
        )
        return _noindex(Response(html, status=422))
    state = "revoked" if certificate.is_revoked else "valid"
    html = render_template(
        "certificates/verify.html",
        state=state,
        certificate=certificate,
        typed="",
        badge_form=form,
        checked_badge=True,
    )
    return _noindex(Response(html))


@bp.route("/credentials/<code>")
def credential_id(code: str):
    """A credential's id resolves to its public verification page."""
    return redirect(url_for("certificates.verify", code=code))
