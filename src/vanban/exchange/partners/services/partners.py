"""The directory of partner systems (R15): partners and the secrets they present, the agency
codes they serve (also imported from CSV), and the route to an agency code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets

from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.agency_codes import agency_code_line_problem, agency_code_problem
from vanban.core.errors import AccessDenied, ServiceError
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


def codes_import(*, actor: User, text: str, ip: str | None = None) -> int:
    """The directory of partner systems and the agency codes they serve, from CSV with the
    columns he_thong, ma_dinh_danh, ten_co_quan (header line required). All or nothing: one bad
    line refuses the file with its line number."""
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"he_thong", "ma_dinh_danh", "ten_co_quan"}
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        raise ServiceError("Tệp CSV phải có dòng tiêu đề: he_thong, ma_dinh_danh, ten_co_quan.")
    partners = {p.name: p for p in Partner.objects.all()}
    rows: list[tuple[Partner, str, str]] = []
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
        seen.add(code)
        rows.append((partner, code, line["ten_co_quan"] or code))
    with transaction.atomic():
        for partner, code, name in rows:
            PartnerCode.objects.update_or_create(
                agency_code=code, defaults={"partner": partner, "name": name[:255]}
            )
        audit_record(actor=actor, action="interop.codes_import", ip=ip, data={"count": len(rows)})
    return len(rows)
