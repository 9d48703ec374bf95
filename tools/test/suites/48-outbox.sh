#!/usr/bin/env bash
# Outbox suite: bindings/python/tests/test_outbox.py (pytest, ctypes) drives the built library's
# durable outbox (option "outbox", OREG_QUEUED, oreg_client_flush, oreg_client_outbox,
# oreg_client_outbox_callback) against the local API simulator (tools/simulator), stopped,
# restarted and faulted, with processes killed mid-flush, flushing at once, and damaged files.
# Usage: 48-outbox.sh <suite name>. Run and counted by tools/test/pytest-suite.sh.
exec bash "$(dirname "$0")/../pytest-suite.sh" "${1:-outbox}" bindings/python/tests/test_outbox.py
