#!/usr/bin/env bash
# cluster_perf.sh — three runneld brokers on loopback, all three Raft voters, topics
# with RF=3 and min.insync.replicas=2: `runnel perf produce --acks all` throughput
# against one broker's acks=1 figure measured in the same run, and the failover time
# from kill -9 of a partition leader until a new leader acknowledges an acks=all
# write. See bench/README.md ("cluster_perf").
#
# Usage: bash bench/cluster_perf.sh
# Env:   RUNS=3            runs per throughput figure (median and min–max reported)
#        NUM=2000000       records per `runnel perf produce` run (100-byte records)
#        FAILOVERS=$RUNS   kill -9 runs per session timeout and victim kind
#        SESSIONS="9000 3000"  broker.session.timeout.ms values for the failover
#                          runs (the first is also the throughput cluster's; 9000 is
#                          the default)
#        VICTIMS="noncontroller controller"  which leader to kill: `noncontroller` = a
#                          partition leader that is not the controller (only the data
#                          path fails over), `controller` = the controller, which also
#                          leads a partition (the quorum elects a new controller first)
#        NO_THROUGHPUT=1   skip the throughput part;  NO_FAILOVER=1  skip the failover part
#        NO_BUILD=1        use the existing build-rel binaries
#        KEEP=1            keep the scratch dir (data dirs, broker logs, raw outputs)
#
# Every broker is started here on free loopback ports (asked from the kernel) with
# its data under a mktemp dir, and stopped by PID (SIGTERM, SIGKILL after 10 s; a
# trap covers exits); the failover victim is killed by PID with SIGKILL. Every load
# is bounded by a record count and by `timeout`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
RUNS="${RUNS:-3}"
NUM="${NUM:-2000000}"
FAILOVERS="${FAILOVERS:-$RUNS}"
SESSIONS="${SESSIONS:-9000 3000}"
VICTIMS="${VICTIMS:-noncontroller controller}"
SIZE=100
SCRATCH="$(mktemp -d /tmp/cluster_perf.XXXXXX)"
RUNNELD="$ROOT/build-rel/runneld"
RUNNEL="$ROOT/build-rel/runnel"
PIDS=()
source "$ROOT/bench/lib.sh"
# perf runs get a generous bound: ~10x the time 2 M acks=all records took on 2 vCPUs
PERF_TIMEOUT=$((60 + NUM / 10000))


