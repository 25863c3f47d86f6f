"""The statement resource of our LRS, as an outside tool uses it over HTTP."""

import base64
import json
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.progress.models import ModuleProgress
from lms.xapi.forwarding.models import ForwardingItem
from lms.xapi.models import Statement
from tests.learning.helpers import enroll, module_url, read

ADL = "http://adlnet.gov/expapi/verbs/"
V = {"X-Experience-API-Version": "1.0.3"}
# Our activity ids, as an outside tool configured for this platform knows them.
QUIZ_IRI = "https://parcours.test/xapi/activities/parcours/{parcours}/modules/{module}/quiz"


@pytest.fixture
def writer(credentials):
    return credentials("statements/write", "statements/read/mine")


def statement(**overrides) -> dict:
    body = {
        "actor": {"mbox": "mailto:camille@example.org", "objectType": "Agent"},
        "verb": {"id": ADL + "experienced", "display": {"fr-FR": "a lu"}},
        "object": {"id": "https://outil.example/activites/1", "objectType": "Activity"},
    }
    body.update(overrides)
    return body


def post(client, headers, body):
    return client.post(
        "/xapi/statements", data=json.dumps(body), headers=headers, content_type="application/json"
    )


def test_about_needs_no_version_nor_credentials(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.get_json()["version"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_version_header_is_required(client, writer):
    headers = {k: v for k, v in writer.items() if k != "X-Experience-API-Version"}
    response = post(client, headers, statement())
    assert response.status_code == 400
    assert response.get_json()["field"] == "X-Experience-API-Version"
    response = post(client, {**writer, "X-Experience-API-Version": "2.0.0"}, statement())
    assert response.status_code == 400


def test_credentials_and_scopes_are_enforced(client, credentials):
    assert post(client, V, statement()).status_code == 401
    bad = {**V, "Authorization": "Basic " + base64.b64encode(b"nobody:nothing").decode()}
    response = post(client, bad, statement())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    reader = credentials("statements/read")
    assert post(client, reader, statement()).status_code == 403
    writer_only = credentials("statements/write")
    assert client.get("/xapi/statements", headers=writer_only).status_code == 403


def test_post_stores_with_the_client_as_authority_and_reads_back(client, writer, db_session):
    response = post(client, writer, statement())
    assert response.status_code == 200
    [statement_id] = response.get_json()
    uuid.UUID(statement_id)
    response = client.get(
        "/xapi/statements", query_string={"statementId": statement_id}, headers=writer
    )
    assert response.status_code == 200
    stored = response.get_json()
    assert stored["id"] == statement_id
    assert stored["authority"]["account"]["homePage"] == "https://parcours.test/xapi/clients"
    assert stored["stored"]
    assert stored["version"].startswith("1.0")
    assert "X-Experience-API-Consistent-Through" in response.headers


@pytest.mark.parametrize("offset", ["+18:00", "-23:59", "+05:30", "Z"])
def test_a_timestamp_keeps_its_offset_and_is_stored_as_its_instant(
    client, writer, db_session, offset
):
    # xAPI allows any offset up to ±23:59; PostgreSQL reads ±15:59 at most as text.
    sent = f"2026-11-29T10:00:00.250{offset}"
    response = post(client, writer, statement(timestamp=sent))
    assert response.status_code == 200
    [statement_id] = response.get_json()

    stored = db_session.scalar(sa.select(Statement).where(Statement.id == statement_id))
    assert stored.payload["timestamp"] == sent
    assert stored.timestamp == datetime.fromisoformat(sent.replace("Z", "+00:00"))
    assert stored.timestamp.utcoffset() is not None


def test_put_same_id_same_content_changes_nothing_other_content_conflicts(
    client, writer, db_session
):
    statement_id = str(uuid.uuid4())
    url = f"/xapi/statements?statementId={statement_id}"
    body = json.dumps(statement())
    assert (
        client.put(url, data=body, headers=writer, content_type="application/json").status_code
        == 204
    )
    assert (
        client.put(url, data=body, headers=writer, content_type="application/json").status_code
        == 204
    )
    other = json.dumps(statement(verb={"id": ADL + "completed"}))
    assert (
        client.put(url, data=other, headers=writer, content_type="application/json").status_code
        == 409
    )
    count = db_session.scalar(
        sa.select(sa.func.count()).select_from(Statement).where(Statement.id == statement_id)
    )
    assert count == 1


def test_batch_is_all_or_nothing(client, writer, db_session):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))
    good = statement()
    bad = statement(actor={"mbox": "camille@example.org"})  # not a mailto: IRI
    response = post(client, writer, [good, good, bad])
    assert response.status_code == 400
    assert response.get_json()["field"].startswith("[2].actor")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Statement)) == before


