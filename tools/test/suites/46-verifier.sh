#!/usr/bin/env bash
# Verifier suite: bindings/python/tests/test_verifier.py (pytest, ctypes) drives the built library's
# oreg_verifier_* and oreg_callback_sign with real signed callbacks of the local API simulator
# (tools/simulator) and with callbacks signed by an independent Python implementation.
# Usage: 46-verifier.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-verifier}" bindings/python/tests/test_verifier.py
