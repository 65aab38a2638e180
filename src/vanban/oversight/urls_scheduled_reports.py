"""URLs of the scheduled usage reports (namespace "oversight")."""

from django.urls import URLPattern, path

from . import views_scheduled_reports as views

urlpatterns: list[URLPattern] = [
    path("bao-cao-dinh-ky/", views.scheduled_report_list, name="scheduled_report_list"),
    path(
        "bao-cao-dinh-ky/<int:pk>/<str:file_format>/",
        views.scheduled_report_file,
        name="scheduled_report_file",
    ),
]
