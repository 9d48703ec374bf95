#!/usr/bin/env bash
# make wheel: builds dist/onderwijsregio-<version>-py3-none-<platform>.whl, the Python binding
# (bindings/python) with the built library inside (onderwijsregio/_lib/libonderwijsregio.so.0).
# Standard library only: no network, no setuptools. Prints the wheel's path.
# Usage: wheel.sh [output directory, default dist]. Environment: PYTHON (default python3),
# ONDERWIJSREGIO_WHEEL_LIB (default: what dist/lib/libonderwijsregio.so.0 points to),
# ONDERWIJSREGIO_WHEEL_PLATFORM (default linux_<machine>; e.g. manylinux_2_36_x86_64).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/dist}
lib=${ONDERWIJSREGIO_WHEEL_LIB:-$repo/dist/lib/libonderwijsregio.so.0}
if [ ! -e "$lib" ]; then
    echo "wheel.sh: $lib does not exist: run \`make dist\` first" >&2
    exit 1
fi
lib=$(readlink -f "$lib")
exec "${PYTHON:-python3}" "$repo/bindings/python/build_wheel.py" --lib "$lib" --out "$out"
