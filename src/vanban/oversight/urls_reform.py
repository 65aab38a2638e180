"""URLs of the administrative-reform indicators (namespace "oversight"; R24, Art. 12.2)."""

from django.urls import URLPattern, path

from . import views_reform as views

BASE = "cai-cach-hanh-chinh/"

urlpatterns: list[URLPattern] = [
    path(f"{BASE}tieu-chi/", views.criteria, name="reform_criteria"),
    path(f"{BASE}tieu-chi/sua/", views.criteria_edit, name="reform_criteria_edit"),
    path(f"{BASE}tieu-chi/sao-chep/", views.criteria_copy, name="reform_criteria_copy"),
    path(f"{BASE}ket-qua/", views.unit_score, name="reform_unit"),
    path(f"{BASE}ket-qua/pdf/", views.unit_score_pdf, name="reform_unit_pdf"),
    path(f"{BASE}xep-hang/", views.ranking, name="reform_ranking"),
    path(f"{BASE}xep-hang/xlsx/", views.ranking_xlsx, name="reform_ranking_xlsx"),
]
