"""Site (HTML) URLs of learning.classes."""

urlpatterns: list = []
