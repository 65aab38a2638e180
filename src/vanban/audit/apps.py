from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vanban.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
