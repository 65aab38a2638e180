from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The former app of the exchange with partner systems: only its migrations remain.

    Its code and models are part of exchange now (exchange.partners, exchange.models.partners),
    whose migration 0002 adopted the tables `interop_*` this app created. The app stays installed
    so that a new database gets those tables from interop 0001 and an existing one keeps its
    migration history.
    """

    name = "vanban.interop"
    label = "interop"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Liên thông với hệ thống khác"
