#!/usr/bin/env bash
# The artefact as a deployer gets it: self-contained (nothing from the Swift toolchain), only
# oreg_* exported, soname and links, stripped, NODELETE, and `make install` + pkg-config work.
set -uo pipefail
name=$1
cd "$(dirname "$0")/../../.."
lib=dist/lib/libonderwijsregio.so
real=$(readlink -f "$lib")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {
    local description=$1; shift
    if output=$("$@" 2>&1); then
        echo "ok   $description"; passed=$((passed + 1))
    else
        echo "FAIL $description"; [ -n "$output" ] && sed 's/^/     /' <<<"$output"; failed=$((failed + 1))
    fi
}

toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")

no_swift_in_ldd() { ! ldd "$lib" | grep -Ei "swift|$toolchain"; }
only_system_needs() {
    local unexpected
    unexpected=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
        grep -Ev '^(libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64|ld-linux-aarch64|libcurl|libcrypto|libpcre2-8|libsqlite3)\.so')
    [ -z "$unexpected" ] || { echo "unexpected dependencies: $unexpected"; return 1; }
}
exports_only_oreg() {
    local others
    others=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ && $3 !~ /^oreg_/ { print $3 }')
    [ -z "$others" ] || { echo "exported besides oreg_*: $(head -5 <<<"$others")"; return 1; }
    nm -D --defined-only "$lib" | grep -q ' T oreg_json_canonicalize$'
}
soname_and_links() {
    readelf -d "$lib" | grep -q 'Library soname: \[libonderwijsregio.so.0\]' &&
        [ "$(readlink dist/lib/libonderwijsregio.so)" = libonderwijsregio.so.0 ] &&
        [ -e dist/lib/libonderwijsregio.so.0 ]
}
stripped() { ! readelf -S "$real" | grep -q '\.symtab'; }
nodelete() { readelf -d "$lib" | grep -q 'NODELETE'; }

# The C test binary runs with the toolchain's directory hidden behind an empty tmpfs, as on a
# host that never had Swift.
loads_without_toolchain() {
    [ -x .build-test/test_abi ] || { echo "run the c-abi suite first"; return 1; }
    if ! unshare -m true 2>/dev/null; then
        echo "cannot create a mount namespace here (need root); checked ldd only"
        return 1
    fi
    unshare -m sh -c "mount -t tmpfs none '$toolchain' && [ ! -e '$toolchain/bin/swift' ] && .build-test/test_abi >/dev/null"
}

install_and_pkg_config() {
    make --no-print-directory install PREFIX="$work/prefix" >/dev/null || return 1
    cat > "$work/use.c" <<'C'
#include <onderwijsregio.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    char *out = NULL;
    int status = oreg_json_canonicalize("{\"b\":1,\"a\":2}", 13, &out);
    int ok = status == OREG_OK && out && strcmp(out, "{\"a\":2,\"b\":1}") == 0;
    oreg_free(out);
    return ok ? 0 : 1;
}
C
    local flags
    flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs onderwijsregio) || return 1
    ${CC:-cc} -o "$work/use" "$work/use.c" $flags -Wl,-rpath,"$work/prefix/lib" && "$work/use"
}

example_builds_and_runs() {
    local flags
    flags=$(PKG_CONFIG_PATH="$PWD/dist/lib/pkgconfig" pkg-config --cflags --libs onderwijsregio) || return 1
    ${CC:-cc} -Wall -Werror -o "$work/canonicalize" examples/c/canonicalize.c $flags -Wl,-rpath,"$PWD/dist/lib" &&
        [ "$(printf '{"b": 1.0, "a": [1e21]}' | "$work/canonicalize")" = '{"a":[1e+21],"b":1}' ] &&
        ! printf '[1,]' | "$work/canonicalize" 2>/dev/null
}

# libcurl (and the dozens of libraries it pulls in) is loaded by the first client only, so a PHP
# request that validates or verifies pays nothing for it.
libcurl_loaded_on_first_client() {
    cat > "$work/lazy.c" <<'C'
#include <onderwijsregio.h>
#include <stdio.h>
#include <string.h>
static int curl_mapped(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) found |= strstr(line, "libcurl") != NULL;
    if (maps != NULL) fclose(maps);
    return found;
}
int main(void) {
    char *signature = NULL;
    if (oreg_callback_sign("0123456789abcdef", "/x", "{}", 2, "1", "abcdefghijklmnop", &signature) != OREG_OK) return 2;
    oreg_free(signature);
    if (curl_mapped()) { puts("libcurl mapped before any client"); return 1; }
    oreg_client *client = NULL;
    if (oreg_client_new("{\"apiKey\":\"k\"}", &client) != OREG_OK) { puts(oreg_last_error()); return 2; }
    int mapped = curl_mapped();
    oreg_client_free(client);
    if (!mapped) { puts("libcurl not mapped after oreg_client_new"); return 1; }
    return 0;
}
C
    ${CC:-cc} -I dist/include -o "$work/lazy" "$work/lazy.c" -L dist/lib -londerwijsregio -Wl,-rpath,"$PWD/dist/lib" && "$work/lazy"
}

check "ldd shows nothing from the Swift toolchain" no_swift_in_ldd
check "libcurl is loaded by the first client, not with the library" libcurl_loaded_on_first_client
check "depends only on libc, libstdc++, libcurl, libcrypto, libpcre2, libsqlite3" only_system_needs
check "exports oreg_* only" exports_only_oreg
check "soname libonderwijsregio.so.0 with links" soname_and_links
check "stripped" stripped
check "NODELETE (stays mapped when PHP unloads it)" nodelete
check "loads and works with the toolchain unreachable" loads_without_toolchain
check "make install PREFIX=... then pkg-config, compile, link, run" install_and_pkg_config
check "examples/c/canonicalize.c builds and runs" example_builds_and_runs
echo "size: $(stat -c %s "$real") bytes"
echo "$name: $passed passed, $failed failed"
[ $failed = 0 ]
