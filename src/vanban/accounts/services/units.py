"""Creating and editing units of the province's tree (R2, R7)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.audit.services import audit_record
from vanban.core.agency_codes import agency_code_problem
from vanban.core.errors import ServiceError
from vanban.core.text import fold, nfc

from ..models import (
    ABBREVIATION_RE,
    MAX_UNIT_LEVEL,
    Unit,
    User,
)
from ._common import (
    _require_province_admin,
)


def _clean_unit_fields(
    *, name: str, symbol: str, abbreviation: str, agency_code: str, exclude_pk: int | None = None
) -> dict[str, str]:
    name, symbol = nfc(name), nfc(symbol)
    abbreviation = abbreviation.strip()
    agency_code = agency_code.strip().upper()
    if not name:
        raise ServiceError("Tên đơn vị không được để trống.", field="name")
    if len(name) > 255:
        raise ServiceError("Tên đơn vị dài quá 255 ký tự.", field="name")
    if not symbol:
        raise ServiceError(
            "Chữ viết tắt trong ký hiệu văn bản không được để trống.", field="symbol"
        )
    if len(symbol) > 30:
        raise ServiceError("Chữ viết tắt trong ký hiệu văn bản dài quá 30 ký tự.", field="symbol")
    if not ABBREVIATION_RE.match(abbreviation):
        raise ServiceError(
            "Tên viết tắt trong tài khoản chỉ gồm chữ thường không dấu và chữ số (2 đến 30 ký tự), "
            "ví dụ: stttt.",
            field="abbreviation",
        )
    problem = agency_code_problem(agency_code)
    if problem:
        raise ServiceError(problem, field="agency_code")
    others = Unit.objects.exclude(pk=exclude_pk) if exclude_pk else Unit.objects.all()
    if others.filter(agency_code=agency_code).exists():
        raise ServiceError(
            f"Mã định danh {agency_code} đã được dùng cho đơn vị khác.", field="agency_code"
        )
    if others.filter(abbreviation=abbreviation).exists():
        raise ServiceError(
            f"Tên viết tắt “{abbreviation}” đã được dùng cho đơn vị khác.", field="abbreviation"
        )
    return {
        "name": name,
        "symbol": symbol,
        "abbreviation": abbreviation,
        "agency_code": agency_code,
    }


CONTACT_FIELDS = ("address", "email", "phone", "fax", "website")
# The unit data its documents and packages carry: how it is reached, and its place name.
UNIT_DATA_FIELDS = (*CONTACT_FIELDS, "place_name")
PLACE_NAME_MAX = 100
# A root unit is a province's People's Committee: level-1 code, the other groups zero.
ROOT_CODE_RE = re.compile(r"^000\.00\.00\.[A-Z0-9]{3}$")
PHONE_RE = re.compile(r"^[0-9 +().\-]{3,50}$")


def _clean_contact(**values: str | None) -> dict[str, str]:
    """The unit's address, e-mail, telephone, fax, website and place name, as given (None: not
    given): each may be empty; a given one must be well formed."""
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        text = nfc(value)
        if key == "address" and len(text) > 255:
            raise ServiceError("Địa chỉ dài quá 255 ký tự.", field="address")
        if key == "place_name":
            text = " ".join(text.split())
            if len(text) > PLACE_NAME_MAX:
                raise ServiceError(f"Địa danh dài quá {PLACE_NAME_MAX} ký tự.", field="place_name")
        if key == "email" and text:
            try:
                validate_email(text)
            except ValidationError:
                raise ServiceError(
                    f"Địa chỉ thư điện tử “{text}” không hợp lệ.", field="email"
                ) from None
        if key in ("phone", "fax") and text and not PHONE_RE.match(text):
            label = "Số điện thoại" if key == "phone" else "Số fax"
            raise ServiceError(
                f"{label} chỉ gồm chữ số, khoảng trắng và các dấu + ( ) . - (3 đến 50 ký tự).",
                field=key,
            )
        if key == "website" and text:
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                raise ServiceError(
                    "Trang thông tin điện tử phải là địa chỉ http:// hoặc https:// đầy đủ.",
                    field="website",
                ) from None
            if len(text) > 200:
                raise ServiceError("Địa chỉ trang thông tin điện tử dài quá 200 ký tự.", field=key)
        cleaned[key] = text
    return cleaned


def _check_period(start: dt.date | None, end: dt.date | None, parent: Unit | None) -> None:
    """The unit's period: dates, the end not before the start, within its parent's period."""
    for value, key, label in ((start, "start_date", "bắt đầu"), (end, "end_date", "chấm dứt")):
        if value is not None and not isinstance(value, dt.date):
            raise ServiceError(f"Ngày {label} hoạt động không hợp lệ.", field=key)
    if start is not None and end is not None and end < start:
        raise ServiceError(
            f"Ngày chấm dứt hoạt động ({end:%d/%m/%Y}) không được trước ngày bắt đầu "
            f"({start:%d/%m/%Y}).",
            field="end_date",
        )
    if parent is None:
        return
    if parent.end_date is not None and (end is None or end > parent.end_date):
        raise ServiceError(
            f"Đơn vị cấp trên “{parent.name}” chấm dứt hoạt động ngày "
            f"{parent.end_date:%d/%m/%Y}; đơn vị trực thuộc phải chấm dứt chậm nhất ngày đó.",
            field="end_date",
        )
    if parent.start_date is not None and start is not None and start < parent.start_date:
        raise ServiceError(
            f"Đơn vị cấp trên “{parent.name}” bắt đầu hoạt động ngày "
            f"{parent.start_date:%d/%m/%Y}; đơn vị trực thuộc không thể bắt đầu trước ngày đó.",
            field="start_date",
        )


def unit_create(
    *,
    actor: User | None,
    name: str,
    symbol: str,
    abbreviation: str,
    agency_code: str,
    parent: Unit | None,
    is_active: bool = True,
    address: str = "",
    email: str = "",
    phone: str = "",
    fax: str = "",
    website: str = "",
    place_name: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Unit:
    """Create a unit under `parent` (four levels at most). Province admin only (R7).

    `parent=None` makes a root (level 1): a People's Committee of a province. A deployment may
    hold more than one: the province that takes in others (NQ 202/2025/QH15) holds their
    committees as roots until the merge takes effect. `start_date`/`end_date` are the first and
    the last day the unit exists (docs/reorganisation.md); empty: since before the records, still
    open. A sub-unit lives within its parent's period.

    `actor=None` is the installer (demo data, first setup), never a web request.
    """
    if actor is not None:
        _require_province_admin(actor)
    fields = _clean_unit_fields(
        name=name, symbol=symbol, abbreviation=abbreviation, agency_code=agency_code
    )
    fields |= _clean_contact(
        address=address,
        email=email,
        phone=phone,
        fax=fax,
        website=website,
        place_name=place_name,
    )
    level = parent.level + 1 if parent else 1
    if level > MAX_UNIT_LEVEL:
        raise ServiceError("Cây đơn vị chỉ có tối đa 4 cấp.", field="parent")
    if parent is None and not ROOT_CODE_RE.match(fields["agency_code"]):
        raise ServiceError(
            "Đơn vị gốc (cấp 1) là Ủy ban nhân dân tỉnh: mã định danh phải có dạng 000.00.00.H## "
            f"(QĐ 20/2020/QĐ-TTg), không phải {fields['agency_code']}. Đơn vị khác hãy chọn "
            "đơn vị cấp trên.",
            field="parent",
        )
    _check_period(start_date, end_date, parent)
    try:
        with transaction.atomic():
            unit = Unit.objects.create(
                **fields,
                parent=parent,
                level=level,
                is_active=is_active and (end_date is None or end_date >= timezone.localdate()),
                start_date=start_date,
                end_date=end_date,
                search_text=fold(
                    f"{fields['name']} {fields['symbol']} {fields['abbreviation']} "
                    f"{fields['agency_code']}"
                ),
            )
            audit_record(
                actor=actor,
                action="unit.create",
                unit=unit,
                target=unit,
                data={"name": unit.name, "agency_code": unit.agency_code},
            )
    except IntegrityError as exc:
        raise ServiceError("Mã định danh hoặc tên viết tắt đã được dùng cho đơn vị khác.") from exc
    return unit


def unit_update(
    *,
    actor: User,
    unit: Unit,
    name: str,
    symbol: str,
    abbreviation: str,
    agency_code: str,
    is_active: bool,
    address: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    fax: str | None = None,
    website: str | None = None,
    place_name: str | None = None,
) -> Unit:
    """Edit a unit. The account-name part of a unit with accounts cannot change (R2). The
    contact fields and the place name left as None stay as they are."""
    _require_province_admin(actor)
    fields = _clean_unit_fields(
        name=name,
        symbol=symbol,
        abbreviation=abbreviation,
        agency_code=agency_code,
        exclude_pk=unit.pk,
    )
    fields |= _clean_contact(
        address=address,
        email=email,
        phone=phone,
        fax=fax,
        website=website,
        place_name=place_name,
    )
    if fields["abbreviation"] != unit.abbreviation and unit.members.exists():
        raise ServiceError(
            "Không thể đổi tên viết tắt của đơn vị đã có tài khoản (tên tài khoản đã cấp sẽ sai).",
            field="abbreviation",
        )
    with transaction.atomic():
        before = {k: getattr(unit, k) for k in [*fields, "is_active"]}
        for key, value in fields.items():
            setattr(unit, key, value)
        unit.is_active = is_active
        unit.search_text = fold(f"{unit.name} {unit.symbol} {unit.abbreviation} {unit.agency_code}")
        unit.save()
        audit_record(
            actor=actor,
            action="unit.update",
            unit=unit,
            target=unit,
            data={"before": before, "after": {k: getattr(unit, k) for k in before}},
        )
    return unit
