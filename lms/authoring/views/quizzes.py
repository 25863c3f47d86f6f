"""Quizzes, their questions and the parcours' question bank; previews as a learner sees them."""

import secrets
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import EmptyForm
from lms.authoring import operations
from lms.authoring.forms import QuestionForm, QuizSettingsForm
from lms.authoring.preview import preview_snapshots
from lms.authoring.question_forms import TYPE_LABELS, fill_form, next_key, question_from_form
from lms.authoring.views import bp
from lms.authoring.views.content import (
    _check_post,
    _draft,
    _module,
    flash_hidden_errors,
    trainer_required,
)
from lms.catalog.markdown import render_markdown
from lms.catalog.questions import describe, describe_correct
from lms.core.errors import Conflict
from lms.extensions import db
from lms.learning.draw import present_snapshots
from lms.learning.forms import presented_keys, responses_from, submitted_values
from lms.learning.operations import AnswerError, check_answers


@bp.route("/<slug>/modules/<module_slug>/quiz", methods=["GET", "POST"])
@trainer_required
def quiz(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    form = QuizSettingsForm()
    status = 200
    if request.method == "GET":
        quiz = module.quiz or {}
        form.version.data = module.quiz_version
        form.title.data = quiz.get("title", "")
        form.pass_mark.data = quiz.get("pass_mark")
        form.max_attempts.data = quiz.get("max_attempts")
        form.shuffle_choices.data = quiz.get("shuffle_choices", False)
        form.draw_count.data = (quiz.get("draw") or {}).get("count")
        form.draw_levers.data = (quiz.get("draw") or {}).get("levers", [])
    elif form.validate_on_submit():
        settings = None
        if request.form.get("action") != "remove":
            settings = {}
            if form.title.data and form.title.data.strip():
                settings["title"] = form.title.data.strip()
            for name in ("pass_mark", "max_attempts"):
                if form[name].data is not None:
                    settings[name] = form[name].data
            if form.shuffle_choices.data:
                settings["shuffle_choices"] = True
            if form.draw_count.data:
                settings["draw"] = {"count": form.draw_count.data}
                if form.draw_levers.data:
                    settings["draw"]["levers"] = list(form.draw_levers.data)
        try:
            operations.save_quiz_settings(module, current_user, form.version.number, settings)
        except operations.EditConflictError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            db.session.commit()
            flash(
                _("Quiz enregistré (brouillon).")
                if settings is not None
                else _("Quiz retiré du brouillon."),
                "success",
            )
            return redirect(url_for("authoring.quiz", slug=slug, module_slug=module_slug))
    else:
        flash_hidden_errors(form)
        status = 422
    draft = _draft(slug)
    return render_template(
        "authoring/quiz.html",
        draft=draft,
        module=_module(draft, module_slug),
        form=form,
        type_labels=TYPE_LABELS,
        action_form=EmptyForm(),
    ), status


def _question_page(slug, module_slug, key, new_type):
    """The question editor, for a quiz (module_slug) or for the bank (module_slug None)."""
    draft = _draft(slug)
    module = _module(draft, module_slug) if module_slug else None
    if module is not None and module.quiz is None:
        abort(404)
    questions = (module.quiz or {}).get("questions", []) if module else draft.bank
    version = module.quiz_version if module else draft.bank_version
    existing = next((q for q in questions if q["id"] == key), None) if key else None
    if key is not None and existing is None:
        abort(404)
    kind = existing["type"] if existing else new_type
    if kind not in TYPE_LABELS:
        abort(404)
    form = QuestionForm()
    status, problems = 200, []
    back = (
        url_for("authoring.quiz", slug=slug, module_slug=module_slug)
        if module
        else url_for("authoring.bank", slug=slug)
    )
    if request.method == "GET":
        form.version.data = version
        if existing:
            fill_form(form, existing)
        else:
            form.key.data = next_key(questions)
    elif form.validate_on_submit():
        question, problems = question_from_form(form, kind)
        if module is None and question is not None and not question.get("levers"):
            question, problems = None, [_("Une question de la banque a au moins un levier.")]
        if question is not None:
            try:
                operations.save_question(
                    module, draft, current_user, form.version.number, question, key
                )
            except Conflict as error:
                db.session.rollback()
                problems = [error.message]
                status = 409
            else:
                db.session.commit()
                flash(_("Question enregistrée (brouillon)."), "success")
                return redirect(back)
        else:
            status = 422
    else:
        flash_hidden_errors(form)
        status = 422
    return render_template(
        "authoring/question.html",
        draft=_draft(slug),
        module=module,
        form=form,
        kind=kind,
        type_label=TYPE_LABELS[kind],
        problems=problems,
        back=back,
        is_new=existing is None,
    ), status


@bp.route("/<slug>/modules/<module_slug>/quiz/questions/nouvelle/<kind>", methods=["GET", "POST"])
@trainer_required
def new_question(slug: str, module_slug: str, kind: str):
    return _question_page(slug, module_slug, None, kind)


@bp.route("/<slug>/modules/<module_slug>/quiz/questions/<key>", methods=["GET", "POST"])
@trainer_required
def edit_question(slug: str, module_slug: str, key: str):
    return _question_page(slug, module_slug, key, None)


@bp.post("/<slug>/modules/<module_slug>/quiz/questions/<key>/supprimer")
@trainer_required
def remove_question(slug: str, module_slug: str, key: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    _check_post()
    operations.remove_question(module, draft, current_user, key)
    db.session.commit()
    flash(_("Question retirée du brouillon."), "success")
    return redirect(url_for("authoring.quiz", slug=slug, module_slug=module_slug))


@bp.route("/<slug>/banque")
@trainer_required
def bank(slug: str):
    draft = _draft(slug)
    return render_template(
        "authoring/bank.html", draft=draft, type_labels=TYPE_LABELS, action_form=EmptyForm()
    )


@bp.route("/<slug>/banque/questions/nouvelle/<kind>", methods=["GET", "POST"])
@trainer_required
def new_bank_question(slug: str, kind: str):
    return _question_page(slug, None, None, kind)


@bp.route("/<slug>/banque/questions/<key>", methods=["GET", "POST"])
@trainer_required
def edit_bank_question(slug: str, key: str):
    return _question_page(slug, None, key, None)


@bp.post("/<slug>/banque/questions/<key>/supprimer")
@trainer_required
def remove_bank_question(slug: str, key: str):
    draft = _draft(slug)
    _check_post()
    operations.remove_question(None, draft, current_user, key)
    db.session.commit()
    flash(_("Question retirée de la banque (brouillon)."), "success")
    return redirect(url_for("authoring.bank", slug=slug))


@bp.route("/<slug>/modules/<module_slug>/apercu")
@trainer_required
def preview_module(slug: str, module_slug: str):
    draft = _draft(slug)
    module = _module(draft, module_slug)
    return render_template(
        "authoring/preview_module.html",
        draft=draft,
        module=module,
        body_html=render_markdown(module.body_markdown),
    )


@bp.route("/<slug>/modules/<module_slug>/quiz/apercu", methods=["GET", "POST"])
@trainer_required
def preview_quiz(slug: str, module_slug: str):
    """The draft's quiz as a learner would see it; answers are scored, nothing is stored."""
    draft = _draft(slug)
    module = _module(draft, module_slug)
    if module.quiz is None:
        abort(404)
    form = EmptyForm()
    seed = request.form.get("seed") or secrets.token_hex(8)
    quiz_view = SimpleNamespace(
        shuffle_choices=module.quiz.get("shuffle_choices", False),
        title=module.quiz.get("title") or _("Quiz — %(title)s", title=module.front["title"]),
        effective_pass_mark=module.quiz.get("pass_mark", draft.manifest.get("pass_mark", 70)),
        max_attempts=module.quiz.get("max_attempts"),
    )
    presented = present_snapshots(quiz_view, preview_snapshots(draft, module, seed), seed)
    status, errors, submitted, corrections = 200, {}, {}, None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            results = check_answers(
                [q.snap for q in presented], responses_from(request.form, presented)
            )
        except AnswerError as error:
            errors, submitted, status = error.problems, submitted_values(request.form), 422
        else:
            corrections = [
                {
                    "snap": q.snap,
                    "is_correct": results[q.key]["is_correct"],
                    "response": describe(q.snap, results[q.key]["chosen"]),
                    "correct": describe_correct(q.snap),
                }
                for q in presented
            ]
    return render_template(
        "authoring/preview_quiz.html",
        draft=draft,
        module=module,
        quiz=quiz_view,
        questions=presented,
        presented=presented_keys(presented),
        seed=seed,
        form=form,
        errors=errors,
        submitted=submitted,
        corrections=corrections,
    ), status
