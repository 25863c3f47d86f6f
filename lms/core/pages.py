"""Pages of the platform itself rather than of a domain: the accessibility statement."""

from datetime import date

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)

# The day the checks described in the statement were last run; the statement must be dated
# (RGAA 4.1), and is updated with each new audit.
STATEMENT_DATE = date(2026, 11, 29)


@bp.get("/accessibilite")
def accessibility():
    return render_template(
        "pages/accessibility.html",
        statement_date=STATEMENT_DATE,
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        platform=current_app.config["PLATFORM_NAME"],
    )
