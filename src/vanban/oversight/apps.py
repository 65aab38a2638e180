from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "vanban.oversight"
    label = "oversight"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Giám sát, thống kê và hỗ trợ"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from vanban.core.context_processors import page_notice_register
        from vanban.core.page_tools import page_tool_register
        from vanban.documents.files import FileSource, file_source_register

        from .faults import SCREENSHOT_PREFIX
        from .models_scheduled_reports import STORAGE_PREFIX
        from .page_tools import fault_report_tool
        from .release_notice import release_notice, release_notice_on_login

        # R21: "Báo lỗi" on every signed-in page (base.html, in core, knows no app above it).
        page_tool_register(fault_report_tool)
        # R23: the notes of a new version, once per person, at the first page after login.
        user_logged_in.connect(release_notice_on_login, dispatch_uid="oversight_release_notice")
        page_notice_register(release_notice)
        # Stored files that `vanban files check` sees: the screenshots of fault reports and the
        # files of the scheduled reports (R24).
        file_source_register(
            FileSource(
                "oversight.FaultReport",
                SCREENSHOT_PREFIX,
                "id",
                "ảnh chụp màn hình báo lỗi",
                storage_field="screenshot_storage_name",
                sha256_field="screenshot_sha256",
                name_field="screenshot_name",
            )
        )
        file_source_register(
            FileSource(
                "oversight.ScheduledReportFile", STORAGE_PREFIX, "report_id", "báo cáo định kỳ"
            )
        )
