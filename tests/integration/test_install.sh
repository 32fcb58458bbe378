#!/usr/bin/env bash
# test_install.sh BUILD_DIR — `cmake --install` into a temporary prefix puts runneld,
# runnel, librunnel (shared and static), runnel/runnel.h, runnel.pc, the example
# configs and the systemd unit in place; a small program builds against the installed
# library through pkg-config, once shared and once static, and runs.
set -euo pipefail
BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/runnel-install-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "cmake --install"; }
P=$TMP/prefix
LIBDIR=$(dirname "$(find "$P" -name runnel.pc -path '*pkgconfig*' | head -n 1)")/..
LIBDIR=$(cd "$LIBDIR" && pwd)
for f in bin/runneld bin/runnel include/runnel/runnel.h share/runnel/broker.properties \
         share/runnel/runneld.service share/runnel/cluster/broker-1.properties; do
    [[ -e $P/$f ]] || fail "missing $f after install"
done
[[ -e $LIBDIR/librunnel.a ]] || fail "missing librunnel.a in $LIBDIR"
ls "$LIBDIR"/librunnel.so* >/dev/null 2>&1 || fail "missing librunnel.so in $LIBDIR"
"$P/bin/runneld" --version | grep -q "runneld" || fail "installed runneld --version"
# The static library is self-contained: no undefined rn_ symbol of our own modules.
if nm "$LIBDIR/librunnel.a" 2>/dev/null | grep -E ' U rn_' | awk '{print $2}' | sort -u >"$TMP/und"; then
    nm --defined-only "$LIBDIR/librunnel.a" 2>/dev/null | awk 'NF==3{print $3}' | sort -u >"$TMP/def"
    missing=$(comm -23 "$TMP/und" "$TMP/def" | head -n 5)
    [[ -z $missing ]] || fail "librunnel.a lacks definitions of: $missing"
fi

export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
pkg-config --exists runnel || fail "pkg-config does not find runnel"
[[ $(pkg-config --modversion runnel) =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "pkg-config version"

cat >"$TMP/prog.c" <<'C'
#include <stdio.h>
#include <runnel/runnel.h>
int main(void) {
    rn_conf_t *c = rn_conf_new();
    char err[128];
    if (rn_conf_set(c, "linger.ms", "7", err, sizeof err) != 0) return 1;
    rn_conf_free(c);
    printf("%d\n", (int)rn_partition_hash("key", 3, 12));
    return 0;
}
C
CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
EXTRA=()
if grep -q '^RN_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    EXTRA=(-fsanitize=address,undefined)   # the installed objects are instrumented
fi
# shared
# shellcheck disable=SC2046
"$CC" "${EXTRA[@]}" -o "$TMP/prog_shared" "$TMP/prog.c" $(pkg-config --cflags --libs runnel) ||
    fail "build against the shared library"
out=$(LD_LIBRARY_PATH=$LIBDIR "$TMP/prog_shared") || fail "run (shared)"
# static
# shellcheck disable=SC2046
"$CC" "${EXTRA[@]}" -o "$TMP/prog_static" "$TMP/prog.c" -Wl,-Bstatic \
    $(pkg-config --cflags --libs-only-L runnel) -lrunnel -Wl,-Bdynamic \
    $(pkg-config --static --libs-only-l runnel | sed 's/-lrunnel//') ||
    fail "build against the static library"
ldd "$TMP/prog_static" | grep -q librunnel && fail "static program loads librunnel.so"
out2=$("$TMP/prog_static") || fail "run (static)"
[[ $out == "$out2" ]] || fail "shared and static disagree: $out vs $out2"
# murmur2("key") & 0x7fffffff mod 12, as Kafka computes it
want=$(python3 -c '
def m2(d):
    s, m, r = 0x9747b28c, 0x5bd1e995, 24
    h = (s ^ len(d)) & 0xffffffff
    n = len(d) // 4
    for i in range(n):
        k = int.from_bytes(d[4*i:4*i+4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> r; k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff; h ^= k
    t = d[4*n:]
    if len(t) >= 3: h ^= t[2] << 16
    if len(t) >= 2: h ^= t[1] << 8
    if len(t) >= 1: h ^= t[0]; h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
print((m2(b"key") & 0x7fffffff) % 12)')
[[ $out == "$want" ]] || fail "rn_partition_hash through the installed library: $out, want $want"
echo "ok: installed under $P, built shared and static against pkg-config"
