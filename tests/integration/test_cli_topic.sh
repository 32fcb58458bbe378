#!/usr/bin/env bash
# test_cli_topic.sh — `runnel topic` create/list/describe/alter/delete and
# `runnel cluster status` against a real broker: exact listing formats, refusals
# with exit 1 and one error line.
#   tests/integration/test_cli_topic.sh BUILD_DIR
source "$(dirname "$0")/cli_env.sh"
start_broker
T=$'\t'
# describe's Configs: every topic config's effective value (the broker defaults here,
# flush.* having none), with the topic's overrides in their place
DEFAULTS="retention.ms=604800000,retention.bytes=-1,segment.bytes=1073741824"
DEFAULTS+=",segment.ms=604800000,min.insync.replicas=1,max.message.bytes=1048588"
DEFAULTS+=",unclean.leader.election.enable=false,partitioner=default"
defaults_with() {
    local s=$DEFAULTS kv
    for kv; do s=$(sed -E "s/(^|,)${kv%%=*}=[^,]*/\1${kv}/" <<<"$s"); done
    printf '%s' "$s"
}

# create + list: one name per line, sorted
expect_rc 0 "$RUNNEL" topic create orders --partitions 3
expect_rc 0 "$RUNNEL" topic create a.b_c-9 --partitions 1 --config retention.ms=1000 \
    --config segment.bytes=1048576
expect_rc 0 "$RUNNEL" topic list
[[ $(cat "$OUT") == $'a.b_c-9\norders' ]] || fail "topic list: $(cat "$OUT")"
[[ ! -s $ERR ]] || fail "topic list wrote to stderr"

# describe: header line and one line per partition, parsed field by field
expect_rc 0 "$RUNNEL" topic describe orders
[[ $(wc -l <"$OUT") == 4 ]] || fail "describe: expected 4 lines: $(cat "$OUT")"
head -n 1 "$OUT" | grep -qx "Topic: orders${T}PartitionCount: 3${T}ReplicationFactor: 1${T}Configs: ${DEFAULTS}" ||
    fail "describe header: $(head -n 1 "$OUT")"
part_re="^${T}Topic: orders${T}Partition: ([0-9]+)${T}Leader: 1${T}LeaderEpoch: [0-9]+${T}"
part_re+="Replicas: 1${T}Isr: 1${T}LogStartOffset: 0${T}HighWatermark: 0${T}LogEndOffset: 0$"
want=0
while IFS= read -r line; do
    [[ $line =~ $part_re ]] || fail "describe partition line: '$line'"
    [[ ${BASH_REMATCH[1]} == "$want" ]] || fail "partition $want expected, got '$line'"
    want=$((want + 1))
done < <(tail -n +2 "$OUT")

expect_rc 0 "$RUNNEL" topic describe a.b_c-9
configs=$(head -n 1 "$OUT" | sed -n "s/.*${T}Configs: //p")
[[ $configs == "$(defaults_with retention.ms=1000 segment.bytes=1048576)" ]] ||
    fail "configs: $(head -n 1 "$OUT")"

# offsets in describe follow produced records
printf '1\n2\n3\n' >"$TMP/three"
run_in "$TMP/three" "$RUNNEL" produce orders --partition 2 --acks all
[[ $RC == 0 ]] || fail "produce for describe: rc $RC"
expect_rc 0 "$RUNNEL" topic describe orders
grep -q "Partition: 2${T}.*LogStartOffset: 0${T}HighWatermark: 3${T}LogEndOffset: 3$" "$OUT" ||
    fail "describe after produce: $(cat "$OUT")"

# duplicate and invalid names: exit 1, one line naming the topic
expect_rc 1 "$RUNNEL" topic create orders
expect_err_line orders
expect_rc 1 "$RUNNEL" topic create ""
expect_err_line "runnel: "
long=$(printf 'x%.0s' $(seq 1 250))
expect_rc 1 "$RUNNEL" topic create "$long"
expect_err_line "runnel: "
for bad in 'bad/name' 'bad name' 'bad*' '.' '..' 'naïve'; do
    expect_rc 1 "$RUNNEL" topic create "$bad"
    expect_err_line "$bad"
done
expect_rc 0 "$RUNNEL" topic create "$(printf 'y%.0s' $(seq 1 249))" --partitions 1

