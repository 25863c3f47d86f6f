"""The unsubscribe page, reached from the link at the foot of reminders and digests."""

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from lms.extensions import csrf, db
from lms.mail.models import MailKind
from lms.mail.unsubscribe import is_opted_out, opt_in, opt_out, read_token

bp = Blueprint("mail", __name__)

KIND_LABELS = {
    MailKind.REMINDER: _l("les rappels quand vous n'avez pas avancé depuis un moment"),
    MailKind.DIGEST: _l("le point hebdomadaire sur vos cohortes"),
}


# No CSRF token: mail clients send the RFC 8058 one-click POST without one, and the signed
# link is the authority. A GET only shows the page (link scanners must not unsubscribe).
@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    found = read_token(token)
    if found is None:
        abort(404)
    user, kind = found
    if request.method == "POST":
        if request.form.get("action") == "resubscribe":
            opt_in(user, kind)
        else:
            opt_out(user, kind)
        db.session.commit()
    return render_template(
        "mail/unsubscribe.html",
        token=token,
        kind_label=KIND_LABELS[kind],
        is_opted_out=is_opted_out(user.id, kind),
        done=request.method == "POST",
    )