forget_pid() {  # a broker the failover probe killed (its wrapper subshell reaped it): drop it
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
# The failover probe speaks the protocol itself (Metadata v0, Produce v0 with one
# RecordBatch v2) through tests/integration/rnlib.py and rawproto.py.
cat > "$SCRATCH/probe.py" <<'PY'
"""ports N | wait PORT | ready TIMEOUT_S PORT... |
failover TOPIC VICTIM_KIND TIMEOUT_S ID:PORT:PID...   (see cluster_perf.sh)"""
import os, signal, socket, struct, sys, time
import os
import sys
sys.path.insert(0, os.environ["RN_BENCH_DIR"])
from benchlib import recvn, api_versions, free_ports  # noqa: E402

sys.path.insert(0, os.path.join(os.environ["RN_ROOT"], "tests", "integration"))
import rawproto  # noqa: E402
import rnlib  # noqa: E402

SIZE = int(os.environ.get("RN_SIZE", "100"))


def metadata(port, topics=None, timeout=0.5):
    """Metadata v0 answer of the broker on port, or None when it does not answer."""
    try:
        c = rnlib.Conn(port, timeout=timeout)
        try:
            return c.metadata(topics)
        finally:
            c.close()
    except (OSError, EOFError, struct.error):
        return None


def produce_all(port, topic, part, req_timeout_ms, sock_timeout):
    """One acks=all Produce of one SIZE-byte record; the partition's error code, or
    'conn' when the connection failed or the answer did not come in time."""
    value = b"F" * SIZE
    batch = rawproto.make_batch([(None, value)], base_ts=int(time.time() * 1000))
    try:
        c = rawproto.Conn(port, timeout=sock_timeout)
        try:
            r = c.produce(-1, [(topic, part, batch)], timeout_ms=req_timeout_ms)
            return r["parts"][0]["error_code"]
        finally:
            c.close()
    except (OSError, ConnectionError, struct.error, AssertionError):
        return "conn"


def failover(topic, kind, timeout_s, specs):
    """Kill -9 the leader of one partition of topic (kind `noncontroller`: a leader
    that is not the controller; `controller`: the controller) and time, from the kill, (1) the
    first Metadata answer of a surviving broker naming another leader, (2) the first
    acks=all Produce to that partition acknowledged (error 0) by the new leader.
    Polls every 50 ms; a Produce waits up to 2 s for acks=all. Prints key=value."""
    brokers = {}
    for s in specs:
        i, p, pid = s.split(":")
        brokers[int(i)] = (int(p), int(pid))
    m = None
    for i, (p, _) in brokers.items():
        m = metadata(p, [topic], 2.0)
        if m is not None:
            break
    if m is None or not m["topics"] or m["topics"][0]["error"] != 0:
        print("error=no-metadata")
        return 1
    ctl = m["controller_id"]
    parts = sorted(m["topics"][0]["partitions"], key=lambda x: x["index"])
    if any(len(x["isr"]) != len(brokers) for x in parts):
        print("error=isr-not-full")
        return 1
    cand = [x for x in parts if (x["leader"] == ctl) == (kind == "controller")]
    if not cand:
        print("error=no-%s-leader controller=%d" % (kind, ctl))
        return 1
    part, victim, epoch0 = cand[0]["index"], cand[0]["leader"], cand[0]["epoch"]
    vport, vpid = brokers[victim]
    # the partition accepts acks=all writes before the kill (3 in a row)
    pre = []
    for _ in range(3):
        t = time.monotonic()
        e = produce_all(vport, topic, part, 5000, 6.0)
        deadline = time.monotonic() + 5.0
        while e == 6 and time.monotonic() < deadline:  # the victim has not applied its
            time.sleep(0.05)                            # own (re)election yet: retry
            t = time.monotonic()
            e = produce_all(vport, topic, part, 5000, 6.0)
        if e != 0:
            print("error=pre-kill-produce-%s victim=%d partition=%d" % (e, victim, part))
            return 1
        pre.append((time.monotonic() - t) * 1000)
    survivors = [p for i, (p, _) in sorted(brokers.items()) if i != victim]
    errs, attempts, polls = {}, 0, 0
    t_meta = t_ack = None
    new_leader, epoch1 = -1, -1
    t0 = time.monotonic()
    os.kill(vpid, signal.SIGKILL)
    deadline = t0 + timeout_s
    k = 0
    while time.monotonic() < deadline:
        t_try = time.monotonic()
        leader, lport = -1, None
        for j in range(len(survivors)):
            mm = metadata(survivors[(k + j) % len(survivors)], [topic])
            polls += 1
            if mm is None or not mm["topics"] or mm["topics"][0]["error"] != 0:
                continue
            px = [x for x in mm["topics"][0]["partitions"] if x["index"] == part]
            if px and px[0]["leader"] not in (-1, victim):
                leader, epoch1 = px[0]["leader"], px[0]["epoch"]
                lport = {b[0]: b[2] for b in mm["brokers"]}.get(leader)
                break
        k += 1
        if leader != -1 and lport is not None:
            if t_meta is None:
                t_meta = time.monotonic() - t0
                new_leader = leader
            e = produce_all(lport, topic, part, 2000, 3.0)
            attempts += 1
            if e == 0:
                t_ack = time.monotonic() - t0
                new_leader = leader
                break
            errs[str(e)] = errs.get(str(e), 0) + 1
        wait = t_try + 0.05 - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    fmt = lambda v: "NA" if v is None else "%.0f" % (v * 1000)
    print("victim=%d partition=%d controller=%d kind=%s new_leader=%d epoch=%d->%d "
          "meta_ms=%s ack_ms=%s produce_attempts=%d metadata_polls=%d errors=%s "
          "pre_kill_ack_ms=%s"
          % (victim, part, ctl, kind, new_leader, epoch0, epoch1, fmt(t_meta), fmt(t_ack),
             attempts, polls, ",".join("%s:%d" % kv for kv in sorted(errs.items())) or "-",
             "/".join("%.1f" % v for v in pre)))
    return 0 if t_ack is not None else 1


cmd = sys.argv[1]
if cmd == "ports":
    print(*free_ports(int(sys.argv[2])))
elif cmd == "wait":
    end = time.monotonic() + 10
    while time.monotonic() < end and not api_versions(int(sys.argv[2])):
        time.sleep(0.01)
    sys.exit(0 if api_versions(int(sys.argv[2])) else 1)
elif cmd == "ready":
    # every broker answers Metadata naming a controller
    end = time.monotonic() + float(sys.argv[2])
    ports = [int(p) for p in sys.argv[3:]]
    while time.monotonic() < end:
        ms = [metadata(p) for p in ports]
        if all(m is not None and m["controller_id"] >= 0 for m in ms):
            sys.exit(0)
        time.sleep(0.1)
    sys.exit(1)
elif cmd == "failover":
    sys.exit(failover(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:]))
