"""Reorganisation pages under /sap-xep-don-vi/ (namespace "reorganisation")."""

from django.urls import path

from . import views

app_name = "reorganisation"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("tai-len/", views.plan_upload, name="plan_upload"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/ap-dung/", views.plan_apply_view, name="plan_apply"),
    path("<int:pk>/bao-cao.pdf", views.plan_report_pdf, name="plan_report_pdf"),
]
