#!/usr/bin/env bash
# test_cli_produce_consume.sh — `runnel produce` and `runnel consume` against a real
# broker: every line comes back, keys stay on one partition in order, output formats
# of --print-key/--print-offset, single-partition reads, acks/gzip/partitioners.
#   tests/integration/test_cli_produce_consume.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"
start_broker
T=$'\t'

consume_all() { # TOPIC N [flags...]: N records from the beginning into $OUT
    local topic=$1 n=$2
    shift 2
    expect_rc 0 "$RUNNEL" consume "$topic" --from-beginning --max-messages "$n" \
        --timeout-ms 10000 "$@"
    [[ $(wc -l <"$OUT") == "$n" ]] || fail "consume $topic: expected $n lines, got $(wc -l <"$OUT")"
}

# N plain lines round-trip (order across partitions is free; compare sorted)
expect_rc 0 "$RUNNEL" topic create lines --partitions 3
seq 1 2000 | sed 's/^/line /' >"$TMP/lines"
run_in "$TMP/lines" "$RUNNEL" produce lines
[[ $RC == 0 ]] || fail "produce lines: rc $RC $(cat "$ERR")"
consume_all lines 2000
diff <(sort "$TMP/lines") <(sort "$OUT") >/dev/null || fail "consumed lines differ"

# --print-offset: partition<TAB>offset<TAB>value; offsets dense per partition
consume_all lines 2000 --print-offset
grep -vqE "^[0-2]${T}[0-9]+${T}line [0-9]+$" "$OUT" && fail "print-offset format: $(head -n 3 "$OUT")"
for p in 0 1 2; do
    awk -F"$T" -v p="$p" '$1 == p { if ($2 != n++) exit 1 }' "$OUT" ||
        fail "partition $p offsets are not 0,1,2,..."
done

# keyed records: same key -> one partition, order per key kept
expect_rc 0 "$RUNNEL" topic create keyed --partitions 4
for i in $(seq 1 300); do echo "user$((i % 7)):$i"; done >"$TMP/keyed"
run_in "$TMP/keyed" "$RUNNEL" produce keyed --key-separator :
[[ $RC == 0 ]] || fail "keyed produce: rc $RC $(cat "$ERR")"
consume_all keyed 300 --print-key --print-offset
grep -vqE "^[0-3]${T}[0-9]+${T}user[0-6]${T}[0-9]+$" "$OUT" && fail "print-key format: $(head -n 3 "$OUT")"
parts=$(cut -f1,3 "$OUT" | sort -u | cut -f2 | sort | uniq -d)
[[ -z $parts ]] || fail "keys on more than one partition: $parts"
for k in 0 1 2 3 4 5 6; do
    grep -P "\tuser$k\t" "$OUT" | sort -t"$T" -k2,2n | cut -f4 >"$TMP/got"
    grep "^user$k:" "$TMP/keyed" | cut -d: -f2 >"$TMP/want"
    diff "$TMP/want" "$TMP/got" >/dev/null || fail "order of key user$k not kept"
done
[[ $(cut -f1 "$OUT" | sort -u | wc -l) -ge 2 ]] || fail "7 keys all hashed to one partition"

# --print-key alone; a key separator of several characters; empty key and value
printf 'k1::v1\n::onlyvalue\nk3::\n' >"$TMP/sep"
expect_rc 0 "$RUNNEL" topic create sep --partitions 1
run_in "$TMP/sep" "$RUNNEL" produce sep --key-separator ::
[[ $RC == 0 ]] || fail "produce --key-separator :: rc $RC"
consume_all sep 3 --print-key
[[ $(cat "$OUT") == "k1${T}v1"$'\n'"${T}onlyvalue"$'\n'"k3${T}" ]] || fail "print-key: $(cat -A "$OUT")"

# a line without the separator is not sent: exit 1 and the count
printf 'a:1\nnoseparator\nb:2\n' >"$TMP/bad"
run_in "$TMP/bad" "$RUNNEL" produce sep --key-separator :
[[ $RC == 1 ]] || fail "missing separator: rc $RC"
expect_err_line "1 of 3" "line 2"

# one partition, from an offset
expect_rc 0 "$RUNNEL" consume lines --partition 1 --offset 5 --max-messages 3 --timeout-ms 5000 \
    --print-offset
[[ $(cut -f1,2 "$OUT" | paste -sd' ') == "1${T}5 1${T}6 1${T}7" ]] || fail "--offset: $(cat "$OUT")"

# explicit partition, acks 0 / 1, gzip, each partitioner
expect_rc 0 "$RUNNEL" topic create mix --partitions 2
seq 1 100 >"$TMP/h"
n=0
for flags in "--acks 0" "--acks 1" "--acks all --compression gzip" "--partition 1" \
    "--partitioner sticky" "--partitioner hash" "--partitioner broker" \
    "--linger-ms 0 --batch-size 100" "--delivery-timeout-ms 5000"; do
    # shellcheck disable=SC2086
    run_in "$TMP/h" "$RUNNEL" produce mix $flags
    [[ $RC == 0 ]] || fail "produce $flags: rc $RC $(cat "$ERR")"
    n=$((n + 100))
done
consume_all mix $n
[[ $(sort -n "$OUT" | uniq -c | awk '$1 != 9' | wc -l) == 0 ]] || fail "mixed produce lost records"
expect_rc 0 "$RUNNEL" consume mix --partition 1 --from-beginning --timeout-ms 1000 --print-offset
[[ $(wc -l <"$OUT") -ge 100 ]] || fail "--partition 1 got fewer than 100 records"

# without --from-beginning only new records; --timeout-ms ends an idle consume with 0
start=$(date +%s%N)
expect_rc 0 "$RUNNEL" consume lines --timeout-ms 700
[[ ! -s $OUT ]] || fail "consume without --from-beginning printed old records"
ms=$((($(date +%s%N) - start) / 1000000))
((ms >= 600 && ms < 5000)) || fail "--timeout-ms 700 took $ms ms"

# a consumer started before the records sees them
"$RUNNEL" consume lines --max-messages 2 --timeout-ms 10000 >"$TMP/live" 2>"$TMP/live.err" &
cpid=$!
sleep 1
printf 'new1\nnew2\n' | "$RUNNEL" produce lines --partition 0
wait "$cpid" || fail "live consumer failed"
[[ $(sort "$TMP/live" | paste -sd' ') == "new1 new2" ]] || fail "live consume: $(cat "$TMP/live")"

# a partition that does not exist is an error, not a hang
expect_rc 1 "$RUNNEL" consume lines --partition 7 --from-beginning --timeout-ms 3000
expect_err_line lines

echo "test_cli_produce_consume: ok"
