from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "vanban.oversight"
    label = "oversight"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Giám sát, thống kê và hỗ trợ"
