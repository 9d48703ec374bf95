#!/usr/bin/env python3
"""A local Onderwijsregio API v2 simulator (../../../shared/design/api-contract.md, sections 2-10).

    python3 tools/simulator/server.py --port 0

prints the base URL with the real port on its first line of stdout (for example
http://127.0.0.1:41234/api/v2) and serves until SIGTERM or SIGINT. HTTP/1.1 with keep-alive,
one thread per connection. Control routes for tests live under /__sim/ (see the README).
"""
from __future__ import annotations

import argparse
import collections
import email.message
import fnmatch
import http.server
import itertools
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from api import HttpError, Request, Response, Service, compact, error_body, json_response, parse_json  # noqa: E402
from engine import Config, Engine, iso_time  # noqa: E402
from faults import Fault, FaultError, Faults  # noqa: E402
from validation import load_schemas  # noqa: E402

DEFAULT_API_KEY = "sim-api-key"
DEFAULT_SIGNING_SECRET = "sim-signing-secret-0123456789abcdef"
REQUEST_LOG_SIZE = 10_000
REDACTED_HEADERS = ("x-api-key", "api-key")


def default_schema_dir() -> Path:
    """../shared/fixtures/schema beside the repository when it is there, else the copy here."""
    shared = HERE.parents[2] / "shared" / "fixtures" / "schema"
    return shared if (shared / "candidate-create.schema.json").is_file() else HERE / "schema"


