"""Incoming and outgoing documents, their numbering series and files (NĐ 30/2020, Appendix VI).

Field lengths follow Appendix VI part II (STANDARDS.md "Record fields").
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q

from vanban.accounts.models import Role, Unit, User


class Direction(models.TextChoices):
    INCOMING = "in", "Văn bản đến"
    OUTGOING = "out", "Văn bản đi"


class Urgency(models.IntegerChoices):
    """Độ khẩn, with the one-digit code of the exchange format."""

    NORMAL = 0, "Thường"
    URGENT = 1, "Khẩn"
    VERY_URGENT = 2, "Thượng khẩn"
    FLASH = 3, "Hỏa tốc"
    FLASH_SCHEDULED = 4, "Hỏa tốc hẹn giờ"


class DocumentType(models.Model):
    """One of the 29 administrative document types (NĐ 30/2020 Appendix III), kept as data."""

    name = models.CharField("tên loại", max_length=100, unique=True)
    abbreviation = models.CharField(
        "chữ viết tắt",
        max_length=10,
        blank=True,
        help_text="Để trống với công văn và thư công (không có chữ viết tắt).",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)
    kept_permanently = models.BooleanField(
        "cơ quan nhận lưu trữ vĩnh viễn",
        default=False,
        help_text=(
            "Văn bản điện tử loại này gửi đi vẫn cần kèm bản giấy (Quy chế, Điều 3 khoản 5)."
        ),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"

    def __str__(self) -> str:
        return self.name

    @property
    def is_official_letter(self) -> bool:
        """Công văn (and thư công): the symbol is issuer + drafting unit, no type letters."""
        return not self.abbreviation


class RegisterSeries(models.Model):
    """A numbering series (sổ văn bản) of one unit for one calendar year.

    Incoming documents have one series per unit and year (arrival numbers). Outgoing documents have
    one series for all types, or one per type, as the head of the unit decides; legal normative
    documents have a series per type. `next_number` is the counter, changed only under a row lock.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="register_series")
    year = models.PositiveSmallIntegerField("năm")
    direction = models.CharField("loại sổ", max_length=3, choices=Direction.choices)
    name = models.CharField("tên sổ", max_length=200)
    document_type = models.ForeignKey(
        DocumentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="chỉ cho loại văn bản",
    )
    legal_normative = models.BooleanField("sổ văn bản quy phạm pháp luật", default=False)
    next_number = models.PositiveIntegerField("số tiếp theo", default=1)
    is_active = models.BooleanField("đang dùng", default=True)
    # The last day the series numbered documents: the day its unit stopped (CV 414/BNV-VTLTNN).
    # A closed series stays readable with its numbers and takes no new one (NĐ 30/2020 Art. 15).
    closed_on = models.DateField("ngày khóa sổ", null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "-year", "direction", "name"]
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"
        # Two partial constraints instead of one with NULLS NOT DISTINCT, which SQLite lacks.
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "direction", "document_type", "legal_normative"],
                condition=Q(document_type__isnull=False),
                name="unique_series_scope_type",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "direction", "legal_normative"],
                condition=Q(document_type__isnull=True),
                name="unique_series_scope_all_types",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: User | AnonymousUser) -> "DocumentQuerySet":
        """R14 and DESIGN "invariants": a unit's documents are seen by its clerks and leaders, and
        by the people a document was given to. Every document list starts here."""
        condition = visibility_condition(user)
        return self.none() if condition is None else self.filter(condition)


def visibility_condition(user: User | AnonymousUser) -> Q | None:
    """R14 as one condition (None: nothing at all). A subquery, not a join: no DISTINCT. Lists,
    searches and counts read the same rule in two halves instead, each with its own plan
    (visibility.py)."""
    if not isinstance(user, User) or not user.is_active:
        return None
    shared = DocumentShare.objects.filter(user=user).values("document_id")
    return Q(unit_id__in=register_unit_ids(user)) | Q(pk__in=shared)


