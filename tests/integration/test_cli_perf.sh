#!/usr/bin/env bash
# test_cli_perf.sh — `runnel perf produce/consume` against a real broker: the summary
# lines in Kafka's exact form, and --throughput throttling.
#   tests/integration/test_cli_perf.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"
start_broker

num='[0-9]+(\.[0-9]+)?'
produce_re="^20000 records sent, $num records/sec \($num MB/sec\), $num ms avg latency, "
produce_re+="$num ms max latency, $num ms 50th, $num ms 95th, $num ms 99th, $num ms 99.9th\.$"
consume_re="^20000 records received, $num records/sec \($num MB/sec\)$"

expect_rc 0 "$RUNNEL" topic create perf --partitions 2
expect_rc 0 "$RUNNEL" perf produce perf --num-records 20000 --record-size 100 --acks 1
[[ $(tail -n 1 "$OUT") =~ $produce_re ]] || fail "perf produce summary: $(tail -n 1 "$OUT")"
expect_rc 0 "$RUNNEL" perf consume perf --num-records 20000
[[ $(tail -n 1 "$OUT") =~ $consume_re ]] || fail "perf consume summary: $(tail -n 1 "$OUT")"

# gzip, acks 0/all
for flags in "--acks 0" "--acks all --compression gzip"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$RUNNEL" perf produce perf --num-records 20000 --record-size 100 $flags
    [[ $(tail -n 1 "$OUT") =~ $produce_re ]] || fail "perf produce $flags: $(tail -n 1 "$OUT")"
done

# --throughput 4000 for 4000 records takes about a second
start=$(date +%s%N)
expect_rc 0 "$RUNNEL" perf produce perf --num-records 4000 --record-size 10 --throughput 4000
ms=$((($(date +%s%N) - start) / 1000000))
((ms >= 900)) || fail "--throughput 4000 sent 4000 records in $ms ms"
grep -qE "^4000 records sent, " "$OUT" || fail "throttled summary: $(cat "$OUT")"

# fewer records than asked for: the summary, then exit 1
expect_rc 1 "$RUNNEL" perf consume perf --num-records 1000000 --timeout-ms 500
grep -qE "^[0-9]+ records received, " "$OUT" || fail "short perf consume: $(cat "$OUT")"
expect_err_line "only"

echo "test_cli_perf: ok"
