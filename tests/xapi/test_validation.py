"""The statement validator accepts what xAPI 1.0.3 allows and names the field it refuses."""

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.xapi.validation import (
    StatementError,
    validate_activity_id,
    validate_agent,
    validate_language_map,
    validate_statement,
    validate_timestamp,
    validate_uuid,
)

UUID = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"
OTHER_UUID = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
SHA1 = "cd9b00a5611f94eaa7b1661edab976068e364975"
SHA2 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
SITE = "https://parcours.test/xapi/activities"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

ADA = {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.org"}
BOB = {"mbox": "mailto:bob@example.org"}
APP = {"account": {"homePage": "https://parcours.test", "name": "client-1"}}
ACTIVITY = {"objectType": "Activity", "id": f"{SITE}/module/1"}
ATTACHMENT = {
    "usageType": "http://adlnet.gov/expapi/attachments/signature",
    "display": {"en-US": "Signature"},
    "description": {"fr": "Une signature"},
    "contentType": "application/octet-stream",
    "length": 27,
    "sha2": SHA2,
    "fileUrl": "https://files.example.org/signature.jws",
}

MINIMAL = {
    "actor": {"mbox": "mailto:ada@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": f"{SITE}/module/1"},
}

# Every part of a statement, valid; the mutations below break it one field at a time.
FULL = {
    "id": UUID,
    "actor": ADA,
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed", "fr": "a terminé"},
    },
    "object": {
        "objectType": "Activity",
        "id": f"{SITE}/question/1",
        "definition": {
            "name": {"fr-FR": "Question 1"},
            "description": {"fr-FR": "Laquelle ?"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "moreInfo": "https://parcours.test/modules/1",
            "interactionType": "choice",
            "correctResponsesPattern": ["a[,]b"],
            "choices": [
                {"id": "a", "description": {"fr": "A"}},
                {"id": "b", "description": {"fr": "B"}},
            ],
            "extensions": {"https://parcours.test/x/weight": 2},
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "response": "a[,]b",
        "duration": "PT1H2M3.5S",
        "extensions": {"https://parcours.test/x/attempt": 1},
    },
    "context": {
        "registration": OTHER_UUID,
        "instructor": {"objectType": "Agent", "mbox_sha1sum": SHA1},
        "team": {"objectType": "Group", "name": "Team", "member": [BOB]},
        "contextActivities": {
            "parent": [{"id": f"{SITE}/module/1"}],
            "grouping": {"id": f"{SITE}/parcours/1"},
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}],
            "other": [],
        },
        "revision": "2",
        "platform": "Parcours",
        "language": "fr-FR",
        "statement": {"objectType": "StatementRef", "id": OTHER_UUID},
        "extensions": {"https://parcours.test/x/cohort": {"id": 3}},
    },
    "timestamp": "2024-05-01T10:00:00.123+02:00",
    "stored": "2024-05-01T08:00:01Z",
    "authority": {"objectType": "Agent", **APP},
    "version": "1.0.0",
    "attachments": [ATTACHMENT],
}

SUBSTATEMENT = {
    "objectType": "SubStatement",
    "actor": {"objectType": "Agent", "openid": "https://openid.example.org/ada"},
    "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
    "object": ACTIVITY,
    "result": {"completion": False},
    "context": {"platform": "Parcours"},
    "timestamp": "2099-01-01T00:00:00Z",
}


def interaction(interaction_type: str, **lists) -> dict:
    """An Activity definition of the given interactionType with its component lists."""
    definition = {"interactionType": interaction_type, "correctResponsesPattern": ["x"]}
    for name, ids in lists.items():
        definition[name] = [{"id": i, "description": {"en-US": i}} for i in ids]
    return {"id": f"{SITE}/question/{interaction_type}", "definition": definition}


DELETE = object()


def changed(base: dict, changes: dict) -> dict:
    """A copy of `base` with each path ("a.b[0].c") set to its value, or deleted for DELETE."""
    statement = copy.deepcopy(base)
    for path, value in changes.items():
        keys = [
            int(k[1:-1]) if k.startswith("[") else k for k in re.findall(r"\[\d+\]|[^.[]+", path)
        ]
        parent = statement
        for key in keys[:-1]:
            parent = parent[key]
        if value is DELETE:
            del parent[keys[-1]]
        else:
            parent[keys[-1]] = value
    return statement


