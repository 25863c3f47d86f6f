"""Validation of xAPI 1.0.3 statements (Data part, §2): the rules of each part of a statement.

Pure: each function takes a parsed JSON value and the JSON path where it sits, returns None or
raises StatementError naming the offending field ("actor.mbox", "attachments[0].sha2").
Section numbers in comments are those of the xAPI 1.0.3 specification, Data part; the rules are
the MUSTs a validator can check, as the ADL LRS conformance suite checks them.
"""

import math
import re

from lms.xapi.index import IFIS
from lms.xapi.validation.activities import check_activity
from lms.xapi.validation.agents import check_actor, check_agent, check_authority, check_group
from lms.xapi.validation.shapes import properties
from lms.xapi.validation.values import (
    StatementError,
    array,
    extensions,
    fail,
    iri,
    join,
    language_tag,
    number,
    show,
    string,
    validate_language_map,
    validate_timestamp,
    validate_uuid,
)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

# §2.4.11: a SHA-2 digest in hex: SHA-224, SHA-256, SHA-384 or SHA-512.
_SHA2 = re.compile(r"(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})")
# RFC 2046 / RFC 6838 type "/" subtype, parameters left free.
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*\s*(?:;.*)?"
)
# §2.4.10: "1.0" or "1.0.x"; anything else (0.9.5, 1.1.0) is refused.
_VERSION = re.compile(r"1\.0(?:\.[0-9]+)?")
# §4.6: ISO 8601:2004 §4.4.3.2, "PnYnMnDTnHnMnS" or "PnW" (weeks never combine with other
# units); at least one component, "T" only before a time component. The alternative format
# ("P0003-01-29T04:35:59") is refused.
_N = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION = re.compile(
    rf"P(?:{_N}W|(?=[0-9]|T[0-9])(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?"
    rf"(?:T(?=[0-9])(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?)"
)


def validate_statement(statement: object, *, allow_voiding_reference: bool = True) -> None:
    """Check a statement as received by the LRS (§2.2 to §2.4).

    With `allow_voiding_reference=False`, a voiding statement (verb voided, §2.3.2) is refused,
    for callers that must not void anything.
    """
    _statement(statement, "", sub=False)
    if not allow_voiding_reference and statement["verb"]["id"] == VOIDED:
        raise StatementError("voiding statements are not accepted here", "verb.id")


def validate_agent(agent: object, field: str = "agent") -> None:
    """Check an Agent or a Group (§2.4.2), as in the `agent` parameter of the API."""
    check_actor(agent, field)


# Statements


def _statement(statement: object, field: str, *, sub: bool) -> None:
    if not isinstance(statement, dict):
        fail(statement, "an object", field or "statement")
    if sub:
        # §2.4.4.3.s8.b3, said first: a bare "property not allowed" would not tell why.
        for key in ("id", "stored", "version", "authority"):
            if key in statement:
                raise StatementError("a SubStatement must not have this property", f"{field}.{key}")
    kind = "a SubStatement" if sub else "a Statement"
    properties(statement, field, kind, required=("actor", "verb", "object"))
    if "id" in statement:
        validate_uuid(statement["id"], join(field, "id"))
    check_actor(statement["actor"], join(field, "actor"))
    _verb(statement["verb"], join(field, "verb"))
    object_type = _statement_object(statement["object"], join(field, "object"), sub=sub)
    # §2.3.2.s2.b1: the object of a voiding statement is a StatementRef.
    if statement["verb"]["id"] == VOIDED and object_type != "StatementRef":
        raise StatementError(
            "the object of a voiding statement must be a StatementRef",
            join(field, "object.objectType"),
        )
    if "result" in statement:
        _result(statement["result"], join(field, "result"))
    if "context" in statement:
        _context(statement["context"], join(field, "context"), object_type)
    for key in ("timestamp", "stored"):
        if key in statement:
            validate_timestamp(statement[key], join(field, key))
    if "authority" in statement:
        check_authority(statement["authority"], join(field, "authority"))
    version = statement.get("version")
    if "version" in statement and not _VERSION.fullmatch(string(version, "version")):
        raise StatementError(f"{show(version)} is not a 1.0.x version", "version")
    if "attachments" in statement:
        path = join(field, "attachments")
        for index, attachment in enumerate(array(statement["attachments"], path)):
            _attachment(attachment, f"{path}[{index}]")


def _statement_object(value: object, field: str, *, sub: bool) -> str:
    """Check the object of a statement; return its objectType (§2.4.4)."""
    obj = properties(value, field)
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        # §2.4.4.2.s1.b1: without objectType the object is an Activity, so an Agent or a Group
        # that forgot it would be reported as a strange Activity; say what is missing instead.
        if "objectType" not in obj and any(key in obj for key in (*IFIS, "member")):
            raise StatementError(
                "is required when the object is an Agent or a Group", join(field, "objectType")
            )
        check_activity(obj, field)
    elif object_type == "Agent":
        check_agent(obj, field)
    elif object_type == "Group":
        check_group(obj, field)
    elif object_type == "StatementRef":
        _statement_ref(obj, field)
    elif object_type == "SubStatement" and not sub:
        _statement(obj, field, sub=True)
    elif object_type == "SubStatement":
        # §2.4.4.3.s8.b4: SubStatements do not nest.
        raise StatementError("a SubStatement cannot contain a SubStatement", f"{field}.objectType")
    else:
        string(object_type, f"{field}.objectType")
        raise StatementError(
            f"{show(object_type)} is not one of Activity, Agent, Group, SubStatement, "
            "StatementRef (case matters)",
            f"{field}.objectType",
        )
    return object_type


