"""Scoring and xAPI patterns of every question type, on snapshots."""

import pytest

from lms.catalog import questions
from lms.catalog.questions import UnscorableAnswerError
from lms.learning.draw import _order

MATCHING = {
    "key": "m",
    "type": "matching",
    "choices": [
        {"id": "a", "text": "Bénévolat", "match": "Sans rémunération"},
        {"id": "b", "text": "Volontariat", "match": "Avec indemnité"},
    ],
    "numeric_answer": None,
    "numeric_tolerance": None,
}
ORDERING = {
    "key": "o",
    "type": "ordering",
    "choices": [{"id": "a", "text": "1"}, {"id": "b", "text": "2"}, {"id": "c", "text": "3"}],
    "numeric_answer": None,
    "numeric_tolerance": None,
}
NUMERIC = {
    "key": "n",
    "type": "numeric",
    "choices": [],
    "numeric_answer": 2.5,
    "numeric_tolerance": 0.1,
}


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def test_matching_is_right_when_every_pair_is_matched():
    response = questions.normalize(MATCHING, ["b.b", "a.a"])
    assert response == ["a.a", "b.b"]
    assert questions.is_correct(MATCHING, response)
    assert not questions.is_correct(MATCHING, questions.normalize(MATCHING, ["a.b", "b.a"]))
    assert questions.response_pattern(MATCHING, ["a.b", "b.a"]) == "a[.]b[,]b[.]a"
    assert questions.correct_pattern(MATCHING) == "a[.]a[,]b[.]b"
    assert questions.interaction_type(MATCHING) == "matching"


def test_matching_with_a_left_item_unmatched_cannot_be_scored():
    with pytest.raises(UnscorableAnswerError, match="Associez chaque élément"):
        questions.normalize(MATCHING, ["a.a"])


def test_ordering_is_right_only_in_the_right_order():
    assert questions.is_correct(ORDERING, questions.normalize(ORDERING, ["a", "b", "c"]))
    assert not questions.is_correct(ORDERING, questions.normalize(ORDERING, ["b", "a", "c"]))
    assert questions.correct_pattern(ORDERING) == "a[,]b[,]c"
    assert questions.interaction_type(ORDERING) == "sequencing"
    with pytest.raises(UnscorableAnswerError, match="Placez chaque élément"):
        questions.normalize(ORDERING, ["a", "a", "c"])


@pytest.mark.parametrize(
    ("typed", "right"),
    [("2,5", True), ("2.6", True), ("2,39", False), ("2 ,5", True), ("3", False)],
)
def test_numeric_accepts_french_decimals_within_the_tolerance(typed, right):
    assert questions.is_correct(NUMERIC, questions.normalize(NUMERIC, [typed])) is right


def test_numeric_patterns_and_refusals():
    assert questions.normalize(NUMERIC, ["2,50"]) == ["2.5"]
    assert questions.correct_pattern(NUMERIC) == "2.4[:]2.6"
    assert questions.interaction_type(NUMERIC) == "numeric"
    with pytest.raises(UnscorableAnswerError, match="Écrivez un nombre"):
        questions.normalize(NUMERIC, ["deux"])
    exact = {**NUMERIC, "numeric_answer": 2014.0, "numeric_tolerance": 0.0}
    assert questions.correct_pattern(exact) == "2014"


def test_ordering_and_matching_are_never_shown_already_solved():
    import random

    for seed in range(50):
        rng = random.Random(seed)
        assert list(_order(ORDERING, False, rng).order) != ["a", "b", "c"]
        assert list(_order(MATCHING, False, rng).order) != ["a", "b"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e999999999", "Écrivez un nombre"),
        ("1e999999", "Écrivez un nombre"),
        ("2E3", "Écrivez un nombre"),
        ("Infinity", "Écrivez un nombre"),
        ("٣", "Écrivez un nombre"),
        ("1" * 31, "30 chiffres au plus"),
    ],
)
def test_numeric_refuses_exponents_and_overlong_numbers(typed, message):
    with pytest.raises(UnscorableAnswerError, match=message):
        questions.normalize(NUMERIC, [typed])


def test_numeric_accepts_a_long_plain_number_and_scores_it():
    typed = "1" * 30
    assert questions.normalize(NUMERIC, [typed]) == [typed]
    assert questions.is_correct(NUMERIC, [typed]) is False
