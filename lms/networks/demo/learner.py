"""One generated learner's journey, folded as the live projection and the write path fold it."""

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from lms.catalog.models import Level, Module, Parcours, Question
from lms.catalog.questions import snapshot
from lms.certificates.codes import new_code
from lms.certificates.operations import verification_url
from lms.core.templating import LEVEL_LABELS
from lms.networks.demo.statements import ACTOR_MARK, CODE_MARK, REGISTRATION_MARK
from lms.xapi import statements as build

if TYPE_CHECKING:
    from lms.networks.demo.generator import Generator


class Learner:
    """One learner's journey, folded as the live projection folds it."""

    def __init__(self, gen: "Generator", user: dict, enrollment: dict) -> None:
        self.gen = gen
        self.user = user
        self.enrollment = enrollment
        self.journey: dict | None = None
        self.modules: dict[int, dict] = {}
        self.levels: dict[int, datetime] = {}
        self.attempts: dict[int, int] = {}

    def emit(self, key: tuple, make, time: datetime, cause: str | None = None, code: str = ""):
        template = self.gen.templates.get(key, make, caused=cause is not None)
        statement_id = str(uuid.uuid4())
        moment = time.isoformat()
        text = (
            template.text.replace("@@id@@", statement_id)
            .replace(ACTOR_MARK, self.user["public_id"])
            .replace(REGISTRATION_MARK, self.enrollment["registration"])
            .replace("@@time@@", moment)
            .replace("@@stored@@", moment)
        )
        if cause is not None:
            text = text.replace("@@cause@@", cause)
        if code:
            text = text.replace(CODE_MARK, code)
        seq = self.gen.next_seq()
        batch = self.gen.batch
        batch.statements.append(
            {
                "seq": seq,
                "id": statement_id,
                "actor_key": f"account:{self.gen.base_url}|{self.user['public_id']}",
                "user_id": self.user["id"],
                "verb_id": template.verb_id,
                "object_id": template.object_id,
                "registration": self.enrollment["registration"],
                "timestamp": time,
                "stored": time,
                "is_voided": False,
                "client_id": None,
                "payload": json.loads(text),
            }
        )
        for agent, direct in template.agents:
            batch.agents.append(
                {
                    "statement_seq": seq,
                    "agent_key": agent.replace(ACTOR_MARK, self.user["public_id"]),
                    "is_direct": direct,
                }
            )
        for activity, direct in template.activities:
            batch.activities.append(
                {"statement_seq": seq, "activity_id": activity, "is_direct": direct}
            )
        return statement_id, template

    # The projection's folds -------------------------------------------------------------

    def _touch(self, module: Module, time: datetime) -> dict:
        self.journey["last_activity_at"] = max(self.journey["last_activity_at"], time)
        self.journey["last_module_id"] = module.id
        progress = self.modules.setdefault(
            module.id,
            {
                "module_id": module.id,
                "read_at": None,
                "quiz_attempts": 0,
                "best_score": None,
                "quiz_passed_at": None,
                "completed_at": None,
                "last_activity_at": time,
            },
        )
        progress["last_activity_at"] = max(progress["last_activity_at"], time)
        return progress

    def register(self, time: datetime) -> None:
        self.emit(("registered",), build.registered, time)
        self.journey = {
            "started_at": time,
            "last_activity_at": time,
            "last_module_id": None,
            "completed_at": None,
        }

    def read(self, module: Module, time: datetime) -> None:
        cause, _t = self.emit(
            ("experienced", module.id), lambda j, t: build.experienced(j, module, t), time
        )
        progress = self._touch(module, time)
        progress["read_at"] = progress["read_at"] or time
        self._after(module, progress, time, cause)

    def quiz(self, module: Module, right: list[bool], time: datetime) -> None:
        quiz = module.quiz
        questions: list[Question] = list(quiz.questions)
        self.emit(("attempted", quiz.id), lambda j, t: build.attempted(j, quiz, t), time)
        self._touch(module, time)
        answers = {}
        for question, is_right in zip(questions, right, strict=True):
            chosen = chosen_answers(question, is_right)
            self.emit(
                ("answered", question.id, tuple(chosen)),
                lambda j, t, q=question, c=chosen, r=is_right: build.answered(
                    j, quiz, snapshot(q), c, r, t
                ),
                time,
            )
            self._touch(module, time)
            answers[question.key] = {"chosen": chosen, "is_correct": is_right}
        correct, total = sum(right), len(questions)
        passed = correct * 100 >= quiz.effective_pass_mark * total
        cause, template = self.emit(
            ("result", quiz.id, correct),
            lambda j, t: build.quiz_result(
                j, quiz, correct=correct, total=total, is_passed=passed, timestamp=t
            ),
            time,
        )
        progress = self._touch(module, time)
        progress["quiz_attempts"] += 1
        if template.scaled is not None:
            best = progress["best_score"]
            progress["best_score"] = template.scaled if best is None else max(best, template.scaled)
        if passed:
            progress["quiz_passed_at"] = progress["quiz_passed_at"] or time
        number = self.attempts.get(quiz.id, 0) + 1
        self.attempts[quiz.id] = number
        self.gen.batch.attempts.append(
            {
                "enrollment_id": self.enrollment["id"],
                "quiz_id": quiz.id,
                "number": number,
                "answers": answers,
                "questions": [snapshot(question) for question in questions],
                "correct_count": correct,
                "question_count": total,
                "score": round(correct / total, 4),
                "is_passed": passed,
                "submitted_at": time,
            }
        )
        self._after(module, progress, time, cause)

    def _after(self, module: Module, progress: dict, time: datetime, cause: str) -> None:
        """Completions the statement caused, recorded in the write path's order."""
        quiz = module.quiz if module.quiz is not None and not module.quiz.is_archived else None
        if progress["completed_at"] is not None or progress["read_at"] is None:
            return
        if quiz is not None and progress["quiz_passed_at"] is None:
            return
        progress["completed_at"] = time
        chain: list[Module | Level | Parcours] = [module]
        level = module.level
        if level.id not in self.levels and all(
            (self.modules.get(m.id) or {}).get("completed_at") for m in level.modules
        ):
            self.levels[level.id] = time
            chain.append(level)
            parcours = self.gen.parcours
            if all(item.id in self.levels for item in parcours.levels):
                self.journey["completed_at"] = time
                chain.append(parcours)
        for target in chain:
            self._completed(target, time, cause)

    def _completed(self, target, time: datetime, cause: str) -> None:
        parcours = self.gen.parcours
        if isinstance(target, Module):
            self.emit(
                ("completed-module", target.id),
                lambda j, t: build.completed_module(j, target, t),
                time,
                cause,
            )
            self._touch(target, time)
            return
        self.journey["last_activity_at"] = max(self.journey["last_activity_at"], time)
        if isinstance(target, Level):
            self.emit(
                ("completed-level", target.id),
                lambda j, t: build.completed_level(j, target, t),
                time,
                cause,
            )
            if parcours.issues_level_attestations:
                self._certificate(target, time, cause)
        else:
            self.emit(
                ("completed-parcours",),
                lambda j, t: build.completed_parcours(j, parcours, t),
                time,
                cause,
            )
            self._certificate(None, time, cause)

    def _certificate(self, level: Level | None, time: datetime, cause: str) -> None:
        parcours = self.gen.parcours
        code = new_code()
        levels = parcours.levels if level is None else [level]
        self.gen.batch.certificates.append(
            {
                "code": code,
                "enrollment_id": self.enrollment["id"],
                "user_id": self.user["id"],
                "parcours_id": parcours.id,
                "level_id": level.id if level is not None else None,
                "kind": "parcours" if level is None else "level",
                "scope": "parcours" if level is None else f"level:{level.key.value}",
                "learner_name": self.user["name"],
                "parcours_title": parcours.title,
                "level_titles": [
                    f"{LEVEL_LABELS[item.key.value]} — {item.title}" for item in levels
                ],
                "issuer_name": self.gen.platform,
                "network_name": self.gen.network_name,
                "completed_at": time,
                "issued_at": time,
            }
        )
        self.emit(
            ("earned", level.id if level is not None else None),
            lambda j, t: build.earned(j, level, verification_url(CODE_MARK), t),
            time,
            cause,
            code=code,
        )

    def rows(self) -> None:
        batch = self.gen.batch
        enrollment_id = self.enrollment["id"]
        if self.journey is not None:
            batch.parcours_progress.append({"enrollment_id": enrollment_id, **self.journey})
        for progress in self.modules.values():
            batch.module_progress.append({"enrollment_id": enrollment_id, **progress})
        for level_id, time in self.levels.items():
            batch.level_progress.append(
                {"enrollment_id": enrollment_id, "level_id": level_id, "completed_at": time}
            )


def chosen_answers(question: Question, right: bool) -> list[str]:
    correct = question.correct_choice_ids
    if right:
        return sorted(correct)
    return [next(c["id"] for c in question.choices if c["id"] not in correct)]
