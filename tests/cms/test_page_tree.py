"""Page types are allowed only where they belong."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.pages.models import ArticleLessonPage, CoursePage, HomePage, VideoLessonPage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_holds_only_courses(self):
        self.assertAllowedSubpageTypes(HomePage, {CoursePage})

    def test_courses_hold_only_lessons(self):
        self.assertAllowedSubpageTypes(CoursePage, {ArticleLessonPage, VideoLessonPage})

    def test_lessons_live_only_under_courses(self):
        self.assertAllowedParentPageTypes(ArticleLessonPage, {CoursePage})
        self.assertAllowedParentPageTypes(VideoLessonPage, {CoursePage})
        self.assertAllowedSubpageTypes(ArticleLessonPage, set())
        self.assertAllowedSubpageTypes(VideoLessonPage, set())

    def test_course_cannot_be_created_under_root(self):
        self.assertCanNotCreateAt(Page, CoursePage)
        self.assertCanNotCreateAt(HomePage, ArticleLessonPage)

    def test_migration_made_the_home_page_the_site_root(self):
        from wagtail.models import Site

        site = Site.objects.get(is_default_site=True)
        self.assertIsInstance(site.root_page.specific, HomePage)
        self.assertFalse(Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists())