PY
probe() { RN_ROOT="$ROOT" RN_SIZE="$SIZE" python3 "$SCRATCH/probe.py" "$@"; }

cpu_sum() {  # cpu_sum PID... -> total utime+stime in seconds
  local t=0 p c
  for p in "$@"; do c=$(cpu_s "$p"); [ "$c" = NA ] || t=$(calc "$t+$c"); done
  echo "$t"
}

# ---------------------------------------------------------------- machine
MEM_GIB=$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "# cluster_perf $(date -u +%FT%TZ)"
echo "# machine: kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", RAM $MEM_GIB GiB"
echo "# scratch: $SCRATCH on $(df --output=source,fstype "$SCRATCH" | tail -1 | xargs)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# checkout: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ -z "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] || echo ' (uncommitted changes in src/)')"
echo "# workload: NUM=$NUM records of $SIZE bytes per run, RUNS=$RUNS, FAILOVERS=$FAILOVERS, SESSIONS=\"$SESSIONS\", VICTIMS=\"$VICTIMS\""
echo "# page cache: synced before every perf run$( [ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ] && echo " and dropped (drop_caches)" )"

# ---------------------------------------------------------------- build
if [ "${NO_BUILD:-0}" != 1 ]; then
  log "building Release into build-rel"
  { cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF >/dev/null \
      && cmake --build build-rel -j2 >/dev/null; } \
    || { echo "ERROR: build failed" >&2; exit 1; }
fi
[ -x "$RUNNELD" ] && [ -x "$RUNNEL" ] || { echo "ERROR: $RUNNELD or $RUNNEL missing" >&2; exit 1; }
echo "# runneld: $("$RUNNELD" --version 2>&1 | head -1)"

