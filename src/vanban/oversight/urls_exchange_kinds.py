"""URLs of the yearly list of kinds exchanged electronically (namespace "oversight"; R22)."""

from django.urls import URLPattern, path

from . import views_exchange_kinds as views

BASE = "van-ban-bat-buoc-dien-tu/"

urlpatterns: list[URLPattern] = [
    path(BASE, views.kind_list, name="electronic_kinds"),
    path(f"{BASE}them/", views.kind_add, name="electronic_kind_add"),
    path(f"{BASE}<int:pk>/xoa/", views.kind_delete, name="electronic_kind_delete"),
    path(f"{BASE}sao-chep/", views.kinds_copy, name="electronic_kinds_copy"),
    path(f"{BASE}thuc-hien/", views.compliance, name="electronic_compliance"),
    path(f"{BASE}thuc-hien/xlsx/", views.compliance_xlsx, name="electronic_compliance_xlsx"),
    path(
        f"{BASE}thuc-hien/don-vi/<int:unit_pk>/",
        views.compliance_documents,
        name="electronic_compliance_documents",
    ),
]
