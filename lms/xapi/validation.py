"""Validation of xAPI 1.0.3 statements (Data part, section 2) and of values of the same types.

Pure: each function takes a parsed JSON value and the JSON path where it sits, returns None or
raises StatementError naming the offending field ("actor.mbox", "attachments[0].sha2").
Section numbers in comments are those of the xAPI 1.0.3 specification, Data part; the rules are
the MUSTs a validator can check, as the ADL LRS conformance suite checks them.
"""

import math
import re
from datetime import UTC, datetime
from typing import NoReturn

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")

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
_ALL_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")

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
    "an Agent": {"objectType", "name", *_IFIS},
    "a Group": {"objectType", "name", "member", *_IFIS},
    "an account": {"homePage", "name"},
    "a Verb": {"id", "display"},
    "an Activity": {"objectType", "id", "definition"},
    "an Activity definition": {
        "name", "description", "type", "moreInfo", "extensions",
        "interactionType", "correctResponsesPattern", *_ALL_COMPONENT_LISTS,
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

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# §2.2.s4.b1.b8, §4.3: an absolute IRI starts with an RFC 3986 scheme. Beyond that the LRS may
# validate on a best-effort basis (§2.2.s4.b6): no whitespace, none of the characters an IRI can
# never hold, and "%" only as a percent-encoding.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[^\s<>\"{}|\\^`%\x00-\x1f\x7f]|%[0-9A-Fa-f]{2})+")
# §2.4.2.3: "mailto:email address"; one "@", a non-empty local part, a domain of non-empty labels.
_MBOX = re.compile(r"mailto:[^@\s<>\"]+@[^@\s<>\"?#.]+(?:\.[^@\s<>\"?#.]+)*")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")
# §2.4.11: a SHA-2 digest in hex: SHA-224, SHA-256, SHA-384 or SHA-512.
_SHA2 = re.compile(r"(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})")
# RFC 2046 / RFC 6838 type "/" subtype, parameters left free.
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*\s*(?:;.*)?"
)
# §2.4.10: "1.0" or "1.0.x"; anything else (0.9.5, 1.1.0) is refused.
_VERSION = re.compile(r"1\.0(?:\.[0-9]+)?")
# §4.5: ISO 8601 date and time, extended or basic format, with a time zone (see
# validate_timestamp). The regex fixes the shape; datetime checks the calendar.
_TIMESTAMP = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"|[0-9]{8}T[0-9]{4}(?:[0-9]{2}(?:[.,][0-9]+)?)?)"
    r"(?P<zone>Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
)
# §4.6: ISO 8601:2004 §4.4.3.2, "PnYnMnDTnHnMnS" or "PnW" (weeks never combine with other
# units); at least one component, "T" only before a time component. The alternative format
# ("P0003-01-29T04:35:59") is refused.
_N = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION = re.compile(
    rf"P(?:{_N}W|(?=[0-9]|T[0-9])(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?"
    rf"(?:T(?=[0-9])(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?)"
)
# RFC 5646 §2.1 langtag, private use and the irregular grandfathered tags (the regular ones
# already match langtag). §2.2.s4.b2 asks at least for the right sequence of subtag lengths.
_LANGTAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language and extlangs
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*)"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+"
)
_GRANDFATHERED = {
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
    "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl",
    "sgn-ch-de",
}  # fmt: skip
# What PostgreSQL's jsonb cannot store: NUL characters and lone surrogates (JSON's "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StatementError(Exception):
    """A value that breaks the xAPI 1.0.3 rules; `field` is its JSON path."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


# Public entry points


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
    _actor(agent, field)


def validate_activity_id(value: object, field: str) -> None:
    """Check an absolute IRI, such as an Activity or Verb id (§4.3)."""
    _iri(value, field)


def validate_uuid(value: object, field: str) -> None:
    """Check a UUID in standard string form, any version or variant (§2.4.1, §4.4)."""
    if not _UUID.fullmatch(_string(value, field)):
        raise StatementError(f"{_show(value)} is not a UUID in standard string form", field)


def validate_timestamp(value: object, field: str) -> None:
    """Check an ISO 8601 timestamp with a time zone (§4.5).

    §4.5.s1.b4 only says SHOULD* about the zone, but a time without one is no point in time to
    compare "since" or "until" against. "-00:00" (and -00, -0000) is refused: RFC 3339, the
    profile §4.5 recommends, uses it for "offset unknown", and the conformance suite refuses it.
    """
    match = _TIMESTAMP.fullmatch(_string(value, field))
    if match is None:
        raise StatementError(f"{_show(value)} is not an ISO 8601 timestamp with a time zone", field)
    if match["zone"].replace(":", "").strip("0") == "-":
        raise StatementError("the offset -00:00 is not allowed", field)
    try:
        # In UTC too: the store compares instants, and 9999-12-31T23:00-05:00 has none.
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        raise StatementError(f"{_show(value)} is not a valid date and time", field) from None


def validate_language_map(value: object, field: str) -> None:
    """Check a language map: RFC 5646 tags as keys, strings as values (§4.2)."""
    for tag, text in _object(value, field).items():
        _language_tag(tag, _join(field, tag))
        _string(text, _join(field, tag))


# Statements


def _statement(statement: object, field: str, *, sub: bool) -> None:
    if not isinstance(statement, dict):
        _fail(statement, "an object", field or "statement")
    if sub:
        # §2.4.4.3.s8.b3, said first: a bare "property not allowed" would not tell why.
        for key in ("id", "stored", "version", "authority"):
            if key in statement:
                raise StatementError("a SubStatement must not have this property", f"{field}.{key}")
    kind = "a SubStatement" if sub else "a Statement"
    _object(statement, field, kind, required=("actor", "verb", "object"))
    if "id" in statement:
        validate_uuid(statement["id"], _join(field, "id"))
    _actor(statement["actor"], _join(field, "actor"))
    _verb(statement["verb"], _join(field, "verb"))
    object_type = _statement_object(statement["object"], _join(field, "object"), sub=sub)
    # §2.3.2.s2.b1: the object of a voiding statement is a StatementRef.
    if statement["verb"]["id"] == VOIDED and object_type != "StatementRef":
        raise StatementError(
            "the object of a voiding statement must be a StatementRef",
            _join(field, "object.objectType"),
        )
    if "result" in statement:
        _result(statement["result"], _join(field, "result"))
    if "context" in statement:
        _context(statement["context"], _join(field, "context"), object_type)
    for key in ("timestamp", "stored"):
        if key in statement:
            validate_timestamp(statement[key], _join(field, key))
    if "authority" in statement:
        _authority(statement["authority"], _join(field, "authority"))
    version = statement.get("version")
    if "version" in statement and not _VERSION.fullmatch(_string(version, "version")):
        raise StatementError(f"{_show(version)} is not a 1.0.x version", "version")
    if "attachments" in statement:
        path = _join(field, "attachments")
        for index, attachment in enumerate(_array(statement["attachments"], path)):
            _attachment(attachment, f"{path}[{index}]")


def _statement_object(value: object, field: str, *, sub: bool) -> str:
    """Check the object of a statement; return its objectType (§2.4.4)."""
    obj = _object(value, field)
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        # §2.4.4.2.s1.b1: without objectType the object is an Activity, so an Agent or a Group
        # that forgot it would be reported as a strange Activity; say what is missing instead.
        if "objectType" not in obj and any(key in obj for key in (*_IFIS, "member")):
            raise StatementError(
                "is required when the object is an Agent or a Group", _join(field, "objectType")
            )
        _activity(obj, field)
    elif object_type == "Agent":
        _agent(obj, field)
    elif object_type == "Group":
        _group(obj, field)
    elif object_type == "StatementRef":
        _statement_ref(obj, field)
    elif object_type == "SubStatement" and not sub:
        _statement(obj, field, sub=True)
    elif object_type == "SubStatement":
        # §2.4.4.3.s8.b4: SubStatements do not nest.
        raise StatementError("a SubStatement cannot contain a SubStatement", f"{field}.objectType")
    else:
        _string(object_type, f"{field}.objectType")
        raise StatementError(
            f"{_show(object_type)} is not one of Activity, Agent, Group, SubStatement, "
            "StatementRef (case matters)",
            f"{field}.objectType",
        )
    return object_type


def _statement_ref(value: object, field: str) -> None:
    ref = _object(value, field, "a StatementRef", required=("objectType", "id"))
    # §2.4.4.3.s4.b1: objectType is required here, and exactly "StatementRef".
    if ref["objectType"] != "StatementRef":
        raise StatementError('must be "StatementRef"', f"{field}.objectType")
    validate_uuid(ref["id"], f"{field}.id")


# Actors


def _actor(value: object, field: str) -> dict:
    """An Agent, or a Group when objectType says so (§2.4.2)."""
    actor = _object(value, field)
    object_type = actor.get("objectType", "Agent")
    if object_type == "Agent":
        _agent(actor, field)
    elif object_type == "Group":
        _group(actor, field)
    else:
        _string(object_type, f"{field}.objectType")
        raise StatementError('must be "Agent" or "Group" (case matters)', f"{field}.objectType")
    return actor


def _agent(value: object, field: str) -> None:
    agent = _object(value, field, "an Agent")
    if "objectType" in agent and agent["objectType"] != "Agent":
        raise StatementError('must be "Agent"', f"{field}.objectType")
    if "name" in agent:
        _string(agent["name"], f"{field}.name")
    # §2.4.2.1.s2.b1-b2: exactly one inverse functional identifier.
    if not _ifis(agent, field):
        raise StatementError("an Agent needs one of mbox, mbox_sha1sum, openid or account", field)


def _group(value: object, field: str) -> None:
    group = _object(value, field, "a Group", required=("objectType",))
    if group["objectType"] != "Group":
        raise StatementError('must be "Group"', f"{field}.objectType")
    if "name" in group:
        _string(group["name"], f"{field}.name")
    identified = _ifis(group, field)
    # §2.4.2.2.s4.b1: an Anonymous Group (no identifier) is defined by its members.
    if not identified and "member" not in group:
        raise StatementError("is required in a Group without an identifier", f"{field}.member")
    if "member" in group:
        members = _array(group["member"], f"{field}.member")
        if not identified and not members:
            raise StatementError("an anonymous Group needs at least one member", f"{field}.member")
        for index, member in enumerate(members):
            path = f"{field}.member[{index}]"
            # §2.4.2.2.s4.b2 and s5.b2: members are Agents, never Groups.
            if isinstance(member, dict) and member.get("objectType") == "Group":
                raise StatementError("a Group's members must be Agents", f"{path}.objectType")
            _agent(member, path)


def _ifis(actor: dict, field: str) -> bool:
    """Check the inverse functional identifiers (§2.4.2.3); True if there is one, never two."""
    found = [key for key in _IFIS if key in actor]
    if len(found) > 1:
        raise StatementError(
            f"only one inverse functional identifier is allowed, {found[0]} is already there",
            f"{field}.{found[1]}",
        )
    if "mbox" in actor and not _MBOX.fullmatch(_string(actor["mbox"], f"{field}.mbox")):
        raise StatementError('must be "mailto:" and an email address', f"{field}.mbox")
    sha1sum = actor.get("mbox_sha1sum")
    if "mbox_sha1sum" in actor and not _SHA1.fullmatch(_string(sha1sum, f"{field}.mbox_sha1sum")):
        raise StatementError("must be a hex-encoded SHA-1 hash", f"{field}.mbox_sha1sum")
    if "openid" in actor:
        _iri(actor["openid"], f"{field}.openid")
    if "account" in actor:
        # §2.4.2.4: both homePage (an IRL) and name are required.
        account = _object(
            actor["account"], f"{field}.account", "an account", required=("homePage", "name")
        )
        _iri(account["homePage"], f"{field}.account.homePage")
        _string(account["name"], f"{field}.account.name")
    return bool(found)


def _authority(value: object, field: str) -> None:
    authority = _actor(value, field)
    # §2.4.9.s3.b1: an Agent, or for 3-legged OAuth an anonymous Group of exactly two Agents
    # (the application and the user).
    if authority.get("objectType") == "Group":
        if any(key in authority for key in _IFIS):
            raise StatementError("an authority Group must be anonymous", field)
        if len(authority["member"]) != 2:
            raise StatementError("an authority Group has exactly two members", f"{field}.member")


# Verb and activities


def _verb(value: object, field: str) -> None:
    verb = _object(value, field, "a Verb", required=("id",))
    _iri(verb["id"], f"{field}.id")
    if "display" in verb:
        validate_language_map(verb["display"], f"{field}.display")


def _activity(value: object, field: str) -> None:
    activity = _object(value, field, "an Activity", required=("id",))
    if "objectType" in activity and activity["objectType"] != "Activity":
        raise StatementError('must be "Activity"', f"{field}.objectType")
    _iri(activity["id"], f"{field}.id")
    if "definition" in activity:
        _definition(activity["definition"], f"{field}.definition")


def _definition(value: object, field: str) -> None:
    definition = _object(value, field, "an Activity definition")
    for key in ("name", "description"):
        if key in definition:
            validate_language_map(definition[key], f"{field}.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            _iri(definition[key], f"{field}.{key}")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{field}.extensions")
    _interaction(definition, field)


def _interaction(definition: dict, field: str) -> None:
    """The interaction properties of an Activity definition (§2.4.4.1.s8 to s16)."""
    interaction_type = definition.get("interactionType")
    used = [key for key in ("correctResponsesPattern", *_ALL_COMPONENT_LISTS) if key in definition]
    if "interactionType" not in definition:
        # The interaction properties only mean something for an interaction.
        if used:
            raise StatementError(f"is required when {used[0]} is used", f"{field}.interactionType")
        return
    if _string(interaction_type, f"{field}.interactionType") not in _COMPONENT_LISTS:
        raise StatementError(
            f"{_show(interaction_type)} is not one of {', '.join(_COMPONENT_LISTS)} (case matters)",
            f"{field}.interactionType",
        )
    if "correctResponsesPattern" in definition:
        path = f"{field}.correctResponsesPattern"
        for index, pattern in enumerate(_array(definition["correctResponsesPattern"], path)):
            _string(pattern, f"{path}[{index}]")
    for key in _ALL_COMPONENT_LISTS:
        if key not in definition:
            continue
        if key not in _COMPONENT_LISTS[interaction_type]:
            raise StatementError(
                f"is not a component list of a {interaction_type} interaction", f"{field}.{key}"
            )
        ids = set()
        for index, component in enumerate(_array(definition[key], f"{field}.{key}")):
            path = f"{field}.{key}[{index}]"
            component = _object(component, path, "an interaction component", required=("id",))
            # §2.4.4.1.s16.b1: ids are distinct within a list.
            if _string(component["id"], f"{path}.id") in ids:
                raise StatementError(f"{_show(component['id'])} is already used", f"{path}.id")
            ids.add(component["id"])
            if "description" in component:
                validate_language_map(component["description"], f"{path}.description")


# Result and context


def _result(value: object, field: str) -> None:
    result = _object(value, field, "a Result")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            _fail(result[key], "a boolean", f"{field}.{key}")
    if "response" in result:
        _string(result["response"], f"{field}.response")
    duration = result.get("duration")
    if "duration" in result and not _DURATION.fullmatch(_string(duration, f"{field}.duration")):
        raise StatementError(f"{_show(duration)} is not an ISO 8601 duration", f"{field}.duration")
    if "extensions" in result:
        _extensions(result["extensions"], f"{field}.extensions")
    if "score" in result:
        _score(result["score"], f"{field}.score")


def _score(value: object, field: str) -> None:
    """§2.4.5.1: scaled in [-1, 1], min < max, raw between them."""
    score = _object(value, field, "a Score")
    numbers = {key: _number(score[key], f"{field}.{key}") for key in score}
    if not -1 <= numbers.get("scaled", 0) <= 1:
        raise StatementError("must be between -1 and 1", f"{field}.scaled")
    low, high = numbers.get("min", -math.inf), numbers.get("max", math.inf)
    if low >= high:
        raise StatementError("must be less than max", f"{field}.min")
    if not low <= numbers.get("raw", low) <= high:
        raise StatementError("must be between min and max", f"{field}.raw")


def _context(value: object, field: str, object_type: str) -> None:
    context = _object(value, field, "a Context")
    if "registration" in context:
        validate_uuid(context["registration"], f"{field}.registration")
    if "instructor" in context:
        _actor(context["instructor"], f"{field}.instructor")
    if "team" in context:
        team = _object(context["team"], f"{field}.team")
        if team.get("objectType") != "Group":
            raise StatementError('must be a Group, with objectType "Group"', f"{field}.team")
        _group(team, f"{field}.team")
    if "contextActivities" in context:
        _context_activities(context["contextActivities"], f"{field}.contextActivities")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{field}.{key}")
            # §2.4.6.s4.b1-b2: both describe the Activity, so need one as the object.
            if object_type != "Activity":
                raise StatementError(
                    "is only allowed when the statement's object is an Activity", f"{field}.{key}"
                )
    if "language" in context:
        _language_tag(context["language"], f"{field}.language")
    if "statement" in context:
        _statement_ref(context["statement"], f"{field}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{field}.extensions")


def _context_activities(value: object, field: str) -> None:
    """§2.4.6.2.s4: four keys, each an Activity or an array of Activities."""
    for key, activities in _object(value, field, "contextActivities").items():
        path = f"{field}.{key}"
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                _activity(activity, f"{path}[{index}]")
        else:
            _activity(activities, path)


# Attachments


def _attachment(value: object, field: str) -> None:
    attachment = _object(
        value,
        field,
        "an Attachment",
        required=("usageType", "display", "contentType", "length", "sha2"),
    )
    _iri(attachment["usageType"], f"{field}.usageType")
    validate_language_map(attachment["display"], f"{field}.display")
    if "description" in attachment:
        validate_language_map(attachment["description"], f"{field}.description")
    if not _MEDIA_TYPE.fullmatch(_string(attachment["contentType"], f"{field}.contentType")):
        raise StatementError("must be an Internet Media Type", f"{field}.contentType")
    length = attachment["length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        _fail(length, "a non-negative integer", f"{field}.length")
    if not _SHA2.fullmatch(_string(attachment["sha2"], f"{field}.sha2")):
        raise StatementError("must be a hex-encoded SHA-2 hash", f"{field}.sha2")
    if "fileUrl" in attachment:
        _iri(attachment["fileUrl"], f"{field}.fileUrl")


# Special data types (§4)


def _extensions(value: object, field: str) -> None:
    """§4.1: keys are IRIs; values are anything JSON, null included, and are not judged."""
    for key, extension in _object(value, field).items():
        _iri(key, _join(field, key))
        _json_value(extension, _join(field, key))


def _json_value(value: object, field: str) -> None:
    """Refuse only what JSON or the store cannot hold, walking without recursion.

    Python's json module reads NaN and Infinity, which JSON has not; PostgreSQL's jsonb refuses
    NUL characters and lone surrogates. Storing any of them would fail, not answer 400.
    """
    pending = [(value, field)]
    while pending:
        item, path = pending.pop()
        if isinstance(item, float):
            _number(item, path)
        elif isinstance(item, str):
            _string(item, path)
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                _string(key, _join(path, key))
                pending.append((child, _join(path, key)))
        elif item is not None and not isinstance(item, (bool, int)):
            raise StatementError(f"{type(item).__name__} is not a JSON value", path)


def _language_tag(value: object, field: str) -> None:
    """An RFC 5646 language tag (§4.2, §2.2.s4.b2)."""
    tag = _string(value, field)
    if tag.lower() in _GRANDFATHERED:
        return
    match = _LANGTAG.fullmatch(tag)
    if match is None:
        raise StatementError(f"{_show(tag)} is not an RFC 5646 language tag", field)
    if match["variants"] is None:  # a private use tag, "x-..."
        return
    # RFC 5646 §2.2.5-6: a variant or an extension singleton appears at most once.
    variants = match["variants"].lower().split("-")[1:]
    singletons = [part for part in match["extensions"].lower().split("-") if len(part) == 1]
    if len(set(variants)) < len(variants) or len(set(singletons)) < len(singletons):
        raise StatementError(f"{_show(tag)} repeats a variant or an extension", field)


def _iri(value: object, field: str) -> None:
    if not _IRI.fullmatch(_string(value, field)):
        raise StatementError(f"{_show(value)} is not an absolute IRI", field)


# Shapes


def _object(
    value: object, field: str, kind: str | None = None, required: tuple[str, ...] = ()
) -> dict:
    """A JSON object; with `kind`, one holding only the properties _ALLOWED gives it."""
    if not isinstance(value, dict):
        _fail(value, "an object", field)
    for key in value:
        _string(key, _join(field, key))
        if kind is not None and key not in _ALLOWED[kind]:
            near = [name for name in _ALLOWED[kind] if name.lower() == key.lower()]
            hint = f" (did you mean {near[0]}? keys are case-sensitive)" if near else ""
            raise StatementError(f"is not a property of {kind}{hint}", _join(field, key))
    for key in required:
        if key not in value:
            raise StatementError(f"is required in {kind}", _join(field, key))
    return value


def _array(value: object, field: str) -> list:
    if not isinstance(value, list):
        _fail(value, "an array", field)
    return value


def _string(value: object, field: str) -> str:
    if not isinstance(value, str):
        _fail(value, "a string", field)
    if _UNSTORABLE.search(value):
        raise StatementError("must not contain NUL characters or lone surrogates", field)
    return value


def _number(value: object, field: str) -> float:
    # bool is an int in Python, not a number in JSON (§2.2.s4.b1.b2).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(value, "a number", field)
    if not math.isfinite(value):
        raise StatementError("must be a finite number", field)
    return value


def _fail(value: object, expected: str, field: str) -> NoReturn:
    # §2.2.s4.b1.b1: null is refused everywhere but inside extensions.
    found = "null" if value is None else _json_type(value)
    raise StatementError(f"must be {expected}, not {found}", field)


def _json_type(value: object) -> str:
    for kind, name in ((bool, "a boolean"), ((int, float), "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return {list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _join(field: str, key: object) -> str:
    return f"{field}.{key}" if field else str(key)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
