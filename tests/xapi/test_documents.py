"""The document resources of our LRS (state, activity profile, agent profile) and the
activities and agents resources, as an outside tool uses them over HTTP."""

import hashlib
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from lms.xapi.documents.models import XAPIDocument

V = {"X-Experience-API-Version": "1.0.3"}
ACTIVITY = "https://outil.example/activites/1"
AGENT = {"objectType": "Agent", "account": {"homePage": "https://outil.example", "name": "cam"}}
OTHER_AGENT = {"mbox": "mailto:dominique@example.org"}
REGISTRATION = "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"


@pytest.fixture
def tool(credentials):
    return credentials("state", "profile")


def state(agent: dict = AGENT, **params) -> dict:
    return {"activityId": ACTIVITY, "agent": json.dumps(agent), "stateId": "bookmark", **params}


def activity_profile(**params) -> dict:
    return {"activityId": ACTIVITY, "profileId": "settings", **params}


def agent_profile(agent: dict = AGENT, **params) -> dict:
    return {"agent": json.dumps(agent), "profileId": "preferences", **params}


def without(params: dict, name: str) -> dict:
    return {k: v for k, v in params.items() if k != name}


def send(client, method, url, params, headers, body=None, content_type="application/json"):
    data = json.dumps(body) if isinstance(body, dict | list) else body
    return client.open(
        url,
        method=method,
        query_string=params,
        headers=headers,
        data=data,
        content_type=content_type if data is not None else None,
    )


def etag_of(content: bytes) -> str:
    return f'"{hashlib.sha1(content).hexdigest()}"'  # noqa: S324 - the xAPI ETag


# The protocol: version header, credentials, scopes


def test_version_header_is_required(client, tool):
    headers = {k: v for k, v in tool.items() if k != "X-Experience-API-Version"}
    response = send(client, "GET", STATE, state(), headers)
    assert response.status_code == 400
    assert response.get_json()["field"] == "X-Experience-API-Version"
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize(
    ("url", "params"),
    [(STATE, state()), (ACTIVITY_PROFILE, activity_profile()), (AGENT_PROFILE, agent_profile())],
)
def test_credentials_and_scopes_are_enforced(client, credentials, url, params):
    assert send(client, "GET", url, params, V).status_code == 401
    statements_only = credentials("statements/write", "statements/read")
    assert send(client, "GET", url, params, statements_only).status_code == 403
    scope = "state" if url == STATE else "profile"
    other = "profile" if url == STATE else "state"
    assert send(client, "GET", url, params, credentials(other)).status_code == 403
    assert send(client, "GET", url, params, credentials(scope)).status_code == 404
    assert send(client, "GET", url, params, credentials("all")).status_code == 404


# Storing and reading one document


@pytest.mark.parametrize(
    ("url", "params"),
    [(STATE, state()), (ACTIVITY_PROFILE, activity_profile()), (AGENT_PROFILE, agent_profile())],
)
def test_put_then_get_returns_the_document_its_type_etag_and_date(client, tool, url, params):
    content = b"\x00\x01 binary \xff"
    create = {**tool, "If-None-Match": "*"}
    response = send(client, "PUT", url, params, create, content, "application/octet-stream")
    assert response.status_code == 204
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    response = send(client, "GET", url, params, tool)
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["ETag"] == etag_of(content)
    assert response.headers["Last-Modified"]
    head = send(client, "HEAD", url, params, tool)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == etag_of(content)


def test_a_missing_document_is_404(client, tool):
    response = send(client, "GET", STATE, state(stateId="nothing-here"), tool)
    assert response.status_code == 404
    assert response.get_json()["field"] == "stateId"


def test_the_agent_is_known_by_its_identifier_not_its_name(client, tool):
    send(client, "PUT", STATE, state(), tool, {"page": 3})
    renamed = {**AGENT, "name": "Camille"}
    del renamed["objectType"]
    assert send(client, "GET", STATE, state(agent=renamed), tool).get_json() == {"page": 3}
    assert send(client, "GET", STATE, state(agent=OTHER_AGENT), tool).status_code == 404


