"""The ``onderwijsregio`` command (also ``python -m onderwijsregio``).

Secrets come from the environment only and are never printed:
ONDERWIJSREGIO_API_KEY (schema, validate, submit, get, outbox), ONDERWIJSREGIO_SIGNING_SECRET
(verify, sign). ONDERWIJSREGIO_BASE_URL overrides the production base URL, ONDERWIJSREGIO_OUTBOX
names the outbox file (for `submit` and `outbox`, like --outbox).

Exit status: 0 success; 1 the payload is invalid, the service refused the mutation, the callback
did not verify, entries are left queued or dead in the outbox (`outbox status`, `outbox flush`);
2 a usage or configuration error (a missing key, an unreadable file, no library, no outbox path).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._version import __version__

PRODUCTION = "https://onderwijsregio.onderwijsin.nl/api/v2"
MUTATIONS = ("candidates.create", "candidates.upsert", "candidates.update", "candidates.archive",
             "candidates.delete", "interactions.create", "interactions.update", "interactions.delete",
             "attachments.add", "attachments.delete")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Usage(Exception):
    """A configuration or input problem: exit 2 with the message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onderwijsregio",
        description="Onderwijsregio API v2 from the command line: the region's schema, payload validation, "
                    "mutations, callback signatures and the local simulator.",
        epilog="Environment: ONDERWIJSREGIO_API_KEY (the region's API key), ONDERWIJSREGIO_BASE_URL "
               f"(default {PRODUCTION}), ONDERWIJSREGIO_SIGNING_SECRET (callback signing secret), "
               "ONDERWIJSREGIO_OUTBOX (the outbox file), "
               "ONDERWIJSREGIO_LIB (path of libonderwijsregio.so.0). Secrets are never printed. "
               "Exit status: 0 ok, 1 invalid / refused / not verified / outbox entries left queued or dead, "
               "2 usage or configuration error.")
    parser.add_argument("--version", action="version", version=f"onderwijsregio {__version__}")
    parser.add_argument("--base-url", help="the API's base URL (default: $ONDERWIJSREGIO_BASE_URL, else production)")
    parser.add_argument("--sandbox", action="store_true", help="use the region's sandbox (x-api-sandbox: true)")
    parser.add_argument("--schema-cache-dir", metavar="DIR", help="share the fetched schema through this directory")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    schema = commands.add_parser("schema", help="print the region's JSON Schema")
    schema.add_argument("--operation", choices=("create", "update"), default="create")

    validate = commands.add_parser("validate", help="validate payload files against the region's schema")
    validate.add_argument("files", nargs="+", metavar="FILE", help="JSON payload files ('-': standard input)")
    validate.add_argument("--operation", default="create",
                          help="create (default), update, or a mutation name such as candidates.create")
    validate.add_argument("--schema", metavar="SCHEMA_FILE",
                          help="validate against this local schema file instead of the region's (no API key needed)")
    validate.add_argument("--json", action="store_true", help="print the verdicts as JSON")

    submit = commands.add_parser("submit", help="submit one mutation, exactly once")
    submit.add_argument("mutation", choices=MUTATIONS, metavar="MUTATION", help=", ".join(MUTATIONS))
    submit.add_argument("file", nargs="?", metavar="FILE",
                        help="the JSON body ('-': standard input); none for archive and the deletes")
    submit.add_argument("--target", metavar="ID", help="the candidate id, or candidateId/subId")
    submit.add_argument("--idempotency-key", metavar="K",
                        help="the key (give a failed submission's key to retry it safely; 'content': derived from the body)")
    submit.add_argument("--callback-url", metavar="U", help="where the engine POSTs the signed result")
    submit.add_argument("--no-validate", action="store_true", help="do not validate before sending")
    submit.add_argument("--outbox", metavar="PATH",
                        help="keep the mutation in this outbox file when the service cannot be reached "
                             "(default: $ONDERWIJSREGIO_OUTBOX; none: fail instead)")

    get = commands.add_parser("get", help="a read: GET PATH relative to the base URL, e.g. /candidates?pageSize=5")
    get.add_argument("path", metavar="PATH")

    verify = commands.add_parser("verify", help="verify a received callback (secret: $ONDERWIJSREGIO_SIGNING_SECRET)")
    verify.add_argument("--path", required=True, help="the request target as received: path and query")
    verify.add_argument("--body", required=True, metavar="FILE", help="the raw body as received ('-': standard input)")
    verify.add_argument("--timestamp", required=True, help="x-mutationengine-timestamp")
    verify.add_argument("--nonce", required=True, help="x-mutationengine-nonce")
    verify.add_argument("--signature", required=True, help="x-mutationengine-signature")
    verify.add_argument("--tolerance", type=int, default=300, help="seconds (default 300)")
    verify.add_argument("--now", type=int, help="Unix seconds to verify at (default: the clock)")

    sign = commands.add_parser("sign", help="sign a callback as the engine would (secret: $ONDERWIJSREGIO_SIGNING_SECRET)")
    sign.add_argument("--path", required=True, help="the request target: path and query")
    sign.add_argument("--body", required=True, metavar="FILE", help="the body file ('-': standard input)")
    sign.add_argument("--timestamp", help="Unix seconds (default: now)")
    sign.add_argument("--nonce", help="16-128 of [A-Za-z0-9_-] (default: random)")
    sign.add_argument("--json", action="store_true", help="print the headers as a JSON object")

    outbox_path = argparse.ArgumentParser(add_help=False)
    outbox_path.add_argument("--outbox", metavar="PATH", help="the outbox file (default: $ONDERWIJSREGIO_OUTBOX)")
    outbox = commands.add_parser(
        "outbox", help="the durable outbox: status, flush (for cron)",
        description="Mutations a client with an outbox could not deliver wait in the outbox file until a flush "
                    "sends them. Both commands exit 0 when no entry is left queued or dead, 1 otherwise "
                    "(dead entries were refused by the service and need a person), 2 on a usage error. "
                    "Cron, every minute: onderwijsregio outbox flush --outbox /var/lib/site/outbox.db")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION")
    outbox_commands.required = True
    outbox_status = outbox_commands.add_parser("status", parents=[outbox_path],
                                               help="counts per state and the oldest entries")
    outbox_status.add_argument("--json", action="store_true", help="print the library's whole status object")
    outbox_flush = outbox_commands.add_parser("flush", parents=[outbox_path],
                                              help="send the queued mutations, oldest first")
    outbox_flush.add_argument("--max", type=int, default=100, metavar="N", help="send at most N entries (default 100)")
    outbox_flush.add_argument("--ignore-backoff", action="store_true",
                              help="also send entries still waiting for their next attempt")
    outbox_flush.add_argument("--json", action="store_true", help="print the flush report as JSON")

    sim = commands.add_parser("sim", help="run the local API simulator of a source checkout (tools/simulator)",
                              description="Runs tools/simulator/server.py of a libonderwijsregio checkout "
                                          "(found from $ONDERWIJSREGIO_SIMULATOR, the current directory upwards, "
                                          "or this package's location). Every other argument goes to the "
                                          "simulator, e.g. `onderwijsregio sim --port 8787` (its options: "
                                          "`onderwijsregio sim -- --help`).")
    sim.set_defaults(args=[])
    return parser


