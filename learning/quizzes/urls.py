"""Site (HTML) URLs of learning.quizzes."""

urlpatterns: list = []