VALID = [
    pytest.param(MINIMAL, id="minimal"),
    pytest.param(FULL, id="every property"),
    pytest.param({**MINIMAL, "actor": ADA}, id="actor mbox"),
    pytest.param({**MINIMAL, "actor": {"mbox_sha1sum": SHA1}}, id="actor mbox_sha1sum"),
    pytest.param({**MINIMAL, "actor": {"openid": "https://openid.example.org/a"}}, id="openid"),
    pytest.param({**MINIMAL, "actor": APP}, id="actor account"),
    pytest.param(
        {**MINIMAL, "actor": {"objectType": "Group", "member": [ADA, BOB]}}, id="anonymous group"
    ),
    pytest.param(
        {**MINIMAL, "actor": {"objectType": "Group", "name": "G", "mbox": "mailto:g@example.org"}},
        id="identified group without members",
    ),
    pytest.param(
        {**MINIMAL, "actor": {"objectType": "Group", **APP, "member": [ADA]}},
        id="identified group with members",
    ),
    pytest.param({**MINIMAL, "object": ACTIVITY}, id="object Activity with objectType"),
    pytest.param({**MINIMAL, "object": ADA}, id="object Agent"),
    pytest.param(
        {**MINIMAL, "object": {"objectType": "Group", "member": [BOB]}}, id="object Group"
    ),
    pytest.param(
        {**MINIMAL, "object": {"objectType": "StatementRef", "id": UUID}}, id="statement ref"
    ),
    pytest.param({**MINIMAL, "object": SUBSTATEMENT}, id="substatement"),
    pytest.param(
        {
            **MINIMAL,
            "object": {
                **SUBSTATEMENT,
                "object": {"objectType": "StatementRef", "id": UUID},
                "context": {"registration": UUID},
            },
        },
        id="substatement about a statement ref",
    ),
    pytest.param(
        {**MINIMAL, "object": {**SUBSTATEMENT, "attachments": [ATTACHMENT]}},
        id="substatement with attachments",
    ),
    pytest.param(
        {**MINIMAL, "verb": {"id": VOIDED}, "object": {"objectType": "StatementRef", "id": UUID}},
        id="voiding statement",
    ),
    pytest.param({**MINIMAL, "object": interaction("true-false")}, id="true-false"),
    pytest.param({**MINIMAL, "object": interaction("choice", choices="ab")}, id="choice"),
    pytest.param({**MINIMAL, "object": interaction("fill-in")}, id="fill-in"),
    pytest.param({**MINIMAL, "object": interaction("long-fill-in")}, id="long-fill-in"),
    pytest.param(
        {**MINIMAL, "object": interaction("matching", source="ab", target="12")}, id="matching"
    ),
    pytest.param({**MINIMAL, "object": interaction("performance", steps="ab")}, id="performance"),
    pytest.param({**MINIMAL, "object": interaction("sequencing", choices="ab")}, id="sequencing"),
    pytest.param({**MINIMAL, "object": interaction("likert", scale="123")}, id="likert"),
    pytest.param({**MINIMAL, "object": interaction("numeric")}, id="numeric"),
    pytest.param({**MINIMAL, "object": interaction("other")}, id="other"),
    pytest.param(
        {**MINIMAL, "object": {"id": f"{SITE}/x", "definition": {}}}, id="empty definition"
    ),
    pytest.param({**MINIMAL, "attachments": []}, id="no attachments"),
    pytest.param(
        {**MINIMAL, "attachments": [{k: v for k, v in ATTACHMENT.items() if k != "fileUrl"}] * 2},
        id="attachments without fileUrl",
    ),
    pytest.param(
        {**MINIMAL, "context": {"contextActivities": {"parent": ACTIVITY}}},
        id="a single context activity",
    ),
    pytest.param(
        {**MINIMAL, "object": ADA, "context": {"team": {"objectType": "Group", "member": [BOB]}}},
        id="context without revision about an Agent",
    ),
    pytest.param(
        {
            **MINIMAL,
            "result": {
                "extensions": {
                    "https://x.test/null": None,
                    "https://x.test/empty": "",
                    "https://x.test/object": {},
                    "https://x.test/list": [1, [True, {"a": None}]],
                }
            },
            "context": {"extensions": {}},
        },
        id="extension values of any kind",
    ),
    pytest.param(
        {**MINIMAL, "authority": {"objectType": "Group", "member": [APP, BOB]}},
        id="3-legged OAuth authority",
    ),
    pytest.param({**MINIMAL, "version": "1.0"}, id="version 1.0"),
    pytest.param({**MINIMAL, "version": "1.0.9"}, id="version 1.0.9"),
    pytest.param({**MINIMAL, "timestamp": "20240501T100000,5Z"}, id="basic format timestamp"),
    pytest.param({**MINIMAL, "timestamp": "2024-05-01T10:00+05:30"}, id="timestamp to minutes"),
    pytest.param({**MINIMAL, "result": {"duration": "P4W"}}, id="duration in weeks"),
    pytest.param({**MINIMAL, "result": {"duration": "PT16559.14S"}}, id="duration in seconds"),
    pytest.param(
        {**MINIMAL, "result": {"duration": "P3Y1M29DT4H35M59.14S"}}, id="duration in full"
    ),
    pytest.param({**MINIMAL, "result": {"score": {"raw": -3.5}}}, id="raw without bounds"),
    pytest.param(
        {**MINIMAL, "result": {"score": {"scaled": -1, "raw": 10, "min": 0, "max": 10}}},
        id="score at its bounds",
    ),
    pytest.param({**MINIMAL, "id": UUID.upper()}, id="upper case UUID"),
    pytest.param({**MINIMAL, "id": "12345678-1234-5678-1234-567812345678"}, id="any UUID variant"),
    pytest.param(
        {**MINIMAL, "verb": {"id": "http://example.com/فعل/خواندن"}}, id="IRI beyond ASCII"
    ),
    pytest.param(
        {
            **MINIMAL,
            "verb": {
                "id": "http://example.com/read",
                "display": {
                    "zh-Hans-CN": "读",
                    "sr-Latn-RS": "čitao",
                    "es-419": "leyó",
                    "cmn": "读",
                    "de-CH-1901": "las",
                    "en-US-x-twain": "read",
                    "x-private": "read",
                    "i-klingon": "read",
                },
            },
        },
        id="RFC 5646 language tags",
    ),
]