declare -A V   # V[name]="v1 v2 ..."
# perf_run NAME BOOTSTRAP "PID..." ARGS... : runs `runnel -b BOOTSTRAP perf ARGS`
# (run number $r), prints its summary line, records records/s, wall time, client CPU
# (bash `time`) and the brokers' CPU (sum over the PIDs) for the run.
perf_run() {
  local name="$1" boot="$2" pids="$3"; shift 3
  local out="$SCRATCH/$name.$r.out" tf="$SCRATCH/$name.$r.time" b0 b1 rc
  # Each run starts from the same page-cache state: written back, and (when this runs
  # as root) dropped. Three brokers write every record three times; on this VM, once a
  # few GB of it sat in the page cache, later runs took ~3x the broker CPU at half the
  # rate (seen in the first full run; gone after a drop_caches), which measures the VM,
  # not the broker. DROP_CACHES=0 keeps the cache.
  sync
  if [ "${DROP_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
    echo 3 > /proc/sys/vm/drop_caches
  fi
  # shellcheck disable=SC2086
  b0=$(cpu_sum $pids)
  TIMEFORMAT='%R %U %S'
  { time timeout "$PERF_TIMEOUT" "$RUNNEL" -b "$boot" perf "$@" > "$out" 2> "$SCRATCH/$name.$r.err"; } 2> "$tf"
  rc=$?
  # shellcheck disable=SC2086
  b1=$(cpu_sum $pids)
  read -r wall cu cs < "$tf"
  local line; line=$(grep -E 'records sent' "$out" | tail -1)
  echo "[$name run $r] ${line:-NO SUMMARY (exit $rc)}"
  printf '    exit %s; wall %.2f s; client cpu %.2f s (user %.2f + sys %.2f); broker cpu %.2f s\n' \
    "$rc" "$wall" "$(calc "$cu+$cs")" "$cu" "$cs" "$(calc "$b1-$b0")"
  [ "$rc" = 0 ] || { echo "    stderr: $(head -3 "$SCRATCH/$name.$r.err")"; }
  local rps p99
  rps=$(sed -nE 's/.* ([0-9.]+) records\/sec.*/\1/p' <<< "$line")
  p99=$(sed -nE 's/.* ([0-9.]+) ms 99th.*/\1/p' <<< "$line")
  [ "$rc" = 0 ] || { rps=NA; p99=NA; }
  V[$name.rps]+=" ${rps:-NA}"; V[$name.p99]+=" ${p99:-NA}"; V[$name.wall]+=" $wall"
  V[$name.ccpu]+=" $(calc "round($cu+$cs, 2)")"; V[$name.bcpu]+=" $(calc "round($b1-$b0, 2)")"
}

# ---------------------------------------------------------------- the three-broker cluster
declare -A BPORT BCPORT BPID BDIR
BOOT=""
VOTERS=""
CUR_SESSION=""
# start_broker ID : (re)start broker ID with its ports and data dir. runneld runs under
# a subshell that waits for it, so that bash does not print a job notice ("Killed")
# when the failover probe kills it; BPID is runneld's own PID (from the subshell).
start_broker() {
  local i="$1" pidf="${BDIR[$1]}/pid"
  rm -f "$pidf"
  ( "$RUNNELD" --override "broker.id=$i" --override "listeners=127.0.0.1:${BPORT[$i]}" \
      --override "controller.listener=127.0.0.1:${BCPORT[$i]}" \
      --override "controller.quorum.voters=$VOTERS" --override "log.dirs=${BDIR[$i]}/data" \
      --override "broker.session.timeout.ms=$CUR_SESSION" \
      >> "${BDIR[$i]}/broker.log" 2>&1 < /dev/null &
    echo $! > "$pidf.tmp" && mv "$pidf.tmp" "$pidf"; wait ) 2> /dev/null &
  for _ in $(seq 1 500); do [ -s "$pidf" ] && break; sleep 0.01; done
  BPID[$i]=$(cat "$pidf" 2>/dev/null) || { echo "ERROR: broker $i did not start" >&2; exit 1; }
  PIDS+=("${BPID[$i]}")
}
start_cluster() {  # start_cluster SESSION_MS : three fresh brokers, all voters
  CUR_SESSION="$1"
  local ports i
  read -r -a ports < <(probe ports 6)
  VOTERS=""
  for i in 1 2 3; do
    BPORT[$i]=${ports[$(((i - 1) * 2))]}; BCPORT[$i]=${ports[$(((i - 1) * 2 + 1))]}
    BDIR[$i]="$SCRATCH/cluster-s$1/broker-$i"; mkdir -p "${BDIR[$i]}"
    VOTERS+="${VOTERS:+,}$i@127.0.0.1:${BCPORT[$i]}"
  done
  BOOT="127.0.0.1:${BPORT[1]},127.0.0.1:${BPORT[2]},127.0.0.1:${BPORT[3]}"
  for i in 1 2 3; do start_broker "$i"; done
  probe ready 60 "${BPORT[1]}" "${BPORT[2]}" "${BPORT[3]}" \
    || { echo "ERROR: the cluster did not elect a controller within 60 s" >&2; tail -20 "${BDIR[1]}/broker.log" >&2; exit 1; }
  echo "# cluster (broker.session.timeout.ms=$1): brokers 1,2,3 on $BOOT, PIDs ${BPID[1]} ${BPID[2]} ${BPID[3]}"
  echo "#   $(timeout 10 "$RUNNEL" -b "$BOOT" cluster status 2>&1 | tail -1 | tr '\t' ' ')"
}
stop_cluster() {
  local i n
  for i in 1 2 3; do stop_pid "${BPID[$i]}"; done
  for i in 1 2 3; do
    n=$(grep -cE ' (WARN|ERROR|FATAL)' "${BDIR[$i]}/broker.log")
    echo "broker $i log (session $CUR_SESSION): $(wc -l < "${BDIR[$i]}/broker.log") lines, $n WARN/ERROR/FATAL"
    grep -E ' (WARN|ERROR|FATAL)' "${BDIR[$i]}/broker.log" | head -5 | cut -c1-200 | sed 's/^/    /'
  done
}
describe() { timeout 10 "$RUNNEL" -b "$BOOT" topic describe "$1" 2> /dev/null; }
# isr_full TOPIC NPART [preferred] : every partition has a leader and an ISR of all
# three brokers (and, with `preferred`, is led by its first replica)
isr_full() {
  describe "$1" | awk -F'\t' -v n="$2" -v pref="${3:-}" '
    /^\t/ { delete f
            for (i = 2; i <= NF; i++) { j = index($i, ": "); f[substr($i, 1, j - 1)] = substr($i, j + 2) }
            cnt++
            if (f["Leader"] + 0 < 0 || split(f["Isr"], a, ",") != 3) bad = 1
            split(f["Replicas"], rr, ",")
            if (pref != "" && rr[1] != f["Leader"]) bad = 1 }
    END { exit (cnt == n && !bad) ? 0 : 1 }'
}
leaders_of() {  # "p:leader/isr ..." for the log
  describe "$1" | awk -F'\t' '/^\t/ { for (i = 2; i <= NF; i++) { j = index($i, ": "); f[substr($i, 1, j - 1)] = substr($i, j + 2) }
    printf "p%s:L%s/isr%s ", f["Partition"], f["Leader"], f["Isr"] }'
}
create_rf3() {  # create_rf3 TOPIC NPART : RF 3, min.insync.replicas=2; then the full ISR
  wait_until 30 timeout 10 "$RUNNEL" -b "$BOOT" topic create "$1" --partitions "$2" \
    --replication-factor 3 --config min.insync.replicas=2 2> "$SCRATCH/create.err" \
    || { echo "ERROR: topic create $1: $(cat "$SCRATCH/create.err")" >&2; exit 1; }
  wait_until 60 isr_full "$1" "$2" \
    || { echo "ERROR: $1: ISR not all three brokers within 60 s: $(leaders_of "$1")" >&2; exit 1; }
  echo "# topic $1: $2 partition(s), RF 3, min.insync.replicas=2; $(leaders_of "$1")"
}
# cluster_perf_run NAME TOPIC NPART ARGS... : perf_run on the cluster, with the full ISR
# checked before (waited for) and after (reported) the run
cluster_perf_run() {
  local name="$1" topic="$2" np="$3"; shift 3
  wait_until 60 isr_full "$topic" "$np" || echo "    WARNING: $topic ISR not full before the run: $(leaders_of "$topic")"
  perf_run "$name" "$BOOT" "${BPID[1]} ${BPID[2]} ${BPID[3]}" "$@"
  isr_full "$topic" "$np" || echo "    WARNING: $topic ISR not full right after the run: $(leaders_of "$topic")"
}

