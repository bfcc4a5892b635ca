"""Site (HTML) URLs of search."""

urlpatterns: list = []
