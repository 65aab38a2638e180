"""The provincial gateway adapter (R15): packages go to the gateway's REST resource,
and what the gateway holds for our agencies is fetched, received once and marked done or
rejected. The gateway is a loopback server that keeps packages as the LGSP resource does."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from tests.interop.support import MINISTRY, issued_outside, partner, readdressed
from vanban.exchange.models import Inbound, InboundState, Outbound, OutboundState
from vanban.exchange.partners import services
from vanban.exchange.partners.transport import gateway_poll

TOKEN = "ma-truc-lien-thong"


@dataclass
class FakeGateway:
    """Packages by id: {"to", "kind", "body", "status", "reason"}."""

    packages: dict[str, dict] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def app(self, environ, start_response):  # type: ignore[no-untyped-def]
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"].strip("/").split("/")
        path = path[1:] if path[:1] == ["api"] else ["(ngoài /api)"]
        self.calls.append(f"{method} /{'/'.join(path)}")
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}":
            return self._json(start_response, 401, {"detail": "sai mã xác thực"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        if method == "POST" and path == ["packages"]:
            key = str(len(self.packages) + 1)
            self.packages[key] = {
                "to": environ.get("HTTP_X_EDXML_TO", ""),
                "kind": environ.get("HTTP_X_EDXML_KIND", ""),
                "body": body,
                "status": "new",
                "reason": "",
            }
            return self._json(start_response, 201, {"id": key})
        if method == "GET" and path == ["packages"]:
            query = dict(p.split("=", 1) for p in environ.get("QUERY_STRING", "").split("&") if p)
            items = [
                {"id": key}
                for key, item in self.packages.items()
                if item["to"] == query.get("to") and item["status"] == query.get("status")
            ]
            return self._json(start_response, 200, {"items": items})
        if method == "GET" and len(path) == 2:
            item = self.packages.get(path[1])
            if item is None:
                return self._json(start_response, 404, {"detail": "không có"})
            start_response("200 OK", [("Content-Type", "application/xml")])
            return [item["body"]]
        if method == "PUT" and len(path) == 3 and path[2] == "status":
            answer = json.loads(body)
            self.packages[path[1]].update(status=answer["status"], reason=answer["reason"])
            return self._json(start_response, 200, {})
        return self._json(start_response, 404, {"detail": "không có"})

    @staticmethod
    def _json(start_response, status, body):  # type: ignore[no-untyped-def]
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body, ensure_ascii=False).encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


@pytest.fixture
def gateway():  # type: ignore[no-untyped-def]
    fake = FakeGateway()
    server = make_server("127.0.0.1", 0, fake.app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_port}/api"  # type: ignore[attr-defined]
    yield fake
    server.shutdown()
    server.server_close()


def test_issued_documents_go_to_the_gateway_and_its_packages_are_received_once(team, gateway):
    link = partner(team, endpoint=gateway.url, transport="gateway")
    link.partner.outbound_token = TOKEN
    link.partner.save()

    # Sending: the issue queues the package; the worker posts it to the gateway's resource.
    document, delivery = issued_outside(team)
    assert services.work_once() == {"sent": 1}
    message = Outbound.objects.get(kind="package")
    assert message.state == OutboundState.SENT
    [sent] = gateway.packages.values()
    assert (sent["to"], sent["kind"]) == (MINISTRY, "package")
    assert sent["body"] == bytes(message.payload)
    assert delivery.edxml_id.encode() in sent["body"]

    # Receiving: the gateway holds a package for our Sở Nội vụ and one from an unknown agency.
    ours = team.province.snv.agency_code
    gateway.packages["90"] = {
        "to": ours,
        "kind": "package",
        "body": readdressed(document, to=ours),
        "status": "new",
        "reason": "",
    }
    gateway.packages["91"] = {
        "to": ours,
        "kind": "package",
        "body": readdressed(document, to=ours, sender="000.00.00.H01"),
        "status": "new",
        "reason": "",
    }
    counts = gateway_poll(link.partner, [ours])
    assert counts["accepted"] == 1 and counts["rejected"] == 1
    inbound = Inbound.objects.get(kind="package")
    assert (inbound.state, inbound.unit, inbound.from_code) == (
        InboundState.QUEUED,
        team.province.snv,
        "000.00.00.H62",
    )
    assert gateway.packages["90"]["status"] == "done"
    assert gateway.packages["91"]["status"] == "rejected"
    assert "000.00.00.H01" in gateway.packages["91"]["reason"]

    # Nothing new on the next poll; the same package offered again is received once only.
    assert gateway_poll(link.partner, [ours]) == {
        "accepted": 0,
        "duplicate": 0,
        "refused": 0,
        "applied": 0,
        "rejected": 0,
    }
    gateway.packages["90"]["status"] = "new"
    assert gateway_poll(link.partner, [ours])["duplicate"] == 1
    assert Inbound.objects.filter(kind="package").count() == 1
    # Status 01 for the package received goes back through the gateway too.
    assert Outbound.objects.filter(kind="status", status_code="01").count() == 1


def test_a_gateway_refusing_our_credentials_is_retried_later(team, gateway):
    link = partner(team, endpoint=gateway.url, transport="gateway")
    link.partner.outbound_token = "sai"
    link.partner.save()
    issued_outside(team)
    assert services.work_once() == {"retry": 1}
    message = Outbound.objects.get(kind="package")
    assert (message.state, message.attempts) == (OutboundState.PENDING, 1)
    assert "HTTP 401" in message.last_error
    assert gateway.packages == {}
