"""Usage statistics pages (R24), under /giam-sat/thong-ke/."""

from django.urls import path

from . import views_statistics as views

urlpatterns = [
    path("thong-ke/", views.statistics_overview, name="statistics"),
    path("thong-ke/xlsx/", views.statistics_overview, {"fmt": "xlsx"}, name="statistics_xlsx"),
    path("thong-ke/pdf/", views.statistics_overview, {"fmt": "pdf"}, name="statistics_pdf"),
    path("thong-ke/don-vi/<int:unit_id>/", views.statistics_unit, name="statistics_unit"),
    path(
        "thong-ke/don-vi/<int:unit_id>/xlsx/",
        views.statistics_unit,
        {"fmt": "xlsx"},
        name="statistics_unit_xlsx",
    ),
    path(
        "thong-ke/don-vi/<int:unit_id>/pdf/",
        views.statistics_unit,
        {"fmt": "pdf"},
        name="statistics_unit_pdf",
    ),
    path(
        "thong-ke/don-vi/<int:unit_id>/van-ban/<slug:kind>/",
        views.statistics_documents,
        name="statistics_documents",
    ),
]
