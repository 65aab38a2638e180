"""URL patterns of one part of the documents app; joined in documents/urls.py."""

from django.urls import URLPattern, path

from . import file_views, policy_views

urlpatterns: list[URLPattern] = [
    path("tep/<int:pk>/tai-xuong/", file_views.file_download, name="file_download"),
    path("quy-dinh-tep/", policy_views.document_policy, name="document_policy"),
]