@pytest.mark.parametrize("statement", VALID)
def test_valid_statements_pass(statement):
    validate_statement(copy.deepcopy(statement))


# (what is wrong, changes to FULL as for changed(), the field the error must name)
MUTATIONS = [
    # The statement (§2.2, §2.4)
    ("id lower case key", {"iD": UUID}, "iD"),
    ("Actor", {"Actor": ADA}, "Actor"),
    ("unknown property", {"comment": "x"}, "comment"),
    ("actor missing", {"actor": DELETE}, "actor"),
    ("verb missing", {"verb": DELETE}, "verb"),
    ("object missing", {"object": DELETE}, "object"),
    ("id a number", {"id": 12345}, "id"),
    ("id an object", {"id": {"key": "x"}}, "id"),
    ("id null", {"id": None}, "id"),
    ("id empty", {"id": ""}, "id"),
    ("id too many digits", {"id": "AA97B177-9383-4934-8543-0F91A7A028368"}, "id"),
    ("id not hex", {"id": "MA97B177-9383-4934-8543-0F91A7A02836"}, "id"),
    ("id without dashes", {"id": UUID.replace("-", "")}, "id"),
    ("timestamp a date", {"timestamp": "01/011/2015"}, "timestamp"),
    ("timestamp without time", {"timestamp": "2024-05-01"}, "timestamp"),
    ("timestamp without zone", {"timestamp": "2024-05-01T10:00:00"}, "timestamp"),
    ("timestamp -00:00", {"timestamp": "2008-09-15T15:53:00.601-00:00"}, "timestamp"),
    ("timestamp -0000", {"timestamp": "2008-09-15T15:53:00.601-0000"}, "timestamp"),
    ("timestamp -00", {"timestamp": "2008-09-15T15:53:00.601-00"}, "timestamp"),
    ("timestamp February 30", {"timestamp": "2024-02-30T10:00:00Z"}, "timestamp"),
    ("timestamp a number", {"timestamp": 1714550400}, "timestamp"),
    ("stored not a timestamp", {"stored": "should fail"}, "stored"),
    ("version 1.1.0", {"version": "1.1.0"}, "version"),
    ("version 0.9.5", {"version": "0.9.5"}, "version"),
    ("version a number", {"version": 1.0}, "version"),
    ("attachments an object", {"attachments": ATTACHMENT}, "attachments"),
    # Actor (§2.4.2)
    ("actor a string", {"actor": "mailto:ada@example.org"}, "actor"),
    ("actor null", {"actor": None}, "actor"),
    ("actor objectType case", {"actor.objectType": "agent"}, "actor.objectType"),
    ("actor objectType a number", {"actor.objectType": 123}, "actor.objectType"),
    ("actor name a number", {"actor.name": 123}, "actor.name"),
    ("actor name null", {"actor.name": None}, "actor.name"),
    ("actor without identifier", {"actor.mbox": DELETE}, "actor"),
    ("mbox without mailto", {"actor.mbox": "ada@example.org"}, "actor.mbox"),
    ("mbox without address", {"actor.mbox": "mailto:should.fail.com"}, "actor.mbox"),
    ("mbox an http IRI", {"actor.mbox": "http://should.fail.com"}, "actor.mbox"),
    ("mbox and mbox_sha1sum", {"actor.mbox_sha1sum": SHA1}, "actor.mbox_sha1sum"),
    ("mbox and openid", {"actor.openid": "https://openid.example.org/a"}, "actor.openid"),
    ("mbox and account", {"actor.account": APP["account"]}, "actor.account"),
    ("member in an Agent", {"actor.member": [BOB]}, "actor.member"),
    ("mbox_sha1sum not hex", {"actor": {"mbox_sha1sum": "xyz"}}, "actor.mbox_sha1sum"),
    ("mbox_sha1sum an object", {"actor": {"mbox_sha1sum": {"k": 1}}}, "actor.mbox_sha1sum"),
    ("openid bad scheme", {"actor": {"openid": "ab=c://should.fail.com"}}, "actor.openid"),
    ("openid without scheme", {"actor": {"openid": "open.id.com/testUser"}}, "actor.openid"),
    (
        "homePage without scheme",
        {"actor": {"account": {"homePage": "homePage.com/testUser", "name": "1"}}},
        "actor.account.homePage",
    ),
    ("account without homePage", {"actor": {"account": {"name": "1"}}}, "actor.account.homePage"),
    (
        "account without name",
        {"actor": {"account": {"homePage": "https://x.test"}}},
        "actor.account.name",
    ),
    (
        "account name an object",
        {"actor": {"account": {"homePage": "https://x.test", "name": {"k": "v"}}}},
        "actor.account.name",
    ),
    (
        "account extra property",
        {"actor": {"account": {**APP["account"], "id": 1}}},
        "actor.account.id",
    ),
    (
        "account on the Agent",
        {"actor": {"homePage": "https://x.test", "name": "1"}},
        "actor.homePage",
    ),
    ("anonymous group without members", {"actor": {"objectType": "Group"}}, "actor.member"),
    (
        "member an object",
        {"actor": {"objectType": "Group", "member": BOB}},
        "actor.member",
    ),
    ("anonymous group empty", {"actor": {"objectType": "Group", "member": []}}, "actor.member"),
    (
        "group as a member",
        {"actor": {"objectType": "Group", "member": [{"objectType": "Group", **BOB}]}},
        "actor.member[0].objectType",
    ),
    (
        "member without identifier",
        {"actor": {"objectType": "Group", "member": [BOB, {"name": "x"}]}},
        "actor.member[1]",
    ),
    (
        "group with two identifiers",
        {"actor": {"objectType": "Group", **BOB, "openid": "https://x.test/g"}},
        "actor.openid",
    ),
    ("group without objectType", {"actor": {"member": [BOB]}}, "actor.member"),
    # Verb (§2.4.3) and the voiding rule (§2.3.2)
    ("verb without id", {"verb.id": DELETE}, "verb.id"),
    ("verb id without scheme", {"verb.id": "adlnet.gov/expapi/verbs/completed"}, "verb.id"),
    ("verb id with a space", {"verb.id": "http://x.test/a verb"}, "verb.id"),
    ("display a string", {"verb.display": "completed"}, "verb.display"),
    ("display a number", {"verb.display": 12345}, "verb.display"),
    ("display bad language", {"verb.display": {"something": "x"}}, "verb.display.something"),
    ("display value null", {"verb.display": {"en-US": None}}, "verb.display.en-US"),
    ("display value a number", {"verb.display": {"en-US": 1}}, "verb.display.en-US"),
    ("Display", {"verb.Display": {"en-US": "x"}}, "verb.Display"),
    ("voiding an Activity", {"verb.id": VOIDED}, "object.objectType"),
    # Activity (§2.4.4.1)
    ("objectType case", {"object.objectType": "activity"}, "object.objectType"),
    ("objectType unknown", {"object.objectType": "Person"}, "object.objectType"),
    ("activity without id", {"object.id": DELETE}, "object.id"),
    ("activity id without scheme", {"object.id": "www.example.com/x"}, "object.id"),
    ("definition a string", {"object.definition": "x"}, "object.definition"),
    ("name a string", {"object.definition.name": "x"}, "object.definition.name"),
    (
        "description bad language",
        {"object.definition.description": {"a12345": "x"}},
        "object.definition.description.a12345",
    ),
    (
        "name with repeated extension",
        {"object.definition.name": {"zh-z-aaa-z-bbb-c-ccc": "x"}},
        "object.definition.name.zh-z-aaa-z-bbb-c-ccc",
    ),
    ("type not an IRI", {"object.definition.type": "meeting"}, "object.definition.type"),
    (
        "moreInfo without scheme",
        {"object.definition.moreInfo": "x.test/1"},
        "object.definition.moreInfo",
    ),
    ("moreInfo null", {"object.definition.moreInfo": None}, "object.definition.moreInfo"),
    ("extensions a string", {"object.definition.extensions": "x"}, "object.definition.extensions"),
    (
        "extension key not an IRI",
        {"object.definition.extensions": {"not.valid.com/extension": 1}},
        "object.definition.extensions.not.valid.com/extension",
    ),
    (
        "interactionType case",
        {"object.definition.interactionType": "choiCe"},
        "object.definition.interactionType",
    ),
    (
        "interactionType a number",
        {"object.definition.interactionType": 12345},
        "object.definition.interactionType",
    ),
    (
        "pattern without interactionType",
        {"object.definition.interactionType": DELETE, "object.definition.choices": DELETE},
        "object.definition.interactionType",
    ),
    (
        "choices without interactionType",
        {"object.definition.interactionType": DELETE},
        "object.definition.interactionType",
    ),
    (
        "scale in a choice",
        {"object.definition.scale": [{"id": "1"}]},
        "object.definition.scale",
    ),
    (
        "choices in a true-false",
        {"object.definition.interactionType": "true-false"},
        "object.definition.choices",
    ),
    (
        "pattern a string",
        {"object.definition.correctResponsesPattern": "a"},
        "object.definition.correctResponsesPattern",
    ),
    (
        "pattern of numbers",
        {"object.definition.correctResponsesPattern": [1]},
        "object.definition.correctResponsesPattern[0]",
    ),
    ("choices an object", {"object.definition.choices": {"id": "a"}}, "object.definition.choices"),
    (
        "repeated choice id",
        {"object.definition.choices[1].id": "a"},
        "object.definition.choices[1].id",
    ),
    (
        "choice without id",
        {"object.definition.choices[0].id": DELETE},
        "object.definition.choices[0].id",
    ),
    (
        "choice id a number",
        {"object.definition.choices[0].id": 1},
        "object.definition.choices[0].id",
    ),
    (
        "choice property",
        {"object.definition.choices[0].name": "A"},
        "object.definition.choices[0].name",
    ),
    (
        "choice bad language",
        {"object.definition.choices[0].description": {"en-": "A"}},
        "object.definition.choices[0].description.en-",
    ),
    # Agent, Group, StatementRef and SubStatement as object (§2.4.4.2, §2.4.4.3)
    ("agent object without objectType", {"object": BOB}, "object.objectType"),
    ("agent object without identifier", {"object": {"objectType": "Agent"}}, "object"),
    ("revision about an Agent", {"object": ADA}, "context.revision"),
    (
        "platform about a Group",
        {"object": {"objectType": "Group", **BOB}, "context.revision": DELETE},
        "context.platform",
    ),
    (
        "revision about a statement",
        {"object": {"objectType": "StatementRef", "id": UUID}},
        "context.revision",
    ),
    ("statement ref without id", {"object": {"objectType": "StatementRef"}}, "object.id"),
    ("statement ref id", {"object": {"objectType": "StatementRef", "id": "nope"}}, "object.id"),
    (
        "statement ref property",
        {"object": {"objectType": "StatementRef", "id": UUID, "definition": {}}},
        "object.definition",
    ),
    ("substatement id", {"object": {**SUBSTATEMENT, "id": UUID}}, "object.id"),
    (
        "substatement stored",
        {"object": {**SUBSTATEMENT, "stored": FULL["stored"]}},
        "object.stored",
    ),
    ("substatement version", {"object": {**SUBSTATEMENT, "version": "1.0.0"}}, "object.version"),
    ("substatement authority", {"object": {**SUBSTATEMENT, "authority": ADA}}, "object.authority"),
    (
        "nested substatement",
        {"object": {**SUBSTATEMENT, "object": SUBSTATEMENT}},
        "object.object.objectType",
    ),
    ("substatement without actor", {"object": {**SUBSTATEMENT, "actor": None}}, "object.actor"),
    (
        "substatement verb",
        {"object": {**SUBSTATEMENT, "verb": {"id": "visited"}}},
        "object.verb.id",
    ),
    (
        "substatement timestamp",
        {"object": {**SUBSTATEMENT, "timestamp": "01/011/2015"}},
        "object.timestamp",
    ),
    (
        "substatement platform about an Agent",
        {"object": {**SUBSTATEMENT, "object": ADA}},
        "object.context.platform",
    ),
    # Result (§2.4.5)
    ("success a string", {"result.success": "true"}, "result.success"),
    ("completion a string", {"result.completion": "false"}, "result.completion"),
    ("success null", {"result.success": None}, "result.success"),
    ("success a number", {"result.success": 1}, "result.success"),
    ("response a number", {"result.response": 12}, "result.response"),
    ("response with NUL", {"result.response": "a\x00b"}, "result.response"),
    ("lone surrogate", {"verb.display": {"en-US": "\ud800"}}, "verb.display.en-US"),
    ("duration bad letter", {"result.duration": "PA1H0M0S"}, "result.duration"),
    ("duration weeks and days", {"result.duration": "P4W1D"}, "result.duration"),
    ("duration alternative format", {"result.duration": "P0003-01-29T04:35:59"}, "result.duration"),
    ("duration a number", {"result.duration": 12345}, "result.duration"),
    ("result extensions a number", {"result.extensions": 12345}, "result.extensions"),
    (
        "result extension key",
        {"result.extensions": {"should fail": True}},
        "result.extensions.should fail",
    ),
    (
        "extension value NaN",
        {"result.extensions": {"https://x.test/e": [float("nan")]}},
        "result.extensions.https://x.test/e[0]",
    ),
    ("score a number", {"result.score": 12345}, "result.score"),
    ("raw a string", {"result.score.raw": "5"}, "result.score.raw"),
    ("max a word", {"result.score.max": "one hundred"}, "result.score.max"),
    ("scaled a boolean", {"result.score.scaled": True}, "result.score.scaled"),
    ("scaled above 1", {"result.score.scaled": 1.01}, "result.score.scaled"),
    ("scaled below -1", {"result.score.scaled": -1.00001}, "result.score.scaled"),
    ("scaled infinite", {"result.score.scaled": float("inf")}, "result.score.scaled"),
    ("raw above max", {"result.score.raw": 11}, "result.score.raw"),
    ("raw below min", {"result.score.min": 6}, "result.score.raw"),
    ("min equal to max", {"result.score.min": 10, "result.score.raw": 10}, "result.score.min"),
    ("Raw", {"result.score.Raw": 1}, "result.score.Raw"),
    # Context (§2.4.6)
    ("registration not a UUID", {"context.registration": "wrong"}, "context.registration"),
    ("registration null", {"context.registration": None}, "context.registration"),
    ("instructor a string", {"context.instructor": "x"}, "context.instructor"),
    ("instructor without identifier", {"context.instructor": {"name": "x"}}, "context.instructor"),
    ("team an Agent", {"context.team": ADA}, "context.team"),
    ("team without objectType", {"context.team": {"member": [BOB]}}, "context.team"),
    ("team a string", {"context.team": "should fail"}, "context.team"),
    ("contextActivities a string", {"context.contextActivities": "x"}, "context.contextActivities"),
    (
        "contextActivities unknown key",
        {"context.contextActivities.consequences": [ACTIVITY]},
        "context.contextActivities.consequences",
    ),
    (
        "context activity not an Activity",
        {"context.contextActivities.other": [ACTIVITY, {"key": "should fail"}]},
        "context.contextActivities.other[1].key",
    ),
    (
        "context activity a string",
        {"context.contextActivities.parent": f"{SITE}/module/1"},
        "context.contextActivities.parent",
    ),
    (
        "single context activity id",
        {"context.contextActivities.grouping.id": "nope"},
        "context.contextActivities.grouping.id",
    ),
    ("revision a number", {"context.revision": 12345}, "context.revision"),
    ("platform an object", {"context.platform": {"key": 1}}, "context.platform"),
    ("language invalid", {"context.language": "something"}, "context.language"),
    ("language a number", {"context.language": 12345}, "context.language"),
    (
        "context statement objectType case",
        {"context.statement.objectType": "statementref"},
        "context.statement.objectType",
    ),
    (
        "context statement without objectType",
        {"context.statement.objectType": DELETE},
        "context.statement.objectType",
    ),
    ("context statement id", {"context.statement.id": "should fail"}, "context.statement.id"),
    (
        "context extension key",
        {"context.extensions": {"example.com/extension/wrong": 1}},
        "context.extensions.example.com/extension/wrong",
    ),
    ("Registration", {"context.Registration": UUID}, "context.Registration"),
    # Authority (§2.4.9)
    ("authority a string", {"authority": "x"}, "authority"),
    ("authority without identifier", {"authority": {"objectType": "Agent"}}, "authority"),
    (
        "authority group of one",
        {"authority": {"objectType": "Group", "member": [BOB]}},
        "authority.member",
    ),
    (
        "authority group of three",
        {"authority": {"objectType": "Group", "member": [APP, BOB, ADA]}},
        "authority.member",
    ),
    (
        "authority identified group",
        {"authority": {"objectType": "Group", "mbox": "mailto:g@x.test", "member": [APP, BOB]}},
        "authority",
    ),
    # Attachments (§2.4.11)
    ("attachment a number", {"attachments[0]": 12345}, "attachments[0]"),
    (
        "usageType not an IRI",
        {"attachments[0].usageType": "should fail"},
        "attachments[0].usageType",
    ),
    ("usageType missing", {"attachments[0].usageType": DELETE}, "attachments[0].usageType"),
    ("display missing", {"attachments[0].display": DELETE}, "attachments[0].display"),
    ("display a string", {"attachments[0].display": "x"}, "attachments[0].display"),
    (
        "display bad language",
        {"attachments[0].display": {"something": "x"}},
        "attachments[0].display.something",
    ),
    ("description a number", {"attachments[0].description": 1}, "attachments[0].description"),
    ("contentType a number", {"attachments[0].contentType": 999}, "attachments[0].contentType"),
    (
        "contentType no subtype",
        {"attachments[0].contentType": "text"},
        "attachments[0].contentType",
    ),
    ("length a string", {"attachments[0].length": "27"}, "attachments[0].length"),
    ("length a fraction", {"attachments[0].length": 27.5}, "attachments[0].length"),
    ("length negative", {"attachments[0].length": -1}, "attachments[0].length"),
    ("length a boolean", {"attachments[0].length": True}, "attachments[0].length"),
    ("sha2 a number", {"attachments[0].sha2": 12345}, "attachments[0].sha2"),
    ("sha2 not hex", {"attachments[0].sha2": "not-a-hash"}, "attachments[0].sha2"),
    ("sha2 missing", {"attachments[0].sha2": DELETE}, "attachments[0].sha2"),
    ("fileUrl without scheme", {"attachments[0].fileUrl": "should fail"}, "attachments[0].fileUrl"),
    ("fileurl", {"attachments[0].fileurl": "https://x.test/f"}, "attachments[0].fileurl"),
]


