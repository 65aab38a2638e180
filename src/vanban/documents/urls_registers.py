"""URL patterns of the registers (R17); joined in documents/urls.py."""

from django.urls import URLPattern, path

from . import register_views

urlpatterns: list[URLPattern] = [
    path("so/den/", register_views.register_incoming, name="register_incoming"),
    path("so/den/pdf/", register_views.register_incoming_pdf, name="register_incoming_pdf"),
    path("so/di/", register_views.register_outgoing, name="register_outgoing"),
    path("so/di/pdf/", register_views.register_outgoing_pdf, name="register_outgoing_pdf"),
    path("so/tep-in/", register_views.print_jobs, name="print_jobs"),
    path(
        "so/tep-in/<int:pk>/tai-xuong/",
        register_views.print_job_download,
        name="print_job_download",
    ),
]
