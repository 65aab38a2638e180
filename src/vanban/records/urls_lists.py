"""URLs of lists (namespace "records")."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
