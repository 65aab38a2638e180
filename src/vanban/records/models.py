"""Records that last: the retention schedule, the yearly dossier list, dossiers, the hand-over
to the agency archive and the fonds (R19; NĐ 30/2020 Art. 28-31 and Appendix V, VI; Luật Lưu trữ
2024; TT 05/2025/TT-BNV; docs/records.md).

- The retention schedule (`RetentionSchedule`, `RetentionGroup`, `RetentionItem`) is data kept
  by the province administrator; every dossier takes its period from an item.
- The yearly dossier list (danh mục hồ sơ, `DossierList`) of an agency is drafted by its office
  (clerks), approved by its head (a leader) and copied forward to the next year. It has headings
  (`DossierListHeading`, Roman numerals, by unit or field) and planned dossiers
  (`DossierListEntry`, numbered `01.TCCB` with the heading's abbreviation).
- A dossier (`Dossier`) is opened by a handler from an entry of the approved list, or ad hoc
  (marked). Documents join it as `DossierItem` rows that point at the document, the draft version
  or the processing result: one document in several dossiers without a copy. A closed dossier is
  frozen; reopening needs the head and is recorded.
- The hand-over (nộp lưu, `HandOver`) brings closed dossiers of five years or more to the
  agency's archive (people with the `archivist` role); after acceptance the unit reads them but
  cannot change them. Keeping one back (`KeepBack`) needs the head's approval, two years at most.
- A fonds (phông lưu trữ, `Fonds`) per agency, with its opening and closing date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.accounts.models import Unit


class RetentionKind(models.TextChoices):
    """The values of a retention period (NĐ 30/2020; TT 10/2022/TT-BNV)."""

    YEARS = "years", "Có thời hạn (số năm)"
    PERMANENT = "permanent", "Vĩnh viễn"
    UNTIL_SUPERSEDED = "superseded", "Đến khi văn bản hết hiệu lực thi hành"
    EQUIPMENT_LIFE = "equipment", "Theo tuổi thọ công trình, thiết bị"


class RetentionSchedule(models.Model):
    """A retention schedule in force (bảng thời hạn bảo quản), e.g. TT 10/2022/TT-BNV."""

    name = models.CharField("tên bảng thời hạn", max_length=300)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300)
    in_force_from = models.DateField("có hiệu lực từ")
    is_current = models.BooleanField("đang áp dụng", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "bảng thời hạn bảo quản"
        verbose_name_plural = "bảng thời hạn bảo quản"

    def __str__(self) -> str:
        return self.name


class RetentionGroup(models.Model):
    """A group of the schedule (e.g. "Tài liệu tổng hợp")."""

    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="groups")
    number = models.CharField("số nhóm", max_length=10)
    title = models.CharField("tên nhóm", max_length=500)
    order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["schedule_id", "order", "pk"]
        verbose_name = "nhóm hồ sơ, tài liệu"
        verbose_name_plural = "nhóm hồ sơ, tài liệu"

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class RetentionItem(models.Model):
    """One item of the schedule: a kind of dossier and its period."""

    group = models.ForeignKey(RetentionGroup, on_delete=models.PROTECT, related_name="items")
    number = models.CharField("số thứ tự", max_length=10)
    title = models.CharField("tên loại hồ sơ, tài liệu", max_length=1000)
    kind = models.CharField("loại thời hạn", max_length=12, choices=RetentionKind.choices)
    years = models.PositiveSmallIntegerField("số năm", null=True, blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    order = models.PositiveIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["group_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="years", years__gte=1)
                    | (~models.Q(kind="years") & models.Q(years=None))
                ),
                name="retention_item_years_match_kind",
            )
        ]
        verbose_name = "thời hạn bảo quản"
        verbose_name_plural = "thời hạn bảo quản"

    def __str__(self) -> str:
        return f"{self.number}. {self.title} ({self.maintenance})"

    @property
    def maintenance(self) -> str:
        """The period as written on the dossier (Maintenance, 30 characters)."""
        if self.kind == RetentionKind.YEARS:
            return f"{self.years} năm"
        if self.kind == RetentionKind.PERMANENT:
            return "Vĩnh viễn"
        if self.kind == RetentionKind.UNTIL_SUPERSEDED:
            return "Đến khi hết hiệu lực"
        return "Theo tuổi thọ công trình"

    @property
    def handed_over(self) -> bool:
        """Dossiers kept five years or more go to the agency archive (NĐ 30/2020 Art. 31)."""
        return self.kind == RetentionKind.PERMANENT or (
            self.kind == RetentionKind.YEARS and (self.years or 0) >= 5
        )

    @property
    def permanent(self) -> bool:
        return self.kind == RetentionKind.PERMANENT


class ListStatus(models.TextChoices):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Chờ thủ trưởng phê duyệt"
    APPROVED = "approved", "Đã phê duyệt"


class DossierList(models.Model):
    """The yearly dossier list (danh mục hồ sơ) of an agency (NĐ 30/2020 Art. 28, Appendix V)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan"
    )
    year = models.PositiveSmallIntegerField("năm")
    status = models.CharField(
        "trạng thái", max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sao từ danh mục",
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người soạn",
    )
    submitted_at = models.DateTimeField("trình duyệt lúc", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người phê duyệt",
    )
    approver_name = models.CharField("họ tên người phê duyệt", max_length=100, blank=True)
    approver_position = models.CharField("chức vụ người phê duyệt", max_length=100, blank=True)
    approved_at = models.DateTimeField("phê duyệt lúc", null=True, blank=True)
    return_note = models.CharField("ý kiến trả lại", max_length=1000, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unique_dossier_list_year")
        ]
        verbose_name = "danh mục hồ sơ"
        verbose_name_plural = "danh mục hồ sơ"

    def __str__(self) -> str:
        return f"Danh mục hồ sơ năm {self.year} ({self.unit_id})"


