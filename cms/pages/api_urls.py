"""REST API URLs of cms.pages, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from cms.pages import api_views

urlpatterns = [
    path("courses/", api_views.CourseListView.as_view(), name="api-course-list"),
    path("courses/<int:pk>/", api_views.CourseDetailView.as_view(), name="api-course-detail"),
    path("lessons/", api_views.LessonListView.as_view(), name="api-lesson-list"),
    path("lessons/<int:pk>/", api_views.LessonDetailView.as_view(), name="api-lesson-detail"),
]
