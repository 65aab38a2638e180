from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Liên thông văn bản"
