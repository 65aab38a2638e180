"""URLs of searching and using dossiers (namespace "records"): /ho-so/khai-thac/..."""

from django.urls import path

from . import views_search

urlpatterns = [
    path("khai-thac/", views_search.dossier_search, name="search"),
    path("khai-thac/ket-qua.xlsx", views_search.search_xlsx, name="search_xlsx"),
    path("khai-thac/ket-qua.pdf", views_search.search_pdf, name="search_pdf"),
    path("khai-thac/<int:pk>/toan-van.pdf", views_search.dossier_pdf, name="dossier_pdf"),
    path("khai-thac/<int:pk>/ho-so.xml", views_search.dossier_xml, name="dossier_xml"),
    path("khai-thac/<int:pk>/lich-su/", views_search.dossier_access, name="dossier_access"),
]
