"""Property: no body, parameter or header makes the statement API answer 500, and a
refused request stores nothing."""

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.xapi.models import Statement

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
VALID = {
    "actor": {"mbox": "mailto:fuzz@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "https://outil.example/fuzz"},
}
KEYS = st.sampled_from(
    [
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "id",
        "attachments",
        "authority",
        "version",
        "stored",
    ]
)
PARAMETERS = st.sampled_from(
    [
        "agent",
        "verb",
        "activity",
        "registration",
        "since",
        "until",
        "limit",
        "format",
        "ascending",
        "related_agents",
        "related_activities",
        "statementId",
        "voidedStatementId",
        "attachments",
        "cursor",
        "Verb",
    ]
)
# What an HTTP client can put in a header at all: printable ASCII, no line breaks.
HEADER_TEXT = st.characters(min_codepoint=32, max_codepoint=126)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _count(db_session) -> int:
    return db_session.scalar(sa.select(sa.func.count()).select_from(Statement))


@SETTINGS
@given(mutation=st.dictionaries(KEYS, JSON, max_size=3))
def test_mutated_statements_never_500(client, credentials, db_session, mutation):
    headers = credentials("statements/write")
    before = _count(db_session)
    response = client.post(
        "/xapi/statements",
        data=json.dumps({**VALID, **mutation}),
        headers=headers,
        content_type="application/json",
    )
    assert response.status_code in {200, 400, 409}, response.get_data(as_text=True)
    if response.status_code != 200:
        assert "error" in response.get_json()
        assert _count(db_session) == before


@SETTINGS
@given(body=st.one_of(JSON, st.binary(max_size=64)))
def test_arbitrary_bodies_never_500(client, credentials, body):
    headers = credentials("statements/write")
    data = body if isinstance(body, bytes) else json.dumps(body)
    response = client.post(
        "/xapi/statements", data=data, headers=headers, content_type="application/json"
    )
    assert response.status_code in {200, 400}


@SETTINGS
@given(query=st.dictionaries(PARAMETERS, st.text(max_size=30), max_size=4))
def test_arbitrary_query_parameters_never_500(client, credentials, query):
    headers = credentials("statements/read")
    response = client.get("/xapi/statements", query_string=query, headers=headers)
    assert response.status_code in {200, 400, 404}, response.get_data(as_text=True)
    assert response.is_json


@SETTINGS
@given(version=st.text(HEADER_TEXT, max_size=12), authorization=st.text(HEADER_TEXT, max_size=40))
def test_arbitrary_headers_never_500(client, version, authorization):
    response = client.get(
        "/xapi/statements",
        headers={"X-Experience-API-Version": version, "Authorization": authorization},
    )
    assert response.status_code in {400, 401}
