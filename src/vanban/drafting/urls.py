"""Drafting pages under /du-thao/ (namespace "drafting")."""

from django.urls import path

from . import batch_views, views

app_name = "drafting"
urlpatterns = [
    path("", views.draft_list, name="draft_list"),
    path("cho-toi/", views.waiting, name="waiting"),
    path("ky-so-nhieu/", batch_views.sign_batch, name="sign_batch"),
    path("ban-hanh-nhieu/", batch_views.issue_batch, name="issue_batch"),
    path("moi/", views.draft_create, name="draft_create"),
    path("<int:pk>/", views.draft_detail, name="draft_detail"),
    path("<int:pk>/phien-ban/", views.version_add, name="version_add"),
    path(
        "<int:pk>/phien-ban/<int:number>/tai-xuong/",
        views.version_download,
        name="version_download",
    ),
    path("<int:pk>/phien-ban/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("<int:pk>/xin-y-kien/", views.comments_request, name="comments_request"),
    path("<int:pk>/gop-y/", views.comment, name="comment"),
    path("<int:pk>/trinh/", views.submit, name="submit"),
    path("<int:pk>/kiem-tra-noi-dung/", views.review_content, name="review_content"),
    path("<int:pk>/kiem-tra-the-thuc/", views.check_format, name="check_format"),
    path("<int:pk>/phe-duyet/", views.approve, name="approve"),
    path("<int:pk>/ky-so/", views.sign, name="sign"),
    path("<int:pk>/ky-so/yeu-cau/", views.sign_request, name="sign_request"),
    path("<int:pk>/ky-so/dien-thoai/", views.sign_phone, name="sign_phone"),
    path("<int:pk>/ky-so/dien-thoai/<str:code>/", views.sign_phone_wait, name="sign_phone_wait"),
    path(
        "<int:pk>/ky-so/dien-thoai/<str:code>/huy/",
        views.sign_phone_cancel,
        name="sign_phone_cancel",
    ),
    path("<int:pk>/ky-so/tai-len/", views.signed_upload, name="signed_upload"),
    path("<int:pk>/ky-so/tai-xuong/", views.signed_download, name="signed_download"),
    path("<int:pk>/ban-hanh/", views.issue, name="issue"),
    path("<int:pk>/ban-hanh/trang-dau.png", views.placement_preview, name="placement_preview"),
]
