#!/usr/bin/env python3
"""validate_payload.py - validates candidate payloads against a region's JSON Schema.

Usage:
    python3 validate_payload.py [--language nl|en] [--schema SCHEMA_FILE] PAYLOAD_FILE...

With --schema the schema file is compiled once and used offline (no API key needed). Without it,
the region's own schema is fetched with the API key in $ONDERWIJSREGIO_API_KEY from
$ONDERWIJSREGIO_BASE_URL (default production) and compiled.

Prints "valid" or the field errors of each payload (in Dutch with --language nl). Exit status:
0 every payload is valid, 1 one is not, 2 something else went wrong.

Needs the onderwijsregio package (pip install dist/onderwijsregio-*.whl, or PYTHONPATH=bindings/python
with ONDERWIJSREGIO_LIB=dist/lib/libonderwijsregio.so in a checkout).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import onderwijsregio


def load_schema(args: argparse.Namespace) -> onderwijsregio.Schema:
    if args.schema:
        return onderwijsregio.Schema.compile(Path(args.schema), language=args.language)
    api_key = os.environ.get("ONDERWIJSREGIO_API_KEY")
    if not api_key:
        raise SystemExit("set ONDERWIJSREGIO_API_KEY, or give --schema SCHEMA_FILE")
    base_url = os.environ.get("ONDERWIJSREGIO_BASE_URL")   # None: production
    with onderwijsregio.Client(base_url=base_url, api_key=api_key) as client:
        # The schema is fetched once; compiled, it validates in microseconds per payload.
        return client.compiled_schema("create", language=args.language)


def main() -> int:
    parser = argparse.ArgumentParser(description="Validate candidate payloads against the region's schema.")
    parser.add_argument("payloads", nargs="+", metavar="PAYLOAD_FILE")
    parser.add_argument("--schema", metavar="SCHEMA_FILE", help="a local schema file (offline)")
    parser.add_argument("--language", choices=("en", "nl"), default="en", help="language of the messages")
    args = parser.parse_args()
    try:
        schema = load_schema(args)
    except (onderwijsregio.OnderwijsregioError, OSError) as error:
        print(f"cannot get the schema: {error}", file=sys.stderr)
        return 2
    status = 0
    with schema:
        for name in args.payloads:
            try:
                report = schema.validate(Path(name).read_bytes())   # bytes: validated as they are
            except OSError as error:
                print(f"{name}: cannot read: {error.strerror}", file=sys.stderr)
                return 2
            except onderwijsregio.JsonError as error:
                print(f"{name}: not JSON: {error.message} (line {error.line}, column {error.column})")
                status = max(status, 1)
                continue
            if report.valid:
                print(f"{name}: valid")
                continue
            status = max(status, 1)
            print(f"{name}: invalid")
            for issue in report.errors:
                print(f"  {issue.instance_location or '(root)'}: {issue.message}")
                for nested in issue.errors:       # anyOf / oneOf / not: the branches' errors
                    print(f"      {nested.instance_location or '(root)'}: {nested.message}")
    return status


if __name__ == "__main__":
    sys.exit(main())
