"""The API client (oreg_client_*): schema, validation, exactly-once mutations and reads."""
from __future__ import annotations

import ctypes
import os
import urllib.parse
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from . import _native
from ._handle import NativeHandle
from ._version import __version__
from .errors import MisuseError, ResponseError, Status, ValidationError
from .schema import Schema, ValidationReport, report_from

__all__ = ["Client", "MutationResult", "FlushEntry", "FlushReport", "OutboxStatus", "Page", "StaleSchemaWarning",
           "USER_AGENT"]

USER_AGENT = f"python-onderwijsregio/{__version__}"

Operation = Literal["create", "update"]


class StaleSchemaWarning(UserWarning):
    """The service could not be reached and an expired cached schema was used (OREG_STALE)."""


@dataclass(frozen=True)
class MutationResult:
    """What became of a mutation. Two cases, told apart by ``queued``:

    - ``queued`` False: the service accepted it (202). It is waiting at the service, not yet
      applied; the result comes to the callback URL. ``mutation_id`` is the service's id,
      ``status`` the mutation's status there ("queued", or its current one for a replay),
      ``replayed`` True when the service had already accepted this idempotency key.
    - ``queued`` True: the client has an outbox and the service could not be reached (or failed
      after the retries), so the mutation was written to the outbox, to be sent by
      :meth:`Client.flush`. Nothing is lost, and nothing reached the service yet:
      ``mutation_id``, ``http_status``, ``status`` and ``request_id`` are None, ``outbox_id`` is the
      entry's id and ``last_error`` the library's description of the failure (``message``, ...).

    ``idempotency_key`` is always set: the outbox sends the entry with this same key, so the
    mutation is applied once however it gets there.
    """

    mutation_id: str | None
    idempotency_key: str
    http_status: int | None
    operation: str | None
    status: str | None
    replayed: bool
    request_id: str | None
    attempts: int
    data: Any = field(default=None, compare=False)
    meta: Any = field(default=None, compare=False)
    queued: bool = False
    outbox_id: int | None = None
    last_error: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> MutationResult:
        if value.get("queued") is True:
            outbox_id = value.get("outboxId")
            last_error = value.get("lastError")
            return cls(mutation_id=None, idempotency_key=str(value.get("idempotencyKey", "")), http_status=None,
                       operation=None, status=None, replayed=False, request_id=None,
                       attempts=int(value.get("attempts", 0)), queued=True,
                       outbox_id=outbox_id if isinstance(outbox_id, int) and not isinstance(outbox_id, bool) else None,
                       last_error=last_error if isinstance(last_error, dict) else None)
        return cls(mutation_id=str(value.get("mutationId", "")), idempotency_key=str(value.get("idempotencyKey", "")),
                   http_status=int(value.get("httpStatus", 0)), operation=value.get("operation"),
                   status=value.get("mutationStatus"), replayed=bool(value.get("replayed", False)),
                   request_id=value.get("requestId"), attempts=int(value.get("attempts", 0)),
                   data=value.get("data"), meta=value.get("meta"))


@dataclass(frozen=True)
class FlushEntry:
    """One outbox entry a :meth:`Client.flush` tried: ``outcome`` is "delivered" (``mutation_id``
    set), "requeued" (it failed again and waits; ``error`` says why) or "dead" (the service refused
    it for good, a 4xx: it is kept for inspection and never sent again)."""

    id: int
    idempotency_key: str
    mutation: str
    outcome: str
    mutation_id: str | None = None
    error: str | None = None

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> FlushEntry:
        mutation_id = value.get("mutationId")
        error = value.get("error")
        return cls(id=int(value.get("id", 0)), idempotency_key=str(value.get("idempotencyKey", "")),
                   mutation=str(value.get("mutation", "")), outcome=str(value.get("outcome", "")),
                   mutation_id=mutation_id if isinstance(mutation_id, str) else None,
                   error=error if isinstance(error, str) else None)


