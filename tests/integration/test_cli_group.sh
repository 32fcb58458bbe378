#!/usr/bin/env bash
# test_cli_group.sh — consumer groups through the CLI against a real broker:
# `consume --group` reads from and commits to the group's offsets, `group list`,
# `group describe` (DESIGN.md's exact listing, lag), `group reset-offsets` (earliest,
# latest, offset; refused while a member runs), `perf consume --group`, usage errors.
#   tests/integration/test_cli_group.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"

BG_PID=
cleanup_all() {
    if [[ -n $BG_PID ]]; then
        kill -KILL "$BG_PID" 2>/dev/null || true
        wait "$BG_PID" 2>/dev/null || true
    fi
    cleanup
}
trap cleanup_all EXIT

T=$'\t'
# One `group describe` line: Group, Topic, Partition, CurrentOffset, LogEndOffset, Lag,
# ConsumerId, Host — tab-separated, nothing else.
line_re="^Group: ([^$T]+)${T}Topic: ([^$T]+)${T}Partition: ([0-9]+|-)${T}"
line_re+="CurrentOffset: ([0-9]+|-)${T}LogEndOffset: ([0-9]+|-)${T}Lag: ([0-9]+|-)${T}"
line_re+="ConsumerId: ([^$T]+)${T}Host: ([^$T]+)$"

produce() { # TOPIC FIRST LAST: records FIRST..LAST (values are the numbers)
    seq "$2" "$3" >"$TMP/in"
    run_in "$TMP/in" "$RUNNEL" produce "$1" --acks all
    [[ $RC == 0 ]] || fail "produce $1 $2..$3: rc $RC"
}

# `group describe GROUP` into $OUT, every line checked against DESIGN.md's format.
describe() {
    expect_rc 0 "$RUNNEL" group describe "$1"
    while IFS= read -r l; do
        [[ $l =~ $line_re ]] || fail "describe $1: bad line: $l"
        [[ ${BASH_REMATCH[1]} == "$1" ]] || fail "describe $1: Group field: $l"
        local cur=${BASH_REMATCH[4]} end=${BASH_REMATCH[5]} lag=${BASH_REMATCH[6]}
        if [[ $cur != - && $end != - ]]; then
            [[ $lag == $((end - cur)) ]] || fail "describe $1: Lag is not LogEnd - Current: $l"
        else
            [[ $lag == - ]] || fail "describe $1: Lag without both offsets: $l"
        fi
    done <"$OUT"
}

# Sum of field N (4 CurrentOffset, 5 LogEndOffset, 6 Lag) over the lines of $OUT.
field_sum() {
    awk -F'\t' -v f="$1" '{ split($f, kv, ": "); s += kv[2] } END { print s + 0 }' "$OUT"
}

# Values read by a consume run ($OUT), sorted numerically, one line.
values() { sort -n "$OUT" | tr '\n' ' '; }

# Wait until GROUP has a member with a partition assigned (describe shows it).
wait_member() {
    for _ in $(seq 1 200); do
        run "$RUNNEL" group describe "$1"
        if [[ $RC == 0 ]] && awk -F'\t' '$3 ~ /^Partition: [0-9]/ && $7 != "ConsumerId: -" \
            { found = 1 } END { exit !found }' "$OUT"; then
            return 0
        fi
        sleep 0.1
    done
    fail "group $1 got no member with partitions within 20 s"
}

start_broker
expect_rc 0 "$RUNNEL" topic create gt --partitions 3

# ---- a group reads everything once, commits, and describe shows it ------------------
produce gt 1 30
expect_rc 0 "$RUNNEL" consume gt --group g1 --from-beginning --max-messages 30 --timeout-ms 20000
[[ $(values) == "$(seq 1 30 | tr '\n' ' ')" ]] || fail "first group read: $(values)"

expect_rc 0 "$RUNNEL" group list
grep -qx g1 "$OUT" || fail "group list lacks g1: $(cat "$OUT")"

describe g1
[[ $(wc -l <"$OUT") == 3 ]] || fail "describe g1: expected 3 lines: $(cat "$OUT")"
for p in 0 1 2; do
    grep -q "^Group: g1${T}Topic: gt${T}Partition: $p${T}" "$OUT" || fail "describe g1: no partition $p"
