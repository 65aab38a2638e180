from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanban.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # accounts.services.login_attempt records the login time itself (with the project clock).
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")

        from .session_views import record_login

        # Each login gets a row on "Phiên đăng nhập" (docs/accounts.md, "Sessions").
        user_logged_in.connect(record_login, dispatch_uid="vanban_session_record")