def register_unit_ids(user: User) -> list[int]:
    """R14: the units whose documents the person sees all of, sorted: where they are clerk or
    leader, and the units those units carry on after a reorganisation, however many back (CV
    414/BNV-VTLTNN: the documents stay the ended agency's, its successor keeps using them; read
    only, for acting needs a role in the unit itself). Read with the roles, no query of its own."""
    own = {unit_id for unit_id, role in user.role_pairs() if role in (Role.CLERK, Role.LEADER)}
    return sorted(own | user.predecessor_unit_ids(own))


class Document(models.Model):
    """A registered incoming or outgoing document: the Appendix VI record fields."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="documents", verbose_name="đơn vị"
    )
    direction = models.CharField("loại", max_length=3, choices=Direction.choices)
    series = models.ForeignKey(
        RegisterSeries, on_delete=models.PROTECT, related_name="documents", verbose_name="sổ"
    )
    year = models.PositiveSmallIntegerField("năm")
    register_number = models.PositiveIntegerField("số trong sổ")
    document_type = models.ForeignKey(
        DocumentType,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name="loại văn bản",
    )
    # Number and symbol as written on the document: CodeNumber (11), CodeNotation (30).
    code_number = models.CharField("số", max_length=11, blank=True)
    code_notation = models.CharField("ký hiệu", max_length=30, blank=True)
    issued_date = models.DateField("ngày văn bản")
    # Issuing body (OrganName 200): a unit of the deployment or an external body with its code.
    issuer_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cơ quan ban hành",
    )
    issuer_name = models.CharField("cơ quan ban hành", max_length=200)
    issuer_code = models.CharField("mã định danh cơ quan ban hành", max_length=13, blank=True)
    subject = models.CharField("trích yếu", max_length=500)
    language = models.CharField("ngôn ngữ", max_length=30, default="Tiếng Việt")
    page_amount = models.PositiveSmallIntegerField("số trang", null=True, blank=True)
    description = models.CharField("ghi chú", max_length=500, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=100, blank=True)
    signer_name = models.CharField("người ký", max_length=50, blank=True)
    urgency = models.PositiveSmallIntegerField(
        "độ khẩn", choices=Urgency.choices, default=Urgency.NORMAL
    )
    due_date = models.DateField("hạn xử lý", null=True, blank=True)
    legal_normative = models.BooleanField("văn bản quy phạm pháp luật", default=False)
    # Incoming only.
    arrival_date = models.DateTimeField("ngày đến", null=True, blank=True)
    to_places = models.CharField("đơn vị hoặc người nhận", max_length=1000, blank=True)
    is_electronic = models.BooleanField("văn bản điện tử", default=False)
    # Outgoing only.
    recipients = models.CharField("nơi nhận", max_length=1000, blank=True)
    archive_holder = models.CharField("đơn vị, người nhận bản lưu", max_length=200, blank=True)
    issued_amount = models.PositiveSmallIntegerField("số lượng bản", null=True, blank=True)
    needs_paper_copy = models.BooleanField(
        "cần gửi kèm bản giấy",
        default=False,
        help_text="Văn bản mà cơ quan nhận phải lưu trữ vĩnh viễn (R12).",
    )
    # An incoming document its sender took back (status 15 "đồng ý thu hồi", NĐ 30/2020
    # Appendix VI): it keeps its arrival number (registers have no gaps), its processing ends.
    withdrawn_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    withdrawn_reason = models.CharField("lý do thu hồi", max_length=500, blank=True)
    # The document that replaces this one (business type 3 "thay thế"): an outgoing document once
    # its replacement is issued, an incoming one once the replacement is registered.
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        verbose_name="được thay thế bằng",
    )
    # An incoming document registered and not yet handed to its processing: not presented to a
    # leader, not taken back (R18 "Văn bản chờ trình"). The workflow clears it when it creates the
    # document's processing (presenting, or a take-back before presenting). Kept on the row, with
    # the partial index below, so that the clerk's list and count of documents to present (every
    # page's menu counts them, R18) read only the waiting documents through an index instead of
    # an anti-join over every incoming document of the unit.
    awaiting_presentation = models.BooleanField("chờ trình", default=False, editable=False)
    # Register bookkeeping.
    sensitive_declared = models.BooleanField(
        "đã cam kết không thuộc vấn đề nhạy cảm", default=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người vào sổ",
    )
    registered_at = models.DateTimeField("thời điểm vào sổ")
    # Folded (no diacritics, lower case) words of every searchable field and the files' text,
    # padded with spaces so that a word or a number-symbol matches only whole, in four sections
    # " A | B | C | D " (see search.py). On PostgreSQL the generated column `search_vector` (not a
    # field: migration 0010) is its weighted full-text vector.
    search_text = models.TextField(blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["series", "register_number"], name="unique_number_in_series"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "direction", "year", "register_number"]),
            models.Index(fields=["unit", "direction", "-registered_at"]),
            models.Index(fields=["unit", "code_number", "code_notation"]),
            # "Văn bản chờ trình" (R18), in the order "Việc của tôi" lists them.
            models.Index(
                fields=["unit", "-urgency", "due_date", "id"],
                condition=models.Q(awaiting_presentation=True),
                name="document_to_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol} – {self.subject[:60]}"

    @property
    def number_symbol(self) -> str:
        if not self.code_number:
            return self.code_notation
        return (
            f"{self.code_number}/{self.code_notation}" if self.code_notation else self.code_number
        )

    @property
    def arrival_number(self) -> str:
        """ArrivalNumber (10): the incoming register number."""
        return str(self.register_number) if self.direction == Direction.INCOMING else ""


class DocumentFileManager(models.Manager["DocumentFile"]):
    """The files of documents as registered: main files and attachments, without the copies
    that OCR makes of scans (role OCR, docs/ocr.md).

    The default manager, so that `document.files`, its prefetches and every count, package,
    export and signature check see only the registered files; the copies are reached through
    `DocumentFile.with_copies` or an original's `ocr_copy`."""

    def get_queryset(self) -> models.QuerySet["DocumentFile"]:
        return super().get_queryset().exclude(role=DocumentFile.Role.OCR)


