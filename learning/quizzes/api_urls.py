"""REST API URLs of learning.quizzes, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
