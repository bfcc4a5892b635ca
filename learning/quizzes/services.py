"""Writes of the quiz engine, in one place for callers (views, API, tasks, tests).

They live by what they do:
- eligibility.py: who may start a quiz (a practice, an exam of one's class, a 补考);
- attempts.py: start or resume, save an answer, hand in, close overdue;
- focus_loss.py: the exam page left (切屏), handed in past the quiz's limit;
- drawing.py: a new attempt's questions and their snapshot;
- scoring.py: grading an attempt from its snapshot and saving the result (学时 for a pass);
- manual_grading.py: a trainer grades a 简答 answer;
- regrade.py: regrading a quiz's attempts, with a corrected key or today's pass mark;
- keys.py and grading.py: pure key mapping and grading, no database.
"""

from learning.quizzes.attempts import (
    SavedAnswer,
    attempt_answer_save,
    attempt_close_if_overdue,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)
from learning.quizzes.drawing import quiz_draw, quiz_problems
from learning.quizzes.eligibility import makeup_check_open, quiz_check_may_start
from learning.quizzes.focus_loss import FocusLoss, attempt_focus_lost
from learning.quizzes.keys import corrected_key, key_as_bank, key_as_shown
from learning.quizzes.manual_grading import answer_grade
from learning.quizzes.regrade import (
    RegradeChange,
    RegradeSummary,
    attempt_regrade,
    quiz_question_rekey,
    quiz_regrade,
)
from learning.quizzes.scoring import attempt_transition

__all__ = [
    "FocusLoss",
    "RegradeChange",
    "RegradeSummary",
    "SavedAnswer",
    "answer_grade",
    "attempt_answer_save",
    "attempt_close_if_overdue",
    "attempt_focus_lost",
    "attempt_regrade",
    "attempt_start",
    "attempt_submit",
    "attempt_transition",
    "attempts_close_overdue",
    "corrected_key",
    "key_as_bank",
    "key_as_shown",
    "makeup_check_open",
    "quiz_check_may_start",
    "quiz_draw",
    "quiz_problems",
    "quiz_question_rekey",
    "quiz_regrade",
]
