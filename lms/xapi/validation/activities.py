"""Activities, their definitions and interactions (xAPI 1.0.3, Data §2.4.4.1)."""

from lms.xapi.validation.shapes import ALL_COMPONENT_LISTS, properties
from lms.xapi.validation.values import (
    StatementError,
    array,
    extensions,
    iri,
    show,
    string,
    validate_language_map,
)

# §2.4.4.1.s15: the interaction component lists each interactionType supports.
_COMPONENT_LISTS = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}


def check_activity(value: object, field: str) -> None:
    activity = properties(value, field, "an Activity", required=("id",))
    if "objectType" in activity and activity["objectType"] != "Activity":
        raise StatementError('must be "Activity"', f"{field}.objectType")
    iri(activity["id"], f"{field}.id")
    if "definition" in activity:
        _definition(activity["definition"], f"{field}.definition")


def _definition(value: object, field: str) -> None:
    definition = properties(value, field, "an Activity definition")
    for key in ("name", "description"):
        if key in definition:
            validate_language_map(definition[key], f"{field}.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            iri(definition[key], f"{field}.{key}")
    if "extensions" in definition:
        extensions(definition["extensions"], f"{field}.extensions")
    _interaction(definition, field)


def _interaction(definition: dict, field: str) -> None:
    """The interaction properties of an Activity definition (§2.4.4.1.s8 to s16)."""
    interaction_type = definition.get("interactionType")
    used = [key for key in ("correctResponsesPattern", *ALL_COMPONENT_LISTS) if key in definition]
    if "interactionType" not in definition:
        # The interaction properties only mean something for an interaction.
        if used:
            raise StatementError(f"is required when {used[0]} is used", f"{field}.interactionType")
        return
    if string(interaction_type, f"{field}.interactionType") not in _COMPONENT_LISTS:
        raise StatementError(
            f"{show(interaction_type)} is not one of {', '.join(_COMPONENT_LISTS)} (case matters)",
            f"{field}.interactionType",
        )
    if "correctResponsesPattern" in definition:
        path = f"{field}.correctResponsesPattern"
        for index, pattern in enumerate(array(definition["correctResponsesPattern"], path)):
            string(pattern, f"{path}[{index}]")
    for key in ALL_COMPONENT_LISTS:
        if key not in definition:
            continue
        if key not in _COMPONENT_LISTS[interaction_type]:
            raise StatementError(
                f"is not a component list of a {interaction_type} interaction", f"{field}.{key}"
            )
        ids = set()
        for index, component in enumerate(array(definition[key], f"{field}.{key}")):
            path = f"{field}.{key}[{index}]"
            component = properties(component, path, "an interaction component", required=("id",))
            # §2.4.4.1.s16.b1: ids are distinct within a list.
            if string(component["id"], f"{path}.id") in ids:
                raise StatementError(f"{show(component['id'])} is already used", f"{path}.id")
            ids.add(component["id"])
            if "description" in component:
                validate_language_map(component["description"], f"{path}.description")
