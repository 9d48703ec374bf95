"""The exceptions of the binding, one class per kind of failure, mapped from the library's statuses.

Every exception raised for a failed library call derives from :class:`OnderwijsregioError`, which
carries the status code, its name and the parsed ``oreg_last_error()`` object as ``details``.
Some also derive from a built-in exception where that is what Python code expects to catch:
:class:`MisuseError`, :class:`JsonError` and :class:`RangeError` are ``ValueError`` s,
:class:`StorageError` is an ``OSError``, :class:`OutOfMemoryError` a ``MemoryError``.

::

    OnderwijsregioError
     +-- MisuseError (ValueError)              OREG_ERR_MISUSE: the call was wrong (bad option, ...)
     +-- OutOfMemoryError (MemoryError)        OREG_ERR_NOMEM
     +-- JsonError (ValueError)                OREG_ERR_JSON: an input is not JSON (offset, line, column)
     +-- LimitError                            OREG_ERR_LIMIT: too large, too deep, pattern backtracking
     +-- RangeError (ValueError)               OREG_ERR_RANGE
     +-- SchemaError                           OREG_ERR_SCHEMA: a schema does not compile
     +-- ValidationError                       OREG_INVALID where an answer was required (.report)
     +-- ApiError                              OREG_ERR_HTTP: the service answered 4xx/5xx
     +-- TransportError                        OREG_ERR_TRANSPORT: not reachable, after the retries
     |    +-- DeadlineError                    OREG_ERR_DEADLINE: the call's deadline ran out
     +-- ResponseError                         OREG_ERR_RESPONSE: a 2xx the library cannot use
     +-- SandboxError                          OREG_ERR_SANDBOX: sandbox on, production answered
     +-- StorageError (OSError)                OREG_ERR_IO: schema cache or replay store
     +-- SignatureError                        OREG_ERR_SIGNATURE: a callback is forged or altered
     |    +-- HeaderMissingError               OREG_ERR_HEADER_MISSING
     |    +-- HeaderMalformedError             OREG_ERR_HEADER_MALFORMED
     |    +-- TimestampError                   OREG_ERR_TOO_OLD / OREG_ERR_TOO_NEW (.too_old)
     |    +-- ReplayError                      OREG_ERR_REPLAYED: answer 2xx, do not process again
     +-- InternalError                         OREG_ERR_INTERNAL: a bug in the library
     +-- LibraryNotFoundError (ImportError)    the shared library cannot be found or loaded

Every failure of a mutation (``Client.create_candidates`` and the others) carries the mutation's
``idempotency_key`` and ``retryable``: resubmitting with ``idempotency_key=error.idempotency_key``
can never apply the mutation twice.

The non-failure statuses raise nothing: ``OREG_INVALID`` gives a report (or ValidationError where
an answer was required), ``OREG_STALE`` a StaleSchemaWarning, and ``OREG_QUEUED`` (a client with an
outbox kept the mutation to send later) a ``MutationResult`` whose ``queued`` is True.
"""
from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema import ValidationReport

__all__ = [
    "Status", "OnderwijsregioError", "MisuseError", "OutOfMemoryError", "JsonError", "LimitError",
    "RangeError", "SchemaError", "ValidationError", "ApiError", "TransportError", "DeadlineError",
    "ResponseError", "SandboxError", "StorageError", "SignatureError", "HeaderMissingError",
    "HeaderMalformedError", "TimestampError", "ReplayError", "InternalError", "LibraryNotFoundError",
    "error_for_status",
]


class Status(IntEnum):
    """``enum oreg_status`` of include/onderwijsregio.h (the numbers are stable)."""

    OK = 0
    INVALID = 1
    STALE = 2
    QUEUED = 3
    ERR_MISUSE = -1
    ERR_NOMEM = -2
    ERR_JSON = -3
    ERR_LIMIT = -4
    ERR_RANGE = -5
    ERR_SCHEMA = -6
    ERR_TRANSPORT = -7
    ERR_HTTP = -8
    ERR_DEADLINE = -9
    ERR_RESPONSE = -10
    ERR_SANDBOX = -11
    ERR_IO = -12
    ERR_HEADER_MISSING = -13
    ERR_HEADER_MALFORMED = -14
    ERR_SIGNATURE = -15
    ERR_TOO_OLD = -16
    ERR_TOO_NEW = -17
    ERR_REPLAYED = -18
    ERR_INTERNAL = -99


def _int_detail(key: str) -> Any:
    """A read-only attribute of an exception: ``details[key]`` when it is an int, else None."""
    return property(lambda self: _int_or_none(self.details.get(key)))


