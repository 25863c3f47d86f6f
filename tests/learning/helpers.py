"""Drive a learner's journey through the web pages, as a browser would."""

import html

from lms.catalog.models import Module, Parcours


def module_url(parcours: Parcours, module: Module, suffix: str = "") -> str:
    return f"/parcours/{parcours.slug}/modules/{module.slug}{suffix}"


def answers_for(module: Module, *, right: bool) -> dict[str, list[str]]:
    """Form data answering every question of the module's quiz, all right or all wrong."""
    data: dict[str, list[str]] = {}
    for question in module.quiz.questions:
        correct = question.correct_choice_ids
        if right:
            chosen = correct
        else:
            chosen = [next(c["id"] for c in question.choices if c["id"] not in correct)]
        data[f"q_{question.key}"] = chosen
    return data


def enroll(client, parcours: Parcours):
    return client.post(f"/parcours/{parcours.slug}/inscription")


def read(client, parcours: Parcours, module: Module):
    return client.post(module_url(parcours, module, "/lu"))


def take_quiz(client, parcours: Parcours, module: Module, *, right: bool):
    return client.post(module_url(parcours, module, "/quiz"), data=answers_for(module, right=right))


def complete_module(client, parcours: Parcours, module: Module):
    response = read(client, parcours, module)
    if module.quiz is not None and not module.quiz.is_archived:
        response = take_quiz(client, parcours, module, right=True)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def all_modules(parcours: Parcours) -> list[Module]:
    return [module for level in parcours.levels for module in level.modules]


def page(response) -> str:
    """The response body as a reader sees it: entities decoded, no-break spaces as spaces."""
    text = html.unescape(response.get_data(as_text=True))
    return text.replace("\u00a0", " ").replace("\u202f", " ")
