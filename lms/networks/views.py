"""Pages of admins and network managers: networks, managers, structures, cohorts, enrolment."""

from flask import (
    Blueprint,
    abort,
    flash,
    has_request_context,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms.accounts.forms import EmptyForm
from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.networks import operations, queries
from lms.networks.enrolment import RowStatus, check_csv, confirm_import, start_import
from lms.networks.forms import (
    CohortForm,
    CohortSettingsForm,
    ManagerForm,
    NetworkForm,
    StructuresForm,
    UploadForm,
)
from lms.networks.models import EnrolmentImport
from lms.networks.scoping import managed_cohort_or_404, network_or_404

bp = Blueprint("networks", __name__)

STAFF = (Role.ADMIN, Role.NETWORK_MANAGER, Role.TRAINER)
MANAGERS = (Role.ADMIN, Role.NETWORK_MANAGER)


@bp.route("/admin/reseaux", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_networks():
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = operations.create_network(form.name.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Réseau « %(name)s » créé.", name=network.name), "success")
            return redirect(url_for("networks.network", network_id=network.id))
    return render_template(
        "networks/admin_networks.html", form=form, networks=queries.all_networks()
    ), 422 if form.errors else 200


@bp.route("/reseaux")
@role_required(*STAFF)
def index():
    return render_template(
        "networks/index.html",
        networks=queries.my_networks(current_user),
        trained=queries.trained_cohorts(current_user),
    )


def _network_page(network, manager_form=None, structures_form=None, status=200):
    return render_template(
        "networks/network.html",
        network=network,
        overview=queries.network_overview(network, utcnow()),
        managers=queries.managers_of(network),
        manager_form=manager_form or ManagerForm(formdata=None),
        structures_form=structures_form or StructuresForm(formdata=None),
        remove_form=EmptyForm(),
    ), status


@bp.route("/reseaux/<int:network_id>")
@role_required(*MANAGERS)
def network(network_id: int):
    return _network_page(network_or_404(current_user, network_id))


@bp.post("/reseaux/<int:network_id>/responsables")
@role_required(Role.ADMIN)
def add_manager(network_id: int):
    network = network_or_404(current_user, network_id)
    form = ManagerForm()
    if not form.validate_on_submit():
        return _network_page(network, manager_form=form, status=422)
    try:
        user, invited = operations.add_manager(
            network, form.email.data, form.name.data, current_user
        )
    except DomainError as error:
        db.session.rollback()
        form.email.errors.append(error.message)
        return _network_page(network, manager_form=form, status=422)
    db.session.commit()
    if invited:
        flash(_("Invitation envoyée à %(email)s.", email=user.email), "success")
    else:
        flash(_("%(name)s gère désormais ce réseau.", name=user.name), "success")
    return redirect(url_for("networks.network", network_id=network.id))


@bp.post("/reseaux/<int:network_id>/responsables/<int:user_id>/retirer")
@role_required(Role.ADMIN)
def remove_manager(network_id: int, user_id: int):
    network = network_or_404(current_user, network_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.remove_manager(network, user_id)
    db.session.commit()
    flash(_("Responsable retiré."), "success")
    return redirect(url_for("networks.network", network_id=network.id))


@bp.post("/reseaux/<int:network_id>/structures")
@role_required(*MANAGERS)
def add_structures(network_id: int):
    network = network_or_404(current_user, network_id)
    form = StructuresForm()
    if not form.validate_on_submit():
        return _network_page(network, structures_form=form, status=422)
    try:
        added = operations.add_structures(network, form.names.data.splitlines())
    except DomainError as error:
        db.session.rollback()
        form.names.errors.append(error.message)
        return _network_page(network, structures_form=form, status=422)
    db.session.commit()
    flash(_("%(n)d structure(s) ajoutée(s).", n=len(added)), "success")
    return redirect(url_for("networks.network", network_id=network.id) + "#structures")


def _cohort_choices(form: CohortForm, with_parcours: bool = True) -> None:
    if with_parcours:
        form.parcours_id.choices = [
            SelectChoice(parcours.id, parcours.title) for parcours in queries.published_parcours()
        ]
    form.trainer_ids.choices = [
        SelectChoice(user.id, f"{user.name} ({user.email})") for user in queries.trainer_accounts()
    ]


@bp.route("/reseaux/<int:network_id>/cohortes/nouvelle", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_cohort(network_id: int):
    network = network_or_404(current_user, network_id)
    form = CohortForm()
    _cohort_choices(form)
    if form.validate_on_submit():
        try:
            cohort = operations.create_cohort(
                network,
                operations.parcours_by_id(form.parcours_id.data),
                form.name.data,
                form.starts_on.data,
                form.ends_on.data,
                form.inactivity_days.data,
                form.trainer_ids.data or [],
                current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.ends_on.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Cohorte « %(name)s » créée.", name=cohort.name), "success")
            return redirect(url_for("networks.upload", cohort_id=cohort.id))
    return render_template(
        "networks/cohort_form.html", form=form, network=network, cohort=None
    ), 422 if form.errors else 200


@bp.route("/cohortes/<int:cohort_id>/parametres", methods=["GET", "POST"])
@role_required(*MANAGERS)
def cohort_settings(cohort_id: int):
    cohort = managed_cohort_or_404(current_user, cohort_id)
    form = CohortSettingsForm(
        obj=cohort, trainer_ids=[t.user_id for t in cohort.trainers], parcours_id=cohort.parcours_id
    )
    _cohort_choices(form, with_parcours=False)
    # The parcours is fixed once the cohort exists: learners are enrolled in it.
    form.parcours_id.choices = [SelectChoice(cohort.parcours_id, cohort.parcours.title)]
    if form.validate_on_submit():
        try:
            operations.update_cohort(
                cohort,
                form.name.data,
                form.starts_on.data,
                form.ends_on.data,
                form.inactivity_days.data,
                form.trainer_ids.data or [],
                form.reminders_enabled.data,
                form.is_invitation_open.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.ends_on.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Cohorte enregistrée."), "success")
            return redirect(url_for("reports.dashboard", cohort_id=cohort.id))
    return render_template(
        "networks/cohort_form.html",
        form=form,
        network=cohort.network,
        cohort=cohort,
        renew_form=EmptyForm(),
    ), 422 if form.errors else 200


@bp.post("/cohortes/<int:cohort_id>/code")
@role_required(*MANAGERS)
def renew_code(cohort_id: int):
    cohort = managed_cohort_or_404(current_user, cohort_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.renew_invitation_code(cohort)
    db.session.commit()
    flash(_("Nouveau lien d'invitation créé ; l'ancien ne fonctionne plus."), "success")
    return redirect(url_for("networks.cohort_settings", cohort_id=cohort.id))


@bp.route("/cohortes/<int:cohort_id>/inscriptions", methods=["GET", "POST"])
@role_required(*MANAGERS)
def upload(cohort_id: int):
    cohort = managed_cohort_or_404(current_user, cohort_id)
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            upload = start_import(
                cohort, file.filename or "inscriptions.csv", file.read(), current_user
            )
        except DomainError as error:
            db.session.rollback()
            form.file.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for("networks.preview", cohort_id=cohort.id, import_id=upload.id))
    return render_template(
        "networks/upload.html", form=form, cohort=cohort
    ), 422 if form.errors else 200


def _import_or_404(cohort, import_id: int) -> EnrolmentImport:
    upload = db.session.get(EnrolmentImport, import_id)
    if upload is None or upload.cohort_id != cohort.id:
        abort(404)
    return upload


@bp.get("/cohortes/<int:cohort_id>/inscriptions/<int:import_id>")
@role_required(*MANAGERS)
def preview(cohort_id: int, import_id: int):
    cohort = managed_cohort_or_404(current_user, cohort_id)
    upload = _import_or_404(cohort, import_id)
    check = None
    if upload.confirmed_at is None:
        check = check_csv(cohort, upload.content.encode())
    return render_template(
        "networks/preview.html",
        cohort=cohort,
        upload=upload,
        check=check,
        statuses=RowStatus,
        form=EmptyForm(),
    )


@bp.post("/cohortes/<int:cohort_id>/inscriptions/<int:import_id>/confirmer")
@role_required(*MANAGERS)
def confirm(cohort_id: int, import_id: int):
    cohort = managed_cohort_or_404(current_user, cohort_id)
    upload = _import_or_404(cohort, import_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    report = confirm_import(upload, current_user)
    db.session.commit()
    flash(
        _(
            "%(invited)d invitation(s) envoyée(s), %(enrolled)d compte(s) existant(s) inscrit(s), "
            "%(already)d déjà inscrit(s), %(skipped)d ligne(s) ignorée(s).",
            **report,
        ),
        "success",
    )
    return redirect(url_for("networks.preview", cohort_id=cohort.id, import_id=upload.id))


@bp.app_context_processor
def navigation() -> dict:
    """Whether the header shows "Réseaux" (staff) — no query: the role says it."""
    shown = has_request_context() and current_user.is_authenticated and current_user.role in STAFF
    return {"show_networks_nav": shown}
