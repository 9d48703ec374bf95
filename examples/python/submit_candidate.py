#!/usr/bin/env python3
"""submit_candidate.py - submits one candidate, exactly once, as a website form handler would.

Usage:
    ONDERWIJSREGIO_API_KEY=... python3 submit_candidate.py [--sandbox] [--callback-url URL] [PAYLOAD_FILE]

Reads the payload from PAYLOAD_FILE (default: a small example candidate), validates it against the
region's schema (nothing is sent when it is invalid), and submits it as candidates.create with an
idempotency key derived from its content: the same form posted twice is one candidate. The base
URL comes from $ONDERWIJSREGIO_BASE_URL (default production; the local simulator of a checkout:
`make sim`, then http://127.0.0.1:8787/api/v2 with the key sim-api-key).

Exit status: 0 queued, 1 invalid or refused, 2 could not be sent (retry later with the printed key).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import onderwijsregio

EXAMPLE = {"email": "jan.jansen@example.nl", "firstName": "Jan", "lastName": "Jansen", "privacyConsent": True,
           "phase": "orienting", "motivation": "Ik wil graag leraar worden in het primair onderwijs."}


def main() -> int:
    parser = argparse.ArgumentParser(description="Submit one candidate to the Onderwijsregio API.")
    parser.add_argument("payload", nargs="?", metavar="PAYLOAD_FILE")
    parser.add_argument("--sandbox", action="store_true", help="use the region's sandbox")
    parser.add_argument("--callback-url", help="where the engine POSTs the signed result")
    parser.add_argument("--idempotency-key", default="content",
                        help="the key; give the key of a failed attempt to retry it (default: from the content)")
    args = parser.parse_args()
    api_key = os.environ.get("ONDERWIJSREGIO_API_KEY")
    if not api_key:
        print("set ONDERWIJSREGIO_API_KEY", file=sys.stderr)
        return 2
    payload = json.loads(Path(args.payload).read_bytes()) if args.payload else EXAMPLE

    with onderwijsregio.Client(base_url=os.environ.get("ONDERWIJSREGIO_BASE_URL"), api_key=api_key,
                               sandbox=args.sandbox, timeouts={"deadline_ms": 60000}) as client:
        report = client.validate([payload], "candidates.create")
        if not report.valid:
            print("invalid, nothing sent:")
            for issue in report.iter_errors():
                print(f"  {issue.instance_location}: {issue.message}")
            return 1
        try:
            result = client.create_candidates([payload], idempotency_key=args.idempotency_key,
                                              callback_url=args.callback_url)
        except onderwijsregio.ApiError as error:
            print(f"refused: HTTP {error.http_status}: {error.service_message or error.message}", file=sys.stderr)
            for issue in error.issues:
                print(f"  {issue}", file=sys.stderr)
            print(f"idempotency key: {error.idempotency_key}", file=sys.stderr)
            return 2 if error.retryable else 1
        except onderwijsregio.OnderwijsregioError as error:
            # TransportError, DeadlineError, ...: resubmitting with this key can never apply it twice.
            print(f"not sent: {error}", file=sys.stderr)
            print(f"retry with --idempotency-key {error.idempotency_key}", file=sys.stderr)
            return 2
    print(f"queued: {result.mutation_id} (idempotency key {result.idempotency_key}"
          f"{', replayed' if result.replayed else ''}, {result.attempts} attempt(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
