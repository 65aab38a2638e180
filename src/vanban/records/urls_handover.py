"""URLs of the hand-over to the agency archive and of the fonds (namespace "records")."""

from django.urls import URLPattern, path

from . import views_handover as views

urlpatterns: list[URLPattern] = [
    path("nop-luu/", views.handover_due, name="handover_due"),
    path("nop-luu/danh-sach/", views.handover_list, name="handover_list"),
    path("nop-luu/lap/", views.handover_create, name="handover_create"),
    path("nop-luu/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("nop-luu/<int:pk>/them/", views.handover_add, name="handover_add"),
    path("nop-luu/<int:pk>/bo/<int:dossier_id>/", views.handover_remove, name="handover_remove"),
    path("nop-luu/<int:pk>/gui/", views.handover_submit, name="handover_submit"),
    path("nop-luu/<int:pk>/tiep-nhan/", views.handover_accept, name="handover_accept"),
    path("nop-luu/<int:pk>/tra-lai/", views.handover_return, name="handover_return"),
    path("nop-luu/<int:pk>/muc-luc.pdf", views.handover_list_pdf, name="handover_list_pdf"),
    path("nop-luu/<int:pk>/bien-ban.pdf", views.handover_minutes_pdf, name="handover_minutes_pdf"),
    path("nop-luu/giu-lai/", views.keep_back_list, name="keep_back_list"),
    path(
        "nop-luu/ho-so/<int:dossier_id>/giu-lai/",
        views.keep_back_request,
        name="keep_back_request",
    ),
    path("nop-luu/giu-lai/<int:pk>/", views.keep_back_decide, name="keep_back_decide"),
    path("luu-tru/cho-kiem-tra/", views.archive_queue, name="archive_queue"),
    path("luu-tru/kho/", views.archive_holdings, name="archive_holdings"),
    path("phong/", views.fonds_list, name="fonds_list"),
    path("phong/mo/", views.fonds_open, name="fonds_open"),
    path("phong/<int:pk>/", views.fonds_detail, name="fonds_detail"),
    path("phong/<int:pk>/dong/", views.fonds_close, name="fonds_close"),
]