class DossierListHeading(models.Model):
    """A heading of the list, by unit or by field; numbered with Roman numerals by `order`."""

    dossier_list = models.ForeignKey(DossierList, on_delete=models.CASCADE, related_name="headings")
    title = models.CharField("tên đề mục", max_length=300)
    # The abbreviation that ends the dossier numbers under the heading: 01.TCCB
    abbreviation = models.CharField("chữ viết tắt", max_length=10)
    subunit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="đơn vị",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["dossier_list_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_list", "abbreviation"], name="unique_heading_abbreviation"
            )
        ]
        verbose_name = "đề mục"
        verbose_name_plural = "đề mục"

    def __str__(self) -> str:
        return self.title


class DossierListEntry(models.Model):
    """A dossier planned in the list: number, title, retention, the person in charge."""

    heading = models.ForeignKey(
        DossierListHeading, on_delete=models.CASCADE, related_name="entries"
    )
    number = models.PositiveSmallIntegerField("số thứ tự")
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    retention_item = models.ForeignKey(
        RetentionItem, on_delete=models.PROTECT, related_name="+", verbose_name="thời hạn bảo quản"
    )
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người lập hồ sơ",
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        ordering = ["heading_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["heading", "number"], name="unique_entry_number")
        ]
        verbose_name = "hồ sơ trong danh mục"
        verbose_name_plural = "hồ sơ trong danh mục"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        """The dossier number with the heading's abbreviation: 01.TCCB."""
        return f"{self.number:02d}.{self.heading.abbreviation}"


class DossierStatus(models.TextChoices):
    OPEN = "open", "Đang lập"
    CLOSED = "closed", "Đã kết thúc"
    # In a hand-over list sent to the archive, or accepted by it: the unit reads only.
    SUBMITTED = "submitted", "Đang nộp lưu"
    ARCHIVED = "archived", "Đã nộp lưu"


