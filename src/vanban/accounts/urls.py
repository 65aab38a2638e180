from django.urls import path

from . import admin_views, session_views, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-nhap/ma-xac-thuc/", views.login_code, name="login_code"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("xac-thuc-hai-buoc/", views.second_factor, name="second_factor"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("bi-lo/", views.compromised, name="compromised"),
    path("cua-toi/", views.profile, name="profile"),
    path("cua-toi/phien/", session_views.session_list, name="sessions"),
    path("cua-toi/phien/<int:pk>/ket-thuc/", session_views.session_end, name="session_end"),
    path(
        "cua-toi/phien/ket-thuc-cac-phien-khac/",
        session_views.sessions_end_others,
        name="sessions_end_others",
    ),
    # Administration of units and accounts (R7); pages in admin_views.py.
    path("quan-tri/tai-khoan/", admin_views.account_list, name="account_list"),
    path("quan-tri/tai-khoan/them/", admin_views.account_create, name="account_create"),
    path(
        "quan-tri/tai-khoan/goi-y-ten/",
        admin_views.account_username_suggest,
        name="account_username_suggest",
    ),
    path("quan-tri/tai-khoan/<int:pk>/", admin_views.account_detail, name="account_detail"),
    path("quan-tri/tai-khoan/<int:pk>/sua/", admin_views.account_edit, name="account_edit"),
    path("quan-tri/tai-khoan/<int:pk>/vai-tro/", admin_views.account_roles, name="account_roles"),
    path("quan-tri/tai-khoan/<int:pk>/khoa/", admin_views.account_lock, name="account_lock"),
    path("quan-tri/tai-khoan/<int:pk>/mo-khoa/", admin_views.account_unlock, name="account_unlock"),
    path("quan-tri/tai-khoan/<int:pk>/thu-hoi/", admin_views.account_revoke, name="account_revoke"),
    path(
        "quan-tri/tai-khoan/<int:pk>/cap-lai-mat-khau/",
        admin_views.account_password_reset,
        name="account_password_reset",
    ),
    path(
        "quan-tri/tai-khoan/<int:pk>/dat-lai-xac-thuc/",
        admin_views.account_second_factor_reset,
        name="account_second_factor_reset",
    ),
    path(
        "quan-tri/tai-khoan/<int:pk>/ten-cu/<int:alias_pk>/ket-thuc/",
        admin_views.account_alias_end,
        name="account_alias_end",
    ),
    path("quan-tri/don-vi/", admin_views.unit_list, name="unit_list"),
    path("quan-tri/don-vi/them/", admin_views.unit_create, name="unit_create"),
    path("quan-tri/don-vi/<int:pk>/sua/", admin_views.unit_edit, name="unit_edit"),
    path("quan-tri/chinh-sach/", admin_views.policy, name="policy"),
]
