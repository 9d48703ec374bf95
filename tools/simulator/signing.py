"""Callback signatures, contract section 8: the simulator's own implementation.

Written independently of the library (Python's hmac, hashlib and base64, no call into
libonderwijsregio), so that a library verifier that accepts these signatures has been checked
against a second implementation, not against itself.
"""
from __future__ import annotations

import base64
import hashlib
import hmac


def string_to_sign(timestamp: str, nonce: str, path_and_query: str, raw_body: bytes) -> bytes:
    """The bytes the HMAC covers: timestamp, nonce, request target and raw body, joined by LF.

    The request target is the path plus query exactly as the receiver sees it on the request
    line (no scheme, host or fragment); nothing is re-encoded or normalised.
    """
    return b"\n".join((timestamp.encode("ascii"), nonce.encode("ascii"),
                       path_and_query.encode("utf-8"), raw_body))


def signature(secret: str, timestamp: str, nonce: str, path_and_query: str, raw_body: bytes) -> str:
    """Standard base64 (with padding) of HMAC-SHA256 keyed with the secret's UTF-8 bytes."""
    digest = hmac.new(secret.encode("utf-8"),
                      string_to_sign(timestamp, nonce, path_and_query, raw_body),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_header(secrets: list[str], timestamp: str, nonce: str, path_and_query: str,
                     raw_body: bytes) -> str:
    """The x-mutationengine-signature value: one space-separated `v2=` entry per secret
    (several secrets while a region rotates its key)."""
    return " ".join("v2=" + signature(secret, timestamp, nonce, path_and_query, raw_body)
                    for secret in secrets)
