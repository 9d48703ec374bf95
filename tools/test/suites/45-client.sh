#!/usr/bin/env bash
# Client suite: bindings/python/tests/test_client.py (pytest, ctypes) drives the built library's
# oreg_client_* functions over HTTP against the local API simulator (tools/simulator).
# Usage: 45-client.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-client}" bindings/python/tests/test_client.py
