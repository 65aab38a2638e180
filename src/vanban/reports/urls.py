from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("bien-dong-tai-khoan/", views.account_changes, name="account_changes"),
    path("bien-dong-tai-khoan/pdf/", views.account_changes_pdf, name="account_changes_pdf"),
]
