from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Liên thông văn bản"

    def ready(self) -> None:
        from vanban.documents.intake import package_intake_register

        from . import intake

        # R16: the incoming registration page reads edXML packages through this app.
        package_intake_register(intake)
