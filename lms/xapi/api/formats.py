"""The `format` parameter of GET statements (xAPI 1.0.3 Communication §2.1.3): "exact"
returns statements as stored, "ids" reduces agents, activities and verbs to what identifies
them, "canonical" keeps one language in every language map (the reader's, when the
Accept-Language header names one the map has)."""

import copy
from collections.abc import Callable

from lms.xapi.index import IFIS

FORMATS = ("exact", "ids", "canonical")
_AGENT_KEYS = ("actor", "instructor", "team", "authority")


def formatted(statement: dict, form: str, languages: list[str]) -> dict:
    if form == "exact":
        return statement
    statement = copy.deepcopy(statement)
    if form == "ids":
        _ids(statement)
    else:
        _walk_language_maps(statement, lambda value: _one_language(value, languages))
    return statement


def _agent_ids(agent: object) -> object:
    if not isinstance(agent, dict):
        return agent
    reduced = {key: agent[key] for key in ("objectType", *IFIS) if key in agent}
    if "member" in agent and not any(key in agent for key in IFIS):
        reduced["member"] = [_agent_ids(member) for member in agent["member"]]
    return reduced


def _activity_ids(activity: object) -> object:
    # Only the id: an Activity is what an object is when objectType is absent.
    if not isinstance(activity, dict):
        return activity
    return {"id": activity["id"]} if "id" in activity else activity


def _ids(statement: dict) -> None:
    for key in _AGENT_KEYS:
        if key in statement:
            statement[key] = _agent_ids(statement[key])
    if isinstance(statement.get("verb"), dict):
        statement["verb"] = {"id": statement["verb"].get("id")}
    target = statement.get("object")
    if isinstance(target, dict):
        kind = target.get("objectType", "Activity")
        if kind in {"Agent", "Group"}:
            statement["object"] = _agent_ids(target)
        elif kind == "Activity":
            statement["object"] = _activity_ids(target)
        elif kind == "SubStatement":
            _ids(target)
    context = statement.get("context")
    if isinstance(context, dict):
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            for key, value in activities.items():
                values = value if isinstance(value, list) else [value]
                activities[key] = [_activity_ids(item) for item in values]


_LANGUAGE_MAP_KEYS = {"display", "name", "description"}


def _walk_language_maps(node: object, reduce: Callable[[dict], dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_language_maps(item, reduce)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "extensions":
            continue  # extension values are the tool's, never rewritten
        if key in _LANGUAGE_MAP_KEYS and isinstance(value, dict):
            node[key] = reduce(value)
        else:
            _walk_language_maps(value, reduce)


def _one_language(language_map: dict, languages: list[str]) -> dict:
    if len(language_map) <= 1:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            return {lowered[wanted]: language_map[lowered[wanted]]}
        for tag_lower, tag in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    first = next(iter(language_map))
    return {first: language_map[first]}
