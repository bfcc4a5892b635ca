"""Signal handlers of learning.classes: remember at login whether the password must be changed."""

from django.dispatch import Signal

from learning.classes.middleware import SESSION_FLAG, must_change_password

# Sent after a class's 及格分 changed (admin form), with training_class and by (who changed it).
# learning.quizzes regrades the class's 结业考试 and 补考 with it: the class decides 结业.
class_pass_mark_changed = Signal()


def flag_initial_password(sender, request, user, **kwargs) -> None:
    if must_change_password(user):
        request.session[SESSION_FLAG] = True
