from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("thong-bao/", views.notifications, name="notifications"),
]
