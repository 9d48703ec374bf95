#!/usr/bin/env bash
# Reliability suite: bindings/python/tests/test_reliability.py (pytest, ctypes and the Python binding)
# against the local API simulator: a soak of 1,000 mutations with 30% of requests faulted (one C ABI
# client, then 4 threads sharing one Python Client), secrets absent from every error path, output
# and file, TLS verification with a self-signed certificate and caBundle, and every size, depth and
# range limit. Usage: 49-reliability.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-reliability}" bindings/python/tests/test_reliability.py
