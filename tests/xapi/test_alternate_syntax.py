"""The Alternate Request Syntax of our LRS (xAPI 1.0.3 Communication §1.3): a tool that
can only send form POSTs reaches every resource, headers and body in the form."""

import json
import uuid

import pytest

from lms.xapi.documents.models import XAPIDocument

ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITY = "https://outil.example/activites/1"
AGENT = {"objectType": "Agent", "account": {"homePage": "https://outil.example", "name": "cam"}}


@pytest.fixture
def tool(credentials):
    return credentials("statements/write", "statements/read", "state", "profile")


def statement(**overrides) -> dict:
    body = {
        "actor": {"mbox": "mailto:camille@example.org", "objectType": "Agent"},
        "verb": {"id": ADL + "experienced", "display": {"fr-FR": "a lu"}},
        "object": {"id": ACTIVITY, "objectType": "Activity"},
    }
    body.update(overrides)
    return body


def alternate(client, url, method, form, query=None, headers=None):
    """POST `url`?method=`method`, the form carrying headers, parameters and content."""
    return client.post(
        url, query_string={"method": method, **(query or {})}, data=form, headers=headers
    )


def test_a_statement_is_put_then_read_through_form_posts(client, tool):
    statement_id = str(uuid.uuid4())
    form = {**tool, "statementId": statement_id, "content": json.dumps(statement())}
    form["Content-Type"] = "application/json"
    response = alternate(client, "/xapi/statements", "PUT", form)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.headers["X-Experience-API-Version"] == "1.0.3"

    response = alternate(client, "/xapi/statements", "GET", {**tool, "statementId": statement_id})
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = response.get_json()
    assert stored["id"] == statement_id
    assert stored["verb"]["id"] == ADL + "experienced"


def test_headers_may_also_come_as_real_headers(client, tool):
    # The conformance suite's GET sends its credentials as headers and only `limit` in the form.
    for _ in range(2):
        body = {"content": json.dumps(statement())}
        assert alternate(client, "/xapi/statements", "POST", body, headers=tool).status_code == 200
    response = alternate(client, "/xapi/statements", "GET", {"limit": "1"}, headers=tool)
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert len(result["statements"]) == 1
    assert "more" in result


def test_form_headers_win_over_real_ones(client, tool):
    form = {"X-Experience-API-Version": "0.8", "statementId": str(uuid.uuid4())}
    form["content"] = json.dumps(statement())
    response = alternate(client, "/xapi/statements", "PUT", form, headers=tool)
    assert response.status_code == 400
    assert response.get_json()["field"] == "X-Experience-API-Version"


def test_a_document_is_put_and_deleted_through_form_posts(client, tool, db_session):
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark"}
    form = {**tool, **params, "Content-Type": "application/json", "content": '{"page": 3}'}
    response = alternate(client, "/xapi/activities/state", "PUT", form)
    assert response.status_code == 204, response.get_data(as_text=True)
    document = db_session.query(XAPIDocument).one()
    assert json.loads(document.content) == {"page": 3}
    assert document.content_type == "application/json"

    response = alternate(client, "/xapi/activities/state", "GET", {**tool, **params})
    assert response.status_code == 200
    assert response.get_json() == {"page": 3}

    response = alternate(client, "/xapi/activities/state", "DELETE", {**tool, **params})
    assert response.status_code == 204
    assert db_session.query(XAPIDocument).count() == 0


def test_profile_concurrency_headers_come_from_the_form(client, tool):
    params = {"activityId": ACTIVITY, "profileId": "settings"}
    form = {**tool, **params, "Content-Type": "application/json", "content": '{"a": 1}'}
    # A profile PUT needs If-Match or If-None-Match (Communication §3.1).
    assert alternate(client, "/xapi/activities/profile", "PUT", form).status_code in {400, 409}
    form["If-None-Match"] = "*"
    response = alternate(client, "/xapi/activities/profile", "PUT", form)
    assert response.status_code == 204, response.get_data(as_text=True)


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["field"] == field
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_an_unknown_method_is_refused(client, tool):
    _refused(alternate(client, "/xapi/statements", "PATCH", {**tool}), "method")


def test_other_query_parameters_are_refused(client, tool):
    statement_id = str(uuid.uuid4())
    form = {**tool, "statementId": statement_id, "content": json.dumps(statement())}
    response = alternate(client, "/xapi/statements", "PUT", form, query={"statementId": "x"})
    _refused(response, "statementId")


def test_a_body_not_form_encoded_is_refused(client, tool):
    form = {"statementId": str(uuid.uuid4()), "content": json.dumps(statement())}
    response = client.post(
        "/xapi/statements?method=PUT",
        data=json.dumps(form),
        headers=tool,
        content_type="application/json",
    )
    _refused(response, "Content-Type")
    response = client.post("/xapi/statements?method=PUT", headers=tool)  # no body at all
    _refused(response, "Content-Type")


def test_the_alternate_syntax_is_only_issued_as_a_post(client, tool):
    form = {"content": json.dumps(statement())}
    response = client.put("/xapi/statements", query_string={"method": "POST"}, data=form)
    _refused(response, "method")


def test_a_form_without_content_is_refused_by_the_resource(client, tool):
    response = alternate(client, "/xapi/statements", "PUT", {**tool, "statementId": uuid.uuid4()})
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"


def test_other_paths_are_left_alone(client):
    # Outside the LRS, a `method` parameter means nothing special.
    response = client.post("/xapi-nothing?method=GET", data={"a": "b"})
    assert response.status_code == 404