def test_registration_separates_state_documents(client, tool):
    send(client, "PUT", STATE, state(), tool, {"page": 1})
    send(client, "PUT", STATE, state(registration=REGISTRATION.upper()), tool, {"page": 2})
    assert send(client, "GET", STATE, state(), tool).get_json() == {"page": 1}
    registered = send(client, "GET", STATE, state(registration=REGISTRATION), tool)
    assert registered.get_json() == {"page": 2}


def test_put_replaces_a_state_document_without_concurrency_headers(client, tool):
    send(client, "PUT", STATE, state(), tool, {"page": 1, "zoom": 2})
    assert send(client, "PUT", STATE, state(), tool, {"page": 5}).status_code == 204
    assert send(client, "GET", STATE, state(), tool).get_json() == {"page": 5}


@pytest.mark.parametrize(
    ("url", "params", "id_param"),
    [
        (STATE, state(), "stateId"),
        (ACTIVITY_PROFILE, activity_profile(), "profileId"),
        (AGENT_PROFILE, agent_profile(), "profileId"),
    ],
)
def test_delete_one_document(client, tool, url, params, id_param):
    send(client, "POST", url, params, tool, {"a": 1})
    assert send(client, "DELETE", url, params, tool).status_code == 204
    assert send(client, "GET", url, params, tool).status_code == 404
    # Deleting what is not there is no error: the outcome is the same.
    assert send(client, "DELETE", url, params, tool).status_code == 204


# Concurrency (§3.1)


def test_profile_put_needs_a_concurrency_header(client, tool):
    response = send(client, "PUT", ACTIVITY_PROFILE, activity_profile(), tool, {"v": 1})
    assert response.status_code == 400
    assert send(client, "GET", ACTIVITY_PROFILE, activity_profile(), tool).status_code == 404
    create = {**tool, "If-None-Match": "*"}
    assert (
        send(client, "PUT", ACTIVITY_PROFILE, activity_profile(), create, {"v": 1}).status_code
        == 204
    )
    response = send(client, "PUT", ACTIVITY_PROFILE, activity_profile(), tool, {"v": 2})
    assert response.status_code == 409
    assert "If-Match" in response.get_json()["error"]
    stored = send(client, "GET", ACTIVITY_PROFILE, activity_profile(), tool)
    assert stored.get_json() == {"v": 1}


def test_if_none_match_star_refuses_to_overwrite(client, tool):
    create = {**tool, "If-None-Match": "*"}
    assert send(client, "PUT", AGENT_PROFILE, agent_profile(), create, {"v": 1}).status_code == 204
    response = send(client, "PUT", AGENT_PROFILE, agent_profile(), create, {"v": 2})
    assert response.status_code == 412
    assert response.get_json()["field"] == "If-None-Match"
    assert send(client, "POST", AGENT_PROFILE, agent_profile(), create, {"w": 2}).status_code == 412
    assert send(client, "GET", AGENT_PROFILE, agent_profile(), tool).get_json() == {"v": 1}


def test_if_match_replaces_only_the_version_the_client_has_seen(client, tool):
    send(client, "POST", AGENT_PROFILE, agent_profile(), tool, {"v": 1})
    seen = send(client, "GET", AGENT_PROFILE, agent_profile(), tool).headers["ETag"]
    stale = '"1111111111111111111111111111111111111111"'
    for method in ("PUT", "POST", "DELETE"):
        response = send(
            client, method, AGENT_PROFILE, agent_profile(), {**tool, "If-Match": stale}, {"v": 9}
        )
        assert response.status_code == 412, method
    assert send(client, "GET", AGENT_PROFILE, agent_profile(), tool).get_json() == {"v": 1}
    response = send(
        client, "PUT", AGENT_PROFILE, agent_profile(), {**tool, "If-Match": seen}, {"v": 2}
    )
    assert response.status_code == 204
    # The ETag changed with the content: the old one no longer matches.
    response = send(
        client, "PUT", AGENT_PROFILE, agent_profile(), {**tool, "If-Match": seen}, {"v": 3}
    )
    assert response.status_code == 412
    current = send(client, "GET", AGENT_PROFILE, agent_profile(), tool)
    assert current.get_json() == {"v": 2}
    assert current.headers["ETag"] != seen


