"""Signals learning.quizzes sends, so the layers above react without quizzes importing them."""

from django.dispatch import Signal

# Sent by a regrade (quizzes/regrade.py), dry runs included, inside its transaction once every
# attempt has its new result. Arguments: quiz, by (who regrades), attempts (every attempt of the
# quiz, with its new score and state) and summary (the RegradeSummary). A receiver adds what it
# did, or for summary.dry_run would do, to the summary (e.g. certificates_to_review); it changes
# nothing when summary.dry_run is true. An exception rolls the whole regrade back.
quiz_regraded = Signal()

# Sent by attempts.attempt_start inside the transaction that creates an attempt (argument:
# attempt). tasks.py schedules the closing of its deadline window, when it has a deadline.
attempt_started = Signal()