# --- helpers ----------------------------------------------------------------------------------------


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise _Usage(f"cannot read {name}: {error.strerror or error}") from None


def _outbox_path(args: argparse.Namespace, required: bool) -> str | None:
    path = getattr(args, "outbox", None) or os.environ.get("ONDERWIJSREGIO_OUTBOX") or None
    if path is None and required:
        raise _Usage("give the outbox file with --outbox PATH or ONDERWIJSREGIO_OUTBOX")
    return path


def _client(args: argparse.Namespace, outbox: str | None = None) -> Any:
    from .client import Client

    key = os.environ.get("ONDERWIJSREGIO_API_KEY")
    if not key:
        raise _Usage("set ONDERWIJSREGIO_API_KEY to the region's API key")
    base_url = args.base_url or os.environ.get("ONDERWIJSREGIO_BASE_URL") or PRODUCTION
    options: dict[str, Any] = {}
    if args.schema_cache_dir:
        options["schema_cache"] = {"dir": args.schema_cache_dir}
    if outbox is not None:
        options["outbox"] = {"path": outbox}
    return Client(base_url=base_url, api_key=key, sandbox=args.sandbox, user_agent_suffix="cli", **options)


def _signing_secret() -> str:
    secret = os.environ.get("ONDERWIJSREGIO_SIGNING_SECRET")
    if not secret:
        raise _Usage("set ONDERWIJSREGIO_SIGNING_SECRET to the region's callback signing secret")
    return secret


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _describe(error: Exception) -> list[str]:
    """Readable lines about a library failure (never a secret: the library's messages hold none)."""
    from .errors import ApiError, OnderwijsregioError

    lines = [f"error: {error}"]
    if isinstance(error, ApiError):
        if error.http_status is not None:
            lines.append(f"  HTTP status: {error.http_status}")
        if error.request_id:
            lines.append(f"  request id: {error.request_id}")
        for issue in error.issues:
            if isinstance(issue, dict):
                path = issue.get("instanceLocation") or "/".join(str(p) for p in issue.get("path", [])) or "(root)"
                lines.append(f"  - {path}: {issue.get('message', issue)}")
            else:
                lines.append(f"  - {issue}")
    if isinstance(error, OnderwijsregioError) and error.idempotency_key:
        lines.append(f"  idempotency key: {error.idempotency_key}")
        if error.retryable:
            lines.append(f"  retryable: resubmit with --idempotency-key {error.idempotency_key} "
                         "(it can never be applied twice)")
    return lines


