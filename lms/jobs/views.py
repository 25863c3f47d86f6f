"""The admins' view of scheduled jobs: what runs when, and how each run went."""

from flask import Blueprint, render_template

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.jobs.runner import latest_runs
from lms.jobs.scheduler import jobs

bp = Blueprint("jobs", __name__, url_prefix="/admin/taches")


@bp.get("")
@role_required(Role.ADMIN)
def runs():
    return render_template("jobs/runs.html", jobs=jobs(), runs=latest_runs())
