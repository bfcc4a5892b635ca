"""REST API URLs of learning.quizzes, mounted under /api/v1/ by cms/api_views.py."""

from django.urls import path

from learning.quizzes import api_views

urlpatterns = [
    path(
        "quizzes/<int:quiz_id>/attempts/",
        api_views.QuizAttemptsView.as_view(),
        name="api-quiz-attempts",
    ),
    path("attempts/<int:attempt_id>/", api_views.AttemptView.as_view(), name="api-attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        api_views.AttemptAnswerView.as_view(),
        name="api-attempt-answer",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        api_views.AttemptSubmitView.as_view(),
        name="api-attempt-submit",
    ),
    path(
        "attempts/<int:attempt_id>/focus-lost/",
        api_views.AttemptFocusLostView.as_view(),
        name="api-attempt-focus-lost",
    ),
]
