from django.urls import path

from vanban.accounts.admin_views import _todo

app_name = "reports"
urlpatterns = [path("bien-dong-tai-khoan/", _todo, name="account_changes")]
