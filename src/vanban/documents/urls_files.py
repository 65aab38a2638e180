"""URL patterns of one part of the documents app; joined in documents/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
