"""Site (HTML) URLs of party.members: boards, timelines, 我的入党进程."""

from django.urls import path

from party.members import views

app_name = "party"

urlpatterns = [
    path("me/party/", views.my_progress, name="my_progress"),
    path("party/", views.board_home, name="board_home"),
    path("party/units/<int:pk>/", views.unit_board, name="unit_board"),
    path("party/units/<int:pk>/export.xlsx", views.unit_board_export, name="unit_board_export"),
    path("party/members/<int:pk>/", views.member_timeline, name="member_timeline"),
]
