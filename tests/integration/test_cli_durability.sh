#!/usr/bin/env bash
# test_cli_durability.sh — every acknowledged record survives a broker killed with
# SIGKILL (kill -9) and a broker stopped with SIGTERM: produce with acks=1 and
# acks=all, stop the broker the hard way, restart it on the same data directory and
# ports, and read everything back.
#   tests/integration/test_cli_durability.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"

# Our own start, so that a restart reuses the same ports (the quorum's voter address
# is part of its stored configuration).
CPORT=
launch() {
    "$RUNNELD" --override "listeners=127.0.0.1:$PORT" \
        --override "controller.listener=127.0.0.1:$CPORT" \
        --override "controller.quorum.voters=1@127.0.0.1:$CPORT" \
        --override "log.dirs=$TMP/data" >>"$TMP/broker.log" 2>&1 &
    BROKER_PID=$!
    export RUNNEL_BOOTSTRAP=127.0.0.1:$PORT
    for _ in $(seq 1 150); do
        "$RUNNEL" topic list >/dev/null 2>&1 && return 0
        kill -0 "$BROKER_PID" 2>/dev/null || fail "runneld exited at start-up"
        sleep 0.1
    done
    fail "runneld did not answer on 127.0.0.1:$PORT within 15 s"
}

stop_with() { # SIGNAL: stop the broker, wait for it; its exit status in $STOP_RC
    kill "-$1" "$BROKER_PID"
    set +e
    wait "$BROKER_PID"
    STOP_RC=$?
    set -e
    BROKER_PID=
}

produce_acked() { # TOPIC ACKS FIRST LAST: lines FIRST..LAST, all must be acknowledged
    seq "$3" "$4" | sed "s/^/rec-$2-/" >"$TMP/in"
    run_in "$TMP/in" "$RUNNEL" produce "$1" --acks "$2"
    [[ $RC == 0 ]] || fail "produce --acks $2: rc $RC $(cat "$ERR")"
    cat "$TMP/in" >>"$TMP/acked"
}

expect_all_acked() { # TOPIC: read back exactly the acknowledged lines
    local n
    n=$(wc -l <"$TMP/acked")
    expect_rc 0 "$RUNNEL" consume "$1" --from-beginning --max-messages "$n" --timeout-ms 10000
    diff <(sort "$TMP/acked") <(sort "$OUT") >"$TMP/diff" ||
        fail "after $2: $(grep -c '^<' "$TMP/diff" || true) acknowledged records missing"
}

PORT=$(free_port)
CPORT=$(free_port)
: >"$TMP/acked"
launch
expect_rc 0 "$RUNNEL" topic create durable --partitions 3
produce_acked durable 1 1 5000
produce_acked durable all 5001 10000

stop_with KILL
[[ $STOP_RC == 137 ]] || fail "kill -9: broker exit status $STOP_RC"
launch
expect_all_acked durable "kill -9"
grep -q "WARN" "$TMP/broker.log" && grep "WARN" "$TMP/broker.log" | grep -qi "truncat" &&
    fail "recovery truncated acknowledged data: $(grep WARN "$TMP/broker.log" | head -n 2)"

produce_acked durable 1 10001 12000
stop_with TERM
[[ $STOP_RC == 0 ]] || fail "SIGTERM: broker exit status $STOP_RC"
[[ -f $TMP/data/.clean-shutdown ]] || fail "no clean-shutdown marker after SIGTERM"
launch
expect_all_acked durable "SIGTERM"

# And once more the hard way, right after a restart, with offsets continuing.
produce_acked durable all 12001 13000
stop_with KILL
launch
expect_all_acked durable "a second kill -9"
echo "durability: $(wc -l <"$TMP/acked") acknowledged records survived two kill -9 and a SIGTERM"
