"""Processing of incoming documents, under /xu-ly/ (namespace "workflow")."""

from django.urls import path

from . import bulk_views, print_views, views, work_views

app_name = "workflow"
urlpatterns = [
    path("viec-cua-toi/", work_views.my_work, name="my_work"),
    path("viec-cua-toi/chon/", bulk_views.my_work_bulk, name="my_work_bulk"),
    path("han-xu-ly/", work_views.deadlines, name="deadlines"),
    path("tong-hop/", work_views.dashboard, name="dashboard"),
    path("uy-quyen/", work_views.delegations, name="delegations"),
    path("uy-quyen/<int:pk>/ket-thuc/", work_views.delegation_end, name="delegation_end"),
    path("quy-dinh-han/", work_views.policy, name="policy"),
    path("mau-y-kien/", work_views.direction_templates, name="direction_templates"),
    path(
        "mau-y-kien/<int:pk>/xoa/",
        work_views.direction_template_delete,
        name="direction_template_delete",
    ),
    path("so-theo-doi/", print_views.followup, name="followup"),
    path("so-theo-doi/pdf/", print_views.followup_pdf, name="followup_pdf"),
    path("van-ban/<int:pk>/", views.document, name="document"),
    path("van-ban/<int:pk>/trinh/", views.present, name="present"),
    path("van-ban/<int:pk>/chi-dao/", views.direct, name="direct"),
    path("van-ban/<int:pk>/phieu/", print_views.slip, name="slip"),
    path("viec/<int:pk>/phan-cong/", views.reassign, name="reassign"),
    path("viec/<int:pk>/tien-do/", views.progress, name="progress"),
    path("viec/<int:pk>/hoan-thanh/", views.complete, name="complete"),
    path("viec/<int:pk>/don-doc/", views.remind, name="remind"),
    path("viec/<int:pk>/gia-han/", views.extension_request, name="extension_request"),
    path("gia-han/<int:pk>/quyet-dinh/", views.extension_decide, name="extension_decide"),
    path("tep/<int:pk>/tai-xuong/", views.file_download, name="file_download"),
]
