"""Digital-signature pages under /chu-ky-so/ (namespace "signatures")."""

from django.urls import path

from . import views

app_name = "signatures"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("chung-thu-ca-nhan/", views.mine_certificate_add, name="mine_certificate_add"),
    path("ky-so-tu-xa/", views.mine_remote_link, name="mine_remote_link"),
    path("hinh-chu-ky/", views.mine_mark_upload, name="mine_mark_upload"),
    path("hinh/<int:pk>/", views.mark_image, name="mark_image"),
    path(
        "chung-thu/<int:pk>/trang-thai/",
        views.certificate_set_active,
        name="certificate_set_active",
    ),
    path("don-vi/", views.unit_choose, name="unit_choose"),
    path("don-vi/<int:pk>/", views.unit, name="unit"),
    path(
        "don-vi/<int:pk>/chung-thu-to-chuc/",
        views.unit_certificate_add,
        name="unit_certificate_add",
    ),
    path(
        "don-vi/<int:pk>/chung-thu-ca-nhan/",
        views.unit_person_certificate_add,
        name="unit_person_certificate_add",
    ),
    path("don-vi/<int:pk>/con-dau/", views.unit_seal_upload, name="unit_seal_upload"),
    path("chung-thu-goc/", views.trust_roots, name="trust_roots"),
    path("chung-thu-goc/them/", views.trust_root_add, name="trust_root_add"),
    path(
        "chung-thu-goc/<int:pk>/trang-thai/",
        views.trust_root_set_active,
        name="trust_root_set_active",
    ),
    path("van-ban/<int:pk>/kiem-tra/", views.document_verify, name="document_verify"),
]
