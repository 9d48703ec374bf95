"""Compiled JSON Schemas (oreg_schema_*) and validation reports."""
from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import _native
from ._handle import NativeHandle
from .errors import Status, ValidationError

__all__ = ["Schema", "ValidationReport", "ValidationIssue"]

# Schema.compile's keyword options -> the JSON names of oreg_schema_compile.
_SCHEMA_OPTIONS = {
    "format_assertion": "formatAssertion",
    "default_draft": "defaultDraft",
    "stop_at_first_error": "stopAtFirstError",
    "validate_schema": "validateSchema",
    "max_depth": "maxDepth",
    "language": "language",
    "resources": "resources",
}


@dataclass
class ValidationIssue:
    """One error of a validation report. ``instance_location`` and ``keyword_location`` are JSON
    Pointers (into the payload and the schema), ``keyword`` the JSON Schema keyword that failed,
    ``message`` a sentence for humans; ``absolute_keyword_location`` (a URI) is set when a ``$ref``
    was crossed. ``anyOf``, ``oneOf`` and ``not`` nest their branches' errors under ``errors``."""

    instance_location: str
    keyword_location: str
    keyword: str
    message: str
    absolute_keyword_location: str | None = None
    errors: list[ValidationIssue] = field(default_factory=list)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ValidationIssue:
        nested = value.get("errors")
        return cls(
            instance_location=str(value.get("instanceLocation", "")),
            keyword_location=str(value.get("keywordLocation", "")),
            keyword=str(value.get("keyword", "")),
            message=str(value.get("message", "")),
            absolute_keyword_location=value.get("absoluteKeywordLocation"),
            errors=[cls.from_json(item) for item in nested if isinstance(item, dict)] if isinstance(nested, list) else [],
        )

    def __str__(self) -> str:
        where = self.instance_location or "(root)"
        return f"{where}: {self.message} [{self.keyword}]"


@dataclass
class ValidationReport:
    """The verdict on a payload: ``valid`` and, when it is not, the ``errors``. True in a boolean
    context when valid. ``raw`` is the library's report object (None when valid)."""

    valid: bool
    errors: list[ValidationIssue] = field(default_factory=list)
    raw: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, value: Any) -> ValidationReport:
        if not isinstance(value, dict):
            return cls(valid=False, errors=[], raw=None)
        errors = value.get("errors")
        return cls(valid=bool(value.get("valid", False)),
                   errors=[ValidationIssue.from_json(item) for item in errors if isinstance(item, dict)]
                   if isinstance(errors, list) else [],
                   raw=value)

    def __bool__(self) -> bool:
        return self.valid

    def iter_errors(self) -> Iterator[ValidationIssue]:
        """Every error, nested ones (under anyOf, oneOf, not) after their parent, depth first."""
        stack = list(reversed(self.errors))
        while stack:
            issue = stack.pop()
            yield issue
            stack.extend(reversed(issue.errors))

    def format(self, indent: str = "  ") -> str:
        """The errors as readable lines, nested ones indented."""
        if self.valid:
            return "valid"
        lines: list[str] = []

        def walk(issues: list[ValidationIssue], depth: int) -> None:
            for issue in issues:
                lines.append(f"{indent * depth}- {issue}")
                walk(issue.errors, depth + 1)

        walk(self.errors, 0)
        return "\n".join(lines) if lines else "invalid"

    def raise_for_errors(self) -> None:
        """Raises ValidationError (carrying this report) when not valid."""
        if not self.valid:
            raise ValidationError(self)


def report_from(status: int, data: bytes | None) -> ValidationReport:
    if status == Status.OK:
        return ValidationReport(valid=True)
    return ValidationReport.from_json(_native.decode_json(data))


class Schema(NativeHandle, free="oreg_schema_free", noun="schema"):
    """A compiled JSON Schema (drafts 2020-12, draft-07, draft-04). Immutable: share it freely
    between threads. Release it with :meth:`close` or a ``with`` block, else it is released when
    garbage-collected."""

    __slots__ = ()

    def __init__(self, handle: int) -> None:
        """Use :meth:`compile`."""
        super().__init__(handle)

    @classmethod
    def compile(cls, schema: str | bytes | dict[str, Any] | bool | os.PathLike[str], *,
                format_assertion: bool | None = None, default_draft: str | None = None,
                stop_at_first_error: bool | None = None, validate_schema: bool | None = None,
                max_depth: int | None = None, language: str | None = None,
                resources: dict[str, Any] | None = None) -> Schema:
        """Compiles a schema: a dict (or bool), JSON text (str), JSON bytes, or the path of a file
        (``pathlib.Path``). Options left at None keep the library's defaults:

        - ``format_assertion`` (True): check ``format``, as the service does;
        - ``default_draft`` ("2020-12" | "draft7" | "draft4") when the schema has no ``$schema``;
        - ``stop_at_first_error`` (False): reports hold one error;
        - ``validate_schema`` (True): check the schema against its metaschema first;
        - ``max_depth`` (512): nesting limit of validated payloads;
        - ``language`` ("en"; "nl" where the library has it): the language of messages;
        - ``resources``: ``{uri: schema}`` of other documents ``$ref`` may name.

        Raises SchemaError (with ``location``), JsonError, LimitError, MisuseError (an option the
        library does not accept), TypeError (a schema that is not JSON-serialisable).
        """
        if isinstance(schema, os.PathLike):
            with open(schema, "rb") as file:
                data = file.read()
        else:
            data = _native.encode_json(schema, "schema")
        values = {"format_assertion": format_assertion, "default_draft": default_draft,
                  "stop_at_first_error": stop_at_first_error, "validate_schema": validate_schema,
                  "max_depth": max_depth, "language": language, "resources": resources}
        options = {_SCHEMA_OPTIONS[name]: value for name, value in values.items() if value is not None}
        if resources is not None:
            options["resources"] = {uri: _native.decode_json(_native.encode_json(document, f"resource {uri}"))
                                    if isinstance(document, (str, bytes, bytearray)) else document
                                    for uri, document in resources.items()}
        option_bytes = _native.options_json(options) if options else None
        lib = _native.load()
        out = ctypes.c_void_p()
        status = lib.oreg_schema_compile(data, len(data), option_bytes, ctypes.byref(out))
        if status != Status.OK:
            error = _native.failure(status)
            lib.oreg_schema_free(out)      # NULL on failure; harmless
            raise error
        return cls(out.value or 0)

    def validate(self, payload: Any) -> ValidationReport:
        """Validates a payload (dict/list: serialised; str: JSON text; bytes: as they are) and
        returns the report. Raises JsonError (not JSON), LimitError, TypeError (not serialisable)."""
        data = _native.encode_json(payload)
        lib = _native.load()
        status, report, details = _native.call_out(lib.oreg_schema_validate, self._live(), data, len(data))
        if status < 0:
            raise _native.error_for_status(status, details or {})
        return report_from(status, report)

    def is_valid(self, payload: Any) -> bool:
        """The verdict only, on the library's fast path (no report is built)."""
        data = _native.encode_json(payload)
        lib = _native.load()
        status = lib.oreg_schema_validate(self._live(), data, len(data), None)
        if status < 0:
            raise _native.failure(status)
        return bool(status == Status.OK)

    def __repr__(self) -> str:
        return f"<onderwijsregio.Schema {'closed' if self.closed else 'open'}>"
