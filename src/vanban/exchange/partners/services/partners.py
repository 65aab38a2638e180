"""The directory of partner systems (R15): partners and the secrets they present, the agency
codes they serve (also imported from CSV), and the route to an agency code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.agency_codes import agency_code_line_problem, agency_code_problem
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.forms import parse_date_vi
from vanban.exchange.models import PARTNER_TRANSPORTS, Partner, PartnerCode


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "vbl_" + secrets.token_urlsafe(32)


def partner_for_token(token: str) -> Partner | None:
    if not token:
        return None
    return Partner.objects.filter(inbound_token_hash=token_hash(token), active=True).first()


def partner_save(
    *,
    actor: User,
    name: str,
    endpoint: str,
    transport: str = "direct",
    outbound_token: str = "",
    codes: list[tuple[str, str]] | None = None,
    allowed_units: list[Unit] | None = None,
    partner: Partner | None = None,
    ip: str | None = None,
) -> tuple[Partner, str]:
    """The province admin adds or changes a partner system. Returns the partner and, for a new
    one, the secret the partner must present to us (shown once; only its hash is kept)."""

    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    name = (name or "").strip()
    if not name:
        raise ServiceError("Hãy nhập tên hệ thống.", field="name")
    if transport not in dict(PARTNER_TRANSPORTS):
        raise ServiceError("Cách kết nối không hợp lệ.", field="transport")
    if not (endpoint or "").startswith(("http://", "https://")):
        raise ServiceError("Địa chỉ nhận gói tin phải bắt đầu bằng http:// hoặc https://.")
    rows = []
    for code, organ in codes or []:
        code = code.strip()
        if problem := agency_code_problem(code):
            raise ServiceError(problem)
        rows.append((code, organ.strip() or code))
    taken = PartnerCode.objects.filter(agency_code__in=[c for c, _ in rows])
    if partner is not None:
        taken = taken.exclude(partner=partner)
    clash = taken.first()
    if clash is not None:
        raise ServiceError(f"Mã định danh {clash.agency_code} đã thuộc hệ thống khác.")
    secret = ""
    with transaction.atomic():
        if partner is None:
            if Partner.objects.filter(name=name).exists():
                raise ServiceError("Đã có hệ thống liên thông cùng tên.", field="name")
            secret = new_token()
            partner = Partner.objects.create(
                name=name,
                endpoint=endpoint,
                transport=transport,
                outbound_token=outbound_token,
                inbound_token_hash=token_hash(secret),
                created_at=clock.now(),
            )
        else:
            partner.name, partner.endpoint, partner.transport = name, endpoint, transport
            if outbound_token:
                partner.outbound_token = outbound_token
            partner.save()
        for code, organ in rows:
            PartnerCode.objects.update_or_create(
                agency_code=code, defaults={"partner": partner, "name": organ}
            )
        if allowed_units is not None:
            partner.allowed_units.set(allowed_units)
        audit_record(
            actor=actor,
            action="interop.partner_save",
            target=partner,
            ip=ip,
            data={"name": name, "codes": [c for c, _ in rows], "endpoint": endpoint},
        )
    return partner, secret


def partner_set_inbound_token(
    *, actor: User | None, partner: Partner, token: str, ip: str | None = None
) -> None:
    """Sets the secret the partner presents to us (used when both sides agree on it, or when a
    new secret replaces a lost one)."""
    if actor is not None and not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    if not (token or "").strip():
        raise ServiceError("Hãy nhập mã xác thực.")
    with transaction.atomic():
        partner.inbound_token_hash = token_hash(token)
        partner.save(update_fields=["inbound_token_hash"])
        audit_record(actor=actor, action="interop.partner_token", target=partner, ip=ip, data={})


def route_for(*, unit: Unit, agency_code: str) -> PartnerCode | None:
    """The partner that serves `agency_code`, if `unit` may send through it."""
    code = (
        PartnerCode.objects.select_related("partner")
        .filter(agency_code=agency_code, partner__active=True)
        .first()
    )
    if code is None:
        return None
    allowed = list(code.partner.allowed_units.values_list("pk", flat=True))
    if allowed and unit.pk not in allowed:
        return None
    return code


@dataclass(frozen=True)
class ClosedCode:
    """A partner's agency code closed by a reorganisation and the code that carries it on now
    (the end of the chain of successors; empty when there is none)."""

    code: str
    name: str
    closed_on: dt.date | None
    successor_code: str
    successor_name: str

    @property
    def note(self) -> str:
        """What the clerk and the delivery's trail are told, in Vietnamese."""
        since = f" từ ngày {self.closed_on:%d/%m/%Y}" if self.closed_on else ""
        head = f"Mã định danh {self.code} ({self.name}) đã đóng{since}"
        if not self.successor_code:
            return f"{head}, không có mã kế thừa; văn bản không được gửi điện tử cho cơ quan này."
        return (
            f"{head}; văn bản được gửi cho cơ quan kế thừa {self.successor_name} "
            f"({self.successor_code})."
        )


MAX_SUCCESSION = 10  # a chain of closed codes longer than this is a loop in the directory


