"""Fixtures: a simulator process on a free port, an HTTP client for it, and a callback receiver."""
from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

SIMULATOR = Path(__file__).resolve().parents[1]
SERVER = SIMULATOR / "server.py"
KEY = "test-key-1"
OTHER_KEY = "test-key-2"
READ_ONLY_KEY = "test-read-only-key"
SECRET = "test-signing-secret-0123456789"

# Fast settings for tests; each test starts from these (POST /__sim/reset restores them).
TEST_ARGS = ["--api-key", KEY, "--api-key", OTHER_KEY, "--read-only-key", READ_ONLY_KEY,
             "--signing-secret", SECRET, "--queue-delay-ms", "20", "--rate-limit", "0",
             "--callback-backoff-ms", "50", "--callback-timeout-ms", "1000"]


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, raw: bytes):
        self.status = status
        self.headers = headers
        self.raw = raw

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def data(self) -> Any:
        return self.json["data"]

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.raw[:300]!r}>"


class Simulator:
    def __init__(self, process: subprocess.Popen, base_url: str):
        self.process = process
        self.base_url = base_url                       # http://127.0.0.1:PORT/api/v2
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.root = f"http://{self.host}:{self.port}"

    def connection(self, timeout: float = 10) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: Any = None, *, key: str | None = KEY,
                headers: dict | None = None, query: dict | None = None, raw: bytes | None = None,
                timeout: float = 10, connection: http.client.HTTPConnection | None = None) -> Reply:
        """One request; `path` is absolute (/api/v2/…, /__sim/…). `body` is sent as JSON."""
        all_headers = dict(headers or {})
        if key is not None:
            all_headers.setdefault("x-api-key", key)
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
        if payload is not None:
            all_headers.setdefault("Content-Type", "application/json")
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        own = connection is None
        conn = connection or self.connection(timeout)
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            if own:
                conn.close()

    def api(self, method: str, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request(method, "/api/v2" + path, body, **kw)

    def control(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        reply = self.request(method, "/__sim/" + path, body, key=None, **kw)
        assert reply.status == 200, reply
        return reply.json["data"]

    def configure(self, **settings: Any) -> dict:
        return self.control("POST", "config", settings)

    def drain(self, callbacks: bool = False) -> None:
        self.control("POST", f"drain?timeoutMs=20000&callbacks={'true' if callbacks else 'false'}")

    def mutations(self, **filters: str) -> list[dict]:
        query = urllib.parse.urlencode(filters)
        return self.control("GET", "mutations" + ("?" + query if query else ""))

    def callbacks(self, **filters: str) -> list[dict]:
        query = urllib.parse.urlencode(filters)
        return self.control("GET", "callbacks" + ("?" + query if query else ""))

    def create(self, *payloads: dict, prefix: str = "/api/v2", **kw: Any) -> list[str]:
        """Creates candidates, waits for the queue, returns their ids."""
        reply = self.request("POST", prefix + "/candidates", list(payloads), **kw)
        assert reply.status == 202, reply
        self.drain()
        applied = [m for m in self.mutations() if m["mutationId"] == reply.data["mutationId"]]
        assert applied and applied[0]["status"] == "succeeded", applied
        return applied[0]["resource"]["ids"]


def start(*args: str) -> Simulator:
    process = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(f"simulator did not start: {line!r} {process.stderr.read()}")
    return Simulator(process, line)


def stop(sim: Simulator) -> int:
    sim.process.send_signal(signal.SIGTERM)
    try:
        return sim.process.wait(timeout=10)
    finally:
        if sim.process.poll() is None:
            sim.process.kill()
        sim.process.stdout.close()
        sim.process.stderr.close()


@pytest.fixture(scope="session")
def server() -> Simulator:
    sim = start(*TEST_ARGS)
    yield sim
    assert stop(sim) == 0


@pytest.fixture
def sim(server: Simulator) -> Simulator:
    server.control("POST", "reset")
    return server


@pytest.fixture
def fresh() -> Any:
    """Starts a simulator of its own with extra arguments; stopped at the end of the test."""
    started: list[Simulator] = []

    def make(*args: str) -> Simulator:
        started.append(start(*TEST_ARGS, *args))
        return started[-1]
    yield make
    for sim in started:
        stop(sim)


class Receiver:
    """A callback endpoint: records each request exactly as received (request target, headers,
    raw body) and answers from a script of behaviours (status codes, or ("hang", seconds))."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.script: list[Any] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    behaviour = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append({"target": self.path, "headers": dict(self.headers.items()),
                                              "body": body, "at": time.time()})
                    receiver.arrived.notify_all()
                if isinstance(behaviour, tuple) and behaviour[0] == "hang":
                    time.sleep(behaviour[1])
                    behaviour = 200
                try:
                    self.send_response(behaviour)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 15) -> list[dict]:
        deadline = time.time() + timeout
        with self.arrived:
            while len(self.received) < count:
                left = deadline - time.time()
                assert left > 0, f"only {len(self.received)} of {count} callbacks arrived"
                self.arrived.wait(left)
            return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Receiver:
    r = Receiver()
    yield r
    r.close()


FIXTURES = Path(os.environ.get("ONDERWIJSREGIO_FIXTURES")
                or SIMULATOR.parents[2] / "shared" / "fixtures")
