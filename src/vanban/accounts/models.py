"""Units (the province's organisation tree), accounts, roles and the account policy."""

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin

from vanban.core import clock
from vanban.core.agency_codes import AGENCY_CODE_RE as AGENCY_CODE_RE  # the one rule

ABBREVIATION_RE = re.compile(r"^[a-z0-9]{2,30}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9]{0,59}\.[a-z0-9]{2,30}$")
MAX_UNIT_LEVEL = 4


def new_session_salt() -> str:
    return secrets.token_hex(16)


class Unit(models.Model):
    """An agency or part of one: level 1 is the province, 4 the lowest (R1). Since 1 July 2025
    (two-level local government) level 2 holds the sở and the commune-level People's Committees
    (xã, phường) and level 3 their offices; trees of before, with the district level, load as
    they are. A deployment may have several roots while provinces are being merged."""

    name = models.CharField("tên đơn vị", max_length=255)
    symbol = models.CharField(
        "chữ viết tắt trong ký hiệu văn bản",
        max_length=30,
        help_text="Ví dụ: UBND, VP, STTTT; dùng trong ký hiệu văn bản.",
    )
    abbreviation = models.CharField(
        "tên viết tắt trong tài khoản",
        max_length=30,
        unique=True,
        help_text="Chữ thường không dấu, duy nhất trong tỉnh; phần sau dấu chấm của tên tài khoản.",
    )
    agency_code = models.CharField("mã định danh", max_length=13, unique=True)
    # How the unit is reached, as the national exchange carries it with every package (edXML
    # From: OrganAdd, Email, Telephone, Fax, Website; QĐ 28/2018/QĐ-TTg).
    address = models.CharField("địa chỉ", max_length=255, blank=True, default="")
    email = models.CharField("thư điện tử", max_length=254, blank=True, default="")
    phone = models.CharField("điện thoại", max_length=50, blank=True, default="")
    fax = models.CharField("fax", max_length=50, blank=True, default="")
    website = models.CharField("trang thông tin điện tử", max_length=200, blank=True, default="")
    # The place name written before the date of the unit's documents ("Vĩnh Long, ngày … tháng …
    # năm …"; NĐ 30/2020/NĐ-CP Art. 8, Appendix I), carried as edXML PromulgationInfo/Place.
    place_name = models.CharField("địa danh", max_length=100, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="đơn vị cấp trên",
    )
    level = models.PositiveSmallIntegerField("cấp", default=1)
    is_active = models.BooleanField("đang hoạt động", default=True)
    # Units in time (STANDARDS.md "Changes of 2024-2026"): the first and the last day the unit
    # exists; empty start: since before the deployment's records; empty end: still open. An ended
    # unit is also inactive; its successors are its `successor_links`, its past names `history`.
    start_date = models.DateField("ngày bắt đầu hoạt động", null=True, blank=True)
    end_date = models.DateField("ngày chấm dứt hoạt động", null=True, blank=True)
    search_text = models.CharField(max_length=400, blank=True, db_index=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", "Chuyên viên"
    LEADER = "leader", "Lãnh đạo"
    CLERK = "clerk", "Văn thư"
    # The agency's archive (lưu trữ cơ quan): receives and keeps the dossiers handed over (R19).
    ARCHIVIST = "archivist", "Lưu trữ cơ quan"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    PROVINCE_ADMIN = "province_admin", "Quản trị tỉnh"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Đang hoạt động"
    LOCKED = "locked", "Tạm khóa"
    REVOKED = "revoked", "Đã thu hồi"


class LockReason(models.TextChoices):
    NOT_USED = "not_used", "Không sử dụng trong thời hạn kể từ khi được cấp"
    PASSWORD_NOT_CHANGED = "password_not_changed", "Không đổi mật khẩu theo yêu cầu"
    COMPROMISED = "compromised", "Tài khoản bị lộ, bị tấn công hoặc chiếm quyền"
    AGENCY_REQUEST = "agency_request", "Theo đề nghị của cơ quan quản lý"
    VIOLATION = "violation", "Vi phạm các điều cấm của pháp luật về công nghệ thông tin"
    FAILED_LOGINS = "failed_logins", "Đăng nhập sai mật khẩu nhiều lần"


class RevokeReason(models.TextChoices):
    INACTIVE = "inactive", "Không đăng nhập trong thời hạn quy định"
    AGENCY_REQUEST = "agency_request", "Theo đề nghị của cơ quan quản lý"
    LEFT_UNIT = "left_unit", "Nghỉ việc hoặc chuyển công tác"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> "User":
        """For `createsuperuser` only; the product creates accounts through accounts.services."""

        unit = Unit.objects.order_by("level", "pk").first()
        if unit is None:
            raise ValueError("Cần tạo đơn vị trước khi tạo tài khoản.")
        user = self.model(
            username=username,
            unit=unit,
            is_staff=True,
            is_superuser=True,
            full_name=extra.get("full_name", username),
            created_at=clock.now(),
            password_changed_at=clock.now(),
            email=extra.get("email", ""),
        )
        user.set_password(password)
        user.save()
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person's account in one unit (R2-R6)."""

    username = models.CharField("tên tài khoản", max_length=100, unique=True)
    full_name = models.CharField("họ và tên", max_length=100)
    position = models.CharField("chức vụ", max_length=100, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="members", verbose_name="đơn vị"
    )
    status = models.CharField(
        "trạng thái",
        max_length=16,
        choices=AccountStatus.choices,
        default=AccountStatus.ACTIVE,
        db_index=True,
    )
    status_reason = models.CharField("lý do", max_length=32, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField("phải đổi mật khẩu", default=True)
    password_changed_at = models.DateTimeField("lần đặt mật khẩu gần nhất")
    failed_login_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("ngày cấp")
    session_salt = models.CharField(max_length=32, default=new_session_salt, editable=False)
    search_text = models.CharField(max_length=400, blank=True, db_index=True)
    is_staff = models.BooleanField("vào trang quản trị Django", default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["unit_id", "full_name"]
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == AccountStatus.ACTIVE

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # The session salt is rotated to end every session of the account (R6).
        return salted_hmac(
            "vanban.accounts.User.session",
            f"{self.password}:{self.session_salt}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    # Role lookups are cached on the instance for the request.
    def role_pairs(self) -> set[tuple[int, str]]:
        cached = getattr(self, "_role_pairs", None)
        if cached is None:
            cached = self._read_roles()
        return cached

    def _read_roles(self) -> set[tuple[int, str]]:
        """The role assignments and, in the same query, the units each role's unit carries on
        (three steps of `UnitLink` joined; when a third step exists, one more query follows the
        chain further, only for the people whose units have one). R14, CV 414/BNV-VTLTNN: the
        successor keeps using the ended unit's documents, read only."""
        step = "unit__predecessor_links__predecessor"
        pairs: set[tuple[int, str]] = set()
        predecessors: dict[int, set[int]] = {}
        deeper: set[int] = set()
        for unit_id, role, *back in self.role_assignments.values_list(
            "unit_id",
            "role",
            f"{step}_id",
            f"{step}__predecessor_links__predecessor_id",
            f"{step}__predecessor_links__predecessor__predecessor_links__predecessor_id",
        ):
            pairs.add((unit_id, role))
            found = predecessors.setdefault(unit_id, set())
            found.update(u for u in back if u is not None)
            if back[-1] is not None:
                deeper.add(back[-1])
        if deeper:
            links: dict[int, set[int]] = {}
            for successor, predecessor in UnitLink.objects.values_list(
                "successor_id", "predecessor_id"
            ):
                links.setdefault(successor, set()).add(predecessor)
            for found in predecessors.values():
                todo = [u for u in found if u in deeper]
                while todo:
                    for older in links.get(todo.pop(), ()):
                        if older not in found:
                            found.add(older)
                            todo.append(older)
        self._role_pairs = pairs
        self._predecessor_units = {u: frozenset(p) for u, p in predecessors.items() if p}
        return pairs

    def predecessor_unit_ids(self, unit_ids: Iterable[int]) -> set[int]:
        """The units that the units `unit_ids` (where the person has a role) carry on, however
        many reorganisations back (UnitLink); read with the roles, no query of its own."""
        known = getattr(self, "_predecessor_units", None)
        if known is None:
            if getattr(self, "_role_pairs", None) is not None:
                return set()  # roles given by hand (a stand-in person): no unit carries any on
            self._read_roles()
            known = self._predecessor_units
        return {p for u in unit_ids for p in known.get(u, ())}

    def has_role(self, role: str, unit: Unit | None = None) -> bool:
        return any(r == role and (unit is None or u == unit.pk) for u, r in self.role_pairs())

    @property
    def is_province_admin(self) -> bool:
        return self.is_active and self.has_role(Role.PROVINCE_ADMIN)

    def can_manage_unit(self, unit: Unit) -> bool:
        """R7: a unit admin acts in their own unit only; the province admin everywhere."""
        if not self.is_active:
            return False
        return self.is_province_admin or self.has_role(Role.UNIT_ADMIN, unit)

    def managed_unit_ids(self) -> set[int] | None:
        """Units this person administers; None means all (province admin)."""
        if self.is_province_admin:
            return None
        return {u for u, r in self.role_pairs() if r == Role.UNIT_ADMIN}


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_assignment")
        ]
        verbose_name = "vai trò"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.unit_id}"


class AccountChange(models.Model):
    """One change in an account's life, kept for the account-change report (R3, R4, R8)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Cấp mới"
        LOCKED = "locked", "Tạm khóa"
        UNLOCKED = "unlocked", "Mở khóa"
        REVOKED = "revoked", "Thu hồi"
        REMOVED = "removed", "Xóa khỏi đơn vị"
        PASSWORD_RESET = "password_reset", "Cấp lại mật khẩu"
        ROLES_CHANGED = "roles_changed", "Thay đổi vai trò"
        # A reorganisation of units (NQ 202/2025/QH15, QĐ 09/2025/QĐ-TTg; docs/reorganisation.md):
        # the account leaves the ended unit and joins its successor, or keeps its unit whose
        # account abbreviation changed; the note carries both account names and the decision.
        MOVED_OUT = "moved_out", "Chuyển đi do sắp xếp đơn vị"
        MOVED_IN = "moved_in", "Chuyển đến do sắp xếp đơn vị"
        RENAMED = "renamed", "Đổi tên tài khoản do sắp xếp đơn vị"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="changes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="account_changes")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    reason = models.CharField("mã lý do", max_length=32, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người thực hiện",
    )
    at = models.DateTimeField("thời điểm")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "at"])]
        verbose_name = "biến động tài khoản"

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.at:%Y-%m-%d}"

    @property
    def reason_label(self) -> str:
        for choices in (LockReason, RevokeReason):
            if self.reason in choices.values:
                return str(choices(self.reason).label)
        return self.reason

    @property
    def actor_label(self) -> str:
        return self.actor.full_name if self.actor_id and self.actor else "Hệ thống (tự động)"


# The kinds of change a unit reports to the Department (R8), in the report's order.
REPORTED_ACCOUNT_CHANGES = (
    AccountChange.Kind.CREATED,
    AccountChange.Kind.REMOVED,
    AccountChange.Kind.LOCKED,
    AccountChange.Kind.UNLOCKED,
    AccountChange.Kind.REVOKED,
    AccountChange.Kind.MOVED_OUT,
    AccountChange.Kind.MOVED_IN,
    AccountChange.Kind.RENAMED,
)


def default_second_factor_roles() -> list[str]:
    """R6: administrators sign in with a second factor unless the province decides otherwise."""
    return [Role.PROVINCE_ADMIN.value, Role.UNIT_ADMIN.value]


class AccountPolicy(models.Model):
    """Province-wide account rules; one row, edited by the province admin (R3-R5)."""

    password_min_length = models.PositiveSmallIntegerField(
        "độ dài tối thiểu của mật khẩu", default=9
    )
    password_require_upper = models.BooleanField("có chữ hoa", default=True)
    password_require_lower = models.BooleanField("có chữ thường", default=True)
    password_require_digit = models.BooleanField("có chữ số", default=True)
    password_require_symbol = models.BooleanField("có ký tự đặc biệt", default=True)
    password_max_age_days = models.PositiveIntegerField("nhắc đổi mật khẩu sau (ngày)", default=180)
    max_failed_logins = models.PositiveSmallIntegerField("khóa sau số lần đăng nhập sai", default=5)
    failed_login_lock_minutes = models.PositiveIntegerField(
        "tự mở khóa sau (phút, 0 = quản trị mở)", default=30
    )
    unused_lock_days = models.PositiveIntegerField(
        "khóa nếu không sử dụng sau khi cấp (ngày)", default=30
    )
    inactive_revoke_days = models.PositiveIntegerField(
        "thu hồi nếu không đăng nhập (ngày)", default=60
    )
    address_max_failed_logins = models.PositiveIntegerField(
        "số lần đăng nhập sai tối đa từ một địa chỉ (0 = không giới hạn)", default=20
    )
    address_window_minutes = models.PositiveIntegerField(
        "trong khoảng thời gian (phút)", default=10
    )
    second_factor_roles = models.JSONField(
        "vai trò bắt buộc xác thực hai bước",
        default=default_second_factor_roles,
        blank=True,
        help_text="Các vai trò này phải dùng mã xác thực (TOTP) khi đăng nhập.",
    )
    # R2 in a reorganisation: how long an account's former name still signs in (UsernameAlias).
    username_alias_days = models.PositiveIntegerField(
        "thời gian dùng tên tài khoản cũ sau sắp xếp đơn vị (ngày)",
        default=90,
        help_text="Khi đơn vị đổi tên viết tắt hoặc hợp nhất, tên tài khoản cũ vẫn đăng nhập được "
        "trong thời gian này (từ 1 đến 365 ngày).",
    )

    class Meta:
        verbose_name = "chính sách tài khoản"

    def __str__(self) -> str:
        return "Chính sách tài khoản"

    @classmethod
    def current(cls) -> "AccountPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class UsernameAlias(models.Model):
    """A former account name that still signs in until `valid_until` (R2 in a reorganisation):
    when a unit's account abbreviation changes or its people move to a successor, each account
    gets the new unit part and keeps its old name for the policy's transition period. A live alias
    is taken like an account name; an expired one signs in no more (docs/accounts.md)."""

    username = models.CharField("tên tài khoản cũ", max_length=100, unique=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="aliases", verbose_name="tài khoản"
    )
    valid_until = models.DateField("dùng được đến hết ngày")
    decision = models.CharField("theo quyết định", max_length=100, blank=True)
    created_at = models.DateTimeField("ngày tạo")

    class Meta:
        ordering = ["-valid_until", "username"]
        verbose_name = "tên tài khoản cũ"
        verbose_name_plural = "tên tài khoản cũ"

    def __str__(self) -> str:
        return f"{self.username} → {self.user_id} (đến {self.valid_until:%d/%m/%Y})"


class SessionRecord(models.Model):
    """What a person is shown about one of their signed-in sessions ("Phiên đăng nhập").

    Django's session table holds the session itself; this row only describes it (device, address,
    times), is written at login and touched at most once a minute (docs/accounts.md, "Sessions").
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="session_records", verbose_name="tài khoản"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField("thiết bị", max_length=300, blank=True)
    ip = models.GenericIPAddressField("địa chỉ", null=True, blank=True)
    started_at = models.DateTimeField("đăng nhập lúc")
    last_seen_at = models.DateTimeField("hoạt động gần nhất")

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        verbose_name = "phiên đăng nhập"
        verbose_name_plural = "phiên đăng nhập"

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class LoginFailure(models.Model):
    """One failed login from a client address, for the per-address limit (R6).

    Kept apart from the audit trail so the limit is one indexed count; rows older than a day
    are removed by the daily sweep.
    """

    ip = models.GenericIPAddressField()
    at = models.DateTimeField()
    username = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.ip} {self.at:%Y-%m-%d %H:%M}"


