"""Site (HTML) URLs of learning.reports: /verify/{number}/ (public) and a trainee's own PDFs."""

from django.urls import path

from learning.reports import views

app_name = "reports"

urlpatterns = [
    path("verify/<str:number>/", views.verify, name="verify"),
    path("me/record.pdf", views.my_record_pdf, name="my_record_pdf"),
    path("me/certificates/<str:number>.pdf", views.my_certificate_pdf, name="my_certificate_pdf"),
]
