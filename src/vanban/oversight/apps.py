from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "vanban.oversight"
    label = "oversight"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Giám sát, thống kê và hỗ trợ"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from vanban.core.context_processors import page_notice_register
        from vanban.documents.files import FileSource, file_source_register

        from .models_scheduled_reports import STORAGE_PREFIX
        from .release_notice import release_notice, release_notice_on_login

        # R23: the notes of a new version, once per person, at the first page after login.
        user_logged_in.connect(release_notice_on_login, dispatch_uid="oversight_release_notice")
        page_notice_register(release_notice)
        # R24: the stored files of the scheduled reports, seen by `vanban files check`.
        file_source_register(
            FileSource(
                "oversight.ScheduledReportFile", STORAGE_PREFIX, "report_id", "báo cáo định kỳ"
            )
        )