class Simulator:
    """Everything one running simulator holds; the HTTP handler calls dispatch()."""

    def __init__(self, args: argparse.Namespace):
        self.verbose = args.verbose
        self.schema_dir = Path(args.schema_dir) if args.schema_dir else default_schema_dir()
        self.schemas = load_schemas(self.schema_dir)
        self.config = Config(
            queueDelayMs=args.queue_delay_ms, rateLimitPerSecond=args.rate_limit,
            rateLimit500Share=args.rate_limit_500_share,
            schemaFirstCallDelayMs=args.schema_first_call_delay_ms, schemaWrapped=not args.schema_bare,
            schemaEtag=not args.no_etag, callbackTimeoutMs=args.callback_timeout_ms,
            callbackAttempts=args.callback_attempts, callbackBackoffMs=args.callback_backoff_ms,
            callbackClockSkewSeconds=0, maxBodyBytes=args.max_body_bytes,
            idempotencyTtlSeconds=args.idempotency_ttl_seconds)
        keys: dict[str, set[str]] = {key: {"read", "write"} for key in args.api_key or [DEFAULT_API_KEY]}
        for key in args.read_only_key or []:
            keys[key] = {"read"}
        self.signing_secrets = args.signing_secret or [DEFAULT_SIGNING_SECRET]
        self.engine = Engine(self.config, self.schemas, self.signing_secrets, args.callback_ca_file, self.log)
        self.service = Service(self.config, self.engine, self.schemas, keys)
        self.faults = Faults()
        self.region = args.region
        self._lock = threading.Lock()
        self._connection_ids = itertools.count(1)
        self.connections_accepted = 0
        self.connections_open = 0
        self.open_connection_ids: set[int] = set()
        self.requests: collections.deque[dict] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._request_numbers = itertools.count(1)
        self.control_routes = {
            ("GET", "/__sim/health"): self.c_health,
            ("GET", "/__sim/config"): self.c_config,
            ("POST", "/__sim/config"): self.c_set_config,
            ("GET", "/__sim/faults"): self.c_faults,
            ("POST", "/__sim/faults"): self.c_add_faults,
            ("DELETE", "/__sim/faults"): self.c_clear_faults,
            ("GET", "/__sim/mutations"): self.c_mutations,
            ("GET", "/__sim/callbacks"): self.c_callbacks,
            ("GET", "/__sim/connections"): self.c_connections,
            ("GET", "/__sim/requests"): self.c_requests,
            ("POST", "/__sim/drain"): self.c_drain,
            ("POST", "/__sim/reset"): self.c_reset,
        }

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"{iso_time()} {message}", file=sys.stderr, flush=True)

    # ---- connections ----------------------------------------------------------------------

    def connection_opened(self) -> int:
        with self._lock:
            self.connections_accepted += 1
            self.connections_open += 1
            connection_id = next(self._connection_ids)
            self.open_connection_ids.add(connection_id)
            return connection_id

    def connection_closed(self, connection_id: int) -> None:
        with self._lock:
            self.connections_open -= 1
            self.open_connection_ids.discard(connection_id)

    # ---- one request ------------------------------------------------------------------------

    def dispatch(self, handler: Handler) -> None:
        started = time.monotonic()
        target = handler.path
        path, _, query = target.partition("?")
        request_id = "req_" + secrets.token_hex(8)
        if path == "/__sim" or path.startswith("/__sim/"):
            self.control(handler, path, query, request_id)
            return
        fault = self.faults.take(handler.command, path)
        note = fault.describe() if fault else None
        entry = {"method": handler.command, "target": target, "path": path,
                 "connection": handler.connection_id, "headers": redacted(handler.headers),
                 "requestId": request_id, "fault": note}
        try:
            body = read_body(handler, self.config["maxBodyBytes"])
        except HttpError as error:
            response = json_response(error.status, error_body(error.status, error.message, request_id),
                                     request_id, close=True)
            self.finish(handler, entry, response, started, 0)
            return
        except (OSError, ValueError):
            handler.close_connection = True
            return
        entry["bodyBytes"] = len(body)
        if fault and fault.when == "before":
            time.sleep(fault.delay_ms / 1000)
            if fault.action != "none":
                self.finish(handler, entry, fault_response(fault, request_id), started, fault)
                return
        request = Request(handler.command, path, urllib.parse.parse_qs(query, keep_blank_values=True),
                          handler.headers, body, request_id)
        try:
            response = self.service.handle(request)
        except Exception as error:   # a simulator bug answers 500 and says what happened
            message = f"Simulator error: {type(error).__name__}: {error}"
            response = json_response(500, error_body(500, message, request_id), request_id)
            print(f"simulator: {message} on {handler.command} {path}", file=sys.stderr, flush=True)
        entry["environment"] = response.environment
        if fault and fault.when == "after":
            entry["processedStatus"] = response.status
            time.sleep(fault.delay_ms / 1000)
            if fault.action == "status":
                response = fault_response(fault, request_id)
        self.finish(handler, entry, response, started, fault)

    def finish(self, handler: Handler, entry: dict, response: Response, started: float, fault: Any) -> None:
        action = fault.action if isinstance(fault, Fault) else None
        entry["status"] = None if action == "drop" else response.status
        entry["durationMs"] = round((time.monotonic() - started) * 1000, 1)
        entry["at"] = iso_time()
        with self._lock:
            entry["seq"] = next(self._request_numbers)
            self.requests.append(entry)
        self.log(f"{entry['method']} {entry['target']} -> {entry['status']}"
                 + (f" (fault: {action})" if action else ""))
        if action == "drop":
            handler.close_connection = True
            return
        send(handler, response, truncate=action == "truncate")

    # ---- control routes -----------------------------------------------------------------

    def control(self, handler: Handler, path: str, query: str, request_id: str) -> None:
        try:
            body = read_body(handler, self.config["maxBodyBytes"])
            route = self.control_routes.get((handler.command, path.rstrip("/")))
            if route is None:
                allowed = sorted(m for m, p in self.control_routes if p == path.rstrip("/"))
                if allowed:
                    raise HttpError(405, f"{handler.command} is not allowed here; allowed: {', '.join(allowed)}",
                                    headers=[("Allow", ", ".join(allowed))])
                raise HttpError(404, f"No control route {handler.command} {path}")
            params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
            payload = parse_json(body) if body else None
            message, data, meta = route(params, payload)
            response = json_response(200, compact({"statusCode": 200, "message": message, "data": data,
                                                   "meta": {"requestId": request_id, **meta}}), request_id)
        except HttpError as error:
            response = json_response(error.status, error_body(error.status, error.message, request_id),
                                     request_id, error.headers, error.close)
        except (OSError, ValueError):
            handler.close_connection = True
            return
        send(handler, response)

    def c_health(self, params: dict, body: Any) -> tuple:
        return "OK", {"ok": True, "region": self.region}, {}

    def c_config(self, params: dict, body: Any) -> tuple:
        return "Configuration", self.settings(), {}

    def settings(self) -> dict:
        return {"region": self.region, "schemaDir": str(self.schema_dir),
                "signingSecrets": self.signing_secrets, **self.config.as_dict()}

    def c_set_config(self, params: dict, body: Any) -> tuple:
        try:
            self.config.update(body)
        except ValueError as error:
            raise HttpError(400, str(error))
        self.engine.wake()
        return "Configuration changed", self.settings(), {}

    def c_faults(self, params: dict, body: Any) -> tuple:
        return "Active faults", self.faults.describe(), {}

    def c_add_faults(self, params: dict, body: Any) -> tuple:
        try:
            added = self.faults.add(body)
        except FaultError as error:
            raise HttpError(400, f"Invalid fault: {error}")
        return f"{len(added)} fault rule(s) added", self.faults.describe(), {}

    def c_clear_faults(self, params: dict, body: Any) -> tuple:
        self.faults.clear()
        return "Faults cleared", [], {}

    def c_mutations(self, params: dict, body: Any) -> tuple:
        with self.engine.lock:
            entries = [e for e in (m.log_entry() for m in self.engine.applied) if matches_filters(e, params)]
        return "Applied mutations", entries, {"queued": self.engine.queued()}

    def c_callbacks(self, params: dict, body: Any) -> tuple:
        with self.engine.lock:
            entries = [dict(e) for e in self.engine.deliveries if matches_filters(e, params)]
        return "Callback delivery attempts", entries, {}

    def c_connections(self, params: dict, body: Any) -> tuple:
        with self._lock:
            return "Connections", {"accepted": self.connections_accepted, "open": self.connections_open,
                                   "openIds": sorted(self.open_connection_ids)}, {}

    def c_requests(self, params: dict, body: Any) -> tuple:
        pattern, method = params.get("path", "*"), params.get("method", "*").upper()
        with self._lock:
            entries = [dict(e) for e in self.requests
                       if fnmatch.fnmatchcase(e["path"], pattern) and method in ("*", e["method"])]
        return "Requests received", entries, {}

    def c_drain(self, params: dict, body: Any) -> tuple:
        try:
            timeout = int(params.get("timeoutMs", "10000")) / 1000
        except ValueError:
            raise HttpError(400, "timeoutMs is a number of milliseconds")
        callbacks = params.get("callbacks", "false").lower() in ("1", "true", "yes")
        if not self.engine.drain(timeout, callbacks):
            raise HttpError(408, "Still busy when timeoutMs ran out")
        return "Drained", {"queued": self.engine.queued()}, {}

    def c_reset(self, params: dict, body: Any) -> tuple:
        self.engine.reset()
        self.faults.clear()
        self.config.reset()
        self.service.reset()
        with self._lock:
            self.requests.clear()
            self.connections_accepted = self.connections_open
        return "Reset", self.settings(), {}


