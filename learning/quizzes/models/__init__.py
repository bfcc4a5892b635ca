"""The quiz engine's models, by what they hold:

- banks.py: question banks and their questions;
- quizzes.py: quizzes and exams, their fixed questions and draw rules;
- attempts.py: attempts with their answers, saved steps and 切屏 events;
- regrades.py: the record of every regrade.

Every name is importable from here (`from learning.quizzes.models import Quiz`), as migrations
and the rest of the project do.
"""

from learning.quizzes.models.attempts import (
    ATTEMPT_TRANSITIONS,
    Attempt,
    AttemptAnswer,
    AttemptFocusLoss,
    AttemptState,
    AttemptStep,
)
from learning.quizzes.models.banks import Difficulty, Question, QuestionBank, new_questions_version
from learning.quizzes.models.quizzes import (
    REVIEW_ORDER,
    GradingMethod,
    Quiz,
    QuizDrawRule,
    QuizKind,
    QuizQuestion,
    ReviewLevel,
    default_pass_mark,
)
from learning.quizzes.models.regrades import RegradeKind, RegradeLog

# Defined in question_types.py, so that grading.py needs no models; still importable from here.
from learning.quizzes.question_types import CHOICE_TYPES, OPTION_KEYS, QuestionType

__all__ = [
    "ATTEMPT_TRANSITIONS",
    "CHOICE_TYPES",
    "OPTION_KEYS",
    "REVIEW_ORDER",
    "Attempt",
    "AttemptAnswer",
    "AttemptFocusLoss",
    "AttemptState",
    "AttemptStep",
    "Difficulty",
    "GradingMethod",
    "Question",
    "QuestionBank",
    "QuestionType",
    "Quiz",
    "QuizDrawRule",
    "QuizKind",
    "QuizQuestion",
    "RegradeKind",
    "RegradeLog",
    "ReviewLevel",
    "default_pass_mark",
    "new_questions_version",
]
