#!/usr/bin/env bash
# Python binding suite: bindings/python/tests/test_binding.py (pytest) drives the package
# bindings/python/onderwijsregio (Schema, Client, Verifier, sign, exceptions, the CLI, the examples
# of examples/python) against the built library and the local API simulator (tools/simulator), builds
# the wheel with tools/build/wheel.sh into a temporary directory and installs it into a fresh venv.
# Usage: 47-python-binding.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-python-binding}" bindings/python/tests/test_binding.py
