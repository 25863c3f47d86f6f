"""What a statement involves, for the query filters: agents and activities, direct or
related (xAPI 1.0.3 Communication §2.1.3, `agent`, `activity`, `related_*`)."""

from collections.abc import Iterator

# The inverse functional identifiers: each identifies an agent on its own (xAPI §2.4.2.3).
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_key(agent: dict) -> str:
    """One string per agent identity, whatever inverse functional identifier it uses."""
    if "account" in agent and isinstance(agent["account"], dict):
        account = agent["account"]
        return f"account:{account.get('homePage')}|{account.get('name')}"
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if ifi in agent:
            return f"{ifi}:{agent[ifi]}"
    return "anonymous-group"


def involved_agents(statement: dict) -> Iterator[tuple[str, bool]]:
    """(agent key, is_direct) for the actor, object, instructor, team, authority and
    those of a sub-statement; an anonymous group counts by its members."""
    yield from _agents(statement.get("actor"), direct=True)
    target = statement.get("object") or {}
    if target.get("objectType") in {"Agent", "Group"}:
        yield from _agents(target, direct=True)
    context = statement.get("context") or {}
    for key in ("instructor", "team"):
        yield from _agents(context.get(key), direct=False)
    yield from _agents(statement.get("authority"), direct=False)
    if target.get("objectType") == "SubStatement":
        for key, _direct in involved_agents({**target, "authority": None}):
            yield key, False


def _agents(agent: object, *, direct: bool) -> Iterator[tuple[str, bool]]:
    if not isinstance(agent, dict):
        return
    if any(ifi in agent for ifi in IFIS):
        yield agent_key(agent), direct
    for member in agent.get("member") or []:
        if isinstance(member, dict) and any(ifi in member for ifi in IFIS):
            yield agent_key(member), direct and not any(ifi in agent for ifi in IFIS)


def involved_activities(statement: dict) -> Iterator[tuple[str, bool]]:
    """(activity id, is_direct): the object, context activities, and a sub-statement's."""
    target = statement.get("object") or {}
    if target.get("objectType", "Activity") == "Activity" and "id" in target:
        yield str(target["id"]), True
    context = statement.get("context") or {}
    for values in (context.get("contextActivities") or {}).values():
        for activity in values if isinstance(values, list) else [values]:
            if isinstance(activity, dict) and "id" in activity:
                yield str(activity["id"]), False
    if target.get("objectType") == "SubStatement":
        for activity_id, _direct in involved_activities(target):
            yield activity_id, False