done
# the consumer left: every partition committed at its end, no member
[[ $(field_sum 4) == 30 && $(field_sum 5) == 30 && $(field_sum 6) == 0 ]] ||
    fail "describe g1 after reading all: $(cat "$OUT")"
! grep -qv "ConsumerId: -${T}Host: -$" "$OUT" || fail "describe g1: a member after exit: $(cat "$OUT")"

# ---- lag, then the group resumes at its committed offsets --------------------------
produce gt 31 37
describe g1
[[ $(field_sum 6) == 7 && $(field_sum 5) == 37 && $(field_sum 4) == 30 ]] ||
    fail "describe g1 after 7 more: $(cat "$OUT")"
expect_rc 0 "$RUNNEL" consume gt --group g1 --timeout-ms 4000
[[ $(values) == "$(seq 31 37 | tr '\n' ' ')" ]] || fail "resumed group read: $(values)"
describe g1
[[ $(field_sum 4) == 37 && $(field_sum 6) == 0 ]] || fail "describe g1 after resume: $(cat "$OUT")"

# ---- reset-offsets ------------------------------------------------------------------
expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-earliest
describe g1
[[ $(field_sum 4) == 0 && $(field_sum 6) == 37 ]] || fail "describe after --to-earliest: $(cat "$OUT")"
expect_rc 0 "$RUNNEL" consume gt --group g1 --timeout-ms 4000
[[ $(values) == "$(seq 1 37 | tr '\n' ' ')" ]] || fail "read after --to-earliest: $(values)"

expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-offset 2
describe g1
want=0
while IFS=$T read -r _ _ _ cur end _; do
    c=${cur#CurrentOffset: } e=${end#LogEndOffset: }
    [[ $c == $((e < 2 ? e : 2)) ]] || fail "--to-offset 2: $cur with $end"
    want=$((want + e - c))
done <"$OUT"
expect_rc 0 "$RUNNEL" consume gt --group g1 --timeout-ms 4000
[[ $(wc -l <"$OUT") == "$want" ]] || fail "read after --to-offset 2: $(wc -l <"$OUT") records, want $want"

expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-offset 1000000
describe g1
[[ $(field_sum 4) == 37 && $(field_sum 6) == 0 ]] || fail "--to-offset past the end: $(cat "$OUT")"
expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-earliest
expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-latest
describe g1
[[ $(field_sum 4) == 37 && $(field_sum 6) == 0 ]] || fail "describe after --to-latest: $(cat "$OUT")"
expect_rc 0 "$RUNNEL" consume gt --group g1 --timeout-ms 2000
[[ ! -s $OUT ]] || fail "read after --to-latest: $(values)"

# ---- a running member: describe shows it, commits as it prints, reset is refused ----
"$RUNNEL" consume gt --group g1 --timeout-ms 60000 >"$TMP/bg.out" 2>"$TMP/bg.err" &
BG_PID=$!
wait_member g1
describe g1
[[ $(wc -l <"$OUT") == 3 ]] || fail "describe g1 with a member: $(cat "$OUT")"
ids=$(cut -f7 "$OUT" | sort -u)
[[ $ids == "ConsumerId: runnel-cli"* && $(wc -l <<<"$ids") == 1 ]] ||
    fail "describe g1: one member should hold all 3 partitions: $(cat "$OUT")"
! grep -q "${T}Host: -$" "$OUT" || fail "describe g1: member without host: $(cat "$OUT")"

expect_rc 1 "$RUNNEL" group reset-offsets g1 --topic gt --to-earliest
expect_err_line "group g1 has active members; stop them first"

produce gt 38 40
for _ in $(seq 1 100); do # printed, then committed while the consumer still runs
    describe g1
    [[ $(field_sum 6) == 0 && $(field_sum 4) == 40 ]] && break
    sleep 0.1
done
[[ $(field_sum 4) == 40 ]] || fail "running member did not commit what it printed: $(cat "$OUT")"
kill -TERM "$BG_PID"
set +e
wait "$BG_PID"
bg_rc=$?
set -e
BG_PID=
[[ $bg_rc == 0 ]] || fail "consume --group after SIGTERM: rc $bg_rc: $(cat "$TMP/bg.err")"
[[ $(sort -n "$TMP/bg.out" | tr '\n' ' ') == "38 39 40 " ]] ||
    fail "running member read: $(tr '\n' ' ' <"$TMP/bg.out")"
describe g1
! grep -qv "ConsumerId: -${T}Host: -$" "$OUT" || fail "member still listed after exit: $(cat "$OUT")"
expect_rc 0 "$RUNNEL" group reset-offsets g1 --topic gt --to-offset 0 # allowed again

# ---- a new group without --from-beginning reads only what comes after it joined -----
"$RUNNEL" consume gt --group g2 --max-messages 4 --timeout-ms 30000 >"$TMP/bg.out" \
    2>"$TMP/bg.err" &
BG_PID=$!
wait_member g2
sleep 1 # the member has its partitions; let it settle its start (the log end)
produce gt 41 44
set +e
wait "$BG_PID"
bg_rc=$?
set -e
BG_PID=
[[ $bg_rc == 0 ]] || fail "new group g2: rc $bg_rc: $(cat "$TMP/bg.err")"
[[ $(sort -n "$TMP/bg.out" | tr '\n' ' ') == "41 42 43 44 " ]] ||
    fail "new group g2 read: $(tr '\n' ' ' <"$TMP/bg.out")"
expect_rc 0 "$RUNNEL" group list
[[ $(grep -cx -e g1 -e g2 "$OUT") == 2 ]] || fail "group list: $(cat "$OUT")"

# ---- perf consume --group ----------------------------------------------------------
expect_rc 0 "$RUNNEL" perf consume gt --num-records 44 --group g3
num='[0-9]+(\.[0-9]+)?'
[[ $(tail -n 1 "$OUT") =~ ^44\ records\ received,\ $num\ records/sec\ \($num\ MB/sec\)$ ]] ||
    fail "perf consume --group summary: $(tail -n 1 "$OUT")"
describe g3
[[ $(field_sum 4) == 44 && $(field_sum 6) == 0 ]] || fail "perf consume --group commits: $(cat "$OUT")"

# ---- errors -------------------------------------------------------------------------
expect_rc 1 "$RUNNEL" group describe nosuch
expect_err_line "nosuch" "GROUP_ID_NOT_FOUND"
expect_rc 1 "$RUNNEL" group reset-offsets g1 --topic nosuchtopic --to-earliest
expect_err_line "nosuchtopic" "UNKNOWN_TOPIC_OR_PARTITION"
expect_rc 1 "$RUNNEL" consume nosuchtopic --group g1 --timeout-ms 1000
expect_err_line "nosuchtopic"

for cmd in "group" "group list" "group describe" "group reset-offsets"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$RUNNEL" $cmd --help
    grep -q "usage: runnel group" "$OUT" || fail "'runnel $cmd --help' printed no usage"
done
expect_rc 2 "$RUNNEL" group
expect_rc 2 "$RUNNEL" group frobnicate
expect_err_line frobnicate
expect_rc 2 "$RUNNEL" group describe
expect_err_line "missing argument"
expect_rc 2 "$RUNNEL" group describe a b
expect_err_line "'b'"
expect_rc 2 "$RUNNEL" group list extra
expect_rc 2 "$RUNNEL" group reset-offsets g1 --topic gt
expect_err_line -- --to-earliest
expect_rc 2 "$RUNNEL" group reset-offsets g1 --to-earliest
expect_err_line -- --topic
expect_rc 2 "$RUNNEL" group reset-offsets g1 --topic gt --to-earliest --to-latest
expect_err_line "exactly one"
expect_rc 2 "$RUNNEL" group reset-offsets g1 --topic gt --to-offset -1
expect_err_line -- --to-offset
expect_rc 2 "$RUNNEL" group reset-offsets --topic gt --to-latest
expect_err_line "missing argument"
expect_rc 2 "$RUNNEL" consume gt --group g1 --partition 0
expect_err_line -- --partition --group
expect_rc 2 "$RUNNEL" consume gt --group ""
expect_err_line -- --group
# nothing above changed g1: still at offset 0 everywhere after the last reset
describe g1
[[ $(field_sum 4) == 0 ]] || fail "g1 changed by a refused command: $(cat "$OUT")"

echo "test_cli_group: ok"
