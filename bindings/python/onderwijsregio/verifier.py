"""Verifying the Mutation Engine's signed callbacks (oreg_verifier_*, oreg_callback_sign).

THE RAW-BYTES RULE: the signature covers the request target (path and query, exactly as sent,
undecoded) and the body byte for byte. Pass the body as the ``bytes`` you read from the request,
never a parsed-and-re-serialised copy, and the target as it was on the request line:

- WSGI: ``body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))`` then
  ``verifier.verify_wsgi(environ, body)``, which takes the target from ``RAW_URI`` (gunicorn) or
  ``REQUEST_URI`` (uWSGI, mod_wsgi) when the server sets them, else rebuilds it from SCRIPT_NAME,
  PATH_INFO and QUERY_STRING (exact unless the sender percent-encoded characters it needed not).
- ASGI: ``body = await request.body()`` (all ``http.request`` messages joined), then
  ``verifier.verify_asgi(scope, body)``: ``scope["raw_path"]`` plus ``b"?" + scope["query_string"]``.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
import secrets as _secrets
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

from . import _native
from ._handle import NativeHandle
from .errors import HeaderMalformedError, MisuseError, Status

__all__ = ["Verifier", "sign", "signed_headers", "TIMESTAMP_HEADER", "NONCE_HEADER", "SIGNATURE_HEADER"]

TIMESTAMP_HEADER = "x-mutationengine-timestamp"
NONCE_HEADER = "x-mutationengine-nonce"
SIGNATURE_HEADER = "x-mutationengine-signature"
_NAMES = (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

# The characters a path segment may hold unencoded (RFC 3986 pchar, and "/"): what a sender would
# normally not have percent-encoded. Used only when a WSGI server does not give the raw target.
_PATH_SAFE = "/:@!$&'()*+,;="

Headers = Union[Mapping[Any, Any], Iterable[tuple[Any, Any]], Any]
Clock = Union[int, float, _dt.datetime, None]


def _raw(value: str | bytes | bytearray | memoryview, what: str) -> bytes:
    """A header value or a target as bytes: bytes as they are; str as ISO-8859-1 when it fits (what
    WSGI and http.server give: the wire bytes, one character each), else UTF-8."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape")
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def _name(key: Any) -> str:
    if isinstance(key, (bytes, bytearray)):
        return bytes(key).decode("latin-1").lower()
    return str(key).lower()


def _header_values(headers: Headers) -> dict[str, list[bytes]]:
    """The three x-mutationengine-* headers, looked up case-insensitively, every value kept."""
    found: dict[str, list[bytes]] = {name: [] for name in _NAMES}
    if headers is None:
        return found
    items: Iterable[Any]
    if isinstance(headers, Mapping) or hasattr(headers, "items"):
        items = headers.items()    # dict, any Mapping, email.message.Message, wsgiref Headers
    elif isinstance(headers, (str, bytes)):
        raise TypeError("headers must be a mapping or (name, value) pairs, not a string")
    else:
        items = headers           # ASGI scope["headers"]: [(b"name", b"value"), ...]
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise TypeError("headers must be a mapping or (name, value) pairs") from None
        name = _name(key)
        if name in found and value is not None:
            if isinstance(value, (list, tuple)):
                found[name].extend(_raw(v, name) for v in value)
            else:
                found[name].append(_raw(value, name))
    return found


def _one(values: list[bytes], name: str) -> bytes | None:
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return None
    if name == SIGNATURE_HEADER:
        # Several signature headers: every entry of every one may match (key rotation).
        return b" ".join(distinct)
    if len(distinct) > 1:
        raise HeaderMalformedError(f"the {name} header occurs more than once with different values",
                                   status=Status.ERR_HEADER_MALFORMED)
    return distinct[0]