class Dossier(models.Model):
    """An electronic dossier (hồ sơ điện tử) with the Appendix VI fields."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan"
    )
    entry = models.ForeignKey(
        DossierListEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="hồ sơ trong danh mục",
    )
    # Opened outside the approved list (hồ sơ phát sinh): marked on every page and print.
    ad_hoc = models.BooleanField("hồ sơ phát sinh ngoài danh mục", default=False)
    # FileCode = OrganId + FileCatalog (year) + FileNotation (Appendix VI).
    year = models.PositiveSmallIntegerField("năm hình thành")
    notation = models.CharField("số và ký hiệu hồ sơ", max_length=20)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    retention_item = models.ForeignKey(
        RetentionItem, on_delete=models.PROTECT, related_name="+", verbose_name="thời hạn bảo quản"
    )
    maintenance = models.CharField("thời hạn bảo quản", max_length=30)
    rights = models.CharField("chế độ sử dụng", max_length=30, default="Hạn chế")
    creator = models.CharField("người lập hồ sơ", max_length=30, blank=True)
    language = models.CharField("ngôn ngữ", max_length=30, default="Tiếng Việt")
    description = models.CharField("chú giải", max_length=500, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người lập hồ sơ",
    )
    # Construction projects are handed over three months after the work ended, not one year.
    construction = models.BooleanField("hồ sơ công trình xây dựng cơ bản", default=False)
    status = models.CharField(
        "trạng thái", max_length=12, choices=DossierStatus.choices, default=DossierStatus.OPEN
    )
    opened_at = models.DateTimeField("mở lúc")
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người kết thúc",
    )
    # The day the work ended (EndDate's day for the hand-over clock) and the hand-over due date.
    work_ended_on = models.DateField("ngày kết thúc công việc", null=True, blank=True)
    handover_due_on = models.DateField("hạn nộp lưu", null=True, blank=True)
    handover_notified_on = models.DateField("đã báo trước hạn nộp lưu ngày", null=True, blank=True)
    # The one notice sent once the due date has passed and the dossier is still at the unit.
    handover_overdue_notified_on = models.DateField(
        "đã báo quá hạn nộp lưu ngày", null=True, blank=True
    )
    kept_back_until = models.DateField("giữ lại đến", null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "notation"], name="unique_dossier_file_code"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status", "year"]),
            models.Index(fields=["handler", "status"]),
            models.Index(fields=["status", "handover_due_on"]),
        ]
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"

    def __str__(self) -> str:
        return f"{self.notation} {self.title}"

    @property
    def file_code(self) -> str:
        """FileCode: the agency's code, the year and the notation (Appendix VI)."""
        return f"{self.unit.agency_code}.{self.year}.{self.notation}"

    @property
    def frozen(self) -> bool:
        return self.status != DossierStatus.OPEN


class ItemKind(models.TextChoices):
    DOCUMENT = "document", "Văn bản"
    DRAFT_VERSION = "draft_version", "Dự thảo"
    PROGRESS_FILE = "progress_file", "Kết quả xử lý"


