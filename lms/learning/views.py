from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.forms import EmptyForm
from lms.catalog.models import Module, Parcours
from lms.core.errors import Forbidden
from lms.extensions import db
from lms.learning import queries
from lms.learning.forms import presented_keys, responses_from, submitted_values
from lms.learning.operations import (
    AnswerError,
    QuizChanged,
    attempt_questions,
    enroll,
    find_enrollment,
    mark_module_read,
    require_unlocked,
    submit_quiz,
)
from lms.progress.queries import load_module_page, load_parcours, parcours_state

bp = Blueprint("learning", __name__)


def _parcours_or_404(slug: str) -> Parcours:
    parcours = load_parcours(slug)
    if parcours is None:
        abort(404)
    return parcours


def _module_or_404(parcours: Parcours, module_slug: str) -> Module:
    module = queries.module_in(parcours, module_slug)
    if module is None:
        abort(404)
    return module


def _enrollment(parcours: Parcours):
    if not current_user.is_authenticated:
        return None
    return find_enrollment(current_user, parcours)


@bp.route("/mes-parcours")
@login_required
def home():
    return render_template("learning/home.html", states=queries.learner_parcours(current_user))


@bp.route("/parcours/<slug>")
def parcours(slug: str):
    parcours = _parcours_or_404(slug)
    state = parcours_state(parcours, _enrollment(parcours))
    return render_template("learning/parcours.html", state=state, form=EmptyForm())


@bp.post("/parcours/<slug>/inscription")
@login_required
def enroll_in(slug: str):
    parcours = _parcours_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    already = find_enrollment(current_user, parcours) is not None
    enroll(current_user, parcours)
    db.session.commit()
    if not already:
        flash(_("Vous êtes inscrit au parcours « %(title)s ».", title=parcours.title), "success")
    return redirect(url_for("learning.parcours", slug=slug))


@bp.route("/parcours/<slug>/modules/<module_slug>")
@login_required
def module(slug: str, module_slug: str):
    parcours = _parcours_or_404(slug)
    module = _module_or_404(parcours, module_slug)
    state = parcours_state(parcours, _enrollment(parcours))
    module_state = require_unlocked(state, module)
    load_module_page(module)
    return render_template(
        "learning/module.html", state=state, module_state=module_state, form=EmptyForm()
    )


@bp.post("/parcours/<slug>/modules/<module_slug>/lu")
@login_required
def mark_read(slug: str, module_slug: str):
    parcours = _parcours_or_404(slug)
    module = _module_or_404(parcours, module_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    enrollment = _enrollment(parcours)
    if enrollment is None:
        raise Forbidden(_("Inscrivez-vous au parcours pour accéder à ses modules."))
    mark_module_read(enrollment, module)
    db.session.commit()
    state = parcours_state(parcours, enrollment).module_state(module)
    if state is not None and state.quiz is not None and not state.is_quiz_passed:
        flash(_("Module lu. Il reste à réussir son quiz."), "success")
        return redirect(url_for("learning.quiz", slug=slug, module_slug=module_slug))
    flash(_("Module lu."), "success")
    return redirect(url_for("learning.module", slug=slug, module_slug=module_slug))


@bp.route("/parcours/<slug>/modules/<module_slug>/quiz", methods=["GET", "POST"])
@login_required
def quiz(slug: str, module_slug: str):
    parcours = _parcours_or_404(slug)
    module = _module_or_404(parcours, module_slug)
    enrollment = _enrollment(parcours)
    state = parcours_state(parcours, enrollment)
    module_state = require_unlocked(state, module)
    quiz = module_state.quiz
    if quiz is None:
        abort(404)
    form = EmptyForm()
    status, errors, submitted, notice = 200, {}, {}, None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        shown = request.form.get("presented")
        presented = attempt_questions(enrollment, quiz)
        try:
            attempt = submit_quiz(
                enrollment,
                quiz,
                responses_from(request.form, presented),
                shown=shown.split(",") if shown is not None else None,
            )
        except AnswerError as error:
            db.session.rollback()
            errors = error.problems
            submitted = submitted_values(request.form)
            status = 422
        except QuizChanged as error:
            db.session.rollback()
            notice, status = error.message, 409
        else:
            number = attempt.number  # read before the commit expires it (a query after)
            db.session.commit()
            return redirect(
                url_for("learning.attempt", slug=slug, module_slug=module_slug, number=number)
            )
    presented = attempt_questions(enrollment, quiz)
    return render_template(
        "learning/quiz.html",
        state=state,
        module_state=module_state,
        quiz=quiz,
        questions=presented,
        presented=presented_keys(presented),
        form=form,
        errors=errors,
        submitted=submitted,
        notice=notice,
        attempts=queries.attempts(enrollment, quiz.id),
        action=None,
    ), status


@bp.route("/parcours/<slug>/modules/<module_slug>/quiz/tentatives/<int:number>")
@login_required
def attempt(slug: str, module_slug: str, number: int):
    parcours = _parcours_or_404(slug)
    module = _module_or_404(parcours, module_slug)
    enrollment = _enrollment(parcours)
    state = parcours_state(parcours, enrollment)
    module_state = require_unlocked(state, module)
    quiz = module_state.quiz
    attempt = queries.attempt(enrollment, quiz.id, number) if quiz is not None else None
    if attempt is None:
        abort(404)
    return render_template(
        "learning/attempt.html",
        state=state,
        module_state=module_state,
        quiz=quiz,
        attempt=attempt,
        corrections=queries.corrections(attempt),
    )


@bp.route("/parcours/<slug>/termine")
@login_required
def completed(slug: str):
    parcours = _parcours_or_404(slug)
    state = parcours_state(parcours, _enrollment(parcours))
    if not state.is_completed:
        return redirect(url_for("learning.parcours", slug=slug))
    return render_template("learning/completed.html", state=state)