def test_if_match_on_a_missing_document_fails(client, tool):
    headers = {**tool, "If-Match": "*"}
    assert send(client, "PUT", STATE, state(), headers, {"v": 1}).status_code == 412
    assert send(client, "GET", STATE, state(), tool).status_code == 404


# POST: the JSON merge (§2.2)


def test_post_merges_top_level_properties(client, tool):
    assert send(client, "POST", STATE, state(), tool, {"a": 1, "b": {"x": 1}}).status_code == 204
    first = send(client, "GET", STATE, state(), tool).headers["ETag"]
    assert send(client, "POST", STATE, state(), tool, {"b": {"y": 2}, "c": 3}).status_code == 204
    merged = send(client, "GET", STATE, state(), tool)
    assert merged.get_json() == {"a": 1, "b": {"y": 2}, "c": 3}
    assert merged.headers["ETag"] == etag_of(merged.data) != first


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ("abc", "text/plain", "Content-Type"),
        ("abc", "application/x-www-form-urlencoded", "Content-Type"),
        ('{"a": 1}{', "application/json", "body"),
        ("[1, 2]", "application/json", "body"),
        ('{"a": NaN}', "application/json", "body"),
        ("", "application/json", "body"),
    ],
)
def test_post_refuses_what_is_not_a_json_object(client, tool, body, content_type, field):
    send(client, "POST", STATE, state(), tool, {"a": 1})
    response = send(client, "POST", STATE, state(), tool, body, content_type)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert send(client, "GET", STATE, state(), tool).get_json() == {"a": 1}
    # Nor is it stored as a new document.
    new = state(stateId="new")
    assert send(client, "POST", STATE, new, tool, body, content_type).status_code == 400
    assert send(client, "GET", STATE, new, tool).status_code == 404


def test_post_refuses_to_merge_into_a_document_that_is_not_json(client, tool):
    create = {**tool, "If-None-Match": "*"}
    send(client, "PUT", ACTIVITY_PROFILE, activity_profile(), create, "/ asdf /", "text/plain")
    response = send(client, "POST", ACTIVITY_PROFILE, activity_profile(), tool, {"a": 1})
    assert response.status_code == 400
    stored = send(client, "GET", ACTIVITY_PROFILE, activity_profile(), tool)
    assert stored.data == b"/ asdf /"
    assert stored.headers["Content-Type"] == "text/plain"


def test_post_of_a_new_document_stores_it(client, tool):
    assert send(client, "POST", AGENT_PROFILE, agent_profile(), tool, {"x": "é"}).status_code == 204
    response = send(client, "GET", AGENT_PROFILE, agent_profile(), tool)
    assert response.get_json() == {"x": "é"}
    assert response.headers["Content-Type"] == "application/json"


# Lists of ids, since, delete-all


