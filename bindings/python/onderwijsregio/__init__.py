"""Python binding of libonderwijsregio, the client library of the Onderwijsregio API v2.

- :class:`Schema`: compile a JSON Schema and validate payloads against it, in process;
- :class:`Client`: the region's schema, validation before sending, exactly-once mutations
  (idempotency keys, retries, an optional durable outbox), reads with pagination;
- :class:`Verifier`: verify the signed callbacks of the Mutation Engine (raw bytes!);
- :func:`sign`: sign a callback as the engine would, for tests of your own endpoint.

The shared library is found through $ONDERWIJSREGIO_LIB, the copy bundled in a wheel, or the
system (see ``onderwijsregio._native``); it is loaded on first use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__
from .errors import (ApiError, DeadlineError, HeaderMalformedError, HeaderMissingError, InternalError, JsonError,
                     LibraryNotFoundError, LimitError, MisuseError, OnderwijsregioError, OutOfMemoryError, RangeError,
                     ReplayError, ResponseError, SandboxError, SchemaError, SignatureError, Status, StorageError,
                     TimestampError, TransportError, ValidationError)
from .schema import Schema, ValidationIssue, ValidationReport

if TYPE_CHECKING:
    from .client import Client, FlushEntry, FlushReport, MutationResult, OutboxStatus, Page, StaleSchemaWarning
    from .verifier import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier, sign, signed_headers

# The client and the verifier are imported on first use: a script that only validates (or a
# callback endpoint that only verifies) does not pay for the other's imports at start-up.
_LAZY = {
    **dict.fromkeys(("Client", "FlushEntry", "FlushReport", "MutationResult", "OutboxStatus", "Page",
                     "StaleSchemaWarning"), ".client"),
    **dict.fromkeys(("NONCE_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "Verifier", "sign", "signed_headers"),
                    ".verifier"),
}

__all__ = [
    "__version__", "library_version", "library_path", "canonicalize", "check_json",
    "Schema", "ValidationReport", "ValidationIssue",
    "Client", "MutationResult", "FlushReport", "FlushEntry", "OutboxStatus", "Page", "StaleSchemaWarning",
    "Verifier", "sign", "signed_headers", "TIMESTAMP_HEADER", "NONCE_HEADER", "SIGNATURE_HEADER",
    "Status", "OnderwijsregioError", "MisuseError", "OutOfMemoryError", "JsonError", "LimitError", "RangeError",
    "SchemaError", "ValidationError", "ApiError", "TransportError", "DeadlineError", "ResponseError",
    "SandboxError", "StorageError", "SignatureError", "HeaderMissingError", "HeaderMalformedError",
    "TimestampError", "ReplayError", "InternalError", "LibraryNotFoundError",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def library_version() -> str:
    """The loaded library's version ("0.1.0")."""
    from . import _native

    version: bytes = _native.load().oreg_version()
    return version.decode("ascii")


def library_path() -> str:
    """Where the library was loaded from (a path, or the name the dynamic loader resolved)."""
    from . import _native

    return _native.library_path()


def check_json(document: str | bytes) -> None:
    """Checks that a document is strict JSON (RFC 8259, the library's parser and limits); raises
    JsonError (with offset, line, column) or LimitError."""
    from . import _native

    if not isinstance(document, (str, bytes, bytearray, memoryview)):
        raise TypeError("document must be str or bytes")
    data = _native.encode_json(document, "document")
    status = _native.load().oreg_json_check(data, len(data))
    if status != 0:
        raise _native.failure(status)


def canonicalize(document: object) -> str:
    """The RFC 8785 canonical form of a JSON document (dict/list are serialised first; str and
    bytes are JSON text): equal documents give equal text, fit for hashing."""
    from . import _native

    data = _native.encode_json(document, "document")
    status, out, details = _native.call_out(_native.load().oreg_json_canonicalize, data, len(data))
    if status != 0:
        raise _native.error_for_status(status, details or {})
    assert out is not None
    return out.decode("utf-8")
