"""The cohort dashboard and its exports: admins, the network's managers, its trainers."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.core.db import utcnow
from lms.networks import dashboard as board
from lms.networks import exports
from lms.networks.dashboard import Filters, LearnerStatus, Sort
from lms.networks.scoping import can_manage_network, cohort_or_404

bp = Blueprint("reports", __name__)

STAFF = (Role.ADMIN, Role.NETWORK_MANAGER, Role.TRAINER)
PER_PAGE = 50


def _filters() -> Filters:
    args = request.args
    status = args.get("statut") or None
    sort = args.get("tri") or Sort.NAME.value
    structure = args.get("structure", "")
    try:
        return Filters(
            status=LearnerStatus(status) if status else None,
            search=args.get("q", "")[:100],
            structure_id=int(structure) if structure else None,
            sort=Sort(sort),
        )
    except ValueError:
        abort(400, _("Filtre inconnu."))


@bp.get("/cohortes/<int:cohort_id>")
@role_required(*STAFF)
def dashboard(cohort_id: int):
    cohort = cohort_or_404(current_user, cohort_id)
    scope = board.scope_for(cohort, utcnow())
    filters = _filters()
    page = request.args.get("page", 1, type=int)
    stats = board.summary(scope)
    rows, total = board.learner_rows(scope, filters, page=page, per_page=PER_PAGE)
    modules = board.module_stats(scope)
    return render_template(
        "networks/dashboard.html",
        cohort=cohort,
        scope=scope,
        filters=filters,
        rows=rows,
        total=total,
        page=max(page, 1),
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        stats=stats,
        funnel=board.funnel(scope, stats),
        modules=modules,
        levers=board.lever_stats(scope, modules, stats.learners),
        heat=board.heat_map(scope, rows),
        buckets=board.SCORE_BUCKETS,
        structures=cohort.network.structures,
        can_manage=can_manage_network(current_user, cohort.network_id),
        has_certificates=stats.learners > 0 and exports.has_certificates(scope),
    )


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # personal data: no copy in shared caches
        },
    )


def _stem(cohort) -> str:
    return f"cohorte-{cohort.id}-{exports.slug(cohort.name)}-{utcnow():%Y-%m-%d}"


@bp.get("/cohortes/<int:cohort_id>/export.csv")
@role_required(*STAFF)
def export_csv(cohort_id: int):
    cohort = cohort_or_404(current_user, cohort_id)
    rows = exports.export_rows(board.scope_for(cohort, utcnow()))
    return _download(exports.to_csv(rows), "text/csv; charset=utf-8", f"{_stem(cohort)}.csv")


@bp.get("/cohortes/<int:cohort_id>/export.xlsx")
@role_required(*STAFF)
def export_xlsx(cohort_id: int):
    cohort = cohort_or_404(current_user, cohort_id)
    rows = exports.export_rows(board.scope_for(cohort, utcnow()))
    return _download(
        exports.to_xlsx(rows, cohort.name),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{_stem(cohort)}.xlsx",
    )


@bp.get("/cohortes/<int:cohort_id>/certificats.zip")
@role_required(*STAFF)
def certificates_zip(cohort_id: int):
    cohort = cohort_or_404(current_user, cohort_id)
    certificates = exports.cohort_certificates(board.scope_for(cohort, utcnow()))
    if not certificates:
        abort(404, _("Aucun certificat n'a encore été délivré dans cette cohorte."))
    return _download(
        exports.certificates_zip(certificates),
        "application/zip",
        f"{_stem(cohort)}-certificats.zip",
    )
