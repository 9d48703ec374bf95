#!/usr/bin/env python3
"""Conformance of the JSON Schema validator: the JSON-Schema-Test-Suite, run through the C ABI.

Loads the real shared library with ctypes ($ONDERWIJSREGIO_LIB, by default
dist/lib/libonderwijsregio.so of this repository) and runs, per draft:

  draft2020-12            tests/draft2020-12/*.json                 defaultDraft "2020-12"
  draft7                  tests/draft7/*.json                       defaultDraft "draft7"
  draft4 (project tests)  Tests/conformance/draft4/*.json (ours)    defaultDraft "draft4"

The required tests run with "formatAssertion": false (the suite's required format tests expect
format to be an annotation only); tests/<draft>/optional/format/*.json run with
"formatAssertion": true. Every file under remotes/ is registered through the "resources" option
as http://localhost:1234/<path relative to remotes/>: for each draft the remotes outside the
per-draft folders plus that draft's own folder (remotes/draft2020-12/, remotes/draft7/,
remotes/draft4/), as Bowtie serves them; --all-remotes registers every file for every draft. Each
test group's schema is compiled once and each of its tests validated against it.

The suite is read from $ONDERWIJSREGIO_CONFORMANCE/json-schema-test-suite (by default
../shared/conformance relative to the repository root); it is never copied into this repository.

Outcomes are counted the way Bowtie reports them: passed, failed (the wrong verdict) and errored
(compile failed, validate returned a negative status or an unexpected one, the report broke the
contract, or the library crashed or hung on it). Every file runs in its own child process, so
a crash or a hang is reported as errored tests instead of ending the run.

Exit status 0 only when every required test passed and every test of the formats in
GATING_FORMATS passed; the other formats are reported only. The last line is
"json-schema-test-suite: N passed, M failed", counting required tests plus the tests of the gating
formats (errored counts as failed).

Options: --all-remotes, --only SUBSTRING (run files whose path contains it; repeatable), --all-failures (print
every failure, not the first 30 per draft), --jobs N, --timeout SECONDS (per file),
--self-check-draft4 (check Tests/conformance/draft4 with the Python jsonschema package instead of
running the library).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema_library import load_schema_library
from schema_library import validate as validate_with_report

SUITE_NAME = "json-schema-test-suite"
REPO = Path(__file__).resolve().parents[2]
LIB_PATH = Path(os.environ.get("ONDERWIJSREGIO_LIB") or REPO / "dist/lib/libonderwijsregio.so")
CONFORMANCE = Path(os.environ.get("ONDERWIJSREGIO_CONFORMANCE") or REPO.parent / "shared/conformance")
SUITE = CONFORMANCE / "json-schema-test-suite"
DRAFT4_DIR = REPO / "Tests/conformance/draft4"
REMOTE_BASE = "http://localhost:1234/"

# A failure in one of these formats fails the run; the others are reported only.
GATING_FORMATS = frozenset({
    "email", "date", "date-time", "time", "duration", "uri", "uri-reference", "uuid", "ipv4",
    "ipv6", "hostname", "regex", "json-pointer", "relative-json-pointer",
})

OREG_OK = 0
OREG_INVALID = 1
MAX_FAILURES_SHOWN = 30
EXCERPT = 300


@dataclass(frozen=True)
class Draft:
    name: str
    default_draft: str
    required_dir: Path
    format_dir: Path | None
    remotes: str  # the draft's own folder under remotes/


DRAFTS = [
    Draft("draft2020-12", "2020-12", SUITE / "tests/draft2020-12", SUITE / "tests/draft2020-12/optional/format",
          "draft2020-12"),
    Draft("draft7", "draft7", SUITE / "tests/draft7", SUITE / "tests/draft7/optional/format", "draft7"),
    Draft("draft4 (project tests)", "draft4", DRAFT4_DIR, None, "draft4"),
]
# The per-draft folders of remotes/. A draft gets the remotes outside all of them plus its own
# folder, as Bowtie serves them; the other drafts' folders hold documents in dialects the draft's
# tests never reference (2019-09, "https://json-schema.org/v1", ...).
REMOTE_DRAFT_FOLDERS = frozenset({"draft3", "draft4", "draft6", "draft7", "draft2019-09", "draft2020-12", "v1"})


# --- exact JSON -------------------------------------------------------------------------------
# Numbers keep their text from the test file (1.0 stays 1.0, -0 stays -0, big integers and long
# decimals are not rounded), so the library sees exactly what the suite wrote.


class Number(str):
    """A JSON number, kept as its source text."""


def load_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle, parse_int=Number, parse_float=Number)


def dump(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Number):
        return str.__str__(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ",".join(dump(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(key, ensure_ascii=False) + ":" + dump(item) for key, item in value.items()) + "}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


def encode(value: Any) -> bytes:
    return dump(value).encode("utf-8")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def remote_resources(folder: str) -> dict[str, Any]:
    """The remotes for the draft whose folder under remotes/ is `folder`; "*" for all of them."""
    remotes = SUITE / "remotes"
    resources = {}
    for path in sorted(remotes.rglob("*.json")):
        top = path.relative_to(remotes).parts[0]
        if folder == "*" or top not in REMOTE_DRAFT_FOLDERS or top == folder:
            resources[REMOTE_BASE + path.relative_to(remotes).as_posix()] = load_json(path)
    return resources


# --- the library --------------------------------------------------------------------------------


def load_library() -> tuple[ctypes.CDLL | None, str]:
    return load_schema_library(LIB_PATH)


def describe_status(lib: ctypes.CDLL, status: int) -> str:
    name = lib.oreg_status_name(status)
    last = lib.oreg_last_error()
    return f"status {status} ({name.decode() if name else '?'}); oreg_last_error: {last.decode('utf-8', 'replace') if last else None}"


# --- worker: one file in a child process --------------------------------------------------------


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def check_report(status: int, text: str | None) -> str:
    """Returns "" when the report fits the contract for this status, else what is wrong."""
    if text is None:
        return "" if status == OREG_OK else "OREG_INVALID without a report"
    try:
        report = json.loads(text)
    except ValueError as error:
        return f"report is not JSON ({error})"
    if not isinstance(report, dict) or not isinstance(report.get("valid"), bool):
        return "report has no boolean \"valid\""
    if report["valid"] != (status == OREG_OK):
        return f"status {status} but report says \"valid\": {json.dumps(report['valid'])}"
    if status == OREG_INVALID:
        errors = report.get("errors")
        if not isinstance(errors, list) or not errors:
            return "OREG_INVALID but the report has no errors"
        for error in errors:
            if not isinstance(error, dict) or not isinstance(error.get("keyword"), str) \
                    or not isinstance(error.get("instanceLocation"), str):
                return "an error lacks \"keyword\" or \"instanceLocation\""
    return ""


def summarise_errors(text: str | None) -> str:
    if not text:
        return ""
    try:
        errors = json.loads(text).get("errors") or []
    except (ValueError, AttributeError):
        return excerpt(text)
    parts = [f"{e.get('instanceLocation')!r} {e.get('keywordLocation') or e.get('keyword')}: {e.get('message')}"
             for e in errors[:3] if isinstance(e, dict)]
    if len(errors) > 3:
        parts.append(f"... {len(errors) - 3} more")
    return excerpt("; ".join(parts), 500)


def run_worker(default_draft: str, format_assertion: bool, remotes: str, path: Path) -> int:
    lib, why = load_library()
    if lib is None:
        emit({"fatal": why})
        return 2
    options = encode({
        "resources": remote_resources(remotes),
        "formatAssertion": format_assertion,
        "defaultDraft": default_draft,
    })
    groups = load_json(path)
    for g, group in enumerate(groups):
        schema = encode(group["schema"])
        handle = ctypes.c_void_p(0xDEADBEEF)
        emit({"compiling": g})
        status = lib.oreg_schema_compile(schema, len(schema), options, ctypes.byref(handle))
        problem = ""
        if status != OREG_OK:
            problem = f"compile failed: {describe_status(lib, status)}"
            if handle.value is not None:
                problem += "; and *out is not NULL after the failure"
        elif handle.value is None:
            problem = "compile returned OREG_OK but *out is NULL"
        if problem:
            for t in range(len(group["tests"])):
                emit({"g": g, "t": t, "outcome": "errored", "got": None, "detail": problem})
            continue
        try:
            for t, test in enumerate(group["tests"]):
                data = encode(test["data"])
                status, text = validate_with_report(lib, handle, data)
                if status < 0:
                    emit({"g": g, "t": t, "outcome": "errored", "got": None,
                          "detail": f"validate failed: {describe_status(lib, status)}"
                                    + ("; and *out_report is not NULL after the failure" if text is not None else "")})
                    continue
                if status not in (OREG_OK, OREG_INVALID):
                    emit({"g": g, "t": t, "outcome": "errored", "got": None,
                          "detail": f"validate returned unexpected status {status}"})
                    continue
                got = status == OREG_OK
                wrong = check_report(status, text)
                if wrong:
                    emit({"g": g, "t": t, "outcome": "errored", "got": got,
                          "detail": f"report breaks the contract: {wrong}; report: {excerpt(text or 'NULL')}"})
                    continue
                outcome = "passed" if got == bool(test["valid"]) else "failed"
                emit({"g": g, "t": t, "outcome": outcome, "got": got,
                      "detail": summarise_errors(text) if outcome == "failed" else ""})
        finally:
            lib.oreg_schema_free(handle)
    return 0


# --- parent: run every file, count, print -------------------------------------------------------


@dataclass
class Result:
    draft: str
    part: str  # "required" or "format"
    file: str  # relative, for printing
    format: str  # the format file's stem, or ""
    group: str
    test: str
    expected: bool
    outcome: str
    got: bool | None
    detail: str
    schema: str
    data: str


@dataclass
class Job:
    draft: Draft
    part: str
    path: Path
    format_assertion: bool
    results: list[Result] = field(default_factory=list)
    fatal: str = ""


def relative(path: Path) -> str:
    for base in (SUITE / "tests", REPO):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)


def run_job(job: Job, timeout: float, all_remotes: bool) -> Job:
    try:
        groups = load_json(job.path)
    except (OSError, ValueError) as error:
        job.fatal = f"cannot read {job.path}: {error}"
        return job
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", job.draft.default_draft,
               "1" if job.format_assertion else "0", "*" if all_remotes else job.draft.remotes, str(job.path)]
    crash = ""
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                 env={**os.environ, "ONDERWIJSREGIO_LIB": str(LIB_PATH),
                                      "ONDERWIJSREGIO_CONFORMANCE": str(CONFORMANCE)})
        stdout, stderr, code = process.stdout, process.stderr, process.returncode
        if code < 0:
            crash = f"the library crashed (signal {-code})"
        elif code != 0:
            crash = f"the worker exited with status {code}"
    except subprocess.TimeoutExpired as expired:
        stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        stderr = expired.stderr.decode() if isinstance(expired.stderr, bytes) else (expired.stderr or "")
        crash = f"timed out after {timeout:g} s"
    records: dict[tuple[int, int], dict[str, Any]] = {}
    compiling = None
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "fatal" in record:
            job.fatal = record["fatal"]
            return job
        if "compiling" in record:
            compiling = record["compiling"]
            continue
        records[(record["g"], record["t"])] = record
    if crash and stderr.strip():
        crash += "; stderr: " + excerpt(" | ".join(stderr.strip().splitlines()[-5:]), 400)
    first_missing = True
    for g, group in enumerate(groups):
        schema = excerpt(dump(group["schema"]))
        for t, test in enumerate(group["tests"]):
            record = records.get((g, t))
            if record is None:
                where = ""
                if first_missing:
                    where = " (in compile)" if compiling == g and not any(k[0] == g for k in records) else " (here)"
                    first_missing = False
                record = {"outcome": "errored", "got": None,
                          "detail": (crash or "no result from the worker") + where}
            job.results.append(Result(
                draft=job.draft.name, part=job.part, file=relative(job.path),
                format=job.path.stem if job.part == "format" else "",
                group=group.get("description", f"group {g}"), test=test.get("description", f"test {t}"),
                expected=bool(test["valid"]), outcome=record["outcome"], got=record.get("got"),
                detail=record.get("detail", ""), schema=schema, data=excerpt(dump(test["data"])),
            ))
    return job


def counts(results: list[Result]) -> tuple[int, int, int]:
    passed = sum(r.outcome == "passed" for r in results)
    failed = sum(r.outcome == "failed" for r in results)
    errored = sum(r.outcome == "errored" for r in results)
    return passed, failed, errored


def gating(result: Result) -> bool:
    return result.part == "required" or result.format in GATING_FORMATS


def print_failure(result: Result) -> None:
    got = {True: "valid", False: "invalid", None: "-"}[result.got]
    print(f"  {result.outcome.upper():7} {result.file} | {result.group} | {result.test}")
    print(f"          expected {'valid' if result.expected else 'invalid'}, got {got}")
    if result.detail:
        print(f"          {result.detail}")
    print(f"          schema: {result.schema}")
    print(f"          data:   {result.data}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", nargs=4, metavar=("DEFAULT_DRAFT", "FORMAT_ASSERTION", "REMOTES", "FILE"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--all-remotes", action="store_true",
                        help="register every file under remotes/ for every draft, the other drafts' folders too")
    parser.add_argument("--only", action="append", default=[], help="run only files whose path contains this")
    parser.add_argument("--all-failures", action="store_true", help="print every failure")
    parser.add_argument("--jobs", type=int, default=max(1, min(8, os.cpu_count() or 1)))
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("ONDERWIJSREGIO_SUITE_TIMEOUT", 300)))
    parser.add_argument("--self-check-draft4", action="store_true",
                        help="check Tests/conformance/draft4 with the jsonschema package (no library needed)")
    args = parser.parse_args()

    if args.worker:
        default_draft, format_assertion, remotes, path = args.worker
        return run_worker(default_draft, format_assertion == "1", remotes, Path(path))
    if args.self_check_draft4:
        return self_check_draft4()

    print(f"library: {LIB_PATH}")
    print(f"suite:   {SUITE}")
    lib, why = load_library()
    if lib is None:
        print(f"{SUITE_NAME}: {why}")
        print(f"{SUITE_NAME}: 0 passed, 1 failed")
        return 1
    if not (SUITE / "tests").is_dir() or not (SUITE / "remotes").is_dir():
        print(f"{SUITE_NAME}: the suite is missing: no {SUITE}/tests or remotes (set ONDERWIJSREGIO_CONFORMANCE)")
        print(f"{SUITE_NAME}: 0 passed, 1 failed")
        return 1

    jobs: list[Job] = []
    missing: list[str] = []
    for draft in DRAFTS:
        required = sorted(draft.required_dir.glob("*.json"))
        formats = sorted(draft.format_dir.glob("*.json")) if draft.format_dir else []
        if not required:
            missing.append(f"{draft.name}: no tests in {draft.required_dir}")
        jobs += [Job(draft, "required", path, False) for path in required]
        jobs += [Job(draft, "format", path, True) for path in formats]
    if args.only:
        jobs = [job for job in jobs if any(s in str(job.path) for s in args.only)]
        missing = []

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        done = list(pool.map(lambda job: run_job(job, args.timeout, args.all_remotes), jobs))

    fatal = [job for job in done if job.fatal]
    if fatal:
        for job in fatal:
            print(f"{SUITE_NAME}: {relative(job.path)}: {job.fatal}")
        print(f"{SUITE_NAME}: 0 passed, {len(fatal)} failed")
        return 1

    results = [result for job in done for result in job.results]
    by_draft: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_draft[result.draft].append(result)

    # Failures, the first ones per draft (gating ones first).
    for draft in DRAFTS:
        bad = [r for r in by_draft[draft.name] if r.outcome != "passed"]
        if not bad:
            continue
        bad.sort(key=lambda r: not gating(r))
        shown = bad if args.all_failures else bad[:MAX_FAILURES_SHOWN]
        print(f"\n--- {draft.name}: {len(bad)} not passed"
              + ("" if len(shown) == len(bad) else f" (first {len(shown)} shown; --all-failures for all)"))
        for result in shown:
            print_failure(result)

    # Which files the failures are in.
    per_file: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for result in results:
        per_file[(result.draft, result.file)].append(result)
    troubled = [(key, rs) for key, rs in per_file.items() if any(r.outcome != "passed" for r in rs)]
    if troubled:
        print("\nfiles with failures (passed/failed/errored)")
        for (draft, file), rs in sorted(troubled):
            p, f, e = counts(rs)
            print(f"  {draft:24} {file:58} {p:4} {f:4} {e:4}{'' if gating(rs[0]) else '   (reported only)'}")

    # Per format.
    print("\noptional/format, formatAssertion true (passed/failed/errored)")
    format_drafts = [draft for draft in DRAFTS if draft.format_dir]
    header = f"  {'format':24} {'gating':6} " + " ".join(f"{d.name:>16}" for d in format_drafts)
    print(header)
    names = sorted({r.format for r in results if r.part == "format"})
    for name in names:
        cells = []
        for draft in format_drafts:
            rs = [r for r in by_draft[draft.name] if r.part == "format" and r.format == name]
            cells.append(f"{'%d/%d/%d' % counts(rs) if rs else '-':>16}")
        print(f"  {name:24} {'yes' if name in GATING_FORMATS else 'no':6} " + " ".join(cells))

    # Summary, in Bowtie's shape.
    print(f"\n{'draft':24} {'part':22} {'passed':>7} {'failed':>7} {'errored':>8} {'total':>7}")
    for draft in DRAFTS:
        rs = by_draft[draft.name]
        parts = [
            ("required", [r for r in rs if r.part == "required"]),
            ("format (gating)", [r for r in rs if r.part == "format" and r.format in GATING_FORMATS]),
            ("format (reported only)", [r for r in rs if r.part == "format" and r.format not in GATING_FORMATS]),
        ]
        for part, prs in parts:
            if not prs and part != "required":
                continue
            p, f, e = counts(prs)
            print(f"{draft.name:24} {part:22} {p:7} {f:7} {e:8} {len(prs):7}")
    for problem in missing:
        print(f"{SUITE_NAME}: {problem}")

    counted = [r for r in results if gating(r)]
    passed = sum(r.outcome == "passed" for r in counted)
    failed = len(counted) - passed + len(missing)
    if not counted:
        failed += 1
    print(f"{SUITE_NAME}: {passed} passed, {failed} failed")
    return 1 if failed else 0


# --- the project's draft-04 tests checked by another validator ---------------------------------


def self_check_draft4() -> int:
    """Every draft-04 test's expected verdict must match the Python jsonschema package's
    Draft4Validator (format as annotation), and every schema must be a valid draft-04 schema."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    def plain(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    # The remotes meant for draft 4 (the top level and draft4/); the other drafts' folders hold
    # boolean schemas that jsonschema's draft-4 crawler cannot read.
    other_drafts = ("draft3", "draft6", "draft7", "draft2019-09", "draft2020-12", "v1")
    registry = Registry().with_resources(
        (REMOTE_BASE + path.relative_to(SUITE / "remotes").as_posix(),
         Resource.from_contents(plain(path), default_specification=DRAFT4))
        for path in sorted((SUITE / "remotes").rglob("*.json"))
        if path.relative_to(SUITE / "remotes").parts[0] not in other_drafts
    )
    passed = failed = 0
    files = sorted(DRAFT4_DIR.glob("*.json"))
    with_schema = 0
    for path in files:
        groups = plain(path)
        declares = [g["schema"].get("$schema") == "http://json-schema.org/draft-04/schema#" for g in groups]
        if all(declares):
            with_schema += 1
        elif any(declares):
            print(f"{path.name}: some groups declare $schema and some do not")
            failed += 1
        for group in groups:
            schema = group["schema"]
            try:
                jsonschema.Draft4Validator.check_schema(schema)
            except jsonschema.SchemaError as error:
                print(f"{path.name} | {group['description']}: not a valid draft-04 schema: {error.message}")
                failed += 1
                continue
            validator = jsonschema.Draft4Validator(schema, registry=registry)
            for test in group["tests"]:
                got = validator.is_valid(test["data"])
                if got == test["valid"]:
                    passed += 1
                else:
                    failed += 1
                    print(f"{path.name} | {group['description']} | {test['description']}: "
                          f"expected {test['valid']}, jsonschema says {got}")
    print(f"draft4 files: {len(files)}, with $schema: {with_schema}, relying on defaultDraft: {len(files) - with_schema}")
    print(f"draft4-self-check: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
