#!/usr/bin/env bash
# group_perf.sh — consumer groups on one runneld on loopback: the aggregate rate of 3
# members of one group reading a 6-partition topic, against one consumer without a
# group measured in the same run, and the time a rebalance of 3 members takes after
# the last one joins. The targets of issue 5 ("Performance"): >= 1,500,000 records/s
# together; a rebalance completes <= 1 s after the last join. See bench/README.md
# ("group_perf").
#
# Usage: bash bench/group_perf.sh
# Env:   RUNS=3           rounds of the throughput part (median and min–max reported)
#        NUM=6000000      100-byte records produced, and read by each consume round
#                         (by one consumer; by the 3 members of a group together)
#        REBALANCES=5     rebalance runs per heartbeat setting
#        JITTER_MS=1000   the third member starts 0..JITTER_MS ms (random) after the
#                         first two settled, so that its join falls at a random point
#                         of their heartbeat cycle
#        GROUP_DELAY=3000 the broker's group.initial.rebalance.delay.ms (Kafka's default;
#                         runnel's is 0): the 3 members, started together, then form
#                         one generation before any of them reads
#        HB_COMPARE=3000  extra heartbeat.interval.ms values to measure the rebalance
#                         with, for comparison with the default ("" skips; 3000 is
#                         Kafka's default)
#        NO_THROUGHPUT=1  skip the throughput part;  NO_REBALANCE=1  skip the rebalance part
#        NO_BUILD=1       use the existing build-rel binaries
#        KEEP=1           keep the scratch dir (data dir, broker log, raw outputs)
#
# The broker is started here on free loopback ports (asked from the kernel) with its
# data under a mktemp dir, and stopped by PID (SIGTERM, SIGKILL after 10 s; a trap
# covers exits), as is every client process. Every load is bounded by a record count
# and by `timeout`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
RUNS="${RUNS:-3}"
NUM="${NUM:-6000000}"
REBALANCES="${REBALANCES:-5}"
JITTER_MS="${JITTER_MS:-1000}"
HB_COMPARE="${HB_COMPARE-3000}"
GROUP_DELAY="${GROUP_DELAY:-3000}"
SIZE=100
NPART=6
SCRATCH="$(mktemp -d /tmp/group_perf.XXXXXX)"
RUNNELD="$ROOT/build-rel/runneld"
RUNNEL="$ROOT/build-rel/runnel"
GBENCH="$ROOT/build-rel/bench/group_bench"
PIDS=()
source "$ROOT/bench/lib.sh"
# generous bounds: ~10x what NUM records take on 2 vCPUs
PERF_TIMEOUT=$((60 + NUM / 50000))
REBAL_TIMEOUT=$((120 + REBALANCES * 30))


reaped() {  # reaped PID : a client process that exited and was waited for: forget it
  local p="$1" q keep=()
  for q in "${PIDS[@]:-}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  PIDS=("${keep[@]:-}")
  return 0
}
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && stop_pid "$p"; done
  if [ "${KEEP:-0}" = 1 ]; then echo "(scratch kept: $SCRATCH)" >&2; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers (python3)
cat > "$SCRATCH/probe.py" <<'PY'
"""ports N | wait PORT | agg N FILE...  (see group_perf.sh)"""
import socket, struct, sys, time
import os
import sys
sys.path.insert(0, os.environ["RN_BENCH_DIR"])
from benchlib import recvn, api_versions  # noqa: E402

def agg(num, files):
    """The members' `group_bench consume` lines -> aggregate figures (one line)."""
    ms = []
    for f in files:
        kv = {}
        with open(f) as fh:
            for line in fh:
                if line.startswith("start_ns="):
                    kv = dict(x.split("=", 1) for x in line.split())
        if not kv:
            print("NA NA NA NA NA NA"); return
        ms.append({k: int(v) for k, v in kv.items()})
    if any(m["end_ns"] == 0 or m["assigned_ns"] == 0 for m in ms):
        print("NA NA NA NA NA NA"); return
    first_asg = min(m["assigned_ns"] for m in ms)
    last_end = max(m["end_ns"] for m in ms)
    first_start = min(m["start_ns"] for m in ms)
    win = (last_end - first_asg) / 1e9
    outer = (last_end - first_start) / 1e9
    spread = (max(m["assigned_ns"] for m in ms) - first_asg) / 1e6
    dupes = sum(m["n"] for m in ms) - num
    members = ",".join(f"{m['n']}@{m['n'] / ((m['end_ns'] - m['assigned_ns']) / 1e9):.0f}/s"
                       for m in ms)
    # NUM records (the topic, read once) per second over [first assignment, last
    # member done]; the same from the first subscribe; window ms; ms from the first
    # to the last member's first assignment; records returned twice; each member's
    # records@own rate
    print(f"{num / win:.1f} {num / outer:.1f} {win * 1000:.1f} {spread:.1f} {dupes} {members}")

