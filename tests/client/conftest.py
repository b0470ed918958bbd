"""Fixtures for the Send.ai client's tests: a misbehaving local upstream, and the live sandbox.

`upstream` is a small threaded HTTP server on 127.0.0.1 that answers each request with the
next queued reply (the last one repeats) and records what it received. The client is
pointed at it through settings, with short timeouts. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from reviewer.sendai import Client
from tests.conftest import DOC_TASK

KEY = "sk_test_Zq8vN3kW9mXr2Lp7Tg5Hy1Jc4Bd6Fs0A"


@dataclass
class Received:
    method: str
    path: str
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    reset_after: int | None = None  # send this many bytes of the body, then reset the connection
    trickle: float = 0.0  # seconds between bytes of the body (and of the head, with trickle_head)
    trickle_head: bool = False
    keep_alive: bool = False  # keep the connection open for the next request
    drop: bool = False  # close the connection without answering at all
    hold: threading.Event | None = None  # answer only once this is set (or after 10 s)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def do_GET(self) -> None:
        upstream = self.server.upstream
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = upstream.take(Received(self.command, self.path, self.headers, body))
        if reply.delay and upstream.stopping.wait(reply.delay):
            return
        if reply.hold is not None:
            reply.hold.wait(10)
        if reply.drop:
            self.close_connection = True
            return
        if reply.trickle_head:
            head = f"HTTP/1.1 {reply.status} X\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
            head += f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n"
            self.close_connection = True
            self._trickle(head.encode() + reply.body, reply.trickle)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if not reply.keep_alive:
            self.send_header("Connection", "close")
        self.end_headers()
        if reply.trickle:
            self._trickle(reply.body, reply.trickle)
            return
        if reply.reset_after is None:
            self.wfile.write(reply.body)
            return
        self.wfile.write(reply.body[: reply.reset_after])
        upstream.stopping.wait(0.2)  # the client is now reading the body
        # Closing with a zero linger time sends a TCP reset instead of a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    do_POST = do_PUT = do_DELETE = do_GET

    def _trickle(self, data: bytes, interval: float) -> None:
        """Send `data` a byte at a time, each after `interval` seconds, until the client gives up."""
        try:
            for i in range(len(data)):
                if self.server.upstream.stopping.wait(interval):
                    return
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for every handler
    request_queue_size = 64  # room for the concurrent connections of the threads test
    upstream: Upstream

    def shutdown_request(self, request: socket.socket) -> None:
        request.close()  # no shutdown(SHUT_WR) first, so that a zero linger time resets

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow reply


class Upstream:
    """A local stand-in for Send.ai that misbehaves on demand."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: list[Reply] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.upstream = self
        self.url = f"http://127.0.0.1:{self.server.server_port}/sendai"

    def reply(
        self,
        status: int = 200,
        body: bytes | str = b"",
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        reset_after: int | None = None,
        **more: Any,
    ) -> None:
        """Queue a reply; `json_body` is sent as application/json; `more` sets Reply's other fields."""
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        body = body.encode() if isinstance(body, str) else body
        self.replies.append(Reply(status, body, headers, delay, reset_after, **more))

    def wait_for(self, count: int, within: float = 10.0) -> None:
        """Wait until `count` requests have arrived (an outcome, not a duration)."""
        deadline = time.monotonic() + within
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} requests arrived"
            time.sleep(0.01)

    def take(self, received: Received) -> Reply:
        with self.lock:
            self.received.append(received)
            if not self.replies:
                return Reply(500, b"no reply queued")
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@pytest.fixture(autouse=True)
def local_only(monkeypatch):
    """Refuse any connection beyond this machine: nothing in these tests reaches the internet."""
    connect = socket.socket.connect

    def connect_locally(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):
            raise OSError(f"A test tried to connect to {address[0]}.")
        connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect_locally)


@contextlib.contextmanager
def serving(settings):
    """A local upstream that misbehaves on demand, the console pointed at it with short timeouts."""
    server = Upstream()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    settings.SENDAI_API_URL = server.url
    settings.SENDAI_CONNECT_TIMEOUT = 0.5
    settings.SENDAI_READ_TIMEOUT = 0.5
    try:
        yield server
    finally:
        server.stopping.set()
        server.server.shutdown()
        server.server.server_close()
        thread.join()


@pytest.fixture
def upstream(settings):
    with serving(settings) as server:
        yield server


@pytest.fixture
def refused_url() -> str:
    """The URL of a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/sendai"


@pytest.fixture
def doc_task() -> dict[str, Any]:
    """The documentation's example task, as JSON, to change and send."""
    return copy.deepcopy(DOC_TASK)


@pytest.fixture
def api() -> Client:
    return Client(KEY)


@pytest.fixture
def live(settings, sandbox_url) -> str:
    """Point the client at the sandbox, served over HTTP by a live server."""
    settings.SENDAI_API_URL = sandbox_url
    settings.SANDBOX_REPORT_HOOK_URL = ""
    settings.SANDBOX_WEBHOOK_URL = ""
    return sandbox_url