def _str_detail(key: str, doc: str | None = None) -> Any:
    """A read-only attribute of an exception: ``details[key]`` when it is a str, else None."""
    return property(lambda self: _str_or_none(self.details.get(key)), doc=doc)


class OnderwijsregioError(Exception):
    """A failed library call.

    ``status`` is the library's status code (an ``int``; :class:`Status` names it), ``status_name``
    its name (``"OREG_ERR_JSON"``), ``message`` the library's sentence and ``details`` the whole
    ``oreg_last_error()`` object (``offset``, ``line``, ``column``, ``location``, ``httpStatus``,
    ``issues``, ... depending on the failure). ``idempotency_key`` and ``retryable`` are set for
    failed mutations (``None`` / ``False`` otherwise).
    """

    def __init__(self, message: str, *, status: int = Status.ERR_INTERNAL, status_name: str | None = None,
                 details: dict[str, Any] | None = None, idempotency_key: str | None = None,
                 retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = int(status)
        self.status_name = status_name or _status_name(status)
        self.details: dict[str, Any] = dict(details or {})
        key = idempotency_key if idempotency_key is not None else self.details.get("idempotencyKey")
        self.idempotency_key: str | None = key if isinstance(key, str) else None
        if retryable is None:
            retryable = self.details.get("retryable") is True
        self.retryable: bool = bool(retryable)

    def __str__(self) -> str:
        return f"{self.message} ({self.status_name})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status_name})"


class MisuseError(OnderwijsregioError, ValueError):
    """OREG_ERR_MISUSE: the call itself was wrong (an unknown or mistyped option, a bad id, ...);
    also raised by the binding for a closed handle."""


class OutOfMemoryError(OnderwijsregioError, MemoryError):
    """OREG_ERR_NOMEM."""


class JsonError(OnderwijsregioError, ValueError):
    """OREG_ERR_JSON: an input is not strict JSON. ``offset`` (zero-based byte), ``line`` and
    ``column`` (one-based) locate the problem when the library knows it."""

    offset: int | None = _int_detail("offset")
    line: int | None = _int_detail("line")
    column: int | None = _int_detail("column")


class LimitError(OnderwijsregioError):
    """OREG_ERR_LIMIT: a document too large or too deep, a pattern past its backtracking limit,
    an answer above maxResponseBytes or a body above maxRequestBytes."""


class RangeError(OnderwijsregioError, ValueError):
    """OREG_ERR_RANGE: valid JSON the operation cannot represent."""


class SchemaError(OnderwijsregioError):
    """OREG_ERR_SCHEMA: the schema does not compile. ``location`` is a JSON Pointer into it."""

    location: str | None = _str_detail("location")


class ValidationError(OnderwijsregioError):
    """A payload does not match the schema (OREG_INVALID), raised where the binding needs a valid
    payload: a mutation with ``validate=True`` (then nothing was sent) or
    :meth:`ValidationReport.raise_for_errors`. ``report`` says why."""

    def __init__(self, report: ValidationReport, *, idempotency_key: str | None = None) -> None:
        errors = report.errors
        first = f": {errors[0]}" if errors else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"the payload does not match the schema{first}{more}", status=Status.INVALID,
                         status_name="OREG_INVALID", details={"valid": False},
                         idempotency_key=idempotency_key, retryable=False)
        self.report = report

    @property
    def errors(self) -> list[Any]:
        return self.report.errors


class ApiError(OnderwijsregioError):
    """OREG_ERR_HTTP: the service answered an error status (4xx, or 5xx after the retries).

    ``http_status``, ``service_message`` (the service's own ``message``), ``issues`` (the 422's
    list, else empty), ``request_id``, ``error`` (the envelope's error name), ``idempotency_key``,
    ``retryable`` and ``retry_after_seconds`` (when the service asked for a longer wait than the
    client allows).
    """

    http_status: int | None = _int_detail("httpStatus")
    service_message: str | None = _str_detail("serviceMessage")
    request_id: str | None = _str_detail("requestId")
    error: str | None = _str_detail("error")
    body: str | None = _str_detail("body", "The first 4 KiB of an error answer that was not JSON.")
    attempts: int | None = _int_detail("attempts")

    @property
    def issues(self) -> list[Any]:
        value = self.details.get("issues")
        return list(value) if isinstance(value, list) else []

    @property
    def retry_after_seconds(self) -> float | None:
        value = self.details.get("retryAfterSeconds")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class TransportError(OnderwijsregioError):
    """OREG_ERR_TRANSPORT: the service could not be reached after the retries (connection refused
    or dropped, a timeout, TLS, a redirect). ``idempotency_key`` and ``retryable`` tell how to try
    again safely."""

    attempts: int | None = _int_detail("attempts")
    http_status: int | None = _int_detail("httpStatus")
    request_id: str | None = _str_detail("requestId")


