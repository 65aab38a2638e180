"""Processing of incoming documents: presentation, direction, assignments, progress, deadlines,
reminders and delegation (R18; NĐ 30/2020 Art. 20-24, STANDARDS.md "Processes").

Every step is also written to the document's trail (`TrailEntry`) with the names and text of the
moment, so the timeline and the printed slip never change when a person is renamed or moves.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from vanban.accounts.models import Unit
from vanban.documents.models import Document, Urgency


class DeadlinePolicy(models.Model):
    """A unit's default time to resolve an incoming document, by urgency (calendar days).

    Organisational policy is data (STYLE.md): the unit's leaders or admins edit it. A unit with
    no row uses the defaults below.
    """

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="deadline_policy", verbose_name="đơn vị"
    )
    normal_days = models.PositiveSmallIntegerField("văn bản thường (ngày)", default=10)
    urgent_days = models.PositiveSmallIntegerField("văn bản khẩn (ngày)", default=5)
    very_urgent_days = models.PositiveSmallIntegerField("văn bản thượng khẩn (ngày)", default=3)
    flash_days = models.PositiveSmallIntegerField("văn bản hỏa tốc (ngày)", default=1)
    remind_before_days = models.PositiveSmallIntegerField("nhắc hạn trước (ngày)", default=3)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "quy định thời hạn xử lý"
        verbose_name_plural = "quy định thời hạn xử lý"

    def __str__(self) -> str:
        return f"Thời hạn xử lý – {self.unit_id}"

    @classmethod
    def for_unit(cls, unit_id: int) -> "DeadlinePolicy":
        """The unit's saved policy, or the defaults (not saved: reading never writes)."""
        return cls.objects.filter(unit_id=unit_id).first() or cls(unit_id=unit_id)

    def days_for(self, urgency: int) -> int:
        if urgency == Urgency.URGENT:
            return self.urgent_days
        if urgency == Urgency.VERY_URGENT:
            return self.very_urgent_days
        if urgency in (Urgency.FLASH, Urgency.FLASH_SCHEDULED):
            return self.flash_days
        return self.normal_days


class ProcessingStatus(models.TextChoices):
    WAITING = "waiting", "Chờ trình"
    PRESENTED = "presented", "Đã trình"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    DONE = "done", "Hoàn thành"
    # The sender took the document back (status 15): the processing ended there.
    WITHDRAWN = "withdrawn", "Đã thu hồi"


