"""The periodic jobs, their intervals and what they call: the one place they are declared."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command


@dataclass(frozen=True)
class PeriodicJobSpec:
    name: str
    interval: timedelta
    # Returns a short summary of what it did (stored as the job's last result).
    run: Callable[[], str]


def close_overdue_attempts() -> str:
    from learning.quizzes import services

    return f"closed {services.attempts_close_overdue()} overdue attempt(s)"


def publish_scheduled() -> str:
    # Wagtail offers no service function for this; its command is the public interface.
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue().strip()


def media_requeue_stale() -> str:
    from media_pipeline import api as media

    requeued = media.stale_jobs_requeue()
    return f"requeued {len(requeued)} stale encoding job(s): {requeued}"


def media_scratch_clean() -> str:
    from media_pipeline import api as media

    removed = media.scratch_folders_clean()
    return f"removed {len(removed)} abandoned scratch folder(s)"


def import_leftovers_clean() -> str:
    from tabular import services as tabular

    staged, finished = tabular.uploads_clean()
    return f"removed {staged} staged upload(s) never imported, {finished} finished import record(s)"


def dues_summary() -> str:
    from party.dues import summary

    months = summary.update()
    return f"computed {len(months)} month(s) of the dues summary"


# Names match the management commands that do the same by hand.
JOBS: tuple[PeriodicJobSpec, ...] = (
    # Exams past their deadline are closed with the answers saved by then. Each attempt also has
    # its own task enqueued for its deadline; this catches any that task missed.
    PeriodicJobSpec("close_overdue_attempts", timedelta(minutes=1), close_overdue_attempts),
    # Wagtail's scheduled publishing and expiry ("go live at" / "expire at").
    PeriodicJobSpec("publish_scheduled", timedelta(minutes=1), publish_scheduled),
    # Encoding jobs whose worker died: their lease (MEDIA_PIPELINE_LEASE_SECONDS, 60 s) ran out.
    # Checked often so such a job runs again within about a minute of the kill.
    PeriodicJobSpec("media_requeue_stale", timedelta(seconds=15), media_requeue_stale),
    # Scratch folders (MEDIA_ROOT/videos/.work/) left by encodes whose worker was killed.
    PeriodicJobSpec("media_scratch_clean", timedelta(minutes=5), media_scratch_clean),
    # Spreadsheet imports' leftovers (tabular.services.uploads_clean): raw files of previews never
    # imported (IMPORT_STAGED_KEEP_HOURS) and finished imports' records, with a roster's initial
    # passwords not yet collected (IMPORT_RESULT_KEEP_DAYS).
    PeriodicJobSpec("import_leftovers_clean", timedelta(hours=1), import_leftovers_clean),
    # The 党费 summary (party.dues.summary): the next month is added before it begins (seconds at
    # 30,000 members, once a month, under the summary's lock); every write keeps the rest in step
    # itself. Three queries when nothing is missing.
    PeriodicJobSpec("dues_summary", timedelta(minutes=5), dues_summary),
)
