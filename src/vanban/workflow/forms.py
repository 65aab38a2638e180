"""Forms of the processing pages. They only parse input: who may do what, the deadlines and the
people allowed are checked by workflow.services, whose Vietnamese message is shown next to the
field."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.accounts.unit_fields import in_tree_order, unit_label
from vanban.core.forms import (
    CheckboxList,
    Form,
    VietnameseDateField,
    VietnameseDateTimeField,
    choice_field,
    model_choice_field,
)
from vanban.documents import selectors as document_selectors
from vanban.documents.forms import MultipleFileField
from vanban.reports.forms import ReportPeriodForm

from .services.deadlines import POLICY_FIELDS

TEXTAREA = {"rows": 3, "maxlength": 4000}


def _date(label: str, *, required: bool = False, help_text: str = "") -> VietnameseDateField:
    return VietnameseDateField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"required": f"Hãy nhập {label.lower()}."},
    )


def _text(label: str, *, required: bool = False, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={**TEXTAREA, "maxlength": max_length}),
        error_messages={"required": f"Hãy nhập {label.lower()}."},
    )


def _person_label(person: User) -> str:
    return f"{person.full_name} – {person.unit.name}"


class PresentForm(Form):
    leader = forms.TypedChoiceField(
        label="Trình lãnh đạo",
        coerce=int,
        error_messages={
            "required": "Hãy chọn lãnh đạo.",
            "invalid_choice": "Chỉ trình văn bản cho lãnh đạo đang hoạt động của đơn vị.",
        },
    )
    note = _text("Ghi chú khi trình", max_length=2000)

    def __init__(self, *args: Any, leaders: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "leader").choices = [("", "– chọn lãnh đạo –")] + [
            (p.pk, p.full_name) for p in leaders
        ]


class DirectForm(Form):
    """The leader's direction: lead (a unit or a person), co-handlers, for information, deadline."""

    direction = _text("Ý kiến chỉ đạo", required=True)
    lead = forms.ChoiceField(
        label="Chủ trì",
        error_messages={
            "required": "Hãy chọn đơn vị hoặc người chủ trì.",
            "invalid_choice": "Đơn vị hoặc người chủ trì không hợp lệ.",
        },
    )
    co = forms.MultipleChoiceField(
        label="Phối hợp",
        required=False,
        widget=CheckboxList,
        error_messages={"invalid_choice": "Đơn vị hoặc người phối hợp không hợp lệ."},
    )
    info_users = forms.TypedMultipleChoiceField(
        label="Nhận để biết",
        coerce=int,
        required=False,
        widget=CheckboxList,
        error_messages={"invalid_choice": "Người nhận để biết không hợp lệ."},
    )
    deadline = _date(
        "Hạn giải quyết",
        help_text="Để trống: theo hạn ghi trên văn bản hoặc quy định thời hạn của đơn vị.",
    )

    def __init__(
        self,
        *args: Any,
        units: list[Unit],
        people: list[User],
        templates: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if templates:
            # The leader's own templates: picking one fills the direction (static
            # workflow/direction-templates.js); only the direction itself is sent to the service.
            self.fields["direction_template"] = forms.CharField(
                label="Mẫu ý kiến chỉ đạo",
                required=False,
                widget=forms.Select(
                    choices=[("", "– chọn mẫu để điền vào ý kiến chỉ đạo –")]
                    + [(t, t) for t in templates],
                    attrs={"data-fills": "direction"},
                ),
                help_text="Chọn một mẫu để điền vào ô ý kiến chỉ đạo, rồi sửa nếu cần.",
            )
            self.order_fields(["direction_template", "direction"])
        targets = [
            ("Đơn vị", [(f"unit:{u.pk}", unit_label(u)) for u in in_tree_order(units)]),
            ("Cá nhân", [(f"user:{p.pk}", _person_label(p)) for p in people]),
        ]
        choice_field(self, "lead").choices = [("", "– chọn –"), *targets]
        choice_field(self, "co").choices = targets
        choice_field(self, "info_users").choices = [(p.pk, _person_label(p)) for p in people]

    def targets(self) -> dict[str, Any]:
        """The chosen units and people as objects, for the service."""
        data = self.cleaned_data
        keys = [data["lead"], *data["co"]]
        unit_ids = [int(k.split(":")[1]) for k in keys if k.startswith("unit:")]
        user_ids = [int(k.split(":")[1]) for k in keys if k.startswith("user:")]
        units = Unit.objects.in_bulk(unit_ids)
        users = User.objects.in_bulk([*user_ids, *data["info_users"]])

        def pick(key: str) -> Any:
            kind, pk = key.split(":")
            return (units if kind == "unit" else users).get(int(pk))

        lead = pick(data["lead"])
        co = [pick(k) for k in data["co"]]
        return {
            "lead_unit": lead if isinstance(lead, Unit) else None,
            "lead_user": lead if isinstance(lead, User) else None,
            "co_units": [c for c in co if isinstance(c, Unit)],
            "co_users": [c for c in co if isinstance(c, User)],
            "info_users": [users[pk] for pk in data["info_users"] if pk in users],
            "deadline": data["deadline"],
        }


class ReassignForm(Form):
    """A unit leader's assignment inside the unit."""

    lead_user = forms.TypedChoiceField(
        label="Người chủ trì",
        coerce=int,
        error_messages={
            "required": "Hãy chọn người chủ trì trong đơn vị.",
            "invalid_choice": "Người chủ trì không phải cán bộ của đơn vị.",
        },
    )
    co_users = forms.TypedMultipleChoiceField(
        label="Người phối hợp",
        coerce=int,
        required=False,
        widget=CheckboxList,
        error_messages={"invalid_choice": "Người phối hợp không phải cán bộ của đơn vị."},
    )
    info_users = forms.TypedMultipleChoiceField(
        label="Nhận để biết",
        coerce=int,
        required=False,
        widget=CheckboxList,
        error_messages={"invalid_choice": "Người nhận để biết không phải cán bộ của đơn vị."},
    )
    deadline = _date("Hạn giải quyết", help_text="Để trống: bằng hạn của đơn vị.")
    note = _text("Ý kiến giao việc")

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "lead_user").choices = [("", "– chọn –"), *people]
        choice_field(self, "co_users").choices = people
        choice_field(self, "info_users").choices = people

    def targets(self) -> dict[str, Any]:
        data = self.cleaned_data
        users = User.objects.in_bulk([data["lead_user"], *data["co_users"], *data["info_users"]])
        return {
            "lead_user": users.get(data["lead_user"]),
            "co_users": [users[pk] for pk in data["co_users"] if pk in users],
            "info_users": [users[pk] for pk in data["info_users"] if pk in users],
            "deadline": data["deadline"],
            "note": data["note"],
        }


