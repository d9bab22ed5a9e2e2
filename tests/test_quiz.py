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


def _notebook_quizzes():
    """Every Question of every notebook's quiz cell, built by the real ``Question`` class."""
    import json
    from pathlib import Path

    from ganlab.widgets import Question

    class Collect(list):
        def __init__(self, questions, **kwargs):
            super().__init__(questions)

        def show(self):
            return self

    out = {}
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code" and src.startswith("Quiz("):
                scope = {"Question": Question, "Quiz": Collect}
                exec("questions = " + src.strip().rstrip(";"), scope)
                out[path.name] = scope["questions"]
    return out


def test_quizzes_give_no_test_wise_cues():
    """Issue 17: the right answer was the longest option in 13 of 16 questions and mostly at one position."""
    quizzes = _notebook_quizzes()
    assert len(quizzes) == 6
    single = [q for qs in quizzes.values() for q in qs if not isinstance(q.answer, set)]
    longest = [q for q in single if len(q.choices[q.answer]) > max(len(c) for i, c in enumerate(q.choices) if i != q.answer)]
    assert len(longest) <= len(single) // 4, [q.prompt for q in longest]
    for name, qs in quizzes.items():
        positions = [q.answer for q in qs if not isinstance(q.answer, set)]
        top = max(positions.count(p) for p in set(positions))
        assert top <= (len(positions) + 1) // 2, f"{name}: the right answer sits at one position too often: {positions}"
