"""Trainee accounts: changing the password, which also ends the forced first-login change.

One implementation for the site's password page and the API (cms/auth_api.py).
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from learning.classes.exceptions import WeakPassword
from learning.classes.models import TraineeProfile


def password_change(*, user, new_password: str) -> None:
    """Validate (Django's AUTH_PASSWORD_VALIDATORS) and set the password; clears the initial-password
    flag. Saving the user ends their API token (cms.authentication.revoke_tokens_on_password_change).
    Raises WeakPassword, every validator's message on `new_password`, for a password they refuse."""
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise WeakPassword({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        initial_password_done(user=user)


def initial_password_done(*, user) -> None:
    TraineeProfile.objects.filter(user=user, must_change_password=True).update(
        must_change_password=False
    )
    # A profile already loaded with the user (the token authentication joins it) says so too.
    profile = user._state.fields_cache.get("trainee_profile")
    if profile is not None:
        profile.must_change_password = False