# ---------------------------------------------------------------- 1. one broker, acks=1
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  read -r PORT CPORT < <(probe ports 2)
  mkdir -p "$SCRATCH/single"
  SLOG="$SCRATCH/single/broker.log"
  "$RUNNELD" --override "listeners=127.0.0.1:$PORT" --override "controller.listener=127.0.0.1:$CPORT" \
    --override "controller.quorum.voters=1@127.0.0.1:$CPORT" --override "log.dirs=$SCRATCH/single/data" \
    > "$SLOG" 2>&1 < /dev/null &
  SPID=$!; PIDS+=("$SPID")
  probe wait "$PORT" || { echo "ERROR: broker did not answer ApiVersions within 10 s" >&2; cat "$SLOG" >&2; exit 1; }
  probe ready 30 "$PORT" || { echo "ERROR: single broker: no controller within 30 s" >&2; exit 1; }
  SB="127.0.0.1:$PORT"
  echo "# single broker: PID $SPID on $SB (controller $CPORT)"
  for t in s1:1 s3:3; do
    wait_until 30 timeout 10 "$RUNNEL" -b "$SB" topic create "${t%%:*}" --partitions "${t##*:}" \
      || { echo "ERROR: topic create ${t%%:*}" >&2; exit 1; }
  done
  log "1. one broker: runnel perf produce --acks 1, $NUM x $SIZE B, $RUNS rounds (1 and 3 partitions)"
  for r in $(seq 1 "$RUNS"); do
    perf_run single_acks1_p1 "$SB" "$SPID" produce s1 --num-records "$NUM" --record-size "$SIZE" --acks 1 --throughput -1
    perf_run single_acks1_p3 "$SB" "$SPID" produce s3 --num-records "$NUM" --record-size "$SIZE" --acks 1 --throughput -1
  done
  stop_pid "$SPID"
  n=$(grep -cE ' (WARN|ERROR|FATAL)' "$SLOG")
  echo "single broker log: $(wc -l < "$SLOG") lines, $n WARN/ERROR/FATAL"
  rm -rf "$SCRATCH/single/data"
