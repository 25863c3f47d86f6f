"""Parcours, levels, modules and their resources."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from lms.accounts.forms import EmptyForm
from lms.accounts.models import Role
from lms.accounts.operations import find_user_by_email
from lms.accounts.permissions import role_required
from lms.authoring import operations
from lms.authoring.forms import (
    LinkForm,
    ModuleForm,
    NewModuleForm,
    NewParcoursForm,
    OwnerForm,
    ParcoursForm,
    UploadForm,
)
from lms.authoring.models import ModuleDraft, ParcoursDraft
from lms.authoring.permissions import editable_parcours_or_abort
from lms.authoring.queries import editable_parcours, owners
from lms.authoring.views import bp
from lms.catalog.files import (
    ACCEPTED_EXTENSIONS,
    FileRejectedError,
    max_bytes,
    size_label,
    too_large_message,
)
from lms.catalog.markdown import render_markdown
from lms.core.errors import Conflict, DomainError
from lms.extensions import csrf, db

trainer_required = role_required(Role.TRAINER, Role.ADMIN)
FORM_SLACK_BYTES = 64 * 1024


def _draft(slug: str) -> ParcoursDraft:
    parcours = editable_parcours_or_abort(slug)
    draft = db.session.get(ParcoursDraft, parcours.id)
    if draft is None:
        # The first visit makes the draft from the published content, once for everyone.
        operations.get_draft(parcours)
        db.session.commit()
    elif operations.follow_published(draft):
        # An import (CLI) changed the published content under a draft without changes:
        # every editor, not only the parcours page, shows what is now published.
        db.session.commit()
    return operations.get_draft(parcours)


def _module(draft: ParcoursDraft, module_slug: str) -> ModuleDraft:
    module = draft.module(module_slug)
    if module is None:
        abort(404)
    return module


def flash_hidden_errors(form) -> None:
    """Errors of fields the trainer cannot see (version, CSRF token) would go unnoticed."""
    for field in form:
        if field.type == "VersionField":
            for message in field.errors:
                flash(str(message), "error")
        elif field.type == "CSRFTokenField" and field.errors:
            # Flask-WTF's own messages are in English.
            flash(_csrf_message(), "error")


def _flash_form_errors(form) -> None:
    """Every error of a small form posted from a page that redirects back to itself."""
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")


def _csrf_message() -> str:
    return _(
        "Le formulaire a expiré ou ne vient pas de cette page : rechargez la page, puis "
        "refaites votre envoi."
    )


def _check_post() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/")
@trainer_required
def index():
    return render_template(
        "authoring/index.html", items=editable_parcours(current_user), form=NewParcoursForm()
    )


@bp.post("/nouveau")
@trainer_required
def create():
    form = NewParcoursForm()
    if form.validate_on_submit():
        try:
            parcours = operations.create_parcours(
                current_user, form.slug.data, form.title.data.strip(), form.summary.data.strip()
            )
        except Conflict as error:
            db.session.rollback()
            form.slug.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Parcours créé. Ajoutez ses modules, puis publiez-le."), "success")
            return redirect(url_for("authoring.parcours", slug=parcours.slug))
    return render_template(
        "authoring/index.html", items=editable_parcours(current_user), form=form
    ), 422


@bp.route("/<slug>/", methods=["GET", "POST"])
@trainer_required
def parcours(slug: str):
    draft = _draft(slug)
    form = ParcoursForm()
    status = 200
    if request.method == "GET":
        manifest = draft.manifest
        form.version.data = draft.version
        form.title.data = manifest["title"]
        form.summary.data = manifest["summary"]
        form.pass_mark.data = manifest.get("pass_mark", 70)
        form.level_attestations.data = manifest.get("level_attestations", False)
        for entry, level in zip(form.levels.entries, manifest["levels"], strict=True):
            entry.form.title.data = level["title"]
            entry.form.summary.data = level.get("summary", "")
    elif form.validate_on_submit():
        levels = [
            {
                "key": level["key"],
                "title": entry.form.title.data.strip(),
                "summary": (entry.form.summary.data or "").strip(),
            }
            for entry, level in zip(form.levels.entries, draft.manifest["levels"], strict=True)
        ]
        try:
            operations.save_parcours(
                draft,
                current_user,
                form.version.number,
                {
                    "title": form.title.data.strip(),
                    "summary": form.summary.data.strip(),
                    "pass_mark": form.pass_mark.data,
                    "level_attestations": form.level_attestations.data,
                },
                levels,
            )
        except operations.EditConflictError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            db.session.commit()
            flash(_("Parcours enregistré (brouillon)."), "success")
            return redirect(url_for("authoring.parcours", slug=slug))
    else:
        flash_hidden_errors(form)
        status = 422
    return render_template(
        "authoring/parcours.html",
        draft=_draft(slug),
        form=form,
        new_module=NewModuleForm(formdata=None, prefix="module"),
        action_form=EmptyForm(),
    ), status


@bp.post("/<slug>/modules")
@trainer_required
def add_module(slug: str):
    draft = _draft(slug)
    form = NewModuleForm(prefix="module")
    if form.validate_on_submit():
        try:
            module = operations.add_module(
                draft, current_user, form.level.data, form.slug.data, form.title.data.strip()
            )
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Module ajouté."), "success")
            return redirect(url_for("authoring.module", slug=slug, module_slug=module.slug))
    else:
        _flash_form_errors(form)
    return redirect(url_for("authoring.parcours", slug=slug))


@bp.post("/<slug>/modules/<module_slug>/deplacer")
@trainer_required
def move_module(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    _check_post()
    offset = -1 if request.form.get("direction") == "up" else 1
    operations.move_module(draft, current_user, module.slug, offset)
    db.session.commit()
    # Back to the same button, so that keyboard users keep their place.
    anchor = f"deplacer-{module.slug}-{'up' if offset < 0 else 'down'}"
    return redirect(url_for("authoring.parcours", slug=slug, _anchor=anchor))


@bp.post("/<slug>/modules/<module_slug>/supprimer")
@trainer_required
def remove_module(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    _check_post()
    operations.remove_module(draft, current_user, module)
    db.session.commit()
    flash(
        _(
            "Module retiré du brouillon. Une fois publié, il sera archivé : la progression "
            "des apprenants est conservée."
        ),
        "success",
    )
    return redirect(url_for("authoring.parcours", slug=slug))


@bp.route("/<slug>/modules/<module_slug>", methods=["GET", "POST"])
@trainer_required
def module(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    form = ModuleForm()
    status, preview = 200, None
    if request.method == "GET":
        form = _module_form(module)
    elif request.form.get("action") == "preview":
        # Only the CSRF token is checked: a text being written need not be valid yet.
        if EmptyForm().validate_on_submit():
            preview = render_markdown((form.body.data or "").replace("\r\n", "\n"))
        else:
            flash(_csrf_message(), "error")
            status = 400
    elif form.validate_on_submit():
        try:
            operations.save_module(
                module,
                current_user,
                form.version.number,
                title=form.title.data.strip(),
                duration=form.duration.data,
                levers=list(form.levers.data),
                body_markdown=form.body.data,
            )
        except operations.EditConflictError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            db.session.commit()
            flash(_("Module enregistré (brouillon)."), "success")
            return redirect(url_for("authoring.module", slug=slug, module_slug=module_slug))
    else:
        flash_hidden_errors(form)
        status = 422
    return _module_page(slug, module_slug, form, status, preview=preview)


def _module_page(slug, module_slug, form, status, *, preview=None, upload_form=None):
    draft = _draft(slug)
    return render_template(
        "authoring/module.html",
        draft=draft,
        module=_module(draft, module_slug),
        form=form,
        preview=preview,
        link_form=LinkForm(formdata=None, prefix="link"),
        upload_form=upload_form or UploadForm(formdata=None, prefix="upload"),
        action_form=EmptyForm(formdata=None),
        max_size=size_label(max_bytes()),
        accepted=",".join(ACCEPTED_EXTENSIONS),
    ), status


def _module_form(module: ModuleDraft) -> ModuleForm:
    form = ModuleForm(formdata=None)
    form.version.data = module.version
    form.title.data = module.front["title"]
    form.duration.data = module.front["duration"]
    form.levers.data = list(module.front.get("levers", []))
    form.body.data = module.body_markdown
    return form


@bp.post("/<slug>/modules/<module_slug>/liens")
@trainer_required
def add_link(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    form = LinkForm(prefix="link")
    if form.validate_on_submit():
        operations.add_link(
            module, current_user, form.title.data.strip(), form.url.data.strip(), form.kind.data
        )
        db.session.commit()
        flash(_("Lien ajouté."), "success")
    else:
        _flash_form_errors(form)
    return redirect(
        url_for("authoring.module", slug=slug, module_slug=module_slug, _anchor="ressources")
    )


# Exempt from the app-wide CSRF check, which reads the whole body before the view can
# lower the limit; UploadForm checks the token itself once the limit is set.
@csrf.exempt
@bp.post("/<slug>/modules/<module_slug>/fichiers")
@trainer_required
def upload(slug: str, module_slug: str):
    # Refuse a body far over the limit before reading it (the other fields are small).
    request.max_content_length = min(
        max_bytes() + FORM_SLACK_BYTES, current_app.config["MAX_CONTENT_LENGTH"]
    )
    draft = _draft(slug)
    module = _module(draft, module_slug)
    try:
        form = UploadForm(prefix="upload")
    except RequestEntityTooLarge:
        form = UploadForm(formdata=None, prefix="upload")
        form.file.errors = [too_large_message(max_bytes())]
        return _module_page(slug, module_slug, _module_form(module), 413, upload_form=form)
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _module_page(slug, module_slug, _module_form(module), 422, upload_form=form)
    upload = form.file.data
    # One byte past the limit is enough to refuse; never read an unbounded body.
    data = upload.stream.read(max_bytes() + 1)
    upload.close()
    try:
        name = operations.add_file(
            module,
            current_user,
            form.title.data.strip(),
            form.kind.data,
            upload.filename or "fichier",
            data,
        )
    except FileRejectedError as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _module_page(slug, module_slug, _module_form(module), 422, upload_form=form)
    db.session.commit()
    flash(_("Fichier « %(name)s » ajouté.", name=name.rpartition("/")[2]), "success")
    return redirect(
        url_for("authoring.module", slug=slug, module_slug=module_slug, _anchor="ressources")
    )


@bp.post("/<slug>/modules/<module_slug>/ressources/<int:index>/supprimer")
@trainer_required
def remove_resource(slug: str, module_slug: str, index: int):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    _check_post()
    if operations.remove_resource(module, current_user, index, request.form.get("resource", "")):
        db.session.commit()
        flash(_("Ressource retirée."), "success")
    else:
        db.session.rollback()
        flash(_("Cette ressource avait déjà été retirée."), "info")
    return redirect(
        url_for("authoring.module", slug=slug, module_slug=module_slug, _anchor="ressources")
    )


@bp.post("/<slug>/publier")
@trainer_required
def publish(slug: str):
    draft = _draft(slug)
    _check_post()
    try:
        report = operations.publish(draft, current_user)
    except operations.PublishedChangedError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.parcours", slug=slug)), 303
    except operations.PublishError as error:
        db.session.rollback()
        return render_template(
            "authoring/publish_errors.html", draft=_draft(slug), errors=error.errors
        ), 422
    db.session.commit()
    flash(
        _(
            "Parcours publié : %(m)d modules, %(q)d questions. La progression et les "
            "tentatives des apprenants sont conservées.",
            m=report.modules,
            q=report.questions,
        ),
        "success",
    )
    return redirect(url_for("authoring.parcours", slug=slug))


@bp.post("/<slug>/abandonner")
@trainer_required
def discard(slug: str):
    draft = _draft(slug)
    _check_post()
    operations.discard_draft(draft, current_user)
    db.session.commit()
    flash(_("Brouillon abandonné : vous repartez de la version publiée."), "success")
    return redirect(url_for("authoring.parcours", slug=slug))


@bp.route("/<slug>/proprietaires", methods=["GET", "POST"])
@trainer_required
def owners_page(slug: str):
    parcours = editable_parcours_or_abort(slug)
    form = OwnerForm()
    status = 200
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data.strip())
        try:
            if user is None:
                raise DomainError(_("Aucun compte avec cette adresse."))
            operations.add_owner(parcours, user)
        except DomainError as error:
            db.session.rollback()
            form.email.errors = [error.message]
            status = 422
        else:
            db.session.commit()
            flash(_("%(name)s peut maintenant modifier ce parcours.", name=user.name), "success")
            return redirect(url_for("authoring.owners_page", slug=slug))
    elif request.method == "POST":
        status = 422
    return render_template(
        "authoring/owners.html", parcours=parcours, owners=owners(parcours), form=form
    ), status