def _statement_ref(value: object, field: str) -> None:
    ref = properties(value, field, "a StatementRef", required=("objectType", "id"))
    # §2.4.4.3.s4.b1: objectType is required here, and exactly "StatementRef".
    if ref["objectType"] != "StatementRef":
        raise StatementError('must be "StatementRef"', f"{field}.objectType")
    validate_uuid(ref["id"], f"{field}.id")


def _verb(value: object, field: str) -> None:
    verb = properties(value, field, "a Verb", required=("id",))
    iri(verb["id"], f"{field}.id")
    if "display" in verb:
        validate_language_map(verb["display"], f"{field}.display")


# Result and context


def _result(value: object, field: str) -> None:
    result = properties(value, field, "a Result")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            fail(result[key], "a boolean", f"{field}.{key}")
    if "response" in result:
        string(result["response"], f"{field}.response")
    duration = result.get("duration")
    if "duration" in result and not _DURATION.fullmatch(string(duration, f"{field}.duration")):
        raise StatementError(f"{show(duration)} is not an ISO 8601 duration", f"{field}.duration")
    if "extensions" in result:
        extensions(result["extensions"], f"{field}.extensions")
    if "score" in result:
        _score(result["score"], f"{field}.score")


def _score(value: object, field: str) -> None:
    """§2.4.5.1: scaled in [-1, 1], min < max, raw between them."""
    score = properties(value, field, "a Score")
    numbers = {key: number(score[key], f"{field}.{key}") for key in score}
    if not -1 <= numbers.get("scaled", 0) <= 1:
        raise StatementError("must be between -1 and 1", f"{field}.scaled")
    low, high = numbers.get("min", -math.inf), numbers.get("max", math.inf)
    if low >= high:
        raise StatementError("must be less than max", f"{field}.min")
    if not low <= numbers.get("raw", low) <= high:
        raise StatementError("must be between min and max", f"{field}.raw")


def _context(value: object, field: str, object_type: str) -> None:
    context = properties(value, field, "a Context")
    if "registration" in context:
        validate_uuid(context["registration"], f"{field}.registration")
    if "instructor" in context:
        check_actor(context["instructor"], f"{field}.instructor")
    if "team" in context:
        team = properties(context["team"], f"{field}.team")
        if team.get("objectType") != "Group":
            raise StatementError('must be a Group, with objectType "Group"', f"{field}.team")
        check_group(team, f"{field}.team")
    if "contextActivities" in context:
        _context_activities(context["contextActivities"], f"{field}.contextActivities")
    for key in ("revision", "platform"):
        if key in context:
            string(context[key], f"{field}.{key}")
            # §2.4.6.s4.b1-b2: both describe the Activity, so need one as the object.
            if object_type != "Activity":
                raise StatementError(
                    "is only allowed when the statement's object is an Activity", f"{field}.{key}"
                )
    if "language" in context:
        language_tag(context["language"], f"{field}.language")
    if "statement" in context:
        _statement_ref(context["statement"], f"{field}.statement")
    if "extensions" in context:
        extensions(context["extensions"], f"{field}.extensions")


def _context_activities(value: object, field: str) -> None:
    """§2.4.6.2.s4: four keys, each an Activity or an array of Activities."""
    for key, activities in properties(value, field, "contextActivities").items():
        path = f"{field}.{key}"
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                check_activity(activity, f"{path}[{index}]")
        else:
            check_activity(activities, path)


# Attachments


def _attachment(value: object, field: str) -> None:
    attachment = properties(
        value,
        field,
        "an Attachment",
        required=("usageType", "display", "contentType", "length", "sha2"),
    )
    iri(attachment["usageType"], f"{field}.usageType")
    validate_language_map(attachment["display"], f"{field}.display")
    if "description" in attachment:
        validate_language_map(attachment["description"], f"{field}.description")
    if not _MEDIA_TYPE.fullmatch(string(attachment["contentType"], f"{field}.contentType")):
        raise StatementError("must be an Internet Media Type", f"{field}.contentType")
    length = attachment["length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        fail(length, "a non-negative integer", f"{field}.length")
    if not _SHA2.fullmatch(string(attachment["sha2"], f"{field}.sha2")):
        raise StatementError("must be a hex-encoded SHA-2 hash", f"{field}.sha2")
    if "fileUrl" in attachment:
        iri(attachment["fileUrl"], f"{field}.fileUrl")
