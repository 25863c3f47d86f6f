"""Actors: Agents, Groups, their identifiers, the authority (xAPI 1.0.3, Data §2.4.2, §2.4.9)."""

import re

from lms.xapi.index import IFIS
from lms.xapi.validation.shapes import properties
from lms.xapi.validation.values import (
    StatementError,
    array,
    iri,
    string,
)

# §2.4.2.3: "mailto:email address"; one "@", a non-empty local part, a domain of non-empty labels.
_MBOX = re.compile(r"mailto:[^@\s<>\"]+@[^@\s<>\"?#.]+(?:\.[^@\s<>\"?#.]+)*")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")


def check_actor(value: object, field: str) -> dict:
    """An Agent, or a Group when objectType says so (§2.4.2)."""
    actor = properties(value, field)
    object_type = actor.get("objectType", "Agent")
    if object_type == "Agent":
        check_agent(actor, field)
    elif object_type == "Group":
        check_group(actor, field)
    else:
        string(object_type, f"{field}.objectType")
        raise StatementError('must be "Agent" or "Group" (case matters)', f"{field}.objectType")
    return actor


def check_agent(value: object, field: str) -> None:
    agent = properties(value, field, "an Agent")
    if "objectType" in agent and agent["objectType"] != "Agent":
        raise StatementError('must be "Agent"', f"{field}.objectType")
    if "name" in agent:
        string(agent["name"], f"{field}.name")
    # §2.4.2.1.s2.b1-b2: exactly one inverse functional identifier.
    if not _ifis(agent, field):
        raise StatementError("an Agent needs one of mbox, mbox_sha1sum, openid or account", field)


def check_group(value: object, field: str) -> None:
    group = properties(value, field, "a Group", required=("objectType",))
    if group["objectType"] != "Group":
        raise StatementError('must be "Group"', f"{field}.objectType")
    if "name" in group:
        string(group["name"], f"{field}.name")
    identified = _ifis(group, field)
    # §2.4.2.2.s4.b1: an Anonymous Group (no identifier) is defined by its members.
    if not identified and "member" not in group:
        raise StatementError("is required in a Group without an identifier", f"{field}.member")
    if "member" in group:
        members = array(group["member"], f"{field}.member")
        if not identified and not members:
            raise StatementError("an anonymous Group needs at least one member", f"{field}.member")
        for index, member in enumerate(members):
            path = f"{field}.member[{index}]"
            # §2.4.2.2.s4.b2 and s5.b2: members are Agents, never Groups.
            if isinstance(member, dict) and member.get("objectType") == "Group":
                raise StatementError("a Group's members must be Agents", f"{path}.objectType")
            check_agent(member, path)


def _ifis(actor: dict, field: str) -> bool:
    """Check the inverse functional identifiers (§2.4.2.3); True if there is one, never two."""
    found = [key for key in IFIS if key in actor]
    if len(found) > 1:
        raise StatementError(
            f"only one inverse functional identifier is allowed, {found[0]} is already there",
            f"{field}.{found[1]}",
        )
    if "mbox" in actor and not _MBOX.fullmatch(string(actor["mbox"], f"{field}.mbox")):
        raise StatementError('must be "mailto:" and an email address', f"{field}.mbox")
    sha1sum = actor.get("mbox_sha1sum")
    if "mbox_sha1sum" in actor and not _SHA1.fullmatch(string(sha1sum, f"{field}.mbox_sha1sum")):
        raise StatementError("must be a hex-encoded SHA-1 hash", f"{field}.mbox_sha1sum")
    if "openid" in actor:
        iri(actor["openid"], f"{field}.openid")
    if "account" in actor:
        # §2.4.2.4: both homePage (an IRL) and name are required.
        account = properties(
            actor["account"], f"{field}.account", "an account", required=("homePage", "name")
        )
        iri(account["homePage"], f"{field}.account.homePage")
        string(account["name"], f"{field}.account.name")
    return bool(found)


def check_authority(value: object, field: str) -> None:
    authority = check_actor(value, field)
    # §2.4.9.s3.b1: an Agent, or for 3-legged OAuth an anonymous Group of exactly two Agents
    # (the application and the user).
    if authority.get("objectType") == "Group":
        if any(key in authority for key in IFIS):
            raise StatementError("an authority Group must be anonymous", field)
        if len(authority["member"]) != 2:
            raise StatementError("an authority Group has exactly two members", f"{field}.member")