fi

# ---------------------------------------------------------------- 2./3. the cluster
declare -A FO   # FO[session.kind.{ack,meta}]="v1 v2 ..."
FIRST=1
for S in $SESSIONS; do
  if [ "$FIRST" = 1 ] && [ "${NO_THROUGHPUT:-0}" != 1 ]; then
    start_cluster "$S"
    create_rf3 c3 3
    create_rf3 c1 1
    log "2. three brokers, RF 3: runnel perf produce --acks all / --acks 1, $NUM x $SIZE B, $RUNS rounds (3 and 1 partitions)"
    for r in $(seq 1 "$RUNS"); do
      cluster_perf_run cluster_all_p3 c3 3 produce c3 --num-records "$NUM" --record-size "$SIZE" --acks all --throughput -1
      cluster_perf_run cluster_all_p1 c1 1 produce c1 --num-records "$NUM" --record-size "$SIZE" --acks all --throughput -1
      cluster_perf_run cluster_acks1_p3 c3 3 produce c3 --num-records "$NUM" --record-size "$SIZE" --acks 1 --throughput -1
      cluster_perf_run cluster_acks1_p1 c1 1 produce c1 --num-records "$NUM" --record-size "$SIZE" --acks 1 --throughput -1
    done
    echo "data dir sizes: $(for i in 1 2 3; do du -sh "${BDIR[$i]}/data" | cut -f1; done | xargs)"
    # the throughput topics hold GBs: drop them before the failover runs
    timeout 30 "$RUNNEL" -b "$BOOT" topic delete c3 || echo "WARNING: topic delete c3 failed"
    timeout 30 "$RUNNEL" -b "$BOOT" topic delete c1 || echo "WARNING: topic delete c1 failed"
  else
    [ "${NO_FAILOVER:-0}" = 1 ] && continue
    start_cluster "$S"
  fi
  FIRST=0
  if [ "${NO_FAILOVER:-0}" != 1 ]; then
    create_rf3 fo 3
    log "3. failover, broker.session.timeout.ms=$S: kill -9 a partition leader, $FAILOVERS run(s) per victim kind ($VICTIMS)"
    for kind in $VICTIMS; do
      for r in $(seq 1 "$FAILOVERS"); do
        # every run starts from the same state: full ISR, each broker leading one partition
        timeout 20 "$RUNNEL" -b "$BOOT" cluster elect-leaders --topic fo > /dev/null 2>&1
        wait_until 60 isr_full fo 3 preferred \
          || echo "    WARNING: fo not at full ISR with preferred leaders: $(leaders_of fo)"
        specs=()
        for i in 1 2 3; do specs+=("$i:${BPORT[$i]}:${BPID[$i]}"); done
        out=$(timeout $((S / 1000 + 60)) env RN_ROOT="$ROOT" RN_SIZE="$SIZE" \
              python3 "$SCRATCH/probe.py" failover fo "$kind" $((S / 1000 + 30)) "${specs[@]}")
        rc=$?
        echo "[failover session=$S victim=$kind run $r] ${out:-NO OUTPUT} (exit $rc)"
        ack=$(sed -nE 's/.* ack_ms=([0-9NA]+).*/\1/p' <<< "$out")
        meta=$(sed -nE 's/.* meta_ms=([0-9NA]+).*/\1/p' <<< "$out")
        FO[$S.$kind.ack]+=" ${ack:-NA}"; FO[$S.$kind.meta]+=" ${meta:-NA}"
        victim=$(sed -nE 's/^victim=([0-9]+) .*/\1/p' <<< "$out")
        if [ -n "$victim" ] && ! kill -0 "${BPID[$victim]}" 2>/dev/null; then
          forget_pid "${BPID[$victim]}"
          echo "    $(timeout 10 "$RUNNEL" -b "$BOOT" cluster status 2>&1 | grep -E "^Broker: $victim|^Quorum" | tr '\t' ' ' | xargs)"
          start_broker "$victim"
          wait_until 60 isr_full fo 3 \
            || echo "    WARNING: restarted broker $victim not back in every ISR within 60 s: $(leaders_of fo)"
        fi
      done
    done
  fi
  stop_cluster