def matches_filters(entry: dict, params: dict) -> bool:
    """Control-route filters: ?environment=…&operation=…&mutationId=…&status=… (exact)."""
    return all(str(entry.get(name)) == value for name, value in params.items()
               if name in ("environment", "operation", "mutationId", "status", "idempotencyKey"))


def redacted(headers: email.message.Message) -> dict:
    result: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        result[lower] = "[redacted]" if lower in REDACTED_HEADERS else value
    return result


def read_body(handler: Handler, limit: int) -> bytes:
    """The request body (Content-Length or chunked), at most `limit` bytes: HttpError 413 (the
    connection is then closed, the rest of the body unread) or 400."""
    encoding = (handler.headers.get("Transfer-Encoding") or "").strip().lower()
    if encoding and encoding != "identity":
        if encoding != "chunked":
            raise HttpError(400, f"Transfer-Encoding {encoding} is not supported", close=True)
        chunks, total = [], 0
        while True:
            line = handler.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise HttpError(400, "Malformed chunked body", close=True)
            if size == 0:
                while handler.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > limit:
                raise HttpError(413, f"Request body larger than {limit} bytes", close=True)
            chunk = handler.rfile.read(size)
            if len(chunk) < size:
                raise OSError("connection closed inside the body")
            chunks.append(chunk)
            handler.rfile.readline(8)
    length = handler.headers.get("Content-Length")
    if length is None:
        return b""
    if not length.strip().isdigit() or len(handler.headers.get_all("Content-Length") or []) > 1:
        raise HttpError(400, "Malformed Content-Length", close=True)
    size = int(length)
    if size > limit:
        raise HttpError(413, f"Request body of {size} bytes is larger than {limit} bytes", close=True)
    body = handler.rfile.read(size)
    if len(body) < size:
        raise OSError("connection closed inside the body")
    return body


def fault_response(fault: Fault, request_id: str) -> Response:
    """The answer a fault gives instead of the real one (for truncate before processing: the
    answer whose body is cut)."""
    status = fault.status or 502
    headers = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
    headers += list(fault.headers.items())
    if fault.body is not None:
        return Response(status, fault.body.encode("utf-8"),
                        [("Content-Type", fault.content_type), ("x-request-id", request_id)] + headers)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Injected fault"
    return json_response(status, error_body(status, f"{phrase} (injected fault)", request_id), request_id, headers)


