"""Forms of the administration pages (R2, R3, R4, R7).

Forms only parse input. The rules (account-name form, agency code, required notes, e-mail) live in
accounts.services, so text fields are optional here and the service's Vietnamese message is shown
next to the field.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from vanban.core.forms import (
    Form,
    ModelForm,
    VietnameseDateField,
    choice_field,
    model_choice_field,
)

from .models import AccountPolicy, AccountStatus, LockReason, RevokeReason, Role, Unit, User
from .unit_fields import UnitChoiceField

UNIT_CHOICE_ERRORS = {
    "required": "Hãy chọn đơn vị.",
    "invalid_choice": "Hãy chọn một đơn vị bạn được quản trị.",
}

# Locks an admin may apply by hand (R3); repeated failed logins are locked by the system only.
ADMIN_LOCK_REASONS = [
    ("", "— Chọn lý do —"),
    *((c.value, c.label) for c in LockReason if c != LockReason.FAILED_LOGINS),
]


def role_choices(actor: User) -> list[tuple[str, str]]:
    """Roles the actor may give: only the province admin gives the province-admin role (R7)."""
    return [(r.value, r.label) for r in Role if r != Role.PROVINCE_ADMIN or actor.is_province_admin]


class AccountFilterForm(Form):
    q = forms.CharField(
        label="Tìm kiếm",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Họ tên, tên tài khoản, thư điện tử"}
        ),
    )
    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Tất cả đơn vị",
        error_messages=UNIT_CHOICE_ERRORS,
    )
    status = forms.ChoiceField(
        label="Trạng thái", required=False, choices=[("", "Mọi trạng thái"), *AccountStatus.choices]
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        # Typing or choosing reloads only the table (htmx); without JS the form still submits.
        reload = {
            "hx-get": reverse("accounts:account_list"),
            "hx-target": "#account-table",
            "hx-include": "closest form",
            "hx-push-url": "true",
        }
        self.fields["q"].widget.attrs.update(
            {**reload, "hx-trigger": "input changed delay:300ms, search", "autocomplete": "off"}
        )
        self.fields["unit"].widget.attrs.update({**reload, "hx-trigger": "change"})
        self.fields["status"].widget.attrs.update({**reload, "hx-trigger": "change"})


class PersonFields(Form):
    full_name = forms.CharField(label="Họ và tên", required=False, max_length=200)
    position = forms.CharField(label="Chức vụ", required=False, max_length=200)
    email = forms.CharField(
        label="Thư điện tử", required=False, max_length=254, widget=forms.EmailInput
    )
    phone = forms.CharField(label="Điện thoại", required=False, max_length=40)


class AccountCreateForm(PersonFields):
    field_order = ["unit", "full_name", "username", "position", "email", "phone", "roles"]

    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        empty_label="— Chọn đơn vị —",
        error_messages=UNIT_CHOICE_ERRORS,
    )
    username = forms.CharField(
        label="Tên tài khoản",
        required=False,
        max_length=100,
        help_text="Dạng tencanhan.tendonvi, theo phần trước @ của thư điện tử công vụ. "
        "Để trống để dùng tên gợi ý.",
    )
    roles = forms.MultipleChoiceField(
        label="Vai trò", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: User, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        choice_field(self, "roles").choices = role_choices(actor)
        self.fields["roles"].initial = [Role.STAFF]
        # As the name or unit is typed, the page asks for the suggested account name (htmx).
        suggest = {
            "hx-get": reverse("accounts:account_username_suggest"),
            "hx-target": "#username-suggestion",
            "hx-include": "[name=unit], [name=full_name]",
        }
        self.fields["full_name"].widget.attrs.update(
            {**suggest, "hx-trigger": "input changed delay:300ms", "autocomplete": "off"}
        )
        self.fields["unit"].widget.attrs.update({**suggest, "hx-trigger": "change"})
        self.fields["username"].widget.attrs.update(
            {"placeholder": "vd: phuongnt.stttt", "autocomplete": "off"}
        )


class AccountEditForm(PersonFields):
    pass


class AccountRolesForm(Form):
    roles = forms.MultipleChoiceField(
        label="Vai trò", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "roles").choices = role_choices(actor)


class AccountLockForm(Form):
    reason = forms.ChoiceField(
        label="Lý do khóa",
        choices=ADMIN_LOCK_REASONS,
        error_messages={
            "required": "Hãy chọn lý do khóa.",
            "invalid_choice": "Lý do khóa không hợp lệ.",
        },
    )
    note = forms.CharField(
        label="Ghi chú (bắt buộc)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )


class AccountUnlockForm(Form):
    note = forms.CharField(
        label="Lý do mở khóa (bắt buộc)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )


class AccountRevokeForm(Form):
    reason = forms.ChoiceField(
        label="Lý do thu hồi",
        choices=[("", "— Chọn lý do —"), *RevokeReason.choices],
        error_messages={
            "required": "Hãy chọn lý do thu hồi.",
            "invalid_choice": "Lý do thu hồi không hợp lệ.",
        },
    )
    note = forms.CharField(
        label="Ghi chú (bắt buộc)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )


class AccountAliasEndForm(Form):
    """R2, R7: ending a former account name early needs the admin's confirmation."""

    confirm = forms.BooleanField(
        label="Tôi xác nhận kết thúc tên cũ này: từ hôm nay không đăng nhập được bằng tên này nữa.",
        error_messages={"required": "Hãy đánh dấu xác nhận trước khi kết thúc tên tài khoản cũ."},
    )


