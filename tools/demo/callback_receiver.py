#!/usr/bin/env python3
"""A minimal receiver for the Mutation Engine's callbacks, for `make demo`.

    python3 tools/demo/callback_receiver.py LOG_FILE [--host 127.0.0.1] [--port 0]

Listens on loopback (a free port by default) and prints its base URL, for example
http://127.0.0.1:41234, as the first line of stdout. Any path under it is a valid callback URL
(the path and query are part of what the engine signs, so the demo uses a realistic one).

Every POST is answered 204 No Content (a 2xx ends the engine's delivery attempts) and appended
to LOG_FILE as one JSON line:

    {"receivedAt": "...Z", "method": "POST", "pathAndQuery": "/hooks/onderwijsregio?site=demo",
     "headers": {"x-mutationengine-timestamp": ..., "x-mutationengine-nonce": ...,
                 "x-mutationengine-signature": ...},
     "body": "<the raw body as text>"}

plus "bodyBase64" when the body is not valid UTF-8 (then "body" has replacement characters and
only "bodyBase64" holds the exact bytes a signature covers). Other methods answer 405.

It does not verify signatures: that is the library's job (issue 6). SIGTERM or SIGINT stops it
cleanly (exit 0). Python standard library only.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import http.server
import json
import signal
import sys
import threading
from typing import Any

MAX_BODY_BYTES = 1 << 20


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "demo-callback-receiver/1"
    log_path: str = ""
    log_lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self._answer(413 if length > MAX_BODY_BYTES else 400)
            self.close_connection = True
            return
        raw = self.rfile.read(length)
        entry: dict[str, Any] = {
            "receivedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
                                  .replace("+00:00", "Z"),
            "method": self.command,
            "pathAndQuery": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()
                        if name.lower().startswith("x-mutationengine-")},
        }
        try:
            entry["body"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["body"] = raw.decode("utf-8", errors="replace")
            entry["bodyBase64"] = base64.b64encode(raw).decode("ascii")
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.log_lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(line)  # one write per line, closed at once: a reader never sees half of it
        self._answer(204)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(405)

    do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def _answer(self, status: int) -> None:
        self.send_response(status)
        if status == 405:
            self.send_header("Allow", "POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: the log file is the record; run.sh prints what matters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log_file", help="append one JSON line per received callback here")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    args = parser.parse_args(argv)

    open(args.log_file, "a", encoding="utf-8").close()  # fail now, not at the first callback
    handler = type("BoundHandler", (Handler,), {"log_path": args.log_file})
    try:
        server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    except OSError as error:
        print(f"callback receiver: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
