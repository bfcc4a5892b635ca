"""Site (HTML) URLs of learning.progress."""

urlpatterns: list = []
