"""Validation of the values xAPI 1.0.3 is made of (Data part, §4): IRIs, UUIDs, timestamps,
language tags and maps, extensions, and the JSON shapes every rule is written in.

Pure: each function takes a parsed JSON value and the JSON path where it sits, returns None or
raises StatementError naming the offending field ("actor.mbox", "attachments[0].sha2").
"""

import math
import re
from datetime import UTC, datetime
from typing import NoReturn

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# §2.2.s4.b1.b8, §4.3: an absolute IRI starts with an RFC 3986 scheme. Beyond that the LRS may
# validate on a best-effort basis (§2.2.s4.b6): no whitespace, none of the characters an IRI can
# never hold, and "%" only as a percent-encoding.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[^\s<>\"{}|\\^`%\x00-\x1f\x7f]|%[0-9A-Fa-f]{2})+")
# §4.5: ISO 8601 date and time, extended or basic format, with a time zone (see
# validate_timestamp). The regex fixes the shape; datetime checks the calendar.
_TIMESTAMP = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"|[0-9]{8}T[0-9]{4}(?:[0-9]{2}(?:[.,][0-9]+)?)?)"
    r"(?P<zone>Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
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


def validate_activity_id(value: object, field: str) -> None:
    """Check an absolute IRI, such as an Activity or Verb id (§4.3)."""
    iri(value, field)


def validate_uuid(value: object, field: str) -> None:
    """Check a UUID in standard string form, any version or variant (§2.4.1, §4.4)."""
    if not _UUID.fullmatch(string(value, field)):
        raise StatementError(f"{show(value)} is not a UUID in standard string form", field)


def validate_timestamp(value: object, field: str) -> None:
    """Check an ISO 8601 timestamp with a time zone (§4.5).

    §4.5.s1.b4 only says SHOULD* about the zone, but a time without one is no point in time to
    compare "since" or "until" against. "-00:00" (and -00, -0000) is refused: RFC 3339, the
    profile §4.5 recommends, uses it for "offset unknown", and the conformance suite refuses it.
    """
    match = _TIMESTAMP.fullmatch(string(value, field))
    if match is None:
        raise StatementError(f"{show(value)} is not an ISO 8601 timestamp with a time zone", field)
    if match["zone"].replace(":", "").strip("0") == "-":
        raise StatementError("the offset -00:00 is not allowed", field)
    try:
        # In UTC too: the store compares instants, and 9999-12-31T23:00-05:00 has none.
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        raise StatementError(f"{show(value)} is not a valid date and time", field) from None


def validate_language_map(value: object, field: str) -> None:
    """Check a language map: RFC 5646 tags as keys, strings as values (§4.2)."""
    for tag, text in json_object(value, field).items():
        language_tag(tag, join(field, tag))
        string(text, join(field, tag))


# Values


def extensions(value: object, field: str) -> None:
    """§4.1: keys are IRIs; values are anything JSON, null included, and are not judged."""
    for key, extension in json_object(value, field).items():
        iri(key, join(field, key))
        json_value(extension, join(field, key))


def json_value(value: object, field: str) -> None:
    """Refuse only what JSON or the store cannot hold, walking without recursion.

    Python's json module reads NaN and Infinity, which JSON has not; PostgreSQL's jsonb refuses
    NUL characters and lone surrogates. Storing any of them would fail, not answer 400.
    """
    pending = [(value, field)]
    while pending:
        item, path = pending.pop()
        if isinstance(item, float):
            number(item, path)
        elif isinstance(item, str):
            string(item, path)
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                string(key, join(path, key))
                pending.append((child, join(path, key)))
        elif item is not None and not isinstance(item, (bool, int)):
            raise StatementError(f"{type(item).__name__} is not a JSON value", path)


def language_tag(value: object, field: str) -> None:
    """An RFC 5646 language tag (§4.2, §2.2.s4.b2)."""
    tag = string(value, field)
    if tag.lower() in _GRANDFATHERED:
        return
    match = _LANGTAG.fullmatch(tag)
    if match is None:
        raise StatementError(f"{show(tag)} is not an RFC 5646 language tag", field)
    if match["variants"] is None:  # a private use tag, "x-..."
        return
    # RFC 5646 §2.2.5-6: a variant or an extension singleton appears at most once.
    variants = match["variants"].lower().split("-")[1:]
    singletons = [part for part in match["extensions"].lower().split("-") if len(part) == 1]
    if len(set(variants)) < len(variants) or len(set(singletons)) < len(singletons):
        raise StatementError(f"{show(tag)} repeats a variant or an extension", field)


def iri(value: object, field: str) -> None:
    if not _IRI.fullmatch(string(value, field)):
        raise StatementError(f"{show(value)} is not an absolute IRI", field)


# Shapes


def array(value: object, field: str) -> list:
    if not isinstance(value, list):
        fail(value, "an array", field)
    return value


def string(value: object, field: str) -> str:
    if not isinstance(value, str):
        fail(value, "a string", field)
    if not _is_storable(value):
        raise StatementError("must not contain NUL characters or lone surrogates", field)
    return value


def _is_storable(value: str) -> bool:
    # Most strings are ASCII without NUL: two C-speed checks spare the regex, which every
    # string and key of every statement would otherwise go through.
    if value.isascii() and "\x00" not in value:
        return True
    return _UNSTORABLE.search(value) is None


def number(value: object, field: str) -> float:
    # bool is an int in Python, not a number in JSON (§2.2.s4.b1.b2).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(value, "a number", field)
    if not math.isfinite(value):
        raise StatementError("must be a finite number", field)
    return value


def fail(value: object, expected: str, field: str) -> NoReturn:
    # §2.2.s4.b1.b1: null is refused everywhere but inside extensions.
    found = "null" if value is None else json_type(value)
    raise StatementError(f"must be {expected}, not {found}", field)


def json_type(value: object) -> str:
    for kind, name in ((bool, "a boolean"), ((int, float), "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return {list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def join(field: str, key: object) -> str:
    return f"{field}.{key}" if field else str(key)


def show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def json_object(value: object, field: str) -> dict:
    """A JSON object whose keys are storable strings."""
    if not isinstance(value, dict):
        fail(value, "an object", field)
    for key in value:
        # The field path is only built for the error.
        if not isinstance(key, str) or not _is_storable(key):
            string(key, join(field, key))
    return value
