"""Site (HTML) URLs of learning.progress: the trainee's own pages."""

from django.urls import path

from learning.progress import views

urlpatterns = [
    path("me/records/", views.my_records, name="my-records"),
]
