"""URLs of handover (namespace "records")."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