def recovery_code_digest(code: str) -> str:
    """Recovery codes are kept only as digests; a code has 80 random bits (R6)."""
    normalized = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One-time recovery codes for the second factor, stored as digests (R6).

    A django-otp device, so a session verified with a recovery code is verified like one with
    the authenticator app; each code works once.
    """

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=recovery_code_digest(str(token))).first()
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.delete()
        self.throttle_reset(commit=True)
        return True

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.device_id}:{self.digest[:8]}"


# ---------------------------------------------------------------- units in time


class UnitChangeKind(models.TextChoices):
    """What a legal decision did to a unit (QĐ 09/2025/QĐ-TTg; NQ 202/2025/QH15; STANDARDS.md
    "Changes of 2024-2026")."""

    CREATED = "created", "Thành lập"
    MERGED = "merged", "Hợp nhất, sáp nhập"
    SPLIT = "split", "Chia tách"
    RENAMED = "renamed", "Đổi tên"
    MOVED = "moved", "Chuyển đơn vị cấp trên"
    CLOSED = "closed", "Chấm dứt hoạt động"


class UnitLink(models.Model):
    """A predecessor unit and one of its successors: the ended unit's work, people and closed
    agency code go to the successor (to the default one where the plan names no other)."""

    predecessor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="successor_links", verbose_name="đơn vị cũ"
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="predecessor_links", verbose_name="đơn vị mới"
    )
    kind = models.CharField("hình thức", max_length=10, choices=UnitChangeKind.choices)
    effective_date = models.DateField("ngày có hiệu lực")
    decision = models.CharField("số quyết định", max_length=100, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    # The successor that takes what neither the plan nor a rule gives to another (one per
    # predecessor): packages to the closed code, the reception queue, accounts by default.
    is_default = models.BooleanField("đơn vị kế thừa chính", default=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        ordering = ["effective_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_unit_link"),
            models.UniqueConstraint(
                fields=["predecessor"], condition=Q(is_default=True), name="one_default_successor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -> {self.successor_id} ({self.kind})"


class UnitRecord(models.Model):
    """A past identity of a unit: its name, symbols, agency code and place in the tree as they
    were up to `valid_until` (a rename, a new code or a move writes one before the change), so a
    document shows the unit as it was when it was registered or issued."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="history", verbose_name="đơn vị"
    )
    valid_from = models.DateField("từ ngày", null=True, blank=True)
    valid_until = models.DateField("đến ngày")
    name = models.CharField("tên đơn vị", max_length=255)
    symbol = models.CharField("chữ viết tắt trong ký hiệu văn bản", max_length=30)
    abbreviation = models.CharField("tên viết tắt trong tài khoản", max_length=30)
    agency_code = models.CharField("mã định danh", max_length=13, db_index=True)
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("cấp")
    kind = models.CharField("thay đổi", max_length=10, choices=UnitChangeKind.choices)
    decision = models.CharField("số quyết định", max_length=100, blank=True)

    class Meta:
        verbose_name = "lịch sử đơn vị"
        verbose_name_plural = "lịch sử đơn vị"
        ordering = ["unit_id", "valid_until"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_until"], name="unique_unit_record_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} (đến {self.valid_until:%d/%m/%Y})"
