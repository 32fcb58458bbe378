#!/usr/bin/env bash
# test_cli_errors.sh — `runnel` exit codes and error lines: usage errors exit 2 naming
# the flag, an unreachable bootstrap address exits 1 naming it, help exits 0.
# Needs no broker except the last block.
#   tests/integration/test_cli_errors.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"
[[ -x $RUNNEL ]] || fail "no runnel binary at $RUNNEL"

# help at every level: stdout, exit 0
for cmd in "" "topic" "topic create" "topic list" "topic describe" "topic alter" \
    "topic delete" "produce" "consume" "cluster" "cluster status" "perf" "perf produce" \
    "perf consume"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$RUNNEL" $cmd --help
    grep -q "usage: runnel" "$OUT" || fail "'runnel $cmd --help' printed no usage"
done
expect_rc 0 "$RUNNEL" --version
grep -qE "^runnel [0-9]+\.[0-9]+\.[0-9]+$" "$OUT" || fail "--version: $(cat "$OUT")"

# usage errors: exit 2, one line naming the culprit
expect_rc 2 "$RUNNEL"
expect_rc 2 "$RUNNEL" nosuchcommand
expect_err_line nosuchcommand
expect_rc 2 "$RUNNEL" --bogus topic list
expect_err_line -- --bogus
expect_rc 2 "$RUNNEL" topic
expect_rc 2 "$RUNNEL" topic frobnicate
expect_err_line frobnicate
expect_rc 2 "$RUNNEL" topic create t --bogus
expect_err_line -- --bogus
expect_rc 2 "$RUNNEL" topic create t --partitions abc
expect_err_line -- --partitions abc
expect_rc 2 "$RUNNEL" topic create t --partitions 0
expect_err_line -- --partitions "out of range"
expect_rc 2 "$RUNNEL" topic create t --config novalue
expect_err_line -- --config KEY=VALUE
expect_rc 2 "$RUNNEL" topic create
expect_err_line "missing argument"
expect_rc 2 "$RUNNEL" topic create a b
expect_err_line "'b'"
expect_rc 2 "$RUNNEL" produce t --acks 2
expect_err_line -- --acks
expect_rc 2 "$RUNNEL" produce t --compression lz4
expect_err_line -- --compression
expect_rc 2 "$RUNNEL" produce t --partitioner random
expect_err_line -- --partitioner
expect_rc 2 "$RUNNEL" produce t --linger-ms -5
expect_err_line -- --linger-ms
expect_rc 2 "$RUNNEL" produce t --key-separator ""
expect_err_line -- --key-separator
expect_rc 2 "$RUNNEL" consume t --group g --partition 0
expect_err_line -- --partition --group
expect_rc 2 "$RUNNEL" consume t --offset 3
expect_err_line -- --offset --partition
expect_rc 2 "$RUNNEL" consume t --max-messages
expect_err_line -- "--max-messages needs a value"
expect_rc 2 "$RUNNEL" perf produce t --record-size 10
expect_err_line -- --num-records
expect_rc 2 "$RUNNEL" perf produce t --num-records 10 --record-size 10 --throughput 0
expect_err_line -- --throughput
expect_rc 2 "$RUNNEL" perf consume t
expect_err_line -- --num-records
expect_rc 2 "$RUNNEL" group frobnicate
expect_err_line frobnicate
expect_rc 2 "$RUNNEL" -b localhost topic list
expect_err_line "'localhost'"
expect_rc 2 "$RUNNEL" -b 127.0.0.1:99999 topic list
expect_err_line 127.0.0.1:99999
RUNNEL_BOOTSTRAP=nonsense expect_rc 2 "$RUNNEL" topic list
expect_err_line nonsense

# unreachable bootstrap: exit 1 naming the address, for every kind of client
dead=127.0.0.1:$(free_port)
expect_rc 1 "$RUNNEL" -b "$dead" topic list
expect_err_line "$dead"
expect_rc 1 "$RUNNEL" -b "$dead" topic create t
expect_err_line "$dead"
expect_rc 1 "$RUNNEL" -b "$dead" cluster status
expect_err_line "$dead"
RUNNEL_BOOTSTRAP=$dead expect_rc 1 "$RUNNEL" topic describe t
expect_err_line "$dead"
expect_rc 1 "$RUNNEL" -b "$dead" consume t --timeout-ms 2000
expect_err_line "$dead"
echo hello >"$TMP/one"
run_in "$TMP/one" "$RUNNEL" -b "$dead" produce t --delivery-timeout-ms 2000
[[ $RC == 1 ]] || fail "produce to $dead: rc $RC"
expect_err_line "1 of 1" "$dead"

echo "test_cli_errors: ok"
