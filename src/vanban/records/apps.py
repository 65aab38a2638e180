from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vanban.records"
    label = "records"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Hồ sơ và lưu trữ"