# --- commands ---------------------------------------------------------------------------------------


def _cmd_schema(args: argparse.Namespace) -> int:
    with _client(args) as client:
        _print_json(client.schema(args.operation))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from .errors import JsonError, LimitError
    from .schema import Schema, ValidationReport

    inputs = [(name, _read(name)) for name in args.files]
    results: list[dict[str, Any]] = []
    if args.schema:
        try:
            validator = Schema.compile(_read(args.schema))
        except (JsonError, LimitError) as error:
            raise _Usage(f"the schema {args.schema} is not JSON: {error}") from None
        validate = validator.validate
        close = validator.close
    else:
        client = _client(args)
        operation = args.operation

        def validate(payload: bytes) -> ValidationReport:
            report: ValidationReport = client.validate(payload, operation)
            return report

        close = client.close
    try:
        for name, data in inputs:
            try:
                report = validate(data)
            except (JsonError, LimitError) as error:
                results.append({"file": name, "valid": False, "error": str(error), "errors": []})
                continue
            results.append({"file": name, "valid": report.valid, "report": report,
                            "errors": (report.raw or {}).get("errors", [])})
    finally:
        close()
    all_valid = all(result["valid"] for result in results)
    if args.json:
        _print_json({"valid": all_valid,
                     "files": [{k: v for k, v in result.items() if k != "report"} for result in results]})
    else:
        for result in results:
            if result["valid"]:
                print(f"{result['file']}: valid")
            elif "error" in result:
                print(f"{result['file']}: not JSON: {result['error']}")
            else:
                report = result["report"]
                count = len(report.errors)
                print(f"{result['file']}: invalid ({count} error{'s' if count != 1 else ''})")
                for line in report.format().splitlines():
                    print(f"  {line}")
    return EXIT_OK if all_valid else EXIT_FAILED


def _cmd_submit(args: argparse.Namespace) -> int:
    from .errors import ValidationError

    body: Any = None
    if args.file is not None:
        body = _read(args.file)
    with _client(args, _outbox_path(args, required=False)) as client:
        try:
            result = client.submit(args.mutation, args.target, body, idempotency_key=args.idempotency_key,
                                   callback_url=args.callback_url, validate=not args.no_validate)
        except ValidationError as error:
            print("invalid: nothing was sent", file=sys.stderr)
            print(error.report.format(), file=sys.stderr)
            return EXIT_FAILED
    if result.queued:
        reason = (result.last_error or {}).get("message", "the service could not be reached")
        print(f"not delivered ({reason}): kept in the outbox, `onderwijsregio outbox flush` sends it", file=sys.stderr)
        _print_json({"queued": True, "outboxId": result.outbox_id, "idempotencyKey": result.idempotency_key,
                     "attempts": result.attempts})
        return EXIT_OK
    _print_json({"mutationId": result.mutation_id, "idempotencyKey": result.idempotency_key,
                 "httpStatus": result.http_status, "operation": result.operation, "status": result.status,
                 "replayed": result.replayed, "requestId": result.request_id, "attempts": result.attempts})
    return EXIT_OK


def _outbox_exit(status: Any) -> int:
    """0 when no entry is left queued or dead, else 1 (cron mails it, monitoring alerts)."""
    return EXIT_FAILED if status.queued or status.dead else EXIT_OK


