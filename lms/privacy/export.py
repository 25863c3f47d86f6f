"""« Mes données »: everything the platform holds about a person, as a ZIP of JSON files.

Built in memory: one person's record is small (a few thousand statements at most), and the
archive is sent in one response. Each query is restricted to the person's own rows.
"""

import base64
import io
import json
import zipfile
from datetime import date, datetime

import sqlalchemy as sa
from flask import render_template

from lms.accounts.models import User
from lms.catalog.models import Level, Module, Parcours, ParcoursOwner, Quiz
from lms.certificates.models import Certificate
from lms.certificates.operations import verification_url
from lms.core.db import utcnow
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.mail.models import MailMessage, MailOptOut
from lms.networks.models import (
    Cohort,
    CohortMember,
    CohortTrainer,
    Invitation,
    Network,
    NetworkManager,
    Reminder,
    Structure,
)
from lms.privacy.agents import account_agent, person_keys, statements_as_actor
from lms.privacy.models import RetentionWarning
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.xapi.documents.models import XAPIDocument
from lms.xapi.models import LRSClient


def export_filename(today: date) -> str:
    return f"parcours-mes-donnees-{today.isoformat()}.zip"


def build_export(user: User) -> bytes:
    """The ZIP archive of the person's data: README.txt and one JSON file per subject."""
    files = {
        "profile.json": _profile(user),
        "enrolments.json": _enrolments(user),
        "attempts.json": _attempts(user),
        "statements.json": _statements(user),
        "certificates.json": _certificates(user),
        "cohorts.json": _cohorts(user),
        "mail.json": _mail(user),
        "lrs_clients.json": _lrs_clients(user),
        "xapi_documents.json": _documents(user),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", render_template("privacy/export_readme.txt", user=user, now=utcnow())
        )
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False, indent=2, default=_json))
    return buffer.getvalue()


def _json(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _profile(user: User) -> dict:
    managed = db.session.scalars(
        sa.select(Network.name)
        .join(NetworkManager, NetworkManager.network_id == Network.id)
        .where(NetworkManager.user_id == user.id)
        .order_by(Network.name)
    ).all()
    trained = db.session.scalars(
        sa.select(Cohort.name)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.user_id == user.id)
        .order_by(Cohort.name)
    ).all()
    owned = db.session.scalars(
        sa.select(Parcours.title)
        .join(ParcoursOwner, ParcoursOwner.parcours_id == Parcours.id)
        .where(ParcoursOwner.user_id == user.id)
        .order_by(Parcours.title)
    ).all()
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "xapi_agent": account_agent(user.public_id),
        "networks_managed": list(managed),
        "cohorts_trained": list(trained),
        "parcours_owned": list(owned),
    }


def _enrolments(user: User) -> list[dict]:
    enrolments = db.session.execute(
        sa.select(Enrollment, Parcours, ParcoursProgress)
        .join(Parcours, Parcours.id == Enrollment.parcours_id)
        .outerjoin(ParcoursProgress, ParcoursProgress.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.enrolled_at, Enrollment.id)
    ).all()
    ids = [enrollment.id for enrollment, _parcours, _progress in enrolments]
    levels: dict[int, list[dict]] = {}
    for progress, level in db.session.execute(
        sa.select(LevelProgress, Level)
        .join(Level, Level.id == LevelProgress.level_id)
        .where(LevelProgress.enrollment_id.in_(ids))
        .order_by(LevelProgress.id)
    ):
        levels.setdefault(progress.enrollment_id, []).append(
            {"level": level.key.value, "title": level.title, "completed_at": progress.completed_at}
        )
    modules: dict[int, list[dict]] = {}
    for progress, module in db.session.execute(
        sa.select(ModuleProgress, Module)
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(ModuleProgress.enrollment_id.in_(ids))
        .order_by(ModuleProgress.id)
    ):
        modules.setdefault(progress.enrollment_id, []).append(
            {
                "module": module.slug,
                "title": module.title,
                "read_at": progress.read_at,
                "quiz_attempts": progress.quiz_attempts,
                "best_score": progress.best_score,
                "quiz_passed_at": progress.quiz_passed_at,
                "completed_at": progress.completed_at,
                "last_activity_at": progress.last_activity_at,
            }
        )
    return [
        {
            "parcours": parcours.slug,
            "title": parcours.title,
            "registration": enrollment.registration,
            "enrolled_at": enrollment.enrolled_at,
            "progress": None
            if progress is None
            else {
                "started_at": progress.started_at,
                "last_activity_at": progress.last_activity_at,
                "completed_at": progress.completed_at,
            },
            "levels": levels.get(enrollment.id, []),
            "modules": modules.get(enrollment.id, []),
        }
        for enrollment, parcours, progress in enrolments
    ]