class ProgressForm(Form):
    text = _text("Nội dung tiến độ", required=True)
    result_files = MultipleFileField(label="Tệp kết quả xử lý")
    draft_files = MultipleFileField(label="Dự thảo văn bản trả lời")


class CompleteForm(Form):
    result = _text("Kết quả giải quyết")
    reply_reference = forms.CharField(
        label="Số, ký hiệu văn bản trả lời",
        required=False,
        max_length=100,
        help_text="Nếu đã có văn bản trả lời, ví dụ: 12/STTTT-VP.",
    )


class RemindForm(Form):
    text = _text("Nội dung đôn đốc", required=True, max_length=2000)


class ExtensionRequestForm(Form):
    requested_deadline = _date("Hạn đề nghị", required=True)
    reason = _text("Lý do", required=True)


class ExtensionDecideForm(Form):
    decision = forms.ChoiceField(
        label="Quyết định",
        choices=[("grant", "Đồng ý gia hạn"), ("refuse", "Không đồng ý")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Hãy chọn đồng ý hoặc không đồng ý.",
            "invalid_choice": "Quyết định không hợp lệ.",
        },
    )
    reason = _text("Lý do")


def _datetime(label: str) -> VietnameseDateTimeField:
    return VietnameseDateTimeField(
        label=label, error_messages={"required": f"Hãy nhập {label.lower()}."}
    )


class DelegationForm(Form):
    unit = forms.TypedChoiceField(
        label="Đơn vị",
        coerce=int,
        error_messages={
            "required": "Hãy chọn đơn vị.",
            "invalid_choice": "Chỉ lãnh đạo đơn vị được ủy quyền.",
        },
    )
    deputy = forms.TypedChoiceField(
        label="Người được ủy quyền",
        coerce=int,
        error_messages={
            "required": "Hãy chọn người được ủy quyền.",
            "invalid_choice": "Hãy chọn một cán bộ đang hoạt động của đơn vị.",
        },
    )
    starts_at = _datetime("Từ thời điểm")
    ends_at = _datetime("Đến thời điểm")
    note = forms.CharField(label="Ghi chú", required=False, max_length=500)

    def __init__(self, *args: Any, units: list[Unit], people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = [(u.pk, unit_label(u)) for u in in_tree_order(units)]
        choice_field(self, "deputy").choices = [("", "– chọn –")] + [
            (p.pk, _person_label(p)) for p in people
        ]

    def aware(self, name: str) -> dt.datetime:
        value: dt.datetime = self.cleaned_data[name]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class PolicyForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "normal_days": "Văn bản thường (ngày)",
            "urgent_days": "Văn bản khẩn (ngày)",
            "very_urgent_days": "Văn bản thượng khẩn (ngày)",
            "flash_days": "Văn bản hỏa tốc (ngày)",
            "remind_before_days": "Nhắc hạn trước (ngày)",
        }
        for name, (_label, low, high) in POLICY_FIELDS.items():
            self.fields[name] = forms.IntegerField(
                label=labels[name],
                min_value=low,
                max_value=high,
                error_messages={
                    "required": "Hãy nhập số ngày.",
                    "invalid": "Hãy nhập một số nguyên.",
                    "min_value": f"Số ngày phải từ {low} đến {high}.",
                    "max_value": f"Số ngày phải từ {low} đến {high}.",
                },
            )


class FollowupForm(ReportPeriodForm):
    """Unit (among those whose registers the reader keeps or leads) and period."""

    def __init__(self, data: dict[str, Any], *, user: User) -> None:
        super().__init__(data, user=user)
        model_choice_field(self, "unit").queryset = document_selectors.register_units(user=user)


class DirectionTemplateForm(Form):
    text = forms.CharField(
        label="Mẫu ý kiến chỉ đạo mới",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-maxlength": 500}),
        help_text="Ví dụ: Giao phòng Kế hoạch – Tài chính chủ trì, tham mưu, báo cáo trước hạn.",
    )
