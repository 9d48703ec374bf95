#!/usr/bin/env python3
"""callback_wsgi.py - a WSGI endpoint for the Mutation Engine's signed callbacks.

Usage:
    ONDERWIJSREGIO_SIGNING_SECRET=... python3 callback_wsgi.py [--port 8000] [--replay-store FILE]

Serves the endpoint with wsgiref for a try-out; in production hand `application` to gunicorn,
uWSGI or mod_wsgi (module callback_wsgi, callable application; with several worker processes give
ONDERWIJSREGIO_REPLAY_STORE=/var/lib/site/oreg-replay.db so they share one replay store).

Every callback is verified BEFORE anything is done with it, on the raw bytes:
- genuine and fresh: processed, answered 204;
- a replay of a callback already processed (a redelivery): answered 204, not processed again;
- anything else (missing or malformed headers, a wrong signature, a stale timestamp): 401,
  nothing processed;
- the replay store failed: 503, nothing processed (the engine delivers it again later).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import onderwijsregio

MAX_BODY = 1024 * 1024


def process(result: dict[str, Any]) -> None:
    """What the site does with a mutation's result (here: log it)."""
    ids = (result.get("resource") or {}).get("ids")
    print(f"mutation {result.get('mutationId')} {result.get('status')}: {ids}", file=sys.stderr)


def make_app(verifier: onderwijsregio.Verifier,
             handle: Callable[[dict[str, Any]], None] = process) -> Callable[..., Iterable[bytes]]:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def answer(status: str) -> list[bytes]:
            start_response(status, [("Content-Length", "0")])
            return []

        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")])
            return []
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return answer("400 Bad Request")
        if length < 0 or length > MAX_BODY:
            return answer("413 Content Too Large")
        body = environ["wsgi.input"].read(length)          # the raw bytes, exactly as received
        try:
            verifier.verify_wsgi(environ, body)            # target from RAW_URI/REQUEST_URI/PATH_INFO
        except onderwijsregio.ReplayError:
            return answer("204 No Content")                # already processed: acknowledge only
        except onderwijsregio.StorageError:
            return answer("503 Service Unavailable")       # delivered again later
        except onderwijsregio.SignatureError:
            return answer("401 Unauthorized")              # forged, altered or stale: ignore it
        handle(json.loads(body))                           # only now is the body trusted
        return answer("204 No Content")

    return application


def _from_environment() -> Callable[..., Iterable[bytes]] | None:
    secret = os.environ.get("ONDERWIJSREGIO_SIGNING_SECRET")
    if not secret:
        return None
    store = os.environ.get("ONDERWIJSREGIO_REPLAY_STORE")
    return make_app(onderwijsregio.Verifier([secret], replay_store=store))


# For WSGI servers: `gunicorn callback_wsgi:application`.
application = _from_environment()


def main() -> int:
    from wsgiref.simple_server import make_server

    parser = argparse.ArgumentParser(description="Serve the callback endpoint with wsgiref.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--replay-store", help="SQLite file shared by processes (default: in memory)")
    args = parser.parse_args()
    secret = os.environ.get("ONDERWIJSREGIO_SIGNING_SECRET")
    if not secret:
        print("set ONDERWIJSREGIO_SIGNING_SECRET to the region's callback signing secret", file=sys.stderr)
        return 2
    app = make_app(onderwijsregio.Verifier([secret], replay_store=args.replay_store))
    with make_server(args.host, args.port, app) as server:
        print(f"http://{args.host}:{server.server_port}/", flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
