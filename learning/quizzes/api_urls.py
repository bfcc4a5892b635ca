"""REST API URLs of learning.quizzes, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from learning.quizzes import api

urlpatterns = [
    path(
        "quizzes/<int:quiz_id>/attempts/", api.QuizAttemptsView.as_view(), name="api-quiz-attempts"
    ),
    path("attempts/<int:attempt_id>/", api.AttemptView.as_view(), name="api-attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        api.AttemptAnswerView.as_view(),
        name="api-attempt-answer",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        api.AttemptSubmitView.as_view(),
        name="api-attempt-submit",
    ),
    path(
        "attempts/<int:attempt_id>/focus-lost/",
        api.AttemptFocusLostView.as_view(),
        name="api-attempt-focus-lost",
    ),
]
