import pytest

from ganlab.widgets import Question, Quiz


def test_single_choice_grading_and_feedback():
    q = Question("2+2?", ["3", "4"], answer=1, explain="Two plus two is four.", wrong_hints={0: "3 is one short."})
    assert q.check(1) == (True, "Correct. Two plus two is four.")
    ok, text = q.check(0)
    assert not ok and "one short" in text and "four" in text
    assert q.check(None)[0] is False


def test_multiple_choice_needs_exact_set():
    q = Question("Which are even?", ["1", "2", "4"], answer={1, 2}, explain="2 and 4.")
    assert q.check({1, 2})[0]
    assert not q.check({1})[0]
    assert not q.check({0, 1, 2})[0]


def test_widget_check_writes_feedback():
    quiz = Quiz([Question("a?", ["x", "y"], answer=0, explain="x."),
                 Question("b?", ["x", "y", "z"], answer={0, 2}, explain="x and z.")])
    quiz.select(0, 0)
    assert quiz.check(0)
    assert "Correct" in quiz.feedback[0].value
    quiz.select(1, {0})
    assert not quiz.check(1)
    assert "Not quite" in quiz.feedback[1].value


@pytest.mark.parametrize("answer", [5, -1, set()])
def test_bad_answer_index(answer):
    with pytest.raises(ValueError):
        Question("?", ["a", "b"], answer=answer, explain="")
