from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanban.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