@dataclass(frozen=True)
class FlushReport:
    """What one :meth:`Client.flush` did: how many entries it ``delivered``, ``requeued`` (failed
    again, retried later) and found ``dead`` (refused for good), how many are still queued for
    this region (``remaining``), and each attempt in ``entries``."""

    delivered: int
    requeued: int
    dead: int
    remaining: int
    entries: list[FlushEntry] = field(default_factory=list)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> FlushReport:
        entries = value.get("entries")
        return cls(delivered=int(value.get("delivered", 0)), requeued=int(value.get("requeued", 0)),
                   dead=int(value.get("dead", 0)), remaining=int(value.get("remaining", 0)),
                   entries=[FlushEntry.from_json(e) for e in entries if isinstance(e, dict)]
                   if isinstance(entries, list) else [])


OUTBOX_STATES = ("queued", "sending", "delivered", "dead", "completed", "failed")


@dataclass(frozen=True)
class OutboxStatus:
    """The outbox's state for this client's region (:meth:`Client.outbox_status`): the file's
    ``path``, ``counts`` per state ("queued", "sending", "delivered", "dead", "completed",
    "failed"; also as attributes: ``status.queued``) and the ``oldest`` entries of each state as
    the library describes them (``id``, ``mutation``, ``targetId``, ``idempotencyKey``,
    ``createdAt``, ``attempts``, ``nextAttemptAt``, ``lastError``, ``mutationId``, ``answer``).
    Alert on ``dead`` > 0 or an old queued entry."""

    path: str
    counts: dict[str, int]
    oldest: dict[str, list[dict[str, Any]]] = field(compare=False)
    raw: dict[str, Any] = field(compare=False, repr=False)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> OutboxStatus:
        states = value.get("states")
        states = states if isinstance(states, dict) else {}
        counts: dict[str, int] = {}
        oldest: dict[str, list[dict[str, Any]]] = {}
        for name in (*OUTBOX_STATES, *(k for k in states if k not in OUTBOX_STATES)):
            state = states.get(name)
            state = state if isinstance(state, dict) else {}
            count = state.get("count")
            counts[name] = count if isinstance(count, int) and not isinstance(count, bool) else 0
            entries = state.get("oldest")
            oldest[name] = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        return cls(path=str(value.get("path", "")), counts=counts, oldest=oldest, raw=value)

    queued = property(lambda self: self.counts.get("queued", 0), doc="Entries waiting to be sent.")
    sending = property(lambda self: self.counts.get("sending", 0), doc="Entries a flusher is sending now.")
    delivered = property(lambda self: self.counts.get("delivered", 0), doc="Accepted by the service (202).")
    dead = property(lambda self: self.counts.get("dead", 0), doc="Refused for good: need a person.")
    completed = property(lambda self: self.counts.get("completed", 0), doc="Their callback said succeeded.")
    failed = property(lambda self: self.counts.get("failed", 0), doc="Their callback said failed.")


@dataclass(frozen=True)
class Page:
    """One page of a list: its ``items``, the ``cursor`` of the next page (None on the last) and
    the answer's ``meta``."""

    items: list[Any]
    cursor: str | None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


