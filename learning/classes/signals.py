"""Signal handlers of learning.classes: remember at login whether the password must be changed."""

from learning.classes.middleware import SESSION_FLAG, must_change_password


def flag_initial_password(sender, request, user, **kwargs) -> None:
    if must_change_password(user):
        request.session[SESSION_FLAG] = True