def _body(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        raise TypeError("the callback body must be the raw request bytes as received, not str: "
                        "decoding and re-encoding can change them (WSGI: environ['wsgi.input'].read(n), "
                        "ASGI: await request.body())")
    raise TypeError(f"the callback body must be bytes, not {type(body).__name__}")


def _clock(now: Clock) -> int:
    if now is None:
        return 0
    if isinstance(now, bool):
        raise TypeError("now must be Unix seconds (int or float), a datetime or None")
    if isinstance(now, _dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now must be a timezone-aware datetime")
        return int(now.timestamp())
    if isinstance(now, (int, float)):
        value = int(now)
        if value == 0:
            raise ValueError("now=0 would mean the system clock; pass None for that")
        return value
    raise TypeError("now must be Unix seconds (int or float), a datetime or None")


def _target_text(path_and_query: str | bytes) -> bytes:
    data = _raw(path_and_query, "path_and_query")
    if b"\0" in data:
        raise MisuseError("path_and_query must not contain a NUL byte", status=Status.ERR_MISUSE)
    return data


def wsgi_target(environ: Mapping[str, Any]) -> bytes:
    """The request target of a WSGI request as it was on the request line, as far as the server
    lets us know it: RAW_URI or REQUEST_URI when set, else quote(SCRIPT_NAME + PATH_INFO) plus
    "?" + QUERY_STRING when there is one."""
    for name in ("RAW_URI", "REQUEST_URI"):
        value = environ.get(name)
        if value:
            raw = _raw(value, name)
            if raw.startswith((b"http://", b"https://")):
                # absolute-form request line (through a proxy): keep path and query only
                parts = urllib.parse.urlsplit(raw)
                raw = (parts.path or b"/") + (b"?" + parts.query if parts.query else b"")
            return raw
    path = _raw(environ.get("SCRIPT_NAME", "") or "", "SCRIPT_NAME") + _raw(environ.get("PATH_INFO", "") or "",
                                                                               "PATH_INFO")
    target = urllib.parse.quote(path or b"/", safe=_PATH_SAFE).encode("ascii")
    query = environ.get("QUERY_STRING") or ""
    if query:
        target += b"?" + _raw(query, "QUERY_STRING")
    return target


def asgi_target(scope: Mapping[str, Any]) -> bytes:
    """The request target of an ASGI HTTP scope: raw_path (else the encoded path) and the query."""
    raw = scope.get("raw_path")
    if raw is None:
        path = scope.get("root_path", "") + scope.get("path", "")
        raw = urllib.parse.quote(path or "/", safe=_PATH_SAFE).encode("ascii")
    query = scope.get("query_string") or b""
    return _raw(raw, "raw_path") + (b"?" + _raw(query, "query_string") if query else b"")


class Verifier(NativeHandle, free="oreg_verifier_free", noun="verifier"):
    """Verifies signed callbacks. Create one per process and share it between threads.

    ``secrets``: 1 to 16 signing secrets (str, each at least 16 bytes; several during key
    rotation). ``tolerance``: seconds the timestamp may lie from the clock (default 300).
    ``replay_store``: None (accepted nonces kept in this verifier's memory), the path of an SQLite
    file shared by every process of the host (use it under multi-process servers: gunicorn,
    uWSGI), or False (no replay protection). ``max_entries`` bounds the store (default 100000).
    :meth:`close` also closes the replay store file.
    """

    def __init__(self, secrets: Sequence[str], tolerance: int | None = 300,
                 replay_store: str | os.PathLike[str] | bool | None = None, *,
                 max_entries: int | None = None) -> None:
        super().__init__()
        if isinstance(secrets, (str, bytes)):
            raise TypeError("secrets must be a list of secrets, not one string: Verifier(secrets=[secret])")
        secret_list = []
        for secret in secrets:
            if isinstance(secret, bytes):
                secret = secret.decode("utf-8")
            if not isinstance(secret, str):
                raise TypeError("every secret must be str")
            secret_list.append(secret)
        options: dict[str, Any] = {"secrets": secret_list}
        if tolerance is not None:
            if not isinstance(tolerance, int) or isinstance(tolerance, bool):
                raise TypeError("tolerance must be int (seconds)")
            options["toleranceSeconds"] = tolerance
        if replay_store is False:
            if max_entries is not None:
                raise MisuseError("max_entries needs a replay store", status=Status.ERR_MISUSE)
            options["replayStore"] = False
        elif replay_store is True or replay_store is None:
            if max_entries is not None:
                options["replayStore"] = {"maxEntries": max_entries}
        elif isinstance(replay_store, (str, os.PathLike)):
            store: dict[str, Any] = {"path": os.fspath(replay_store)}
            if max_entries is not None:
                store["maxEntries"] = max_entries
            options["replayStore"] = store
        elif isinstance(replay_store, Mapping):
            options["replayStore"] = _native.camel_keys(dict(replay_store))
        else:
            raise TypeError("replay_store must be None, False, a path or a dict")
        data = _native.options_json(options)
        del options, secret_list
        lib = _native.load()
        out = ctypes.c_void_p()
        status = lib.oreg_verifier_new(data, ctypes.byref(out))
        del data
        if status != Status.OK:
            error = _native.failure(status)
            lib.oreg_verifier_free(out)     # NULL after a failure, by contract; harmless
            raise error
        self._handle = out.value

    def verify(self, path_and_query: str | bytes, body: bytes, headers: Headers, now: Clock = None) -> None:
        """Verifies one callback; returns None when it is genuine and fresh (act on it), raises
        otherwise:

        - SignatureError (HeaderMissingError, HeaderMalformedError, TimestampError): refuse (401),
          process nothing;
        - ReplayError (a SignatureError too): genuine but seen before: answer 2xx, do not process;
        - StorageError: the replay store failed: answer 5xx so the engine delivers it again.

        ``path_and_query``: the request target as received ("/hooks/x?site=3"). ``body``: the raw
        bytes (a str is a TypeError). ``headers``: any mapping (dict, email.message.Message,
        wsgiref Headers, ...) or (name, value) pairs (ASGI), looked up case-insensitively.
        ``now``: Unix seconds or an aware datetime, for tests; None is the system clock.
        """
        raw_body = _body(body)
        target = _target_text(path_and_query)
        values = _header_values(headers)
        timestamp = _one(values[TIMESTAMP_HEADER], TIMESTAMP_HEADER)
        nonce = _one(values[NONCE_HEADER], NONCE_HEADER)
        signature = _one(values[SIGNATURE_HEADER], SIGNATURE_HEADER)
        self._verify(target, raw_body, timestamp, nonce, signature, _clock(now))

    def _verify(self, target: bytes, body: bytes, timestamp: bytes | None, nonce: bytes | None,
                signature: bytes | None, now: int) -> None:
        for value in (timestamp, nonce, signature):
            if value is not None and b"\0" in value:
                raise HeaderMalformedError("a callback header holds a NUL byte", status=Status.ERR_HEADER_MALFORMED)
        lib = _native.load()
        status = lib.oreg_verifier_verify(self._live(), target, body, len(body), timestamp, nonce, signature, now)
        if status != Status.OK:
            raise _native.failure(status)

    def verify_wsgi(self, environ: Mapping[str, Any], body: bytes, now: Clock = None) -> None:
        """verify() for a WSGI request: the target from RAW_URI / REQUEST_URI when the server sets
        them, else quote(SCRIPT_NAME + PATH_INFO) + "?" + QUERY_STRING; the headers from
        HTTP_X_MUTATIONENGINE_*. ``body``: what you read from environ["wsgi.input"]."""
        raw_body = _body(body)
        headers = {
            TIMESTAMP_HEADER: environ.get("HTTP_X_MUTATIONENGINE_TIMESTAMP"),
            NONCE_HEADER: environ.get("HTTP_X_MUTATIONENGINE_NONCE"),
            SIGNATURE_HEADER: environ.get("HTTP_X_MUTATIONENGINE_SIGNATURE"),
        }
        self.verify(wsgi_target(environ), raw_body, headers, now)

    def verify_asgi(self, scope: Mapping[str, Any], body: bytes, now: Clock = None) -> None:
        """verify() for an ASGI HTTP scope: scope["raw_path"] + "?" + scope["query_string"], the
        headers from scope["headers"]. ``body``: the whole request body (await request.body())."""
        self.verify(asgi_target(scope), _body(body), scope.get("headers") or [], now)

    def __repr__(self) -> str:
        return f"<onderwijsregio.Verifier {'closed' if self.closed else 'open'}>"


def sign(secret: str | bytes, path_and_query: str | bytes, body: bytes, timestamp: int | str,
         nonce: str) -> str:
    """The x-mutationengine-signature value ("v2=<base64>") the engine would send: for testing
    your own callback endpoint. Raises MisuseError (short secret, bad path) or
    HeaderMalformedError (timestamp or nonce not in their formats)."""
    raw_body = _body(body)
    secret_bytes = _native.encode_text(secret, "secret")
    target = _target_text(path_and_query)
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, str)):
        raise TypeError("timestamp must be int or str (Unix seconds)")
    ts = _native.encode_text(str(timestamp), "timestamp")
    nonce_bytes = _native.encode_text(nonce, "nonce")
    lib = _native.load()
    status, value, details = _native.call_out(lib.oreg_callback_sign, secret_bytes, target, raw_body,
                                              len(raw_body), ts, nonce_bytes)
    if status < 0:
        raise _native.error_for_status(status, details or {})
    assert value is not None
    return value.decode("ascii")


def signed_headers(secret: str | bytes, path_and_query: str | bytes, body: bytes, *,
                   timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    """The three x-mutationengine-* headers of a callback signed now (or at ``timestamp``), with a
    fresh random nonce unless one is given: ready to send to your endpoint in a test."""
    ts = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or _secrets.token_urlsafe(24)
    return {TIMESTAMP_HEADER: str(ts), NONCE_HEADER: nonce,
            SIGNATURE_HEADER: sign(secret, path_and_query, body, ts, nonce)}
