#!/usr/bin/env bash
# Installs what the build and the tests need: Debian packages (as root) and Python modules.
# Not root and something missing: prints the exact command and stops.
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "make deps: missing Debian packages. Run as root:" >&2
        echo "  apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "make deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
# "module to import=what pip installs when it is missing". The simulator needs jsonschema 4.18 or
# later; `referencing` is importable exactly from that version on.
modules=(pytest=pytest "referencing=jsonschema>=4.18")
need=()
for entry in "${modules[@]}"; do
    "$python" -c "import ${entry%%=*}" 2>/dev/null || need+=("${entry#*=}")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "make deps: installing Python modules ${need[*]}"
    "$python" -m pip install --quiet --disable-pip-version-check "${need[@]}"
fi