class DossierItem(models.Model):
    """A document in a dossier, numbered (DocOrdinal); it points at the record, never a copy."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="items")
    ordinal = models.PositiveSmallIntegerField("số thứ tự trong hồ sơ")
    kind = models.CharField("loại", max_length=16, choices=ItemKind.choices)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draft_version = models.ForeignKey(
        "drafting.DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress_file = models.ForeignKey(
        "workflow.ProgressFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["dossier_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "ordinal"], name="unique_item_ordinal"),
            models.UniqueConstraint(
                fields=["dossier", "document"],
                condition=models.Q(document__isnull=False),
                name="unique_item_document",
            ),
            models.UniqueConstraint(
                fields=["dossier", "draft_version"],
                condition=models.Q(draft_version__isnull=False),
                name="unique_item_draft_version",
            ),
            models.UniqueConstraint(
                fields=["dossier", "progress_file"],
                condition=models.Q(progress_file__isnull=False),
                name="unique_item_progress_file",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="document",
                        document__isnull=False,
                        draft_version=None,
                        progress_file=None,
                    )
                    | models.Q(
                        kind="draft_version",
                        document=None,
                        draft_version__isnull=False,
                        progress_file=None,
                    )
                    | models.Q(
                        kind="progress_file",
                        document=None,
                        draft_version=None,
                        progress_file__isnull=False,
                    )
                ),
                name="dossier_item_one_target",
            ),
        ]
        indexes = [models.Index(fields=["document"]), models.Index(fields=["draft_version"])]
        verbose_name = "văn bản trong hồ sơ"
        verbose_name_plural = "văn bản trong hồ sơ"

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.ordinal}"


class DossierShare(models.Model):
    """A person given a dossier to read beyond its unit's leaders, clerks and its handler."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "user"], name="unique_dossier_share")
        ]
        indexes = [models.Index(fields=["user", "dossier"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.user_id}"


class Fonds(models.Model):
    """The archive fonds (phông lưu trữ) of one agency, opened and closed with the agency."""

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan"
    )
    name = models.CharField("tên phông", max_length=300)
    code = models.CharField("mã phông", max_length=20, blank=True)
    opened_on = models.DateField("ngày mở phông")
    closed_on = models.DateField("ngày đóng phông", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "phông lưu trữ"
        verbose_name_plural = "phông lưu trữ"

    def __str__(self) -> str:
        return self.name


class HandOverStatus(models.TextChoices):
    DRAFT = "draft", "Đang lập mục lục"
    SUBMITTED = "submitted", "Chờ lưu trữ kiểm tra"
    RETURNED = "returned", "Lưu trữ trả lại"
    ACCEPTED = "accepted", "Đã giao nhận"


class HandOver(models.Model):
    """A hand-over of closed dossiers to the agency archive (nộp lưu; NĐ 30/2020 Art. 31)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan"
    )
    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="hand_overs")
    status = models.CharField(
        "trạng thái", max_length=12, choices=HandOverStatus.choices, default=HandOverStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người lập",
    )
    submitted_at = models.DateTimeField("gửi lưu trữ lúc", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người kiểm tra",
    )
    decided_at = models.DateTimeField("lưu trữ quyết định lúc", null=True, blank=True)
    return_reason = models.CharField("lý do trả lại", max_length=1000, blank=True)
    # Numbered per fonds when accepted: "Biên bản giao nhận số 3".
    minutes_number = models.PositiveIntegerField("số biên bản", null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "minutes_number"],
                condition=models.Q(minutes_number__isnull=False),
                name="unique_hand_over_minutes",
            )
        ]
        verbose_name = "lần nộp lưu"
        verbose_name_plural = "lần nộp lưu"

    def __str__(self) -> str:
        return f"Nộp lưu {self.pk} ({self.unit_id})"


class HandOverItem(models.Model):
    hand_over = models.ForeignKey(HandOver, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    ordinal = models.PositiveSmallIntegerField("số thứ tự")
    # What the archive found wrong with this dossier when it returned the list.
    return_note = models.CharField("ý kiến của lưu trữ", max_length=500, blank=True)

    class Meta:
        ordering = ["hand_over_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["hand_over", "dossier"], name="unique_hand_over_item")
        ]

    def __str__(self) -> str:
        return f"{self.hand_over_id}/{self.ordinal}"


class KeepBackStatus(models.TextChoices):
    PENDING = "pending", "Chờ thủ trưởng duyệt"
    APPROVED = "approved", "Đồng ý giữ lại"
    REFUSED = "refused", "Không đồng ý"


class KeepBack(models.Model):
    """Keeping a dossier back from the hand-over: the head approves; two years at most."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="keep_backs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("lý do giữ lại", max_length=1000)
    until = models.DateField("giữ lại đến")
    status = models.CharField(
        "trạng thái", max_length=12, choices=KeepBackStatus.choices, default=KeepBackStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.dossier_id} đến {self.until}"
