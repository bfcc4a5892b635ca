"""Load the demo: accounts, courses and lessons, a demo video, training classes, question bank and exams."""

from django.core.management.base import BaseCommand

from cms.demo import COURSES, demo_password_describe, demo_site_ensure


class Command(BaseCommand):
    help = "加载演示数据（可重复运行，已有数据不会改变）。Load demo content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-video",
            action="store_true",
            help="不生成演示视频（更快）。Skip generating and encoding the demo video.",
        )

    def handle(self, *args, no_video: bool = False, **options):
        from learning.classes.demo import demo_classes_ensure
        from learning.progress.demo import demo_progress_ensure
        from learning.quizzes.demo import demo_quizzes_ensure
        from learning.reports.demo import demo_reports_ensure
        from media_pipeline.demo import demo_video_ensure
        from party.appraisal.demo import demo_appraisal_ensure
        from party.dues.demo import demo_dues_ensure
        from party.meetings.demo import demo_meetings_ensure
        from party.members.demo import demo_party_ensure

        videos = {}
        if not no_video:
            for course in COURSES:
                for lesson in course["lessons"]:
                    if lesson["kind"] == "video":
                        self.stdout.write(f"演示视频 Demo video: {lesson['title']} …")
                        videos[lesson["title"]] = demo_video_ensure(
                            title=lesson["title"], captions=lesson.get("captions", False)
                        )
        demo_site_ensure(video_for=videos.get)
        # The Party tree and its people first: the demo trainees are members of its units.
        demo_party_ensure()
        demo_classes_ensure()
        demo_appraisal_ensure()
        demo_dues_ensure()
        # A year of organisation life (its study meetings credit the ledger; needs the accounts).
        demo_meetings_ensure()
        demo_progress_ensure()
        demo_quizzes_ensure()
        demo_reports_ensure()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 Demo data ready."))
        self.stdout.write(demo_password_describe())