cmd = sys.argv[1]
if cmd == "ports":
    socks = [socket.socket() for _ in range(int(sys.argv[2]))]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    print(*[s.getsockname()[1] for s in socks])
    for s in socks:
        s.close()
elif cmd == "wait":
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if api_versions(int(sys.argv[2])):
            sys.exit(0)
        time.sleep(0.01)
    sys.exit(1)
elif cmd == "agg":
    agg(int(sys.argv[2]), sys.argv[3:])
PY
probe() { python3 "$SCRATCH/probe.py" "$@"; }


# ---------------------------------------------------------------- machine
MEM_GIB=$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "# group_perf $(date -u +%FT%TZ)"
echo "# machine: kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", RAM $MEM_GIB GiB"
echo "# scratch: $SCRATCH on $(df --output=source,fstype "$SCRATCH" | tail -1 | xargs)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# checkout: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ -z "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] || echo ' (uncommitted changes in src/)')"

# ---------------------------------------------------------------- build
if [ "${NO_BUILD:-0}" != 1 ]; then
  log "building Release into build-rel"
  { cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF >/dev/null \
      && cmake --build build-rel -j2 >/dev/null; } \
    || { echo "ERROR: build failed" >&2; exit 1; }
fi
for f in "$RUNNELD" "$RUNNEL" "$GBENCH"; do [ -x "$f" ] || { echo "ERROR: $f missing" >&2; exit 1; }; done
echo "# runneld: $("$RUNNELD" --version 2>&1 | head -1)"

# ---------------------------------------------------------------- the broker
read -r PORT CPORT < <(probe ports 2)
BLOG="$SCRATCH/broker.log"
"$RUNNELD" --override "listeners=127.0.0.1:$PORT" --override "controller.listener=127.0.0.1:$CPORT" \
  --override "controller.quorum.voters=1@127.0.0.1:$CPORT" --override "log.dirs=$SCRATCH/data" \
  --override "group.initial.rebalance.delay.ms=$GROUP_DELAY" > "$BLOG" 2>&1 < /dev/null &
BPID=$!; PIDS+=("$BPID")
probe wait "$PORT" || { echo "ERROR: broker did not answer ApiVersions within 10 s" >&2; cat "$BLOG" >&2; exit 1; }
B="127.0.0.1:$PORT"
echo "# broker: PID $BPID on $B (controller $CPORT), data $SCRATCH/data"
for t in gp rb; do
  wait_until 30 timeout 10 "$RUNNEL" -b "$B" topic create "$t" --partitions "$NPART" 2> "$SCRATCH/create.err" \
    || { echo "ERROR: topic create $t: $(cat "$SCRATCH/create.err")" >&2; exit 1; }
done
echo "# config: librunnel heartbeat.interval.ms default $(grep -oE '"heartbeat.interval.ms", K_INT, [^"]*"[0-9]+"' src/client/conf.c | grep -oE '[0-9]+"$' | tr -d '"') (src/client/conf.c); broker group.initial.rebalance.delay.ms=$GROUP_DELAY, its other group settings the defaults"

declare -A V   # V[name]="v1 v2 ..."

