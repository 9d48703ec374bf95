"""The local API simulator (tools/simulator/server.py) as the Python test files use it: starting it
on a port (0 for any free one; its first stdout line is its base URL), stopping it, and a small
HTTP client for its /__sim/ control routes. Plain Python without pytest; the fixtures built on
it stay in the test files, which start the simulator with their own arguments.
"""
from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any

from oreg_ctypes import REPO

SIMULATOR = REPO / "tools/simulator/server.py"


def launch(args: list[str], port: int = 0) -> tuple[subprocess.Popen, str]:
    """Starts the simulator with `args` on `port`; the process and its base URL
    (http://127.0.0.1:PORT/api/v2). A fixed port just given up may take a moment to be free
    again: that start is retried for up to 10 seconds."""
    command = [sys.executable, str(SIMULATOR), "--port", str(port), *args]
    deadline = time.monotonic() + 10
    while True:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = process.stdout.readline().strip()
        if line.startswith("http://"):
            break
        process.kill()
        stderr = process.stderr.read()
        process.wait()
        if port == 0 or time.monotonic() > deadline:
            raise RuntimeError(f"the simulator did not start: {line!r} {stderr}")
        time.sleep(0.2)
    # stderr is not read while the simulator runs: keep it from filling a pipe.
    threading.Thread(target=process.stderr.read, daemon=True).start()
    return process, line


def terminate(process: subprocess.Popen) -> int:
    """Stops the simulator with SIGTERM (SIGKILL after 10 seconds); its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


class SimControl:
    """A running simulator process and its control routes."""

    def __init__(self, process: subprocess.Popen, base_url: str):
        self.process = process
        self.base_url = base_url                      # http://127.0.0.1:PORT/api/v2
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.root = f"http://{self.host}:{self.port}"

    def send(self, method: str, path: str, body: Any = None, *, key: str | None = None,
             headers: dict[str, str] | None = None,
             connection: http.client.HTTPConnection | None = None) -> tuple[int, Any, bytes]:
        """One HTTP request (body sent as JSON): status, response headers and raw body."""
        sent = dict(headers or {})
        if key is not None:
            sent["x-api-key"] = key
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            sent["Content-Type"] = "application/json"
        conn = connection or http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=payload, headers=sent)
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            if connection is None:
                conn.close()

    def request(self, method: str, path: str, body: Any = None, key: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """send() without the response headers: status and raw body."""
        status, _, raw = self.send(method, path, body, key=key, headers=headers)
        return status, raw

    def control(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        status, _, raw = self.send(method, "/__sim/" + path, body, **kw)
        assert status == 200, f"{method} /__sim/{path}: {status} {raw[:500]!r}"
        return json.loads(raw)["data"]

    def reset(self) -> None:
        self.control("POST", "reset")

    def faults(self, *rules: dict) -> None:
        self.control("POST", "faults", list(rules))

    def fault(self, **rule: Any) -> None:
        self.control("POST", "faults", rule)

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def configure(self, **settings: Any) -> None:
        self.control("POST", "config", settings)

    def drain(self, callbacks: bool = False) -> None:
        self.control("POST", "drain?timeoutMs=20000" + ("&callbacks=true" if callbacks else ""))

    def requests(self, path: str = "*", method: str = "*") -> list[dict]:
        return self.control("GET", "requests?" + urllib.parse.urlencode({"path": path, "method": method}))

    def mutations(self, **filters: str) -> list[dict]:
        query = urllib.parse.urlencode(filters)
        return self.control("GET", "mutations" + ("?" + query if query else ""))

    def callbacks(self, **filters: str) -> list[dict]:
        query = urllib.parse.urlencode(filters)
        return self.control("GET", "callbacks" + ("?" + query if query else ""))

    def applied(self, key: str) -> list[dict]:
        return self.mutations(idempotencyKey=key)

    def stop(self) -> int:
        return terminate(self.process)
