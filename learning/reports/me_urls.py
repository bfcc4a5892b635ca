"""Site (HTML) URL of 我的学习 (/me/): the trainee's own classes, standing and next lessons.

Apart from urls.py because its name, "my-learning", is not in the "reports" namespace."""

from django.urls import path

from learning.reports import views

urlpatterns = [
    path("me/", views.my_learning, name="my-learning"),
]
