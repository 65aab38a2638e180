"""URL patterns of one part of the documents app; joined in documents/urls.py."""

from django.urls import URLPattern, path

from . import search_views

urlpatterns: list[URLPattern] = [
    path("tim-kiem/", search_views.search_view, name="search"),
    path("tim-kiem/dem/", search_views.search_count_view, name="search_count"),
    path("tim-kiem/xuat/xlsx/", search_views.search_export_xlsx, name="search_export_xlsx"),
    path("tim-kiem/xuat/pdf/", search_views.search_export_pdf, name="search_export_pdf"),
    path("tim-kiem/luu/", search_views.saved_search_create, name="saved_search_create"),
    path("tim-kiem/da-luu/<int:pk>/", search_views.saved_search_run, name="saved_search_run"),
    path(
        "tim-kiem/da-luu/<int:pk>/xoa/",
        search_views.saved_search_delete,
        name="saved_search_delete",
    ),
]