# ---------------------------------------------------------------- 1. throughput
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  log "1. produce $NUM x $SIZE B to gp ($NPART partitions), then $RUNS rounds of consume: 1 consumer, 3 members of a group"
  timeout "$PERF_TIMEOUT" "$RUNNEL" -b "$B" perf produce gp --num-records "$NUM" --record-size "$SIZE" \
    --acks 1 --throughput -1 > "$SCRATCH/produce.out" 2>&1 \
    || { echo "ERROR: perf produce: $(tail -3 "$SCRATCH/produce.out")" >&2; exit 1; }
  echo "[produce] $(grep 'records sent' "$SCRATCH/produce.out")"
  # the partitions' log end offsets, in partition order (the drain members' targets)
  ENDS=$(timeout 10 "$RUNNEL" -b "$B" topic describe gp 2>/dev/null \
         | sed -nE 's/.*Partition: ([0-9]+).*LogEndOffset: ([0-9]+).*/\1 \2/p' | sort -n | awk '{print $2}' | paste -sd,)
  echo "# gp log end offsets (partitions 0..$((NPART - 1))): $ENDS"
  [ "$(tr ',' '\n' <<< "$ENDS" | awk '{s += $1} END {print s + 0}')" = "$NUM" ] \
    || { echo "ERROR: the partitions of gp do not hold $NUM records: $ENDS" >&2; exit 1; }
  SHARE=$((NUM / 3))
  for r in $(seq 1 "$RUNS"); do
    # (a) the CLI without a group: every partition from the log start (broker_perf's figure)
    b0=$(cpu_s "$BPID")
    timeout "$PERF_TIMEOUT" "$RUNNEL" -b "$B" perf consume gp --num-records "$NUM" > "$SCRATCH/cli.$r.out" 2> "$SCRATCH/cli.$r.err"
    rc=$?; b1=$(cpu_s "$BPID")
    line=$(grep 'records received' "$SCRATCH/cli.$r.out")
    echo "[cli, no group, run $r] ${line:-NO SUMMARY (exit $rc): $(head -2 "$SCRATCH/cli.$r.err")}; broker cpu $(calc "round($b1-$b0, 2)") s"
    rps=$(sed -nE 's/.* ([0-9.]+) records\/sec.*/\1/p' <<< "$line")
    [ "$rc" = 0 ] || rps=NA
    V[cli.rps]+=" ${rps:-NA}"

    # (a') the driver without a group: the same code path as (b), one consumer
    b0=$(cpu_s "$BPID")
    timeout "$PERF_TIMEOUT" "$GBENCH" "$B" consume gp "$NUM" - > "$SCRATCH/one.$r.out" 2> "$SCRATCH/one.$r.err"
    rc=$?; b1=$(cpu_s "$BPID")
    read -r a1 _ w1 _ _ _ < <(probe agg "$NUM" "$SCRATCH/one.$r.out")
    [ "$rc" = 0 ] || a1=NA
    echo "[group_bench, no group, run $r] $NUM records in ${w1} ms: ${a1} records/s (exit $rc); broker cpu $(calc "round($b1-$b0, 2)") s"
    V[one.rps]+=" ${a1:-NA}"

    # (b) 3 members of group gp-<run>, started together; each reads what the group
    # assigns it until every partition it holds is at its end offset (drain): together
    # they read the topic once. A fresh group, so every partition starts at the log start
    pids=(); files=()
    b0=$(cpu_s "$BPID")
    for m in 1 2 3; do
      timeout "$PERF_TIMEOUT" "$GBENCH" "$B" drain gp "$ENDS" "gp-$$-$r" > "$SCRATCH/grp.$r.$m.out" 2> "$SCRATCH/grp.$r.$m.err" &
      pids+=("$!"); PIDS+=("$!"); files+=("$SCRATCH/grp.$r.$m.out")
    done
    rcs=""
    for p in "${pids[@]}"; do wait "$p"; rcs+=" $?"; reaped "$p"; done
    b1=$(cpu_s "$BPID")
    read -r ag _ win spread dupes members < <(probe agg "$NUM" "${files[@]}")
    case "$rcs" in *[1-9]*) ag=NA ;; esac
    echo "[group_bench drain, 3 members of one group, run $r] $NUM records in $win ms from the first assignment: $ag records/s;" \
         "first assignments within $spread ms; records returned twice: $dupes;" \
         "each member's records@own rate: $members; exits:$rcs; broker cpu $(calc "round($b1-$b0, 2)") s"
    # the figure is the group's only if all three read from the start
    case ",$members" in *,0@*) echo "    WARNING: a member read nothing: the three did not share the topic (raise GROUP_DELAY?)" ;; esac
    python3 -c "import sys; sys.exit(0 if $spread <= 100 else 1)" 2>/dev/null \
      || echo "    WARNING: first assignments $spread ms apart: not one generation of three from the start"
    V[grp.rps]+=" ${ag:-NA}"

    # (b') with the CLI: 3 `runnel perf consume --group` processes, --num-records NUM/3
    # each. The CLI prints no timestamps, so the aggregate is NUM over launch -> last
    # exit (joining and closing included): a lower bound of the rate. A member whose
    # partitions hold fewer than NUM/3 of the records left waits, once another member
    # has finished and left, for the rebalance that hands it that member's partitions
    pids=()
    t0=$(date +%s%N)
    for m in 1 2 3; do
      n=$SHARE; [ "$m" = 1 ] && n=$((NUM - 2 * SHARE))
      timeout "$PERF_TIMEOUT" "$RUNNEL" -b "$B" perf consume gp --num-records "$n" --group "gpc-$$-$r" \
        > "$SCRATCH/cligrp.$r.$m.out" 2> "$SCRATCH/cligrp.$r.$m.err" &
      pids+=("$!"); PIDS+=("$!")
    done
    rcs=""
    for p in "${pids[@]}"; do wait "$p"; rcs+=" $?"; reaped "$p"; done
    t1=$(date +%s%N)
    lb=$(calc "round($NUM / (($t1 - $t0) / 1e9), 1)")
    case "$rcs" in *[1-9]*) lb=NA ;; esac
    own=$(cat "$SCRATCH"/cligrp.$r.?.out | sed -nE 's/.* ([0-9.]+) records\/sec.*/\1/p' | paste -sd,)
    # each CLI's figure is its records over the time from its first assignment; the
    # three form one generation (GROUP_DELAY), so their first assignments coincide
    # (checked on the drain run above) and NUM over the slowest member's time is the
    # group's rate
    slow=$(cat "$SCRATCH"/cligrp.$r.?.out | sed -nE 's/^([0-9]+) records received, ([0-9.]+) records\/sec.*/\1 \2/p' \
           | awk -v num="$NUM" '$2 > 0 { t = $1 / $2; if (t > m) m = t; c++ } END { if (c == 3) printf "%.1f", num / m; else print "NA" }')
    case "$rcs" in *[1-9]*) slow=NA ;; esac
    echo "[cli, 3 x perf consume --group, run $r] NUM / the slowest member's time: $slow records/s; launch -> last exit $(calc "round(($t1 - $t0) / 1e6, 1)") ms" \
         "(with the initial rebalance delay): $lb records/s; each one's own figure: $own; exits:$rcs"
    V[cligrp.rps]+=" ${slow:-NA}"; V[cligrp.lb]+=" ${lb:-NA}"
  done
