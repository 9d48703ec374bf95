#!/usr/bin/env bash
# Python ABI suite: bindings/python/tests/test_abi.py (pytest, ctypes) against the built library.
# Usage: 40-python-abi.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-python-abi}" bindings/python/tests/test_abi.py
