"""Self-check quiz widgets: a question, choices, a Check button and feedback that explains.

Example::

    from ganlab.widgets import Question, Quiz
    Quiz([
        Question("Which network outputs a probability?", ["G", "D"], answer=1,
                 explain="D maps x to the probability that x is real; G maps noise to data."),
    ]).show()

``answer`` is one index (single choice) or a set of indices (tick all that apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import ipywidgets as W
from IPython.display import display


@dataclass
class Question:
    prompt: str  # the question, plain text or simple HTML
    choices: list[str]  # the options shown, in order
    answer: int | set[int]  # index of the right choice, or the set of right indices
    explain: str  # why the right answer is right; shown after every check
    wrong_hints: dict[int, str] = field(default_factory=dict)  # optional: why a given wrong choice is wrong

    def __post_init__(self):
        if len(self.choices) < 2:
            raise ValueError(f"a question needs at least 2 choices, got {len(self.choices)}")
        idx = self.answer if isinstance(self.answer, set) else {self.answer}
        bad = [i for i in idx if not (0 <= i < len(self.choices))]
        if bad or not idx:
            raise ValueError(f"answer {self.answer!r} must index the choices 0..{len(self.choices) - 1}")

    @property
    def multiple(self) -> bool:
        return isinstance(self.answer, set)

    def check(self, picked: int | set[int] | None) -> tuple[bool, str]:
        """Grade a pick; return (correct, feedback text)."""
        if picked is None or picked == set():
            return False, "Pick an answer first."
        right = self.answer if self.multiple else {self.answer}
        got = picked if isinstance(picked, set) else {picked}
        ok = got == right
        lead = "Correct." if ok else "Not quite."
        hints = " ".join(self.wrong_hints[i] for i in sorted(got - right) if i in self.wrong_hints)
        return ok, " ".join(s for s in (lead, hints, self.explain) if s)


class Quiz:
    """A list of questions rendered as ipywidgets, each with its own Check button."""

    def __init__(self, questions: list[Question], title: str = "Self-check"):
        self.questions = list(questions)
        self.title = title
        self.pickers: list[W.Widget] = []
        self.feedback: list[W.HTML] = []
        self.widget = self._build()

    def _picker(self, q: Question) -> W.Widget:
        if q.multiple:
            boxes = [W.Checkbox(value=False, description=c, indent=False,
                                layout=W.Layout(width="auto")) for c in q.choices]
            return W.VBox(boxes)
        return W.RadioButtons(options=[(c, i) for i, c in enumerate(q.choices)], value=None,
                              layout=W.Layout(width="auto"))

    def picked(self, i: int) -> int | set[int] | None:
        """Current pick of question ``i`` as the grader expects it."""
        p = self.pickers[i]
        if self.questions[i].multiple:
            return {j for j, b in enumerate(p.children) if b.value}
        return p.value

    def select(self, i: int, pick: int | set[int]) -> None:
        """Set the pick of question ``i`` from code (tests, demos)."""
        p = self.pickers[i]
        if self.questions[i].multiple:
            for j, b in enumerate(p.children):
                b.value = j in pick
        else:
            p.value = pick

    def check(self, i: int) -> bool:
        """Grade question ``i`` and show the feedback under it."""
        ok, text = self.questions[i].check(self.picked(i))
        colour = "#1a7f37" if ok else "#b35900"
        self.feedback[i].value = f'<div style="color:{colour}">{escape(text)}</div>'
        return ok

    def _build(self) -> W.VBox:
        rows = [W.HTML(f"<h4>{escape(self.title)}</h4>")]
        for i, q in enumerate(self.questions):
            picker = self._picker(q)
            fb = W.HTML("")
            btn = W.Button(description="Check", button_style="info", layout=W.Layout(width="90px"))
            btn.on_click(lambda _b, i=i: self.check(i))
            self.pickers.append(picker)
            self.feedback.append(fb)
            note = " <i>(tick all that apply)</i>" if q.multiple else ""
            rows.append(W.VBox([W.HTML(f"<b>{i + 1}. {q.prompt}</b>{note}"), picker, btn, fb],
                               layout=W.Layout(margin="0 0 12px 0")))
        return W.VBox(rows)

    def show(self) -> None:
        """Display the quiz (returns None, so a trailing ``.show()`` does not display it twice)."""
        display(self.widget)

    def _ipython_display_(self):
        display(self.widget)
