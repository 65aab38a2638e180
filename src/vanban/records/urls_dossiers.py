"""URLs of dossiers (namespace "records")."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
