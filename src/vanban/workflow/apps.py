from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanban.workflow"
    label = "workflow"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Xử lý văn bản"

    def ready(self) -> None:
        from vanban.core.context_processors import nav_counts_register
        from vanban.documents.files import STORAGE_PREFIX, FileSource, file_source_register
        from vanban.documents.list_actions import list_actions_register
        from vanban.documents.opened import document_opened_register
        from vanban.documents.share_rules import share_rule_register
        from vanban.documents.withdrawals import withdrawal_handler_register

        from .list_actions import incoming_list_actions
        from .selectors.my_work import nav_counts
        from .services.present_first import present_first
        from .services.processing import document_page_opened
        from .services.withdrawals import PROCESSING_WITHDRAWAL

        # Result files and reply drafts are stored beside document files.
        file_source_register(
            FileSource("workflow.ProgressFile", STORAGE_PREFIX, "entry_id", "tiến độ xử lý")
        )
        # A document its sender took back (15) ends its processing here.
        withdrawal_handler_register(PROCESSING_WITHDRAWAL)
        # An incoming document waiting to be presented reaches a leader by presenting it.
        share_rule_register(present_first)
        # Opening the document's own page reads a part given for information, as its
        # processing page does.
        document_opened_register(document_page_opened)
        # The incoming list offers the actions of "Việc của tôi" on the ticked documents.
        list_actions_register(incoming_list_actions)
        # R18: the menu shows how much work waits ("Việc của tôi", "Dự thảo", "Tiếp nhận").
        nav_counts_register(nav_counts)