@pytest.mark.parametrize(
    ("changes", "field"), [pytest.param(c, f, id=name) for name, c, f in MUTATIONS]
)
def test_invalid_statements_name_the_field(changes, field):
    statement = changed(FULL, changes)

    with pytest.raises(StatementError) as raised:
        validate_statement(statement)

    assert raised.value.field == field
    assert raised.value.message
    assert str(raised.value) == f"{field}: {raised.value.message}"


@pytest.mark.parametrize("statement", [None, [], [MINIMAL], "{}", 1, True])
def test_a_statement_is_an_object(statement):
    with pytest.raises(StatementError) as raised:
        validate_statement(statement)
    assert raised.value.field == "statement"


def test_voiding_can_be_refused():
    voiding = {
        **MINIMAL,
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": UUID},
    }

    validate_statement(MINIMAL, allow_voiding_reference=False)
    with pytest.raises(StatementError) as raised:
        validate_statement(voiding, allow_voiding_reference=False)
    assert raised.value.field == "verb.id"


@pytest.mark.parametrize(
    "agent",
    [ADA, BOB, APP, {"objectType": "Group", "member": [BOB]}, {"objectType": "Group", **APP}],
)
def test_agent_parameter_accepts_agents_and_groups(agent):
    validate_agent(agent)


