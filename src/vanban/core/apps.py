from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vanban.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
