from django.apps import AppConfig


class ReorganisationConfig(AppConfig):
    name = "vanban.reorganisation"
    label = "reorganisation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Sắp xếp đơn vị"