def test_list_of_state_ids_with_since(client, tool, db_session):
    for state_id in ("old", "new"):
        send(client, "PUT", STATE, state(stateId=state_id), tool, {"id": state_id})
    send(client, "PUT", STATE, state(stateId="elsewhere", agent=OTHER_AGENT), tool, {})
    db_session.execute(
        sa.update(XAPIDocument)
        .where(XAPIDocument.document_id == "old")
        .values(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    db_session.commit()
    listing = without(state(), "stateId")
    response = send(client, "GET", STATE, listing, tool)
    assert response.status_code == 200
    assert response.get_json() == ["old", "new"]
    assert response.headers["Last-Modified"]
    recent = {**listing, "since": "2021-06-01T00:00:00+02:00"}
    assert send(client, "GET", STATE, recent, tool).get_json() == ["new"]
    future = {**listing, "since": "2999-01-01T00:00:00Z"}
    assert send(client, "GET", STATE, future, tool).get_json() == []


def test_profile_lists(client, tool):
    create = {**tool, "If-None-Match": "*"}
    for profile_id in ("a", "b"):
        send(client, "PUT", ACTIVITY_PROFILE, activity_profile(profileId=profile_id), create, {})
        send(client, "PUT", AGENT_PROFILE, agent_profile(profileId=profile_id), create, {})
    other = {"activityId": "https://outil.example/activites/2", "profileId": "c"}
    send(client, "PUT", ACTIVITY_PROFILE, other, create, {})
    listed = send(client, "GET", ACTIVITY_PROFILE, {"activityId": ACTIVITY}, tool).get_json()
    assert sorted(listed) == ["a", "b"]
    listed = send(client, "GET", AGENT_PROFILE, {"agent": json.dumps(AGENT)}, tool).get_json()
    assert sorted(listed) == ["a", "b"]


def test_delete_all_state_of_an_activity_and_agent(client, tool):
    send(client, "PUT", STATE, state(stateId="one"), tool, {})
    send(client, "PUT", STATE, state(stateId="two", registration=REGISTRATION), tool, {})
    send(client, "PUT", STATE, state(stateId="mine", agent=OTHER_AGENT), tool, {})
    listing = without(state(), "stateId")
    assert sorted(send(client, "GET", STATE, listing, tool).get_json()) == ["one", "two"]
    registered = {**listing, "registration": REGISTRATION}
    assert send(client, "DELETE", STATE, registered, tool).status_code == 204
    assert send(client, "GET", STATE, listing, tool).get_json() == ["one"]
    assert send(client, "DELETE", STATE, listing, tool).status_code == 204
    assert send(client, "GET", STATE, listing, tool).get_json() == []
    other = without(state(agent=OTHER_AGENT), "stateId")
    assert send(client, "GET", STATE, other, tool).get_json() == ["mine"]


# Parameters


@pytest.mark.parametrize(
    ("method", "url", "params", "missing"),
    [
        *[(m, STATE, state(), p) for m in ("GET", "DELETE") for p in ("activityId", "agent")],
        *[
            (m, STATE, state(), p)
            for m in ("PUT", "POST")
            for p in ("activityId", "agent", "stateId")
        ],
        *[
            (m, ACTIVITY_PROFILE, activity_profile(), "activityId")
            for m in ("GET", "PUT", "POST", "DELETE")
        ],
        *[
            (m, ACTIVITY_PROFILE, activity_profile(), "profileId")
            for m in ("PUT", "POST", "DELETE")
        ],
        *[(m, AGENT_PROFILE, agent_profile(), "agent") for m in ("GET", "PUT", "POST", "DELETE")],
        *[(m, AGENT_PROFILE, agent_profile(), "profileId") for m in ("PUT", "POST", "DELETE")],
    ],
)
def test_a_missing_required_parameter_is_named(client, tool, method, url, params, missing):
    headers = {**tool, "If-None-Match": "*"}
    response = send(client, method, url, without(params, missing), headers, {"a": 1})
    assert response.status_code == 400
    assert response.get_json()["field"] == missing


@pytest.mark.parametrize(
    ("method", "params", "field"),
    [
        ("GET", state(activityId="not an iri"), "activityId"),
        ("GET", {**state(), "agent": "not json"}, "agent"),
        ("GET", {**state(), "agent": "true"}, "agent"),
        ("GET", state(agent={"name": "no identifier"}), "agent"),
        ("PUT", state(agent={"mbox": "camille@example.org"}), "agent.mbox"),
        (
            "PUT",
            state(agent={"objectType": "Group", "mbox": "mailto:team@example.org"}),
            "agent.objectType",
        ),
        ("POST", state(registration="true"), "registration"),
        ("DELETE", state(registration="123"), "registration"),
        ("GET", without(state(since="yesterday"), "stateId"), "since"),
        ("GET", without(state(since="2024-01-01T10:00:00"), "stateId"), "since"),
        ("DELETE", without(state(since="2024-01-01T10:00:00Z"), "stateId"), "since"),
        ("GET", state(StateId="x"), "StateId"),
        ("PUT", state(stateId=""), "stateId"),
        ("PUT", state(stateId="a\x00b"), "stateId"),
    ],
)
def test_malformed_parameters_are_400_with_the_field(client, tool, method, params, field):
    response = send(client, method, STATE, params, tool, {"a": 1})
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert send(client, "GET", STATE, state(), tool).status_code == 404


def test_a_repeated_parameter_is_refused(client, tool):
    query = urlencode([*state().items(), ("stateId", "other")])
    response = client.get(f"{STATE}?{query}", headers=tool)
    assert response.status_code == 400
    assert response.get_json()["field"] == "stateId"
    assert "more than once" in response.get_json()["error"]


# The agents and activities resources


def test_agents_returns_a_person(client, tool):
    agent = {"objectType": "Agent", "name": "Camille", "mbox": "mailto:camille@example.org"}
    response = client.get("/xapi/agents", query_string={"agent": json.dumps(agent)}, headers=tool)
    assert response.status_code == 200
    assert response.get_json() == {
        "objectType": "Person",
        "name": ["Camille"],
        "mbox": ["mailto:camille@example.org"],
    }
    response = client.get("/xapi/agents", query_string={"agent": json.dumps(AGENT)}, headers=tool)
    assert response.get_json() == {"objectType": "Person", "account": [AGENT["account"]]}


@pytest.mark.parametrize(
    "query",
    [{}, {"agent": "{}"}, {"agent": json.dumps({"objectType": "Group", "member": [AGENT]})}],
)
def test_agents_refuses_what_is_not_an_agent(client, tool, query):
    assert client.get("/xapi/agents", query_string=query, headers=tool).status_code == 400


def test_activities_returns_the_definition_gathered_from_statements(client, credentials):
    writer = credentials("statements/write", "statements/read")

    def post(definition):
        statement = {
            "actor": {"mbox": "mailto:camille@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"objectType": "Activity", "id": ACTIVITY, "definition": definition},
        }
        response = client.post(
            "/xapi/statements",
            data=json.dumps(statement),
            headers=writer,
            content_type="application/json",
        )
        assert response.status_code == 200

    post({"name": {"en-US": "meeting"}, "type": "http://adlnet.gov/expapi/activities/meeting"})
    post({"name": {"fr-FR": "réunion"}})
    response = client.get("/xapi/activities", query_string={"activityId": ACTIVITY}, headers=writer)
    assert response.status_code == 200
    assert response.get_json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"en-US": "meeting", "fr-FR": "réunion"},
            "type": "http://adlnet.gov/expapi/activities/meeting",
        },
    }
    unknown = {"activityId": "https://outil.example/jamais-vu"}
    response = client.get("/xapi/activities", query_string=unknown, headers=writer)
    assert response.get_json() == {"objectType": "Activity", "id": unknown["activityId"]}
    assert client.get("/xapi/activities", headers=writer).status_code == 400
    bad = {"activityId": "no scheme"}
    assert client.get("/xapi/activities", query_string=bad, headers=writer).status_code == 400
    only_write = credentials("statements/write")
    response = client.get(
        "/xapi/activities", query_string={"activityId": ACTIVITY}, headers=only_write
    )
    assert response.status_code == 403
