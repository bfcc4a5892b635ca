"""App config for learning.progress."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "learning.progress"
    label = "progress"
    verbose_name = _("学习进度与学时")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from learning.progress.lessons import access_memo_forget
        from learning.progress.org_life import meeting_attendance_to_ledger, yearly_hours
        from learning.progress.signals import forget_lesson_info
        from party.meetings.study import register_study_attendance_listener
        from party.members.checks import register_yearly_hours

        # party imports nothing from learning: it announces study attendance and asks for the
        # yearly 学时 through these (docs/party.md, "Yearly 学时").
        register_study_attendance_listener(meeting_attendance_to_ledger)
        register_yearly_hours(yearly_hours)

        page_published.connect(forget_lesson_info, dispatch_uid="progress_forget_published")
        page_unpublished.connect(forget_lesson_info, dispatch_uid="progress_forget_unpublished")
        # Whatever can change who may see a lesson forgets this process's access decisions.
        post_page_move.connect(access_memo_forget, dispatch_uid="progress_access_moved")
        post_delete.connect(access_memo_forget, sender=Page, dispatch_uid="progress_access_page")
        for model in (PageViewRestriction, PageViewRestriction.groups.through):
            post_save.connect(access_memo_forget, sender=model, dispatch_uid=f"pa_save_{model}")
            post_delete.connect(access_memo_forget, sender=model, dispatch_uid=f"pa_del_{model}")
        for through in (PageViewRestriction.groups.through, get_user_model().groups.through):
            m2m_changed.connect(
                access_memo_forget, sender=through, dispatch_uid=f"pa_m2m_{through}"
            )