def _quote(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if not value:
        raise MisuseError(f"{what} must not be empty", status=Status.ERR_MISUSE)
    return urllib.parse.quote(value, safe="")


def _target(candidate_id: str, sub_id: str | None = None, sub_what: str = "sub id") -> str:
    for value, what in ((candidate_id, "candidate id"), (sub_id, sub_what)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{what} must be str, not {type(value).__name__}")
        if not value:
            raise MisuseError(f"{what} must not be empty", status=Status.ERR_MISUSE)
        if "\0" in value:
            raise MisuseError(f"{what} must not contain a NUL character", status=Status.ERR_MISUSE)
    if sub_id is None:
        return candidate_id
    if "/" in candidate_id or "/" in sub_id:
        # The library's "candidateId/subId" form cannot carry a slash inside either id.
        raise MisuseError("ids of interactions and attachments cannot contain '/'", status=Status.ERR_MISUSE)
    return f"{candidate_id}/{sub_id}"


class Client(NativeHandle, free="oreg_client_free", noun="client"):
    """A client of one region's API.

    ::

        with Client(api_key=os.environ["ONDERWIJSREGIO_API_KEY"], sandbox=True) as client:
            result = client.create_candidates([payload], callback_url="https://school.example/hook")
            print(result.mutation_id, result.idempotency_key)

    ``base_url`` defaults to production (``https://onderwijsregio.onderwijsin.nl/api/v2``).
    ``options`` are the other options of oreg_client_new in snake_case, nested ones too:
    ``timeouts={"connect_ms": ..., "request_ms": ..., "deadline_ms": ...}``,
    ``retry={"max_retries": ..., "base_delay_ms": ..., "max_delay_ms": ..., "max_retry_after_seconds": ...}``,
    ``schema_cache={"dir": ..., "ttl_seconds": ...}``, ``ca_bundle``, ``max_response_bytes``,
    ``max_request_bytes``, ``allow_insecure_http``, ``user_agent_suffix`` (appended after
    ``python-onderwijsregio/<version>``), ``outbox={"path": ..., "lease_seconds": ...}`` (or just the
    path). An unknown option is a MisuseError naming it.

    With an ``outbox``, a mutation that cannot be delivered (service unreachable, timeouts, 408,
    429, 5xx after the retries, the deadline) is kept in that SQLite file and returned as a
    ``MutationResult`` with ``queued=True`` instead of raising; :meth:`flush` sends it later (from
    cron: ``onderwijsregio outbox flush``). Validation failures and other 4xx still raise.

    The API key lives only in the library (which wipes it when the client is closed); this object
    keeps no copy. A client may be shared by threads. :meth:`close` also closes the connection.
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *, sandbox: bool = False,
                 **options: Any) -> None:
        super().__init__()
        outbox = options.get("outbox")
        if isinstance(outbox, (str, os.PathLike)):
            options["outbox"] = {"path": os.fspath(outbox)}
        elif isinstance(outbox, dict) and isinstance(outbox.get("path"), os.PathLike):
            options["outbox"] = {**outbox, "path": os.fspath(outbox["path"])}
        opts: dict[str, Any] = _native.camel_keys(options)
        suffix = opts.pop("userAgentSuffix", None)
        if suffix is not None and not isinstance(suffix, str):
            raise TypeError("user_agent_suffix must be str")
        opts["userAgentSuffix"] = USER_AGENT + (f" {suffix}" if suffix else "")
        if base_url is not None:
            opts["baseUrl"] = base_url
        if api_key is not None:
            opts["apiKey"] = api_key
        opts["sandbox"] = bool(sandbox)
        data = _native.options_json(opts)
        del opts
        lib = _native.load()
        out = ctypes.c_void_p()
        status = lib.oreg_client_new(data, ctypes.byref(out))
        del data
        if status != Status.OK:
            error = _native.failure(status)
            lib.oreg_client_free(out)       # NULL after a failure, by contract; harmless
            raise error
        self._handle = out.value
        self.sandbox = bool(sandbox)

    # --- lifecycle ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<onderwijsregio.Client {'closed' if self.closed else 'open'}{' sandbox' if self.sandbox else ''}>"

    # --- schema and validation ----------------------------------------------------------------

    def schema(self, operation: Operation = "create") -> dict[str, Any]:
        """The region's JSON Schema for "create" or "update" (fetched once, then cached). When the
        service is down and only an expired cached copy exists, that copy is returned with a
        StaleSchemaWarning."""
        op = _native.encode_text(operation, "operation")
        lib = _native.load()
        status, data, details = _native.call_out(lib.oreg_client_schema, self._live(), op)
        if status < 0:
            raise _native.error_for_status(status, details or {})
        if status == Status.STALE:
            reason = _native.last_error().get("message", "the service could not be reached")
            warnings.warn(f"using an expired cached schema: {reason}", StaleSchemaWarning, stacklevel=2)
        value = _native.decode_json(data)
        return value if isinstance(value, dict) else {"": value}

    def compiled_schema(self, operation: Operation = "create", **options: Any) -> Schema:
        """The region's schema compiled for local use (Schema.compile's options apply)."""
        return Schema.compile(self.schema(operation), **options)

    def validate(self, payload: Any, operation: str = "create") -> ValidationReport:
        """Validates a payload as a mutation would before sending it. ``operation``: "create",
        "update", or a mutation name ("candidates.create" validates an array of 1-10 payloads,
        "interactions.create", "attachments.add"). Returns the report; raises for failures of the
        call (JsonError, the schema fetch's ApiError / TransportError, ...)."""
        data = _native.encode_json(payload)
        op = _native.encode_text(operation, "operation")
        lib = _native.load()
        status, report, details = _native.call_out(lib.oreg_client_validate, self._live(), op, data, len(data))
        if status < 0:
            raise _native.error_for_status(status, details or {})
        return report_from(status, report)

    def is_valid(self, payload: Any, operation: str = "create") -> bool:
        """The verdict only, on the fast path."""
        data = _native.encode_json(payload)
        op = _native.encode_text(operation, "operation")
        status = _native.load().oreg_client_validate(self._live(), op, data, len(data), None)
        if status < 0:
            raise _native.failure(status)
        return bool(status == Status.OK)

    # --- mutations ----------------------------------------------------------------------------

    def submit(self, mutation: str, target: str | None = None, body: Any = None, *,
               idempotency_key: str | None = None, callback_url: str | None = None,
               validate: bool = True) -> MutationResult:
        """Submits one mutation by its library name ("candidates.create", ...; see
        oreg_client_submit), exactly once. ``target`` is the candidate id, or "candidateId/subId".
        ``body`` None sends no body. The named methods below are the usual way in.

        Raises ValidationError (nothing was sent), ApiError, TransportError, ... Every exception
        carries ``idempotency_key`` (when the library chose one) and ``retryable``. With an outbox,
        what would have been a TransportError, DeadlineError or retryable ApiError is instead a
        result with ``queued=True`` (see :class:`MutationResult`)."""
        mutation_bytes = _native.encode_text(mutation, "mutation")
        target_bytes = _native.encode_text(target, "target")
        data = None if body is None else _native.encode_json(body, "body")
        options: dict[str, Any] = {}
        if idempotency_key is not None:
            if not isinstance(idempotency_key, str):
                raise TypeError("idempotency_key must be str")
            options["idempotencyKey"] = idempotency_key
        if callback_url is not None:
            if not isinstance(callback_url, str):
                raise TypeError("callback_url must be str")
            options["callbackUrl"] = callback_url
        if not validate:
            options["validate"] = False
        option_bytes = _native.options_json(options) if options else None
        lib = _native.load()
        status, result, details = _native.call_out(lib.oreg_client_submit, self._live(), mutation_bytes,
                                                   target_bytes, data, len(data or b""), option_bytes)
        if status < 0:
            raise _native.error_for_status(status, details or {})
        if status == Status.INVALID:
            key = idempotency_key if idempotency_key not in (None, "content") else None
            raise ValidationError(report_from(status, result), idempotency_key=key)
        value = _native.decode_json(result)
        if not isinstance(value, dict):
            raise ResponseError("the library returned no mutation result", status=Status.ERR_RESPONSE)
        return MutationResult.from_json(value)

    def create_candidates(self, candidates: Sequence[Any], *, idempotency_key: str | None = None,
                          callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """POST /candidates: 1 to 10 create payloads in one mutation."""
        if isinstance(candidates, dict):
            raise TypeError("create_candidates takes a list of payloads; use upsert_candidate for one")
        body = list(candidates) if isinstance(candidates, tuple) else candidates
        return self.submit("candidates.create", None, body, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def upsert_candidate(self, payload: Any, *, idempotency_key: str | None = None,
                         callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """POST /candidates/upsert: one create payload, matched by email, else phone."""
        return self.submit("candidates.upsert", None, payload, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def update_candidate(self, candidate_id: str, fields: Any, *, idempotency_key: str | None = None,
                         callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """PATCH /candidates/{id}: only the fields sent change; None clears a nullable field."""
        return self.submit("candidates.update", _target(candidate_id), fields, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def archive_candidate(self, candidate_id: str, *, idempotency_key: str | None = None,
                          callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """POST /candidates/{id}/archive."""
        return self.submit("candidates.archive", _target(candidate_id), None, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def delete_candidate(self, candidate_id: str, *, idempotency_key: str | None = None,
                         callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """DELETE /candidates/{id}: permanent."""
        return self.submit("candidates.delete", _target(candidate_id), None, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def add_interactions(self, candidate_id: str, interactions: Sequence[Any], *,
                         idempotency_key: str | None = None, callback_url: str | None = None,
                         validate: bool = True) -> MutationResult:
        """POST /candidates/{id}/interactions: a list of interactions (type, performedAt, ...)."""
        if isinstance(interactions, dict):
            raise TypeError("add_interactions takes a list of interactions")
        body = list(interactions) if isinstance(interactions, tuple) else interactions
        return self.submit("interactions.create", _target(candidate_id), body, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def update_interaction(self, candidate_id: str, interaction_id: str, fields: Any, *,
                           idempotency_key: str | None = None, callback_url: str | None = None,
                           validate: bool = True) -> MutationResult:
        """PATCH /candidates/{id}/interactions/{interactionId}."""
        return self.submit("interactions.update", _target(candidate_id, interaction_id, "interaction id"), fields,
                           idempotency_key=idempotency_key, callback_url=callback_url, validate=validate)

    def delete_interaction(self, candidate_id: str, interaction_id: str, *, idempotency_key: str | None = None,
                           callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """DELETE /candidates/{id}/interactions/{interactionId}."""
        return self.submit("interactions.delete", _target(candidate_id, interaction_id, "interaction id"), None,
                           idempotency_key=idempotency_key, callback_url=callback_url, validate=validate)

    def add_attachments(self, candidate_id: str, field: str, files: Sequence[Any], *,
                        idempotency_key: str | None = None, callback_url: str | None = None,
                        validate: bool = True) -> MutationResult:
        """POST /candidates/{id}/attachments: ``field`` is "curriculumVitae" or "otherAttachments",
        ``files`` a list of ``{"url": ...}`` or ``{"base64": ..., "filename": ..., "contentType": ...}``."""
        if not isinstance(field, str):
            raise TypeError("field must be str")
        if isinstance(files, dict):
            raise TypeError("add_attachments takes a list of files")
        body = {"field": field, "files": list(files) if isinstance(files, tuple) else files}
        return self.submit("attachments.add", _target(candidate_id), body, idempotency_key=idempotency_key,
                           callback_url=callback_url, validate=validate)

    def delete_attachment(self, candidate_id: str, attachment_id: str, *, idempotency_key: str | None = None,
                          callback_url: str | None = None, validate: bool = True) -> MutationResult:
        """DELETE /candidates/{id}/attachments/{attachmentId}."""
        return self.submit("attachments.delete", _target(candidate_id, attachment_id, "attachment id"), None,
                           idempotency_key=idempotency_key, callback_url=callback_url, validate=validate)

    # --- the outbox -----------------------------------------------------------------------------

    def flush(self, max: int = 100, ignore_backoff: bool = False) -> FlushReport:  # noqa: A002 - as documented
        """Sends mutations kept in the outbox, oldest first, at most ``max`` in this call, each
        with its original idempotency key. Entries that failed wait before their next attempt (30 s,
        doubling up to an hour); ``ignore_backoff=True`` sends them anyway. Safe while other
        processes flush the same file. Raises MisuseError when the client has no outbox,
        StorageError when the file fails; failures of single entries are in the report."""
        if not isinstance(max, int) or isinstance(max, bool):
            raise TypeError("max must be int")
        if not isinstance(ignore_backoff, bool):
            raise TypeError("ignore_backoff must be bool")
        if max < 1:
            raise MisuseError("max must be at least 1", status=Status.ERR_MISUSE)
        options = _native.options_json({"ignoreBackoff": True}) if ignore_backoff else None
        lib = _native.load()
        status, data, details = _native.call_out(lib.oreg_client_flush, self._live(), min(max, 2**31 - 1), options)
        if status < 0:
            raise _native.error_for_status(status, details or {})
        value = _native.decode_json(data)
        return FlushReport.from_json(value if isinstance(value, dict) else {})

    def outbox_status(self) -> OutboxStatus:
        """The outbox's counts per state and oldest entries, for this client's region
        (monitoring). MisuseError when the client has no outbox."""
        lib = _native.load()
        status, data, details = _native.call_out(lib.oreg_client_outbox, self._live())
        if status < 0:
            raise _native.error_for_status(status, details or {})
        value = _native.decode_json(data)
        return OutboxStatus.from_json(value if isinstance(value, dict) else {})

    def record_callback(self, body: bytes | str | dict[str, Any]) -> bool:
        """Records a received callback in the outbox, **after** verifying it (:class:`Verifier`):
        the entry of its mutation becomes "completed" or "failed". ``body`` is the raw body.
        True when an entry matched; False for a mutation that never went through the outbox.
        MisuseError when the client has no outbox or the body names no mutation or status;
        JsonError when it is not JSON."""
        if not isinstance(body, (bytes, bytearray, memoryview, str, dict)):
            raise TypeError(f"body must be bytes, not {type(body).__name__}")
        data = _native.encode_json(body, "body")
        lib = _native.load()
        status, result, details = _native.call_out(lib.oreg_client_outbox_callback, self._live(), data, len(data))
        if status < 0:
            raise _native.error_for_status(status, details or {})
        value = _native.decode_json(result)
        return isinstance(value, dict) and value.get("matched") is True

    # --- reads --------------------------------------------------------------------------------

    def get(self, path_and_query: str) -> dict[str, Any]:
        """GET relative to the base URL (percent-encoded by the caller): the library's whole answer
        ``{"httpStatus", "requestId", "attempts", "data", "meta", "cursor"}``."""
        path = _native.encode_text(path_and_query, "path_and_query")
        lib = _native.load()
        status, data, details = _native.call_out(lib.oreg_client_get, self._live(), path)
        if status < 0:
            raise _native.error_for_status(status, details or {})
        value = _native.decode_json(data)
        if not isinstance(value, dict):
            raise ResponseError("the library returned no response object", status=Status.ERR_RESPONSE)
        response: dict[str, Any] = value
        return response

    def get_candidate(self, candidate_id: str) -> dict[str, Any]:
        """GET /candidates/{id}. ApiError (http_status 404) for an unknown id."""
        data = self.get(f"/candidates/{_quote(candidate_id, 'candidate id')}")["data"]
        if not isinstance(data, dict):
            raise ResponseError("the service answered no candidate object", status=Status.ERR_RESPONSE)
        return data

    def find_candidate(self, *, email: str | None = None, phone: str | None = None) -> list[dict[str, Any]]:
        """GET /candidates/find by email (case-insensitive) or phone (digits only): the matches,
        possibly none."""
        if (email is None) == (phone is None):
            raise TypeError("find_candidate takes exactly one of email= or phone=")
        name, value = ("email", email) if email is not None else ("phone", phone)
        assert value is not None
        data = self.get(f"/candidates/find?{name}={_quote(value, name)}")["data"]
        return data if isinstance(data, list) else [data]

    def list_interactions(self, candidate_id: str) -> list[dict[str, Any]]:
        """GET /candidates/{id}/interactions."""
        data = self.get(f"/candidates/{_quote(candidate_id, 'candidate id')}/interactions")["data"]
        return data if isinstance(data, list) else []

    def list_candidates(self, page_size: int | None = None, cursor: str | None = None) -> Page:
        """One page of GET /candidates."""
        query: list[str] = []
        if page_size is not None:
            if not isinstance(page_size, int) or isinstance(page_size, bool):
                raise TypeError("page_size must be int")
            query.append(f"pageSize={page_size}")
        if cursor is not None:
            query.append(f"cursor={_quote(cursor, 'cursor')}")
        answer = self.get("/candidates" + ("?" + "&".join(query) if query else ""))
        items = answer.get("data")
        next_cursor = answer.get("cursor")
        meta = answer.get("meta")
        return Page(items=items if isinstance(items, list) else [],
                    cursor=next_cursor if isinstance(next_cursor, str) and next_cursor else None,
                    meta=meta if isinstance(meta, dict) else {})

    def iter_candidates(self, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every candidate, page after page (following ``cursor`` until the last page)."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_candidates(page_size, cursor)
            yield from page.items
            if page.cursor is None:
                return
            if page.cursor in seen:
                raise ResponseError(f"the service returned the cursor {page.cursor!r} twice",
                                    status=Status.ERR_RESPONSE, details={"cursor": page.cursor})
            seen.add(page.cursor)
            cursor = page.cursor

    def iter_pages(self, page_size: int | None = None) -> Iterator[Page]:
        """Every page of GET /candidates."""
        cursor: str | None = None
        while True:
            page = self.list_candidates(page_size, cursor)
            yield page
            if page.cursor is None:
                return
            cursor = page.cursor
