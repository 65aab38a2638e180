from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("thong-bao/", views.notifications, name="notifications"),
]
