"""Site (HTML) URLs of learning.classes."""

from django.urls import path

from learning.classes import views

urlpatterns = [
    path("me/account/", views.my_account, name="my-account"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
