"""Test data of the exchange with other systems: a partner system serving the Bộ Thông tin và
Truyền thông (the default external recipient of tests/drafting) and the Ủy ban nhân dân tỉnh
Vĩnh Long, an issued document of the Sở Thông tin và Truyền thông, its package re-addressed so
that it arrives from Vĩnh Long to one of our units, and a loopback HTTP server standing for a
partner's receiving address."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings

from tests.support.drafting import Team, issued
from vanban.core import clock
from vanban.documents.models import Document
from vanban.exchange.models import Delivery, Inbound, Outbound, Partner, Transport
from vanban.exchange.partners import services
from vanban.exchange.partners.packages import package_for_document
from vanban.exchange.partners.packages import status_payload as status_message

MINISTRY = "000.00.00.G22"
MINISTRY_NAME = "Bộ Thông tin và Truyền thông"
VINH_LONG = "000.00.00.H62"
VINH_LONG_NAME = "Ủy ban nhân dân tỉnh Vĩnh Long"
PARTNER_NAME = "Trục liên thông văn bản quốc gia"
OUTBOUND_TOKEN = "bi-mat-ta-gui-di"
ENDPOINT = "http://127.0.0.1:9/lien-thong/he-thong-khac/nhan/"
RECEIVE_URL = "/lien-thong/he-thong-khac/nhan/"


@dataclass
class Link:
    partner: Partner
    secret: str  # what the partner presents to us

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}


def partner(team: Team, *, name: str = PARTNER_NAME, endpoint: str = ENDPOINT, **extra) -> Link:
    """The province admin adds the partner that serves the ministry and Vĩnh Long."""
    row, secret = services.partner_save(
        actor=team.province.province_admin,
        name=name,
        endpoint=endpoint,
        outbound_token=OUTBOUND_TOKEN,
        codes=[(MINISTRY, MINISTRY_NAME), (VINH_LONG, VINH_LONG_NAME)],
        **extra,
    )
    return Link(row, secret)


def readdressed(document: Document, *, to: str, sender: str = VINH_LONG) -> bytes:
    """The signed package of `document` as if `sender` (an agency the partner serves) had sent
    it to our unit `to`: only the From and To agencies change, the signed PDF stays as issued."""
    unit = document.unit
    data, _document_id = package_for_document(document, to_code=MINISTRY, to_name=MINISTRY_NAME)
    for old, new in (
        (
            f"<edXML:OrganId>{unit.agency_code}</edXML:OrganId>",
            f"<edXML:OrganId>{sender}</edXML:OrganId>",
        ),
        (f">{unit.name}</edXML:", f">{VINH_LONG_NAME}</edXML:"),
        (f"<edXML:OrganId>{MINISTRY}</edXML:OrganId>", f"<edXML:OrganId>{to}</edXML:OrganId>"),
    ):
        data = data.replace(old.encode(), new.encode())
    return data


def issued_outside(team: Team) -> tuple[Document, Delivery]:
    """An issued document of the Sở sent to the ministry through the partner (add it first)."""
    _draft, document = issued(team)
    return document, Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )


def status_from_ministry(delivery: Delivery, code: str, description: str = "") -> bytes:
    """A status message of the ministry's system about the document we sent it."""
    org, date, number = delivery.edxml_id.split(",", 2)
    return status_message(
        from_code=delivery.agency_code,
        from_name=MINISTRY_NAME,
        response_for=delivery.edxml_id,
        response_code=number,
        response_org=org,
        promulgation_date=date,
        code=code,
        description=description or f"Trạng thái {code}",
        staff="Nguyễn Văn Bộ",
        department="Văn phòng Bộ",
    )


def stored_files() -> list[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def snapshot() -> dict[str, object]:
    """Everything receiving could write."""
    from vanban.audit.models import AuditEvent
    from vanban.exchange.models import DeliveryEvent

    return {
        "inbound": list(Inbound.objects.values_list("pk", "state", "reason")),
        "outbound": list(Outbound.objects.values_list("pk", "state", "status_code")),
        "deliveries": list(
            Delivery.objects.exclude(transport=Transport.LOCAL).values_list(
                "pk", "status", "return_note", "recall_answer_note"
            )
        ),
        "events": DeliveryEvent.objects.exclude(delivery__transport=Transport.LOCAL).count(),
        "audit": AuditEvent.objects.count(),
        "files": stored_files(),
    }


# ---------------------------------------------------------------- a partner's address


@dataclass
class Recorder:
    """A loopback HTTP server standing for a partner: records each request and answers with
    the next status of `answers` (200 once they are used up)."""

    answers: list[int] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    server: WSGIServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def app(self, environ, start_response):  # type: ignore[no-untyped-def]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.requests.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "query": environ.get("QUERY_STRING", ""),
                "authorization": environ.get("HTTP_AUTHORIZATION", ""),
                "to": environ.get("HTTP_X_EDXML_TO", ""),
                "kind": environ.get("HTTP_X_EDXML_KIND", ""),
                "body": environ["wsgi.input"].read(length),
            }
        )
        status = self.answers.pop(0) if self.answers else 200
        reasons = {
            200: "OK",
            409: "Conflict",
            500: "Internal Server Error",
            401: "Unauthorized",
        }
        detail = {
            200: {"outcome": "accepted"},
            409: {"detail": "DocumentId đã nhận với nội dung khác; gói tin bị từ chối."},
            500: {"detail": "Lỗi máy chủ."},
            401: {"detail": "Thông tin xác thực của hệ thống gửi không đúng."},
        }.get(status, {"detail": "Lỗi."})
        start_response(
            f"{status} {reasons.get(status, 'Error')}",
            [("Content-Type", "application/json")],
        )
        return [json.dumps(detail, ensure_ascii=False).encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


def recorder_start(answers: list[int] | None = None) -> Recorder:
    recorder = Recorder(answers=list(answers or []))
    recorder.server = make_server("127.0.0.1", 0, recorder.app, handler_class=_Quiet)
    threading.Thread(target=recorder.server.serve_forever, daemon=True).start()
    return recorder


def recorder_stop(recorder: Recorder) -> None:
    assert recorder.server is not None
    recorder.server.shutdown()
    recorder.server.server_close()


def later(seconds: float):  # type: ignore[no-untyped-def]
    """The frozen clock moved `seconds` after the tests' NOW."""
    import datetime as dt

    from tests.support.drafting import NOW

    return clock.frozen(NOW + dt.timedelta(seconds=seconds))