class DocumentFile(models.Model):
    """The main file or an attachment, stored through Django's storage API and hashed; or the
    PDF/A copy with a text layer that OCR made of a scanned one (`ocr_of`, docs/ocr.md)."""

    class Role(models.TextChoices):
        MAIN = "main", "Tệp chính"
        ATTACHMENT = "attachment", "Tệp đính kèm"
        OCR = "ocr", "Bản có lớp chữ (OCR)"

    class OcrStatus(models.TextChoices):
        NONE = "", "Không phải bản quét"
        PENDING = "pending", "Đang chờ nhận dạng chữ"
        DONE = "done", "Đã nhận dạng chữ"
        FAILED = "failed", "Nhận dạng chữ không thành công"
        UNAVAILABLE = "unavailable", "Chưa nhận dạng được chữ"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    role = models.CharField("loại tệp", max_length=12, choices=Role.choices)
    storage_name = models.CharField(max_length=500, unique=True)
    original_name = models.CharField("tên tệp", max_length=255)
    file_format = models.CharField("định dạng", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    text = models.TextField("nội dung trích xuất", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    # A scan (an image, or a PDF without text): where its OCR stands. The copy OCR made is a file
    # of its own (role OCR) pointing to its original; the original's bytes never change, its
    # `text` becomes what OCR read (docs/ocr.md).
    ocr_status = models.CharField(
        "nhận dạng chữ", max_length=12, choices=OcrStatus.choices, blank=True, default=""
    )
    ocr_message = models.TextField("thông báo nhận dạng chữ", blank=True)
    ocr_confidence = models.FloatField("độ tin cậy nhận dạng chữ", null=True, blank=True)
    # The highest secrecy stamp OCR read on the scan after it was registered (R13, Quy chế Điều 4).
    ocr_secrecy = models.CharField("dấu chỉ độ mật trên bản quét", max_length=12, blank=True)
    ocr_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ocr_copy",
        verbose_name="bản gốc",
    )

    with_copies = models.Manager()  # every file, the OCR copies included
    objects = DocumentFileManager()

    class Meta:
        ordering = ["document_id", "role", "id"]
        verbose_name = "tệp văn bản"
        default_manager_name = "objects"
        indexes = [
            # The scans still waiting for OCR (`vanban ocr pending`).
            models.Index(
                fields=["ocr_status"],
                condition=Q(ocr_status__in=["pending", "unavailable"]),
                name="document_file_ocr_waiting",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class DocumentShare(models.Model):
    """A document given to a person (chuyển cho cá nhân), who may then see it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    # Indexed with the document (below): "the documents given to this person", the half of the
    # visibility rule every list and search runs, is read from the index alone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="document_shares",
        db_index=False,
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    # The document's unit, copied when the document is given (a document never changes unit):
    # "the documents given to this person outside their units", half 2 of the visibility rule
    # (visibility.py), is then read from the index (user, document_unit, document) alone. A share
    # without it counts as outside, which is only slower, never wrong.
    document_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Given for reading by a clerk or leader ("chuyển để biết", `services.document_share`): the
    # person is told and finds it in "Việc của tôi" until they open it. The processing's own
    # shares (presenting, assigning; R18) are not: its sections of "Việc của tôi" list them.
    for_reading = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="unique_document_share")
        ]
        indexes = [
            models.Index(fields=["user", "document"], name="document_share_user_doc"),
            models.Index(
                fields=["user", "document_unit", "document"], name="document_share_user_unit"
            ),
            # "Given for reading, not yet opened": counted for the menu on every page.
            models.Index(
                fields=["user"],
                condition=Q(for_reading=True, opened_at__isnull=True),
                name="document_share_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} -> {self.user_id}"


class DocumentPolicy(models.Model):
    """Province-wide rules for files; one row, edited by the province admin."""

    max_file_size_mb = models.PositiveIntegerField("dung lượng tối đa một tệp (MB)", default=50)
    max_attachments = models.PositiveSmallIntegerField("số tệp đính kèm tối đa", default=20)

    class Meta:
        verbose_name = "quy định tệp văn bản"

    def __str__(self) -> str:
        return "Quy định tệp văn bản"

    @classmethod
    def current(cls) -> "DocumentPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class SavedSearch(models.Model):
    """A search a person keeps to run again (Appendix VI "save queries")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField("tên", max_length=100)
    query_string = models.CharField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="unique_saved_search_name")
        ]

    def __str__(self) -> str:
        return self.name


class PrintJob(models.Model):
    """A printed register (R17) too long to render within a web request, made by a worker.

    The PDF is stored under `print-jobs/` with its SHA-256 and given only to the person who asked.
    `key` names the register (unit, direction, series, period) so that one person never has two
    jobs for the same register waiting or running at once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang tạo"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Không tạo được"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="print_jobs"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField("loại sổ", max_length=3, choices=Direction.choices)
    # The period as the register pages take it: {"period": "quarter", "year": 2026, "quarter": 4}.
    params = models.JSONField("kỳ", default=dict)
    series = models.ForeignKey(
        RegisterSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=200)
    total = models.PositiveIntegerField("số văn bản", default=0)
    file_name = models.CharField("tên tệp", max_length=255)
    status = models.CharField(
        "trạng thái", max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    storage_name = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField("dung lượng", null=True, blank=True)
    error = models.CharField("lỗi", max_length=500, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tệp in sổ"
        verbose_name_plural = "tệp in sổ"
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "key"],
                condition=Q(status__in=["queued", "running"]),
                name="unique_active_print_job",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name


class DiscussionPost(models.Model):
    """One message of the discussion (ý kiến trao đổi) about an incoming document or a draft.

    The thread is generic: `kind` names what it is about ("document", "draft"), `subject_id` its
    key, and the app owning that kind says who may see it (`documents.discussions`). The people
    named in the message (@account or picked) are `mentioned` and were told.
    """

    kind = models.CharField("loại", max_length=20)
    subject_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người viết",
    )
    text = models.TextField("ý kiến trao đổi")
    created_at = models.DateTimeField()
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name="người được nhắc"
    )

    class Meta:
        ordering = ["kind", "subject_id", "created_at", "id"]
        indexes = [models.Index(fields=["kind", "subject_id", "created_at"])]
        verbose_name = "ý kiến trao đổi"

    # The people named, as `discussions.thread_for` reads them for a page.
    named: list[User]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_id}:{self.pk}"
