"""The JSON objects of a statement and the properties each may have (xAPI 1.0.3, Data §2)."""

from lms.xapi.index import IFIS
from lms.xapi.validation.values import StatementError, join, json_object

ALL_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")

# The properties each object may have: anything else is refused (§2.2.s4.b1.b5 and b7), which
# also catches a key in the wrong case and a null the spec does not allow in its place.
_ALLOWED = {
    "a Statement": {
        "id", "actor", "verb", "object", "result", "context",
        "timestamp", "stored", "authority", "version", "attachments",
    },
    # §2.4.4.3.s8.b3: no "id", "stored", "version" or "authority" in a SubStatement.
    "a SubStatement": {
        "objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments",
    },
    "an Agent": {"objectType", "name", *IFIS},
    "a Group": {"objectType", "name", "member", *IFIS},
    "an account": {"homePage", "name"},
    "a Verb": {"id", "display"},
    "an Activity": {"objectType", "id", "definition"},
    "an Activity definition": {
        "name", "description", "type", "moreInfo", "extensions",
        "interactionType", "correctResponsesPattern", *ALL_COMPONENT_LISTS,
    },
    "an interaction component": {"id", "description"},
    "a StatementRef": {"objectType", "id"},
    "a Result": {"score", "success", "completion", "response", "duration", "extensions"},
    "a Score": {"scaled", "raw", "min", "max"},
    "a Context": {
        "registration", "instructor", "team", "contextActivities",
        "revision", "platform", "language", "statement", "extensions",
    },
    "contextActivities": {"parent", "grouping", "category", "other"},
    "an Attachment": {
        "usageType", "display", "description", "contentType", "length", "sha2", "fileUrl",
    },
}  # fmt: skip


def properties(
    value: object, field: str, kind: str | None = None, required: tuple[str, ...] = ()
) -> dict:
    """A JSON object; with `kind`, one holding only the properties _ALLOWED gives it."""
    json_object(value, field)
    for key in value:
        if kind is not None and key not in _ALLOWED[kind]:
            near = [name for name in _ALLOWED[kind] if name.lower() == key.lower()]
            hint = f" (did you mean {near[0]}? keys are case-sensitive)" if near else ""
            raise StatementError(f"is not a property of {kind}{hint}", join(field, key))
    for key in required:
        if key not in value:
            raise StatementError(f"is required in {kind}", join(field, key))
    return value