def send(handler: Handler, response: Response, truncate: bool = False) -> None:
    handler.send_response(response.status)
    for name, value in response.headers:
        handler.send_header(name, value)
    body = response.body if response.status not in (204, 304) and response.status >= 200 else b""
    if response.status not in (204, 304):
        handler.send_header("Content-Length", str(len(body)))
    if response.close or truncate:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body[: len(body) // 2] if truncate else body)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive
    disable_nagle_algorithm = True      # headers and body go out in two writes: no 40 ms ACK wait
    server_version = "onderwijsregio-simulator/1"
    timeout = 300                        # an idle keep-alive connection is closed after 5 minutes
    simulator: Simulator

    def setup(self) -> None:
        super().setup()
        self.connection_id = self.simulator.connection_opened()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.simulator.connection_closed(self.connection_id)

    def handle_expect_100(self) -> bool:
        length = self.headers.get("Content-Length") or ""
        limit = self.simulator.config["maxBodyBytes"]
        if length.strip().isdigit() and int(length) > limit:
            request_id = "req_" + secrets.token_hex(8)
            send(self, json_response(413, error_body(413, f"Request body of {length} bytes is larger than "
                                                     f"{limit} bytes", request_id), request_id, close=True))
            return False
        return super().handle_expect_100()

    def version_string(self) -> str:
        return self.server_version

    def do_any(self) -> None:
        self.simulator.dispatch(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_any

    def log_message(self, format: str, *args: Any) -> None:
        pass   # requests are logged by Simulator.finish


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local Onderwijsregio API v2 simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--api-key", action="append", metavar="KEY",
                        help=f"an API key of the region, repeatable (default {DEFAULT_API_KEY})")
    parser.add_argument("--read-only-key", action="append", metavar="KEY",
                        help="a key that may only read (writes answer 403), repeatable")
    parser.add_argument("--signing-secret", action="append", metavar="SECRET",
                        help="the region's callback signing secret; repeat to sign with several "
                             f"(key rotation) (default {DEFAULT_SIGNING_SECRET})")
    parser.add_argument("--region", default="simulated-region", help="the region's name")
    parser.add_argument("--schema-dir", help="directory with candidate-create.schema.json and "
                        "candidate-update.schema.json (default ../shared/fixtures/schema, else the copy "
                        "in tools/simulator/schema)")
    parser.add_argument("--queue-delay-ms", type=int, default=100,
                        help="how long a mutation waits in the queue before it is applied (default 100)")
    parser.add_argument("--rate-limit", type=int, default=5,
                        help="reads per second per key; 0 for no limit (default 5)")
    parser.add_argument("--rate-limit-500-share", type=float, default=0.0,
                        help="share of rate-limited reads answered 500 instead of 429 (default 0)")
    parser.add_argument("--schema-first-call-delay-ms", type=int, default=0,
                        help="delay of the first GET /schema, as the real service builds it (default 0)")
    parser.add_argument("--schema-bare", action="store_true", help="serve the schema without the envelope")
    parser.add_argument("--no-etag", action="store_true", help="send no ETag with the schema")
    parser.add_argument("--max-body-bytes", type=int, default=32 * 1024 * 1024,
                        help="larger request bodies answer 413 (default 32 MiB)")
    parser.add_argument("--callback-timeout-ms", type=int, default=5000,
                        help="per delivery attempt (default 5000)")
    parser.add_argument("--callback-attempts", type=int, default=5, help="delivery attempts (default 5)")
    parser.add_argument("--callback-backoff-ms", type=int, default=500,
                        help="wait before the 2nd attempt, doubled for each further one (default 500)")
    parser.add_argument("--callback-ca-file", help="CA bundle for https callback receivers")
    parser.add_argument("--idempotency-ttl-seconds", type=int, default=86400,
                        help="how long an idempotency key is kept (default 86400)")
    parser.add_argument("--verbose", action="store_true", help="log requests, mutations and callbacks to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        simulator = Simulator(args)
    except (OSError, ValueError) as error:
        print(f"simulator: {error}", file=sys.stderr)
        return 2
    for secret in simulator.signing_secrets:
        if len(secret.encode("utf-8")) < 16:
            print("simulator: a signing secret must be at least 16 bytes", file=sys.stderr)
            return 2
    handler = type("BoundHandler", (Handler,), {"simulator": simulator})
    if ":" in args.host:
        Server.address_family = socket.AF_INET6
    try:
        server = Server((args.host, args.port), handler)
    except OSError as error:
        print(f"simulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    host = f"[{host}]" if ":" in host else host
    print(f"http://{host}:{port}/api/v2", flush=True)
    print(f"simulator: region {args.region}, API key(s) {', '.join(k for k in simulator.service.keys)}, "
          f"signing secret(s) {', '.join(simulator.signing_secrets)}, schemas from {simulator.schema_dir}; "
          f"control routes under http://{host}:{port}/__sim/", file=sys.stderr, flush=True)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        simulator.engine.stop()
    print("simulator: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