class DeadlineError(TransportError):
    """OREG_ERR_DEADLINE: the call's overall deadline ran out before an attempt succeeded."""


class ResponseError(OnderwijsregioError):
    """OREG_ERR_RESPONSE: the service answered 2xx with something unusable."""


class SandboxError(OnderwijsregioError):
    """OREG_ERR_SANDBOX: sandbox mode is on but the answer came from production data."""


class StorageError(OnderwijsregioError, OSError):
    """OREG_ERR_IO: a local file (schema cache directory, replay store) failed. For a callback:
    refuse it with a 5xx, the engine delivers it again later."""


class SignatureError(OnderwijsregioError):
    """A callback failed verification: refuse it (401) and process nothing. This class itself is
    OREG_ERR_SIGNATURE (no entry matches any secret: forged or altered)."""


class HeaderMissingError(SignatureError):
    """OREG_ERR_HEADER_MISSING: an x-mutationengine-* header is absent."""


class HeaderMalformedError(SignatureError):
    """OREG_ERR_HEADER_MALFORMED: a header is not in its format."""


class TimestampError(SignatureError):
    """OREG_ERR_TOO_OLD or OREG_ERR_TOO_NEW: the timestamp is outside the tolerance window."""

    @property
    def too_old(self) -> bool:
        return self.status == Status.ERR_TOO_OLD

    @property
    def too_new(self) -> bool:
        return self.status == Status.ERR_TOO_NEW


class ReplayError(SignatureError):
    """OREG_ERR_REPLAYED: genuine, but the nonce was accepted before. Answer 2xx (the first delivery
    was processed) and do not process it again."""


class InternalError(OnderwijsregioError):
    """OREG_ERR_INTERNAL, or a status this binding does not know: please report it."""


class LibraryNotFoundError(OnderwijsregioError, ImportError):
    """libonderwijsregio could not be found, loaded, or is of an incompatible version. The message
    lists every place that was tried."""

    def __init__(self, message: str, tried: list[str] | None = None) -> None:
        super().__init__(message, status=Status.ERR_INTERNAL, status_name="OREG_LIBRARY_NOT_FOUND")
        self.tried: list[str] = list(tried or [])

    def __str__(self) -> str:
        return self.message


_CLASSES: dict[int, type[OnderwijsregioError]] = {
    Status.ERR_MISUSE: MisuseError,
    Status.ERR_NOMEM: OutOfMemoryError,
    Status.ERR_JSON: JsonError,
    Status.ERR_LIMIT: LimitError,
    Status.ERR_RANGE: RangeError,
    Status.ERR_SCHEMA: SchemaError,
    Status.ERR_TRANSPORT: TransportError,
    Status.ERR_HTTP: ApiError,
    Status.ERR_DEADLINE: DeadlineError,
    Status.ERR_RESPONSE: ResponseError,
    Status.ERR_SANDBOX: SandboxError,
    Status.ERR_IO: StorageError,
    Status.ERR_HEADER_MISSING: HeaderMissingError,
    Status.ERR_HEADER_MALFORMED: HeaderMalformedError,
    Status.ERR_SIGNATURE: SignatureError,
    Status.ERR_TOO_OLD: TimestampError,
    Status.ERR_TOO_NEW: TimestampError,
    Status.ERR_REPLAYED: ReplayError,
    Status.ERR_INTERNAL: InternalError,
}


def error_for_status(status: int, details: dict[str, Any]) -> OnderwijsregioError:
    """The exception for a failed call's status and its parsed oreg_last_error()."""
    cls = _CLASSES.get(int(status), InternalError)
    message = details.get("message")
    if not isinstance(message, str) or not message:
        message = f"the call failed with status {status}"
    name = details.get("name")
    if not isinstance(name, str) or details.get("status") != status:
        # oreg_last_error() does not describe this status: keep what we know.
        name = _status_name(status)
    error = cls(message, status=status, status_name=name, details=details)
    if isinstance(error, StorageError):
        # OSError's constructor fills strerror/args from its arguments; keep the message readable.
        error.strerror = message
    return error


def _status_name(status: int) -> str:
    try:
        return "OREG_" + Status(int(status)).name
    except ValueError:
        return "OREG_UNKNOWN"


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
