"""How messages reach a partner system (R15). A transport is an adapter:

- `DirectHttp`: POST of the edXML bytes to the partner's receiving address (another vanban
  deployment: `/lien-thong/he-thong-khac/nhan/`), with the secret agreed with it as a bearer
  token;
- `Gateway`: the provincial gateway (LGSP), a REST resource of packages: `POST /packages`
  sends, `GET /packages?to=CODE&status=new` lists what waits for our agencies, `GET
  /packages/{id}` fetches one, `PUT /packages/{id}/status` says what became of it.

An error says whether trying again may help (network, 5xx, 401, 429) or not (the partner refused
the message: 400, 403, 404, 409, 413, 422).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from vanban.exchange.models import Outbound, Partner, Transport

TIMEOUT = 30
RETRY_STATUSES = {401, 408, 425, 429}


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _request(
    method: str,
    url: str,
    *,
    token: str,
    body: bytes | None = None,
    content_type: str = "application/xml; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", content_type)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:2000]
        try:
            reason = json.loads(detail).get("detail") or detail.decode("utf-8", "replace")
        except (ValueError, AttributeError):
            reason = detail.decode("utf-8", "replace")
        permanent = exc.code < 500 and exc.code not in RETRY_STATUSES
        raise TransportError(f"HTTP {exc.code}: {reason}", permanent=permanent) from exc
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
        # HTTPException: the partner stopped in the middle of its answer (IncompleteRead...).
        raise TransportError(f"Không kết nối được {url}: {exc}") from exc


@dataclass
class DirectHttp:
    partner: Partner

    def send(self, message: Outbound, data: bytes) -> None:
        _request(
            "POST",
            self.partner.endpoint,
            token=self.partner.outbound_token,
            body=data,
            headers={"X-Edxml-Kind": message.kind, "X-Edxml-To": message.to_code},
        )


@dataclass
class Gateway:
    partner: Partner

    def _url(self, *parts: str, **query: str) -> str:
        base = self.partner.endpoint.rstrip("/")
        path = "/".join(urllib.parse.quote(p, safe="") for p in parts)
        url = f"{base}/{path}" if path else base
        return f"{url}?{urllib.parse.urlencode(query)}" if query else url

    def send(self, message: Outbound, data: bytes) -> None:
        _request(
            "POST",
            self._url("packages"),
            token=self.partner.outbound_token,
            body=data,
            headers={"X-Edxml-Kind": message.kind, "X-Edxml-To": message.to_code},
        )

    def waiting(self, agency_code: str) -> list[dict[str, Any]]:
        _status, body = _request(
            "GET",
            self._url("packages", to=agency_code, status="new"),
            token=self.partner.outbound_token,
        )
        try:
            items = json.loads(body)
        except ValueError as exc:
            raise TransportError("Trục liên thông trả về dữ liệu không đọc được.") from exc
        return list(items.get("items", items) if isinstance(items, dict) else items)

    def fetch(self, package_id: str) -> bytes:
        _status, body = _request(
            "GET", self._url("packages", package_id), token=self.partner.outbound_token
        )
        return body

    def set_status(self, package_id: str, status: str, reason: str = "") -> None:
        _request(
            "PUT",
            self._url("packages", package_id, "status"),
            token=self.partner.outbound_token,
            body=json.dumps({"status": status, "reason": reason}).encode(),
            content_type="application/json",
        )


def adapter_for(partner: Partner) -> DirectHttp | Gateway:
    if partner.transport == Transport.GATEWAY:
        return Gateway(partner)
    return DirectHttp(partner)


def gateway_poll(partner: Partner, agency_codes: list[str]) -> dict[str, int]:
    """Fetches what the gateway holds for our agencies, receives each package once (the
    receiver de-duplicates by DocumentId) and tells the gateway the outcome."""
    from .services import Refused, receive

    gateway = Gateway(partner)
    counts = {"accepted": 0, "duplicate": 0, "refused": 0, "applied": 0, "rejected": 0}
    for code in agency_codes:
        for item in gateway.waiting(code):
            package_id = str(item.get("id", ""))
            if not package_id:
                continue
            data = gateway.fetch(package_id)
            try:
                result = receive(partner=partner, data=data)
            except Refused as exc:
                counts["rejected"] += 1
                gateway.set_status(package_id, "rejected", exc.message)
                continue
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            gateway.set_status(
                package_id, "done" if result.outcome != "refused" else "rejected", result.reason
            )
    return counts
