# cli_env.sh — sourced by tests/integration/test_cli_*.sh: a throwaway single broker
# on free loopback ports, and assertions about `runnel` runs.
#
#   source cli_env.sh BUILD_DIR     sets RUNNEL, RUNNELD, TMP; start_broker sets PORT
#                                   and RUNNEL_BOOTSTRAP; the broker stops on exit.
#   run CMD...                      runs CMD; $RC, $OUT (stdout file), $ERR (stderr file)
#   expect_rc N CMD...              run, and fail unless the exit code is N
set -euo pipefail

BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
RUNNEL=$BUILD/runnel
RUNNELD=$BUILD/runneld
TMP=$(mktemp -d "${TMPDIR:-/tmp}/runnel-cli-test.XXXXXX")
OUT=$TMP/out
ERR=$TMP/err
BROKER_PID=
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset RUNNEL_BOOTSTRAP

fail() {
    echo "FAIL: $*" >&2
    if [[ -s $ERR ]]; then
        echo "--- last stderr:" >&2
        head -c 4000 "$ERR" >&2
    fi
    if [[ -n $BROKER_PID && -f $TMP/broker.log ]]; then
        echo "--- broker log (tail):" >&2
        tail -n 30 "$TMP/broker.log" >&2
    fi
    exit 1
}

cleanup() {
    if [[ -n $BROKER_PID ]]; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# A port nobody listens on right now (the kernel's choice for an ephemeral bind).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start runneld on fresh ports, retrying when a port was taken meanwhile; returns once
# `runnel topic list` succeeds against it.
start_broker() {
    [[ -x $RUNNELD ]] || fail "no broker binary at $RUNNELD"
    for _ in 1 2 3 4 5; do
        if start_broker_once; then
            return 0
        fi
        grep -qi "in use" "$TMP/broker.log" || fail "runneld exited at start-up"
    done
    fail "runneld found no free port in 5 attempts"
}

start_broker_once() {
    PORT=$(free_port)
    local cport
    cport=$(free_port)
    "$RUNNELD" --override "listeners=127.0.0.1:$PORT" \
        --override "controller.listener=127.0.0.1:$cport" \
        --override "controller.quorum.voters=1@127.0.0.1:$cport" \
        --override "log.dirs=$TMP/data" >"$TMP/broker.log" 2>&1 &
    BROKER_PID=$!
    export RUNNEL_BOOTSTRAP=127.0.0.1:$PORT
    for _ in $(seq 1 150); do
        if "$RUNNEL" topic list >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$BROKER_PID" 2>/dev/null; then
            wait "$BROKER_PID" 2>/dev/null || true
            BROKER_PID=
            return 1
        fi
        sleep 0.1
    done
    fail "runneld did not answer on 127.0.0.1:$PORT within 15 s"
}

run() {
    set +e
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
}

# run with stdin from a file
run_in() {
    local in=$1
    shift
    set +e
    "$@" <"$in" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
}

expect_rc() {
    local want=$1
    shift
    run "$@"
    [[ $RC == "$want" ]] || fail "expected exit $want, got $RC: $*"
}

# The error line: exactly one line on stderr, containing every argument.
expect_err_line() {
    local n
    n=$(wc -l <"$ERR")
    [[ $n == 1 ]] || fail "expected one stderr line, got $n"
    for want in "$@"; do
        grep -qF -- "$want" "$ERR" || fail "stderr lacks '$want': $(cat "$ERR")"
    done
}