@pytest.mark.parametrize(
    ("agent", "field"),
    [
        ("mailto:ada@example.org", "agent"),
        ({"name": "Ada"}, "agent"),
        ({**BOB, **APP}, "agent.account"),
        ({"objectType": "Person", **BOB}, "agent.objectType"),
        ({"objectType": "Group"}, "agent.member"),
    ],
)
def test_agent_parameter_names_the_field(agent, field):
    with pytest.raises(StatementError) as raised:
        validate_agent(agent)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("validator", "value", "valid"),
    [
        (validate_uuid, UUID, True),
        (validate_uuid, "wrong", False),
        (validate_uuid, f"{UUID}\n", False),
        (validate_timestamp, "2024-05-01T10:00:00Z", True),
        (validate_timestamp, "2024-05-01T10:00:00.123456789-05:00", True),
        (validate_timestamp, "2024-05-01T10:00:00.Z", False),
        (validate_timestamp, "2024-05-01 10:00:00Z", False),
        (validate_timestamp, "9999-12-31T23:00:00-05:00", False),
        (validate_activity_id, "urn:uuid:8f87ccde-bb56-4c2e-ab83-44982ef22df0", True),
        (validate_activity_id, "not.a.valid.iri.com/activity", False),
        (validate_activity_id, "http://x.test/%zz", False),
        (validate_language_map, {"en-GB-oed": "colour", "EN-us": "color"}, True),
        (validate_language_map, {"en_US": "color"}, False),
        (validate_language_map, {"sl-rozaj-rozaj": "x"}, False),
        (validate_language_map, ["en-US", "color"], False),
    ],
)
def test_values_of_the_same_types_as_in_statements(validator, value, valid):
    if valid:
        validator(value, "field")
    else:
        with pytest.raises(StatementError) as raised:
            validator(value, "field")
        assert raised.value.field.startswith("field")


