"""URLs of the administrative-reform indicators (namespace "oversight"; R24, Art. 12.2)."""

from django.urls import URLPattern, path

from . import views_reform as views

BASE = "cai-cach-hanh-chinh/"

urlpatterns: list[URLPattern] = [
    path(f"{BASE}tieu-chi/", views.criteria, name="reform_criteria"),
    path(f"{BASE}tieu-chi/sua/", views.criteria_edit, name="reform_criteria_edit"),
    path(f"{BASE}tieu-chi/sao-chep/", views.criteria_copy, name="reform_criteria_copy"),
]