fi

# ---------------------------------------------------------------- 2. rebalance
if [ "${NO_REBALANCE:-0}" != 1 ]; then
  for hb in default $HB_COMPARE; do
    extra=(); [ "$hb" = default ] || extra=("heartbeat.interval.ms=$hb")
    log "2. rebalance of 3 members on rb ($NPART partitions, no records), heartbeat.interval.ms=$hb, $REBALANCES runs"
    timeout "$REBAL_TIMEOUT" "$GBENCH" "$B" rebalance rb "$NPART" "$REBALANCES" "$JITTER_MS" "${extra[@]}" \
      > "$SCRATCH/rebal.$hb.out" 2> "$SCRATCH/rebal.$hb.err" &
    p=$!; PIDS+=("$p"); wait "$p"; rc=$?; reaped "$p"
    sed "s/^/[rebalance heartbeat=$hb] /" "$SCRATCH/rebal.$hb.out"
    [ "$rc" = 0 ] || echo "[rebalance heartbeat=$hb] exit $rc: $(head -3 "$SCRATCH/rebal.$hb.err")"
    got=$(sed -nE 's/.* rebalance_ms=([0-9.]+).*/\1/p' "$SCRATCH/rebal.$hb.out" | xargs)
    j2=$(sed -nE 's/.* join2_ms=([0-9.]+).*/\1/p' "$SCRATCH/rebal.$hb.out" | xargs)
    # a run that did not finish counts as missed
    miss=$((REBALANCES - $(wc -w <<< "$got")))
    V[rebal.$hb]="$got$(for _ in $(seq 1 "$miss"); do printf ' NA'; done)"
    V[join2.$hb]="$j2"
  done
fi

stop_pid "$BPID"
n=$(grep -cE ' (WARN|ERROR|FATAL)' "$BLOG")
echo "broker log: $(wc -l < "$BLOG") lines, $n WARN/ERROR/FATAL"
grep -E ' (WARN|ERROR|FATAL)' "$BLOG" | head -5 | cut -c1-200 | sed 's/^/    /'