def partner_code_successor(agency_code: str) -> ClosedCode | None:
    """When `agency_code` is a closed code of the directory (QĐ 09/2025/QĐ-TTg), the code that
    answers for it today, following closed successors; None when it is open or unknown. One
    query per step of the chain."""
    row = PartnerCode.objects.filter(agency_code=agency_code, closed_on__isnull=False).first()
    if row is None:
        return None
    current, name, seen = row.successor_code, "", {agency_code}
    while current:
        if current in seen or len(seen) > MAX_SUCCESSION:  # a loop: nobody answers
            current = ""
            break
        seen.add(current)
        step = PartnerCode.objects.filter(agency_code=current).first()
        if step is None:
            ours = Unit.objects.filter(agency_code=current, end_date__isnull=True).first()
            name = ours.name if ours is not None else current
            break
        name = step.name
        if step.closed_on is None:
            break
        current = step.successor_code  # closed too: its successor, if any
    return ClosedCode(row.agency_code, row.name, row.closed_on, current, name if current else "")


def _date_cell(number: int, value: str) -> dt.date | None:
    """The day a code closed, written as dates are everywhere (dd/mm/yyyy, or yyyy-mm-dd); empty
    is None; anything else refuses the line."""
    if not value:
        return None
    try:
        return parse_date_vi(value)
    except ValidationError as exc:
        reason = " ".join(str(m) for m in exc.messages)
        raise ServiceError(f"Dòng {number}: ngày đóng mã “{value}” không đúng: {reason}") from None


CODES_HEADER = ("he_thong", "ma_dinh_danh", "ten_co_quan")
# QĐ 09/2025/QĐ-TTg: the published list also gives the closed codes and their successors; files
# without these columns are read as before (every code open).
CODES_CLOSED_HEADER = ("ngay_dong", "ma_ke_thua")


def codes_import(*, actor: User, text: str, ip: str | None = None) -> int:
    """The directory of partner systems and the agency codes they serve, from CSV with the
    columns he_thong, ma_dinh_danh, ten_co_quan (header line required) and, optionally,
    ngay_dong (the day a code closed) and ma_ke_thua (the code that carries it on). All or
    nothing: one bad line refuses the file with its line number."""
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    reader = csv.DictReader(io.StringIO(text))
    wanted = set(CODES_HEADER)
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        raise ServiceError(
            "Tệp CSV phải có dòng tiêu đề: he_thong, ma_dinh_danh, ten_co_quan (thêm ngay_dong, "
            "ma_ke_thua cho các mã đã đóng)."
        )
    # A file without the columns of closed codes (the list published before QĐ 09/2025/QĐ-TTg)
    # leaves what the directory knows of closed codes as it is.
    closing = bool(set(CODES_CLOSED_HEADER) & {f.strip() for f in reader.fieldnames})
    partners = {p.name: p for p in Partner.objects.all()}
    rows: list[tuple[Partner, str, str, dt.date | None, str]] = []
    successors: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(reader, start=2):
        line = {(k or "").strip(): (v or "").strip() for k, v in line.items()}
        partner = partners.get(line["he_thong"])
        if partner is None:
            raise ServiceError(f"Dòng {number}: chưa có hệ thống liên thông “{line['he_thong']}”.")
        code = line["ma_dinh_danh"]
        if problem := agency_code_line_problem(number, code):
            raise ServiceError(problem)
        if code in seen:
            raise ServiceError(f"Dòng {number}: mã định danh {code} lặp lại.")
        if Unit.objects.filter(agency_code=code).exists():
            raise ServiceError(f"Dòng {number}: {code} là đơn vị của hệ thống này.")
        closed_on = _date_cell(number, line.get("ngay_dong", ""))
        successor = line.get("ma_ke_thua", "")
        if successor:
            if closed_on is None:
                raise ServiceError(
                    f"Dòng {number}: có mã kế thừa {successor} nhưng không ghi ngày đóng mã."
                )
            if problem := agency_code_line_problem(number, successor):
                raise ServiceError(f"{problem} (cột ma_ke_thua)")
            if successor == code:
                raise ServiceError(f"Dòng {number}: mã kế thừa trùng với chính mã {code}.")
            successors.append((number, code, successor))
        seen.add(code)
        rows.append((partner, code, line["ten_co_quan"] or code, closed_on, successor))
    _successors_known(successors, seen)
    with transaction.atomic():
        for partner, code, name, closed_on, successor in rows:
            defaults: dict[str, object] = {"partner": partner, "name": name[:255]}
            if closing:
                defaults.update(closed_on=closed_on, successor_code=successor)
            PartnerCode.objects.update_or_create(agency_code=code, defaults=defaults)
        audit_record(
            actor=actor,
            action="interop.codes_import",
            ip=ip,
            data={"count": len(rows), "closed": sum(1 for row in rows if row[3] is not None)},
        )
    return len(rows)


def _successors_known(successors: list[tuple[int, str, str]], in_file: set[str]) -> None:
    """Each successor is a code of the file, of the directory or of one of our units."""
    unknown = {s for _n, _c, s in successors} - in_file
    if not unknown:
        return
    known = set(
        PartnerCode.objects.filter(agency_code__in=unknown).values_list("agency_code", flat=True)
    ) | set(Unit.objects.filter(agency_code__in=unknown).values_list("agency_code", flat=True))
    for number, code, successor in successors:
        if successor not in in_file and successor not in known:
            raise ServiceError(
                f"Dòng {number}: mã kế thừa {successor} của {code} không có trong tệp, trong danh "
                "bạ, cũng không phải đơn vị của hệ thống này."
            )