# alter: configs change in place; partitions never shrink (growth: below)
expect_rc 0 "$RUNNEL" topic alter orders --config retention.ms=5000
expect_rc 0 "$RUNNEL" topic describe orders
head -n 1 "$OUT" | grep -q "Configs: $(defaults_with retention.ms=5000)$" || fail "alter: $(head -n 1 "$OUT")"
expect_rc 0 "$RUNNEL" topic alter orders --delete-config retention.ms
expect_rc 0 "$RUNNEL" topic describe orders
head -n 1 "$OUT" | grep -q "Configs: ${DEFAULTS}$" || fail "delete-config: $(head -n 1 "$OUT")"
expect_rc 1 "$RUNNEL" topic alter orders --partitions 2 --config retention.ms=7
expect_err_line orders "--partitions 2" "can only grow"
expect_rc 1 "$RUNNEL" topic alter orders --partitions 3
expect_err_line "can only grow"
expect_rc 0 "$RUNNEL" topic describe orders
head -n 1 "$OUT" | grep -q "PartitionCount: 3${T}.*Configs: ${DEFAULTS}$" || fail "refused alter changed the topic"
expect_rc 2 "$RUNNEL" topic alter orders
expect_rc 1 "$RUNNEL" topic alter orders --config no.such.key=1
expect_rc 1 "$RUNNEL" topic alter nosuchtopic --config retention.ms=1
expect_err_line nosuchtopic

# grow: new partitions get logs, offsets, produce and consume; never shrink
expect_rc 0 "$RUNNEL" topic create grow --partitions 2
printf 'a\nb\n' >"$TMP/two"
run_in "$TMP/two" "$RUNNEL" produce grow --partition 1 --acks all
[[ $RC == 0 ]] || fail "produce before growth: rc $RC"
expect_rc 0 "$RUNNEL" topic alter grow --partitions 4
expect_rc 0 "$RUNNEL" topic describe grow
[[ $(wc -l <"$OUT") == 5 ]] || fail "grown describe: expected 5 lines: $(cat "$OUT")"
head -n 1 "$OUT" | grep -q "PartitionCount: 4${T}" || fail "grown header: $(head -n 1 "$OUT")"
grep -q "Partition: 1${T}.*HighWatermark: 2${T}LogEndOffset: 2$" "$OUT" ||
    fail "growth lost partition 1's records: $(cat "$OUT")"
for p in 2 3; do
    grep -q "Partition: ${p}${T}Leader: 1${T}.*LogStartOffset: 0${T}HighWatermark: 0${T}LogEndOffset: 0$" \
        "$OUT" || fail "new partition $p: $(cat "$OUT")"
done
printf 'on-three\n' >"$TMP/one"
run_in "$TMP/one" "$RUNNEL" produce grow --partition 3 --acks all
[[ $RC == 0 ]] || fail "produce to a new partition: rc $RC"
expect_rc 0 "$RUNNEL" consume grow --partition 3 --from-beginning --max-messages 1 --timeout-ms 5000
[[ $(cat "$OUT") == on-three ]] || fail "consume new partition: $(cat "$OUT")"
expect_rc 1 "$RUNNEL" topic alter grow --partitions 3
expect_err_line grow "--partitions 3" "can only grow"
expect_rc 1 "$RUNNEL" topic alter grow --partitions 4
expect_err_line "can only grow"
# --config changes go first, all or nothing: a bad one leaves the count alone
expect_rc 1 "$RUNNEL" topic alter grow --partitions 5 --config no.such.key=1
expect_rc 0 "$RUNNEL" topic describe grow
head -n 1 "$OUT" | grep -q "PartitionCount: 4${T}" || fail "refused alter grew: $(head -n 1 "$OUT")"
expect_rc 0 "$RUNNEL" topic alter grow --partitions 5 --config retention.ms=60000
expect_rc 0 "$RUNNEL" topic describe grow
head -n 1 "$OUT" | grep -q "PartitionCount: 5${T}.*Configs: $(defaults_with retention.ms=60000)$" ||
    fail "alter --partitions --config: $(head -n 1 "$OUT")"
expect_rc 1 "$RUNNEL" topic alter nosuchtopic --partitions 9
expect_err_line nosuchtopic

# cluster status
expect_rc 0 "$RUNNEL" cluster status
grep -qx "Broker: 1${T}Address: 127.0.0.1:${PORT}${T}Status: alive${T}Controller: yes" "$OUT" ||
    fail "cluster status: $(cat "$OUT")"
grep -Eqx "Quorum: Leader: 1${T}Term: [1-9][0-9]*${T}HighWatermark: [1-9][0-9]*${T}Voters: 1${T}Observers: " \
    "$OUT" || fail "cluster status quorum line: $(cat "$OUT")"
[ "$(wc -l <"$OUT")" -eq 2 ] || fail "cluster status: not 2 lines: $(cat "$OUT")"

# delete
expect_rc 0 "$RUNNEL" topic delete orders
expect_rc 0 "$RUNNEL" topic list
! grep -qx orders "$OUT" || fail "deleted topic still listed"
expect_rc 1 "$RUNNEL" topic delete orders
expect_err_line orders
expect_rc 1 "$RUNNEL" topic describe orders
expect_err_line orders

echo "test_cli_topic: ok"