# Property-based: whatever arrives, the validator answers with a StatementError or nothing.


def nodes(value: object, path: tuple = ()):
    """Every (path, value) in a JSON value, the root first."""
    yield path, value
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return
    for key, child in children:
        yield from nodes(child, (*path, key))


BASES = [
    FULL,
    {**FULL, "object": SUBSTATEMENT},
    {**MINIMAL, "object": interaction("matching", source="ab", target="12")},
]
KNOWN_KEYS = sorted(
    {key for base in BASES for _, node in nodes(base) if isinstance(node, dict) for key in node}
)
# Strings that lead the validator past its first checks, mixed with arbitrary ones.
KNOWN_STRINGS = [
    "Agent",
    "Group",
    "Activity",
    "StatementRef",
    "SubStatement",
    "choice",
    "matching",
    UUID,
    "mailto:a@b.test",
    SHA1,
    SHA2,
    "https://x.test/a",
    "en-US",
    "PT1S",
    "2024-05-01T10:00:00Z",
    VOIDED,
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(KNOWN_STRINGS)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    # The suite's autouse db_session fixture is function scoped; these tests do not use it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def outcome(validator, *args) -> StatementError | None:
    """What a validator answers: None, or the StatementError it raised (anything else escapes)."""
    try:
        validator(*args)
    except StatementError as error:
        return error
    return None


def answers_properly(validator, *args) -> bool:
    error = outcome(validator, *args)
    return error is None or (isinstance(error.field, str) and isinstance(error.message, str))


@PROPERTIES
@given(JSON)
def test_any_json_value_gets_a_statement_error_at_worst(value):
    assert answers_properly(validate_statement, value)
    assert answers_properly(validate_agent, value)
    for validator in (
        validate_uuid,
        validate_timestamp,
        validate_activity_id,
        validate_language_map,
    ):
        assert answers_properly(validator, value, "field")


@PROPERTIES
@given(st.data())
def test_any_mutation_of_a_valid_statement_gets_a_statement_error_at_worst(data):
    statement = copy.deepcopy(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 3))):
        path, node = data.draw(st.sampled_from(list(nodes(statement))))
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "add" and isinstance(node, dict):
            node[data.draw(st.sampled_from(KNOWN_KEYS))] = data.draw(JSON)
        elif not path:
            statement = data.draw(JSON)
        else:
            parent = statement
            for key in path[:-1]:
                parent = parent[key]
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(JSON)
    assert answers_properly(validate_statement, statement)