def _attempts(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(QuizAttempt, Quiz, Module, Parcours)
        .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Module, Module.id == Quiz.module_id)
        .join(Parcours, Parcours.id == Module.parcours_id)
        .where(Enrollment.user_id == user.id)
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    )
    return [
        {
            "parcours": parcours.slug,
            "module": module.slug,
            "quiz": quiz.title,
            "number": attempt.number,
            "submitted_at": attempt.submitted_at,
            "score": attempt.score,
            "correct_count": attempt.correct_count,
            "question_count": attempt.question_count,
            "is_passed": attempt.is_passed,
            "questions": attempt.questions,
            "answers": attempt.answers,
        }
        for attempt, quiz, module, parcours in rows
    ]


def _statements(user: User) -> dict:
    statements = db.session.scalars(statements_as_actor(user)).all()
    return {
        "statements": [statement.payload for statement in statements],
        "voided": [statement.id for statement in statements if statement.is_voided],
    }


def _certificates(user: User) -> list[dict]:
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
    )
    return [
        {
            "code": certificate.display_code,
            "kind": certificate.kind.value,
            "learner_name": certificate.learner_name,
            "parcours": certificate.parcours_title,
            "levels": certificate.level_titles,
            "issuer": certificate.issuer_name,
            "network": certificate.network_name,
            "completed_at": certificate.completed_at,
            "issued_at": certificate.issued_at,
            "revoked_at": certificate.revoked_at,
            "revoked_reason": certificate.revoked_reason,
            "verification_url": verification_url(certificate.code),
        }
        for certificate in certificates
    ]


def _cohorts(user: User) -> dict:
    memberships = db.session.execute(
        sa.select(CohortMember, Cohort, Network, Structure)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Network, Network.id == Cohort.network_id)
        .outerjoin(Structure, Structure.id == CohortMember.structure_id)
        .where(CohortMember.user_id == user.id)
        .order_by(CohortMember.joined_at, CohortMember.id)
    )
    invitations = db.session.execute(
        sa.select(Invitation, Cohort)
        .outerjoin(Cohort, Cohort.id == Invitation.cohort_id)
        .where(Invitation.user_id == user.id)
        .order_by(Invitation.created_at, Invitation.id)
    )
    reminders = db.session.execute(
        sa.select(Reminder, Cohort)
        .join(Cohort, Cohort.id == Reminder.cohort_id)
        .where(Reminder.user_id == user.id)
        .order_by(Reminder.sent_at, Reminder.id)
    )
    return {
        "memberships": [
            {
                "cohort": cohort.name,
                "network": network.name,
                "structure": structure.name if structure is not None else None,
                "joined_at": member.joined_at,
                "source": member.source.value,
            }
            for member, cohort, network, structure in memberships
        ],
        "invitations": [
            {
                "cohort": cohort.name if cohort is not None else None,
                "created_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "used_at": invitation.used_at,
            }
            for invitation, cohort in invitations
        ],
        "reminders": [
            {"cohort": cohort.name, "sent_at": reminder.sent_at} for reminder, cohort in reminders
        ],
    }


def _mail(user: User) -> dict:
    opt_outs = db.session.scalars(
        sa.select(MailOptOut).where(MailOptOut.user_id == user.id).order_by(MailOptOut.kind)
    )
    messages = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.recipient == user.email)
        .order_by(MailMessage.created_at, MailMessage.id)
    )
    warning = db.session.get(RetentionWarning, user.id)
    return {
        "unsubscribed_from": [
            {"kind": opt_out.kind.value, "since": opt_out.created_at} for opt_out in opt_outs
        ],
        "messages": [
            {
                "subject": message.subject,
                "body": message.body_text,
                "created_at": message.created_at,
                "sent_at": message.sent_at,
            }
            for message in messages
        ],
        "retention_warning_sent_at": warning.warned_at if warning is not None else None,
    }


def _lrs_clients(user: User) -> list[dict]:
    clients = db.session.scalars(
        sa.select(LRSClient).where(LRSClient.created_by_id == user.id).order_by(LRSClient.id)
    )
    # Never the secret's hash: it is the platform's, not the person's.
    return [
        {
            "name": client.name,
            "key": client.key,
            "scopes": client.scopes,
            "is_active": client.is_active,
            "created_at": client.created_at,
        }
        for client in clients
    ]


def _documents(user: User) -> list[dict]:
    documents = db.session.scalars(
        sa.select(XAPIDocument)
        .where(XAPIDocument.agent_key.in_(person_keys(user)))
        .order_by(XAPIDocument.id)
    )
    return [
        {
            "kind": document.kind.value,
            "activity_id": document.activity_id,
            "registration": document.registration,
            "document_id": document.document_id,
            "content_type": document.content_type,
            "updated_at": document.updated_at,
            **_content(document.content),
        }
        for document in documents
    ]


def _content(content: bytes) -> dict:
    try:
        return {"content": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"content_base64": base64.b64encode(content).decode("ascii")}
