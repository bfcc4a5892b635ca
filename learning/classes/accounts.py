"""Trainee accounts: changing the password, which also ends the forced first-login change.

One implementation for the site's password page and the API (cms/auth_api.py).
"""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from learning.classes.models import TraineeProfile


def password_change(*, user, new_password: str) -> None:
    """Validate (Django's AUTH_PASSWORD_VALIDATORS) and set the password; clears the initial-password
    flag. Saving the user ends their API token (cms.authentication.revoke_tokens_on_password_change).
    Raises django.core.exceptions.ValidationError for a password the validators refuse."""
    validate_password(new_password, user=user)
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
