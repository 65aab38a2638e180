from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("bi-lo/", views.compromised, name="compromised"),
    path("cua-toi/", views.profile, name="profile"),
    # Administration of units and accounts (R7); pages in admin_views.py.
    path("quan-tri/tai-khoan/", admin_views.account_list, name="account_list"),
    path("quan-tri/tai-khoan/them/", admin_views.account_create, name="account_create"),
    path("quan-tri/tai-khoan/<int:pk>/", admin_views.account_detail, name="account_detail"),
    path("quan-tri/don-vi/", admin_views.unit_list, name="unit_list"),
    path("quan-tri/chinh-sach/", admin_views.policy, name="policy"),
]