done

# ---------------------------------------------------------------- summary
row() { printf "%-58s %12s %25s %12s %s\n" "$1" "$2" "$3" "$4" "$5"; }

echo
echo "## summary ($(date -u +%FT%TZ); kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", $MEM_GIB GiB)"
echo "## $NUM x $SIZE-byte records per run; throughput: median of $RUNS runs; failover: $FAILOVERS run(s) each"
row figure median "[min – max]" target verdict
VERDICTS=()
FO_VERDICTS=()
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  declare -A MED MIN MAX
  for k in single_acks1_p1 single_acks1_p3 cluster_all_p3 cluster_all_p1 cluster_acks1_p3 cluster_acks1_p1; do
    read -r MED[$k] MIN[$k] MAX[$k] < <(stats ${V[$k.rps]})
  done
  trow() { row "$1" "$(fmtk "${MED[$2]}")" "[$(fmtk "${MIN[$2]}") – $(fmtk "${MAX[$2]}")]" "" ""; }
  trow "1 broker, acks=1, 1 partition (records/s)" single_acks1_p1
  trow "1 broker, acks=1, 3 partitions (records/s)" single_acks1_p3
  trow "3 brokers RF 3, acks=all, 3 partitions (records/s)" cluster_all_p3
  trow "3 brokers RF 3, acks=all, 1 partition (records/s)" cluster_all_p1
  trow "3 brokers RF 3, acks=1, 3 partitions (records/s)" cluster_acks1_p3
  trow "3 brokers RF 3, acks=1, 1 partition (records/s)" cluster_acks1_p1
  R_HEAD=$(ratio "${MED[cluster_all_p3]}" "${MED[single_acks1_p1]}")
  R_P1=$(ratio "${MED[cluster_all_p1]}" "${MED[single_acks1_p1]}")
  R_P3=$(ratio "${MED[cluster_all_p3]}" "${MED[single_acks1_p3]}")
  V_HEAD=$(verdict "$R_HEAD" '>=' 0.40); V_P1=$(verdict "$R_P1" '>=' 0.40); V_P3=$(verdict "$R_P3" '>=' 0.40)
  row "ratio: acks=all 3p / 1 broker acks=1 1p" "$R_HEAD" "" ">= 0.40" "$V_HEAD"
  row "ratio: acks=all 1p / 1 broker acks=1 1p" "$R_P1" "" ">= 0.40" "$V_P1"
  row "ratio: acks=all 3p / 1 broker acks=1 3p" "$R_P3" "" ">= 0.40" "$V_P3"
  VERDICTS+=("$V_HEAD" "$V_P1" "$V_P3")
