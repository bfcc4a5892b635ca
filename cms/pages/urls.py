"""Site (HTML) URLs of cms.pages."""

urlpatterns: list = []