@pytest.mark.parametrize(
    "body",
    ["", "not json", "[]", "{}", '{"actor": 1}', "[1, 2]", json.dumps([{"verb": {}}])],
)
def test_malformed_bodies_are_400_with_a_reason(client, writer, body):
    response = client.post(
        "/xapi/statements", data=body, headers=writer, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_list_filters_and_pages(client, writer):
    verb = ADL + "attempted"
    for n in range(5):
        post(client, writer, statement(verb={"id": verb}, object={"id": f"https://x.example/{n}"}))
    response = client.get(
        "/xapi/statements", query_string={"verb": verb, "limit": "2"}, headers=writer
    )
    page_one = response.get_json()
    assert len(page_one["statements"]) == 2
    assert page_one["more"].startswith("/xapi/statements?")
    seen = [s["object"]["id"] for s in page_one["statements"]]
    while page_one["more"]:
        page_one = client.get(page_one["more"], headers=writer).get_json()
        seen += [s["object"]["id"] for s in page_one["statements"]]
    assert seen == [f"https://x.example/{n}" for n in reversed(range(5))]


def test_read_mine_sees_only_its_own_statements(client, credentials):
    first = credentials("statements/write", "statements/read/mine")
    second = credentials("statements/write", "statements/read/mine")
    [mine] = post(client, first, statement()).get_json()
    [theirs] = post(client, second, statement()).get_json()
    listed = client.get("/xapi/statements", headers=first).get_json()["statements"]
    assert [s["id"] for s in listed] == [mine]
    assert (
        client.get(
            "/xapi/statements", query_string={"statementId": theirs}, headers=first
        ).status_code
        == 404
    )


def test_an_outside_quiz_result_completes_our_module_and_voiding_undoes_it(
    app, client, login, make_user, seed, writer, db_session
):
    user = make_user()
    login(user)
    enroll(client, seed)
    first, second = seed.levels[0].modules[:2]
    read(client, seed, first)
    actor = {"account": {"homePage": app.config["LMS_BASE_URL"], "name": user.public_id}}
    passed = statement(
        actor=actor,
        verb={"id": ADL + "passed"},
        object={"id": QUIZ_IRI.format(parcours=seed.slug, module=first.slug)},
        result={"success": True, "score": {"scaled": 0.9}},
    )
    [passed_id] = post(client, writer, passed).get_json()
    assert client.get(module_url(seed, second)).status_code == 200
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.completed_at is not None

    voiding = statement(
        actor=actor,
        verb={"id": ADL + "voided"},
        object={"objectType": "StatementRef", "id": passed_id},
    )
    assert post(client, writer, voiding).status_code == 200
    assert client.get(module_url(seed, second)).status_code == 403
    db_session.expire_all()
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.completed_at is None
    assert progress.quiz_passed_at is None
    voided = client.get(
        "/xapi/statements", query_string={"voidedStatementId": passed_id}, headers=writer
    )
    assert voided.status_code == 200
    missing = client.get(
        "/xapi/statements", query_string={"statementId": passed_id}, headers=writer
    )
    assert missing.status_code == 404
    assert "X-Experience-API-Consistent-Through" in missing.headers


@pytest.mark.parametrize("body", ["[" * 100000, '{"actor": NaN}', "\ud800"])
def test_pathological_bodies_are_400_not_500(client, writer, body):
    response = client.post(
        "/xapi/statements",
        data=body.encode("utf-8", "surrogatepass"),
        headers=writer,
        content_type="application/json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("parameter", ["statementid", "Verb", "page", "related_agents"])
def test_unknown_or_miscased_parameters_are_refused(client, writer, parameter):
    response = client.get("/xapi/statements", query_string={parameter: "x"}, headers=writer)
    assert response.status_code == 400
    assert response.get_json()["field"] == parameter
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_a_single_context_activity_comes_back_as_a_list(client, writer):
    parent = {"id": "https://outil.example/parcours", "objectType": "Activity"}
    body = statement(context={"contextActivities": {"parent": parent}})
    [statement_id] = post(client, writer, body).get_json()
    stored = client.get(
        "/xapi/statements", query_string={"statementId": statement_id}, headers=writer
    ).get_json()
    assert stored["context"]["contextActivities"]["parent"] == [parent]


def test_resending_a_statement_with_a_single_context_activity_is_no_change(client, writer):
    body = statement(
        id=str(uuid.uuid4()),
        context={"contextActivities": {"grouping": {"id": "https://outil.example/g"}}},
    )
    assert post(client, writer, body).status_code == 200
    assert post(client, writer, body).status_code == 200


def _rich_statement() -> dict:
    return statement(
        id=str(uuid.uuid4()),
        actor={"mbox": "mailto:camille@example.org", "name": "Camille", "objectType": "Agent"},
        verb={"id": ADL + "experienced", "display": {"fr-FR": "a lu", "en-US": "experienced"}},
        object={
            "id": "https://outil.example/a",
            "definition": {
                "name": {"fr-FR": "Module", "en-US": "Module (en)"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
    )


def test_format_ids_keeps_only_identifiers(client, writer):
    body = _rich_statement()
    post(client, writer, body)
    got = client.get(
        "/xapi/statements",
        query_string={"statementId": body["id"], "format": "ids"},
        headers=writer,
    ).get_json()
    assert got["actor"] == {"mbox": "mailto:camille@example.org", "objectType": "Agent"}
    assert got["verb"] == {"id": ADL + "experienced"}
    assert got["object"] == {"id": "https://outil.example/a"}


def test_format_canonical_keeps_the_readers_language(client, writer):
    body = _rich_statement()
    post(client, writer, body)
    query = {"statementId": body["id"], "format": "canonical"}
    english = client.get(
        "/xapi/statements", query_string=query, headers={**writer, "Accept-Language": "en-GB"}
    ).get_json()
    assert english["verb"]["display"] == {"en-US": "experienced"}
    assert english["object"]["definition"]["name"] == {"en-US": "Module (en)"}
    french = client.get(
        "/xapi/statements", query_string=query, headers={**writer, "Accept-Language": "fr"}
    ).get_json()
    assert french["verb"]["display"] == {"fr-FR": "a lu"}
    exact = client.get("/xapi/statements", query_string={"statementId": body["id"]}, headers=writer)
    assert len(exact.get_json()["verb"]["display"]) == 2
    bad = client.get("/xapi/statements", query_string={**query, "format": "short"}, headers=writer)
    assert bad.status_code == 400


def test_agent_and_activity_filters_direct_and_related(client, writer):
    camille = {"mbox": "mailto:camille@example.org"}
    formatrice = {"mbox": "mailto:formatrice@example.org"}
    parent = {"id": "https://outil.example/parcours"}
    by_camille = statement(
        actor=camille, context={"instructor": formatrice, "contextActivities": {"parent": [parent]}}
    )
    about_camille = statement(actor=formatrice, object={**camille, "objectType": "Agent"})
    [first] = post(client, writer, by_camille).get_json()
    [second] = post(client, writer, about_camille).get_json()

    def ids(**query) -> list[str]:
        body = client.get("/xapi/statements", query_string=query, headers=writer).get_json()
        return sorted(s["id"] for s in body["statements"])

    # The plain agent filter matches the actor, and an agent that is the object.
    assert ids(agent=json.dumps(camille)) == sorted([first, second])
    assert ids(agent=json.dumps(formatrice)) == [second]
    assert ids(agent=json.dumps(formatrice), related_agents="true") == sorted([first, second])
    assert ids(activity=parent["id"]) == []
    assert ids(activity=parent["id"], related_activities="true") == [first]
    assert ids(activity="https://outil.example/activites/1") == [first]
    response = client.get(
        "/xapi/statements", query_string={"related_agents": "yes"}, headers=writer
    )
    assert response.status_code == 400


def test_statements_targeting_a_voided_match_still_come_back(client, writer):
    verb = "https://outil.example/verbes/commente"
    target = statement(id=str(uuid.uuid4()), verb={"id": verb})
    post(client, writer, target)
    [voiding] = post(
        client,
        writer,
        statement(
            verb={"id": ADL + "voided"}, object={"objectType": "StatementRef", "id": target["id"]}
        ),
    ).get_json()
    [comment] = post(
        client,
        writer,
        statement(verb={"id": verb}, object={"objectType": "StatementRef", "id": target["id"]}),
    ).get_json()
    listed = client.get("/xapi/statements", query_string={"verb": verb}, headers=writer)
    ids = {s["id"] for s in listed.get_json()["statements"]}
    assert ids == {voiding, comment}


def test_a_mixed_batch_is_stored_in_the_order_sent_each_completion_after_its_cause(
    app, client, login, make_user, seed, writer, db_session
):
    """Outside statements are inserted together, ours one by one: storage order (which
    replay follows) must still be the order sent, with what a statement caused right after it."""
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    read(client, seed, first)
    actor = {"account": {"homePage": app.config["LMS_BASE_URL"], "name": user.public_id}}
    outside = [statement(id=str(uuid.uuid4())) for _ in range(5)]
    passed = statement(
        id=str(uuid.uuid4()),
        actor=actor,
        verb={"id": ADL + "passed"},
        object={"id": QUIZ_IRI.format(parcours=seed.slug, module=first.slug)},
        result={"success": True, "score": {"scaled": 1.0}},
    )
    batch = outside[:3] + [passed] + outside[3:]

    response = post(client, writer, batch)

    assert response.status_code == 200
    assert response.get_json() == [s["id"] for s in batch]
    since_batch = db_session.scalars(
        sa.select(Statement)
        .where(
            Statement.seq
            >= sa.select(sa.func.min(Statement.seq))
            .where(Statement.id == outside[0]["id"])
            .scalar_subquery()
        )
        .order_by(Statement.seq)
    ).all()
    verbs = [row.verb_id.rsplit("/", 1)[-1] for row in since_batch]
    assert [row.id for row in since_batch[:4]] == [s["id"] for s in batch[:4]]
    # The module completion the pass caused comes before the rest of the batch.
    assert verbs[4] == "completed"
    assert since_batch[4].object_id.endswith(f"/modules/{first.slug}")
    assert [row.id for row in since_batch[5:]] == [s["id"] for s in outside[3:]]


def test_every_statement_of_a_batch_is_indexed_and_queued_for_forwarding(
    app, client, writer, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "XAPI_FORWARD_URL", "https://lrs.example/xapi")
    batch = [
        statement(
            id=str(uuid.uuid4()),
            actor={"mbox": f"mailto:apprenant{n}@example.org"},
            object={"id": f"https://outil.example/activites/{n}"},
        )
        for n in range(60)
    ]

    assert post(client, writer, batch).status_code == 200

    for n in (0, 31, 59):
        agent = json.dumps({"mbox": f"mailto:apprenant{n}@example.org"})
        by_agent = client.get("/xapi/statements", query_string={"agent": agent}, headers=writer)
        assert [s["id"] for s in by_agent.get_json()["statements"]] == [batch[n]["id"]]
        by_activity = client.get(
            "/xapi/statements",
            query_string={"activity": f"https://outil.example/activites/{n}"},
            headers=writer,
        )
        assert [s["id"] for s in by_activity.get_json()["statements"]] == [batch[n]["id"]]
    queued = db_session.scalars(
        sa.select(Statement.id)
        .join(ForwardingItem, ForwardingItem.statement_seq == Statement.seq)
        .order_by(ForwardingItem.statement_seq)
    ).all()
    assert queued == [s["id"] for s in batch]


def test_a_body_over_the_size_limit_is_a_413_with_a_reason(app, client, writer, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2_000)
    batch = [statement(id=str(uuid.uuid4())) for _ in range(40)]

    response = post(client, writer, batch)

    assert response.status_code == 413
    body = response.get_json()
    assert body["max_bytes"] == 2_000
    assert "dépasse la taille maximale acceptée" in body["error"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
