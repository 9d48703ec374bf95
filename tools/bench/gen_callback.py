#!/usr/bin/env python3
"""Writes the callback body that the verification benchmark signs and verifies.

    gen_callback.py OUT_FILE [SIZE]

A mutation result payload in the shape of api-contract.md section 8 (a failed candidate.create
with its error message), padded in the message to exactly SIZE bytes (default 1024), compact
JSON, UTF-8, no newline at the end: the raw body as the engine would POST it. Deterministic, so
every harness (C, Python, PHP) and every run signs the same bytes. Prints its size and CRC-32.
"""
import json
import sys
import zlib


def body(size):
    doc = {
        "mutationId": "mut_01JD8Q3V6M4W2X9T0B5N7R1K8C",
        "idempotencyKey": "bench-verify-6f1c0e2a-7d4b-4c55-9a3e-0b8f2d61c7aa",
        "operation": "candidate.create",
        "status": "failed",
        "resource": {"type": "candidate", "ids": ["recBench0000000001"]},
        "error": {"code": "validation_failed", "message": ""},
        "completedAt": "2026-11-30T05:00:00.000Z",
    }
    base = len(json.dumps(doc, separators=(",", ":")).encode())
    if base > size:
        raise SystemExit("gen_callback.py: %d bytes is smaller than the payload without a message (%d)" % (size, base))
    words = ("The field email of candidate recBench0000000001 is not a valid address; "
             "the region rejected the mutation and kept the previous version. ")
    doc["error"]["message"] = (words * (size // len(words) + 1))[: size - base]
    data = json.dumps(doc, separators=(",", ":")).encode()
    assert len(data) == size, len(data)
    return data


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__.split("\n\n")[1])
    data = body(int(sys.argv[2]) if len(sys.argv) == 3 else 1024)
    with open(sys.argv[1], "wb") as f:
        f.write(data)
    print("%d bytes, crc32 %08x" % (len(data), zlib.crc32(data)))


if __name__ == "__main__":
    main()