class UnitForm(Form):
    name = forms.CharField(label="Tên đơn vị", required=False, max_length=300)
    symbol = forms.CharField(
        label="Chữ viết tắt trong ký hiệu văn bản",
        required=False,
        max_length=60,
        help_text="Ví dụ: UBND, VP, STTTT.",
    )
    abbreviation = forms.CharField(
        label="Tên viết tắt trong tài khoản",
        required=False,
        max_length=60,
        help_text="Chữ thường không dấu, phần sau dấu chấm của tên tài khoản, ví dụ: stttt.",
    )
    agency_code = forms.CharField(
        label="Mã định danh",
        required=False,
        max_length=40,
        help_text="Theo QĐ 20/2020/QĐ-TTg: dạng V1V2V3.Z1Z2.Y1Y2.H##, ví dụ: 000.00.12.H07.",
    )
    is_active = forms.BooleanField(label="Đang hoạt động", required=False, initial=True)
    # Carried with every package sent to other systems (edXML From).
    address = forms.CharField(label="Địa chỉ", required=False, max_length=300)
    email = forms.CharField(label="Thư điện tử", required=False, max_length=300)
    phone = forms.CharField(label="Điện thoại", required=False, max_length=60)
    fax = forms.CharField(label="Fax", required=False, max_length=60)
    website = forms.CharField(
        label="Trang thông tin điện tử",
        required=False,
        max_length=300,
        help_text="Ví dụ: https://stttt.bentre.gov.vn",
    )
    place_name = forms.CharField(
        label="Địa danh",
        required=False,
        max_length=150,
        help_text="Ghi trước ngày tháng của văn bản, ví dụ: Vĩnh Long (“Vĩnh Long, ngày … tháng … "
        "năm …”).",
    )


# The levels of the tree since 1 July 2025 (two-level local government, NQ 202/2025/QH15): the
# province, then its sở and commune-level committees, then their offices. Trees of before keep
# their district level (four levels at most) and still load.
LEVEL_HINT = (
    "Cấp 1: Ủy ban nhân dân tỉnh; cấp 2: các sở, ban, ngành của tỉnh và Ủy ban nhân dân xã, "
    "phường, đặc khu; cấp 3: phòng, ban, chi cục, trung tâm của đơn vị cấp 2; cấp 4: tổ, bộ "
    "phận. Từ ngày 01/07/2025 không còn cấp huyện; cây đơn vị trước đó (có huyện, thành phố "
    "trực thuộc tỉnh) vẫn được giữ nguyên trong lịch sử."
)


class UnitDayForm(Form):
    """The day of the unit tree shown on the units page."""

    ngay = VietnameseDateField(label="Cây đơn vị ngày", required=False)


class UnitCreateForm(UnitForm):
    field_order = ["parent", "name", "symbol", "abbreviation", "agency_code", "is_active"]

    parent = UnitChoiceField(
        label="Đơn vị cấp trên",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="(không có – đơn vị gốc: Ủy ban nhân dân tỉnh)",
        help_text=LEVEL_HINT,
        error_messages={"invalid_choice": "Đơn vị cấp trên không hợp lệ."},
    )

    def __init__(self, *args: Any, parents: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "parent").queryset = parents


class PolicyForm(ModelForm[AccountPolicy]):
    """Parses the policy fields; the write goes through services.policy_update."""

    class Meta:
        model = AccountPolicy
        fields = [
            "password_min_length",
            "password_require_upper",
            "password_require_lower",
            "password_require_digit",
            "password_require_symbol",
            "password_max_age_days",
            "max_failed_logins",
            "failed_login_lock_minutes",
            "unused_lock_days",
            "inactive_revoke_days",
            "address_max_failed_logins",
            "address_window_minutes",
            "second_factor_roles",
            "username_alias_days",
        ]

    second_factor_roles = forms.MultipleChoiceField(
        label="Vai trò bắt buộc xác thực hai bước",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Người có một trong các vai trò này phải nhập mã từ ứng dụng xác thực khi "
        "đăng nhập; người khác có thể tự bật trong trang “Tài khoản của tôi”.",
    )


class CodeForm(Form):
    """The second step of login and the confirmation of a new authenticator (R6)."""

    code = forms.CharField(
        label="Mã xác thực",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
