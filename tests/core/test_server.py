"""Django's own server, as the first command (`runserver`) and the live-server tests run it,
answers without waiting for the client's delayed acknowledgement (core/apps.py)."""

import http.client
import socket
import threading

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class _Recording(ThreadedWSGIServer):
    """Notes TCP_NODELAY of each connection once its request was handled."""

    nodelay: list[int]
    handled: threading.Event

    def finish_request(self, request, client_address):  # type: ignore[no-untyped-def]
        super().finish_request(request, client_address)
        self.nodelay.append(request.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        self.handled.set()


def _app(environ, start_response):  # type: ignore[no-untyped-def]
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "12")])
    return [body]


def test_the_server_sends_each_answer_without_delay():
    server = _Recording(("127.0.0.1", 0), WSGIRequestHandler)
    server.nodelay, server.handled = [], threading.Event()
    server.set_app(_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", "/", headers={"Connection": "close"})
        assert connection.getresponse().read() == b'{"ok": true}'
        connection.close()
        assert server.handled.wait(timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert server.nodelay and all(server.nodelay)
