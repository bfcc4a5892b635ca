"""Site (HTML) URLs of party.members: boards, timelines, 我的入党进程."""

from django.urls import path

from party.members import registry_views, views

app_name = "party"

urlpatterns = [
    path("me/party/", views.my_progress, name="my_progress"),
    path("party/", views.board_home, name="board_home"),
    path("party/units/<int:pk>/", views.unit_board, name="unit_board"),
    path("party/units/<int:pk>/export.xlsx", views.unit_board_export, name="unit_board_export"),
    path("party/members/<int:pk>/", views.member_timeline, name="member_timeline"),
    path("party/transfer-in/", views.transfer_in_new, name="transfer_in_new"),
    path(
        "party/documents/<str:kind>/<int:pk>/",
        views.document_download,
        name="document_download",
    ),
    path("party/import/", registry_views.registry_upload, name="registry_upload"),
    path("party/import/<int:upload_id>/", registry_views.registry_preview, name="registry_preview"),
    path(
        "party/import/template.xlsx",
        registry_views.registry_template_download,
        name="registry_template",
    ),
    path(
        "party/units/<int:pk>/members.xlsx", registry_views.registry_export, name="registry_export"
    ),
]