def _cmd_outbox(args: argparse.Namespace) -> int:
    with _client(args, _outbox_path(args, required=True)) as client:
        if args.outbox_command == "status":
            status = client.outbox_status()
            if args.json:
                _print_json(status.raw)
            else:
                counts = ", ".join(f"{count} {name}" for name, count in status.counts.items())
                print(f"outbox {status.path}: {counts}")
            return _outbox_exit(status)
        report = client.flush(args.max, ignore_backoff=args.ignore_backoff)
        status = client.outbox_status()
    if args.json:
        _print_json({"delivered": report.delivered, "requeued": report.requeued, "dead": report.dead,
                     "remaining": report.remaining, "entries": [dataclasses.asdict(e) for e in report.entries],
                     "queued": status.queued, "deadTotal": status.dead})
    else:
        print(f"outbox flush: {report.delivered} delivered, {report.requeued} requeued, {report.dead} dead; "
              f"left: {status.queued} queued, {status.dead} dead")
    return _outbox_exit(status)


def _cmd_get(args: argparse.Namespace) -> int:
    with _client(args) as client:
        _print_json(client.get(args.path))
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from .errors import ReplayError, SignatureError
    from .verifier import Verifier

    body = _read(args.body)
    with Verifier([_signing_secret()], tolerance=args.tolerance, replay_store=False) as verifier:
        try:
            verifier.verify(args.path, body, {"x-mutationengine-timestamp": args.timestamp,
                                              "x-mutationengine-nonce": args.nonce,
                                              "x-mutationengine-signature": args.signature}, now=args.now)
        except ReplayError as error:   # cannot happen without a store; kept for completeness
            print(f"replayed: {error}")
            return EXIT_FAILED
        except SignatureError as error:
            print(f"invalid: {error}")
            return EXIT_FAILED
    print("valid")
    return EXIT_OK


def _cmd_sign(args: argparse.Namespace) -> int:
    from .verifier import signed_headers

    body = _read(args.body)
    timestamp: int | None = None
    if args.timestamp is not None:
        try:
            timestamp = int(args.timestamp)
        except ValueError:
            raise _Usage("--timestamp must be Unix seconds") from None
    headers = signed_headers(_signing_secret(), args.path, body, timestamp=timestamp, nonce=args.nonce)
    if args.json:
        _print_json(headers)
    else:
        for name, value in headers.items():
            print(f"{name}: {value}")
    return EXIT_OK


def find_simulator() -> Path | None:
    """tools/simulator/server.py of a checkout: $ONDERWIJSREGIO_SIMULATOR, then the current directory
    and its parents, then this package's location and its parents."""
    env = os.environ.get("ONDERWIJSREGIO_SIMULATOR")
    if env:
        path = Path(env)
        if path.is_dir():
            path = path / "server.py"
        return path if path.is_file() else None
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            candidate = directory / "tools" / "simulator" / "server.py"
            if candidate.is_file():
                return candidate
    return None


def _cmd_sim(args: argparse.Namespace) -> int:
    server = find_simulator()
    if server is None:
        print("The local API simulator is part of the libonderwijsregio source repository "
              "(tools/simulator/server.py), not of this package. Run this command inside a checkout, "
              "or set ONDERWIJSREGIO_SIMULATOR to the path of server.py. It needs Python 3.10+ and "
              "jsonschema 4.18+ (pip install jsonschema).", file=sys.stderr)
        return EXIT_USAGE
    sim_args = list(args.args)
    if sim_args and sim_args[0] == "--":
        sim_args = sim_args[1:]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, str(server), *sim_args])
    return EXIT_OK  # not reached


COMMANDS = {"schema": _cmd_schema, "validate": _cmd_validate, "submit": _cmd_submit, "get": _cmd_get,
            "verify": _cmd_verify, "sign": _cmd_sign, "sim": _cmd_sim,
            "outbox": _cmd_outbox}


def _fail(lines: Sequence[str], code: int) -> NoReturn:
    for line in lines:
        print(line, file=sys.stderr)
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    from .errors import LibraryNotFoundError, MisuseError, OnderwijsregioError

    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "sim":
        args.args = [*args.args, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return COMMANDS[args.command](args)
    except _Usage as error:
        _fail([f"onderwijsregio: {error}"], EXIT_USAGE)
    except LibraryNotFoundError as error:
        _fail([f"onderwijsregio: {error}"], EXIT_USAGE)
    except MisuseError as error:
        _fail(_describe(error), EXIT_USAGE)
    except OnderwijsregioError as error:
        _fail(_describe(error), EXIT_FAILED)
    except BrokenPipeError:
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
