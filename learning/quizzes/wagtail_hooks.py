"""Admin wiring of the quiz engine: the 题库与考试 menu group."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from learning.quizzes.admin_views import (
    duplicates_viewset,
    grading_viewset,
    question_import_viewset,
)
from learning.quizzes.viewsets import (
    question_bank_viewset,
    question_chooser_viewset,
    question_viewset,
    quiz_viewset,
)


class QuizAdminGroup(ViewSetGroup):
    menu_label = _("题库与考试")
    menu_icon = "form"
    menu_order = 260
    items = (
        quiz_viewset,
        grading_viewset,
        question_bank_viewset,
        question_viewset,
        question_import_viewset,
        duplicates_viewset,
    )


@hooks.register("register_admin_viewset")
def register_quiz_admin():
    return QuizAdminGroup()


@hooks.register("register_admin_viewset")
def register_question_chooser():
    return question_chooser_viewset
