"""URLs of the fault and misuse reports (namespace "oversight"; R20, R21)."""

from django.urls import URLPattern, path

from . import views_faults as views

urlpatterns: list[URLPattern] = [
    path("bao-loi/", views.fault_mine, name="fault_mine"),
    path("bao-loi/moi/", views.fault_new, name="fault_new"),
    path("bao-loi/don-vi/", views.fault_queue_unit, name="fault_queue_unit"),
    path("bao-loi/so/", views.fault_queue_department, name="fault_queue_department"),
    path("bao-loi/<int:pk>/", views.fault_detail, name="fault_detail"),
    path("bao-loi/<int:pk>/chuyen/", views.fault_change, name="fault_change"),
    path("bao-loi/<int:pk>/bo-sung/", views.fault_answer, name="fault_answer"),
    path("bao-loi/<int:pk>/anh/", views.fault_screenshot, name="fault_screenshot"),
]