class Processing(models.Model):
    """The handling of one registered incoming document (Art. 24), created when it is presented.

    A registered document without a row is waiting to be presented ("chờ trình").
    """

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="processing", verbose_name="văn bản"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "trạng thái",
        max_length=12,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.WAITING,
    )
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="trình lãnh đạo",
    )
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    presented_at = models.DateTimeField(null=True, blank=True)
    direction = models.TextField("ý kiến chỉ đạo", blank=True)
    directed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    directed_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="thay mặt",
    )
    directed_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateField("thời hạn giải quyết", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField("kết quả giải quyết", blank=True)
    reply_reference = models.CharField("số, ký hiệu văn bản trả lời", max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "xử lý văn bản đến"
        verbose_name_plural = "xử lý văn bản đến"
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["presented_to", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "Chủ trì"
    CO = "co", "Phối hợp"
    INFO = "info", "Nhận để biết"


class AssignmentStatus(models.TextChoices):
    """What happened to a part (R18): only its handler completes it (DONE); a part still open
    when the document was completed, the unit's part it belongs to was completed, or the sender
    took the document back is ended by the system (CLOSED), not completed."""

    OPEN = "open", "Đang xử lý"
    DONE = "done", "Đã hoàn thành"
    CLOSED = "closed", "Đã kết thúc"


class Assignment(models.Model):
    """A part of the work given to a unit or a person: lead, co-handler or for information.

    `parent` is the unit's assignment a leader of that unit divided among its people;
    `assigner_unit` is the unit whose leaders gave it (and decide on its extensions).
    """

    processing = models.ForeignKey(Processing, on_delete=models.PROTECT, related_name="assignments")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="workflow_assignments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    role = models.CharField("vai trò", max_length=5, choices=AssignmentRole.choices)
    assignee_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflow_assignments",
        verbose_name="đơn vị được giao",
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflow_assignments",
        verbose_name="người được giao",
    )
    assigner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("hạn giải quyết", null=True, blank=True)
    note = models.TextField("ý kiến giao việc", blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()
    status = models.CharField(
        "trạng thái",
        max_length=6,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.OPEN,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField("kết quả", blank=True)
    # R18 "nhận để biết": when the person given the part first opened the document's processing
    # page or marked it read; never set by anyone else's step or by the part's ending.
    read_at = models.DateTimeField("xem lần đầu lúc", null=True, blank=True)
    reminder_count = models.PositiveIntegerField("số lần đôn đốc", default=0)

    class Meta:
        ordering = ["processing_id", "parent_id", "role", "id"]
        verbose_name = "phân công xử lý"
        verbose_name_plural = "phân công xử lý"
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignee_unit__isnull=True) & Q(assignee_user__isnull=False))
                | (Q(assignee_unit__isnull=False) & Q(assignee_user__isnull=True)),
                name="assignment_one_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee_user", "status"]),
            models.Index(fields=["assignee_unit", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.assignee_label}"

    @property
    def assignee_label(self) -> str:
        # The check constraint "assignment_one_assignee": a unit or a person, never both.
        if self.assignee_unit is not None:
            return self.assignee_unit.name
        return self.assignee_user.full_name if self.assignee_user is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status == AssignmentStatus.OPEN

    @property
    def status_label(self) -> str:
        """What happened, never more (R18): "Đã xem" only with a read mark of the person."""
        if self.role == AssignmentRole.INFO:
            if self.read_at is not None:
                return "Đã xem"
            return "Chưa xem" if self.is_open else "Đã kết thúc (chưa xem)"
        return str(AssignmentStatus(self.status).label)

    def days_left(self, today: dt.date) -> int | None:
        return (self.deadline - today).days if self.deadline else None


class ProgressEntry(models.Model):
    """What a handler reports: text and, optionally, result files or a reply draft."""

    processing = models.ForeignKey(Processing, on_delete=models.PROTECT, related_name="progress")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("nội dung")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "tiến độ xử lý"
        verbose_name_plural = "tiến độ xử lý"

    def __str__(self) -> str:
        return self.text[:60]


class ProgressFile(models.Model):
    """A file attached to a progress entry, stored and hashed as document files are."""

    class Kind(models.TextChoices):
        RESULT = "result", "Kết quả xử lý"
        REPLY_DRAFT = "reply_draft", "Dự thảo văn bản trả lời"

    entry = models.ForeignKey(ProgressEntry, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("loại tệp", max_length=12, choices=Kind.choices)
    storage_name = models.CharField(max_length=500, unique=True)
    original_name = models.CharField("tên tệp", max_length=255)
    file_format = models.CharField("định dạng", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["entry_id", "id"]
        verbose_name = "tệp kết quả xử lý"

    def __str__(self) -> str:
        return self.original_name


class TrailAction(models.TextChoices):
    PRESENTED = "presented", "Trình văn bản"
    DIRECTED = "directed", "Cho ý kiến chỉ đạo"
    REASSIGNED = "reassigned", "Phân công trong đơn vị"
    PROGRESS = "progress", "Cập nhật tiến độ"
    COMPLETED = "completed", "Hoàn thành"
    READ = "read", "Đã xem"
    REMINDED = "reminded", "Đôn đốc"
    EXTENSION_REQUESTED = "ext_requested", "Đề nghị gia hạn"
    EXTENSION_GRANTED = "ext_granted", "Đồng ý gia hạn"
    EXTENSION_REFUSED = "ext_refused", "Không đồng ý gia hạn"
    WITHDRAWN = "withdrawn", "Nơi gửi thu hồi văn bản"
    # A reorganisation handed the open processing to the successor unit (CV 414/BNV-VTLTNN).
    TRANSFERRED = "transferred", "Chuyển đơn vị xử lý do sắp xếp tổ chức"


class TrailEntry(models.Model):
    """One step of the document's handling: who, what, when, and the text (Appendix VI "trail")."""

    processing = models.ForeignKey(Processing, on_delete=models.PROTECT, related_name="trail")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="workflow_trail")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress = models.ForeignKey(
        ProgressEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("bước", max_length=14, choices=TrailAction.choices)
    # Empty for a step the system took (a reorganisation loaded by the installer); the name says
    # who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Names as they were at the time: the timeline never changes afterwards.
    actor_name = models.CharField(max_length=100)
    on_behalf_of_name = models.CharField(max_length=100, blank=True)
    summary = models.CharField("nội dung", max_length=1000)
    text = models.TextField("ý kiến", blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "quá trình xử lý"
        verbose_name_plural = "quá trình xử lý"
        indexes = [models.Index(fields=["document", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Chờ quyết định"
    GRANTED = "granted", "Đồng ý"
    REFUSED = "refused", "Không đồng ý"


class ExtensionRequest(models.Model):
    """A handler asks for a later deadline; a leader of the assigning unit decides."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    current_deadline = models.DateField("hạn hiện tại")
    requested_deadline = models.DateField("hạn đề nghị")
    reason = models.TextField("lý do")
    status = models.CharField(
        "trạng thái",
        max_length=8,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("lý do quyết định", blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = "đề nghị gia hạn"
        verbose_name_plural = "đề nghị gia hạn"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} -> {self.requested_deadline}"


class Reminder(models.Model):
    """A leader's formal reminder (đôn đốc) to the handlers of an assignment; counted."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reminders")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.CharField("người nhận", max_length=1000)
    text = models.TextField("nội dung")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = "đôn đốc"
        verbose_name_plural = "đôn đốc"

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.sent_at:%Y-%m-%d}"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def active_at(self, at: dt.datetime) -> "DelegationQuerySet":
        """In force at `at`: started, not past its end, not ended early; the delegator still a
        leader of the unit and an active account."""
        return self.filter(
            ended_at__isnull=True,
            starts_at__lte=at,
            ends_at__gt=at,
            delegator__status="active",
            delegator__role_assignments__unit=models.F("unit"),
            delegator__role_assignments__role="leader",
        )


class Delegation(models.Model):
    """A leader who is away lets a deputy act for them in one unit for a period (ủy quyền)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name="người ủy quyền",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name="người được ủy quyền",
    )
    starts_at = models.DateTimeField("từ")
    ends_at = models.DateTimeField("đến")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField("kết thúc sớm lúc", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why it ended early when nobody ended it by hand (a reorganisation ended its unit).
    end_reason = models.CharField("lý do kết thúc", max_length=500, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "ủy quyền"
        verbose_name_plural = "ủy quyền"
        indexes = [models.Index(fields=["deputy", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.delegator_id} -> {self.deputy_id}"


class DeadlineAlert(models.Model):
    """One automatic deadline notification to one person for one assignment on one day: the
    daily reminder task never sends the same alert twice in a day."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Sắp đến hạn"
        OVERDUE = "overdue", "Quá hạn"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user", "day"], name="one_deadline_alert_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.user_id} {self.day}"


class DirectionTemplate(models.Model):
    """A leader's own short direction text (mẫu ý kiến chỉ đạo), picked on the direction form to
    fill the direction field (Art. 24.1: the leader writes the direction)."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="direction_templates",
        verbose_name="lãnh đạo",
    )
    text = models.CharField("mẫu ý kiến chỉ đạo", max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["leader_id", "text", "id"]
        constraints = [
            models.UniqueConstraint(fields=["leader", "text"], name="unique_direction_template")
        ]
        verbose_name = "mẫu ý kiến chỉ đạo"

    def __str__(self) -> str:
        return self.text[:50]