fi
if [ "${NO_FAILOVER:-0}" != 1 ]; then
  for S in $SESSIONS; do
    tgt=$((S + 1000))
    for kind in $VICTIMS; do
      read -r AM AMIN AMAX < <(stats ${FO[$S.$kind.ack]:-NA})
      read -r MM MMIN MMAX < <(stats ${FO[$S.$kind.meta]:-NA})
      # the target is a bound: judged on the slowest run (a run with no ack counts as missed)
      vk=$(verdict "$AMAX" '<=' "$tgt")
      case " ${FO[$S.$kind.ack]:-NA} " in *" NA "*) vk=MISSED ;; esac
      row "kill -9 leader ($kind) -> acks=all ack (ms, S=$S)" "$AM" "[$AMIN – $AMAX]" "max <= $tgt" "$vk"
      row "  -> new leader in survivors' metadata (ms)" "$MM" "[$MMIN – $MMAX]" "" ""
      VERDICTS+=("$vk"); FO_VERDICTS+=("S=$S $kind: $vk")
    done
  done
fi
OVERALL=PASS
for v in "${VERDICTS[@]:-}"; do [ "$v" = met ] || OVERALL=FAIL; done
[ "${#VERDICTS[@]}" -gt 0 ] || OVERALL="n/a"
if [ "${NO_THROUGHPUT:-0}" != 1 ]; then
  echo "THROUGHPUT: $([ "$V_HEAD" = met ] && echo PASS || echo FAIL) — acks=all (RF 3, 3 partitions) / one broker acks=1 = $R_HEAD (target >= 0.40; Kafka's published 0.51 used three machines)"
fi
if [ "${#FO_VERDICTS[@]}" -gt 0 ]; then
  case " ${FO_VERDICTS[*]} " in *MISSED*|*n/a*) FV=FAIL ;; *) FV=PASS ;; esac
  echo "FAILOVER: $FV — kill -9 of a leader -> new leader acknowledges acks=all <= broker.session.timeout.ms + 1 s in every run ($(IFS=';'; echo "${FO_VERDICTS[*]}" | sed 's/;/; /g'))"
fi
echo "OVERALL: $OVERALL (PASS needs every verdict above met)"
echo "raw per-run values:"
for k in single_acks1_p1 single_acks1_p3 cluster_all_p3 cluster_all_p1 cluster_acks1_p3 cluster_acks1_p1; do
  [ -n "${V[$k.rps]:-}" ] || continue
  echo "  $k: rps=[${V[$k.rps]# }] p99_ms=[${V[$k.p99]# }] wall_s=[${V[$k.wall]# }] client_cpu_s=[${V[$k.ccpu]# }] broker_cpu_s=[${V[$k.bcpu]# }]"
done
for S in $SESSIONS; do
  for kind in $VICTIMS; do
    [ -n "${FO[$S.$kind.ack]:-}" ] || continue
    echo "  failover session=$S victim=$kind: ack_ms=[${FO[$S.$kind.ack]# }] meta_ms=[${FO[$S.$kind.meta]# }]"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
