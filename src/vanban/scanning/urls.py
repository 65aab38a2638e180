from django.urls import path

from . import views

app_name = "scanning"
urlpatterns = [
    path("", views.detection_list, name="detection_list"),
]