# ---------------------------------------------------------------- summary
row() { printf "%-58s %12s %25s %14s %s\n" "$1" "$2" "$3" "$4" "$5"; }

echo
echo "## summary ($(date -u +%FT%TZ); kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", $MEM_GIB GiB)"
echo "## one broker (group.initial.rebalance.delay.ms=$GROUP_DELAY); topic of $NPART partitions; throughput: $NUM x $SIZE-byte records per round, median of $RUNS; rebalance: $REBALANCES runs per heartbeat setting"
row figure median "[min – max]" target verdict
VERDICTS=()
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  declare -A MED MIN MAX
  for k in cli one grp cligrp; do
    read -r MED[$k] MIN[$k] MAX[$k] < <(stats ${V[$k.rps]:-NA})
  done
  read -r MED[cligrp_lb] MIN[cligrp_lb] MAX[cligrp_lb] < <(stats ${V[cligrp.lb]:-NA})
  trow() { row "$1" "$(fmtk "${MED[$2]}")" "[$(fmtk "${MIN[$2]}") – $(fmtk "${MAX[$2]}")]" "$3" "$4"; }
  V_GRP=$(verdict "${MED[grp]}" '>=' 1500000)
  trow "1 consumer, no group: runnel perf consume (records/s)" cli "" ""
  trow "1 consumer, no group: group_bench (records/s)" one "" ""
  trow "3 members, 1 group: first assignment -> all read (rec/s)" grp ">= 1,500,000" "$V_GRP"
  trow "  3 x perf consume --group NUM/3: NUM / slowest (rec/s)" cligrp "" ""
  trow "  the same, launch -> last exit incl. join delay (rec/s)" cligrp_lb "(lower bound)" ""
  R_GRP=$(ratio "${MED[grp]}" "${MED[one]}")
  row "ratio: 3 members / 1 consumer (group_bench, medians)" "$R_GRP" "" "" ""
  VERDICTS+=("$V_GRP")
fi
if [ "${NO_REBALANCE:-0}" != 1 ]; then
  for hb in default $HB_COMPARE; do
    read -r RM RMIN RMAX < <(stats ${V[rebal.$hb]:-NA})
    read -r JM JMIN JMAX < <(stats ${V[join2.$hb]:-NA})
    # the target is a bound: judged on the slowest run (a run that did not finish: missed)
    vr=$(verdict "$RMAX" '<=' 1000)
    case " ${V[rebal.$hb]:-NA} " in *" NA "*) vr=MISSED ;; esac
    if [ "$hb" = default ]; then
      row "rebalance of 3, last member's start -> all assigned (ms)" "$RM" "[$RMIN – $RMAX]" "max <= 1000" "$vr"
      V_REB=$vr; VERDICTS+=("$vr")
    else
      row "  the same with heartbeat.interval.ms=$hb (ms)" "$RM" "[$RMIN – $RMAX]" "" "(comparison)"
    fi
    row "  2nd member's join into a group of 1, heartbeat=$hb (ms)" "$JM" "[$JMIN – $JMAX]" "" ""
  done
fi
OVERALL=PASS
for v in "${VERDICTS[@]:-}"; do [ "$v" = met ] || OVERALL=FAIL; done
[ "${#VERDICTS[@]}" -gt 0 ] || OVERALL="n/a"
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  echo "GROUP THROUGHPUT: $([ "$V_GRP" = met ] && echo PASS || echo FAIL) — 3 members of one group: $(fmtk "${MED[grp]}") records/s (median; target >= 1,500,000), $R_GRP x one consumer without a group in the same run"
fi
if [ "${NO_REBALANCE:-0}" != 1 ]; then
  echo "REBALANCE: $([ "$V_REB" = met ] && echo PASS || echo FAIL) — every one of $REBALANCES rebalances of 3 members completed <= 1000 ms after the last member started (default heartbeat.interval.ms)"
fi
echo "OVERALL: $OVERALL (PASS needs every verdict above met)"
echo "raw per-run values:"
for k in cli.rps one.rps grp.rps cligrp.rps cligrp.lb; do
  [ -n "${V[$k]:-}" ] && echo "  $k: [${V[$k]# }]"
done
for hb in default $HB_COMPARE; do
  [ -n "${V[rebal.$hb]:-}" ] && echo "  rebalance_ms heartbeat=$hb: [${V[rebal.$hb]# }]; join2_ms: [${V[join2.$hb]# }]"
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
