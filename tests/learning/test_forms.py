"""Reading quiz answers from the submitted form."""

from werkzeug.datastructures import MultiDict

from lms.learning.draw import PresentedQuestion
from lms.learning.forms import responses_from

ORDERING = PresentedQuestion(
    snap={
        "key": "o",
        "type": "ordering",
        "choices": [{"id": "a", "text": "1"}, {"id": "b", "text": "2"}],
        "numeric_answer": None,
        "numeric_tolerance": None,
    },
    order=("b", "a"),
)


def test_ordering_ranks_that_are_not_plain_numbers_leave_items_unplaced():
    # "²" is a digit for str.isdigit() but not a number for int().
    formdata = MultiDict({"q_o__0": "²", "q_o__1": "9" * 5000})
    assert responses_from(formdata, [ORDERING]) == {"o": []}


def test_ordering_ranks_are_read_in_the_order_shown():
    formdata = MultiDict({"q_o__0": "2", "q_o__1": "1"})
    assert responses_from(formdata, [ORDERING]) == {"o": ["a", "b"]}
