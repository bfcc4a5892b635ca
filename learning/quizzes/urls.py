"""Site (HTML) URLs of learning.quizzes: the quiz page, taking an attempt and its result."""

from django.urls import path

from learning.quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
