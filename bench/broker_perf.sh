#!/usr/bin/env bash
# broker_perf.sh — one runneld on loopback: startup time, RSS, `runnel perf`
# produce/consume throughput and p99 latency, with the peer baselines (iperf3
# loopback TCP, Redis Streams XADD) measured in the same run by
# ../shared/peers/measure.sh. See bench/README.md ("broker_perf").
#
# Usage: bash bench/broker_perf.sh
# Env:   RUNS=3         runs per perf figure (median and min–max reported)
#        STARTS=5       broker starts for the startup-time median
#        NO_PEERS=1     skip the peer baselines
#        NO_BUILD=1     use the existing build-rel binaries
#        KEEP=1         keep the scratch dir (data dirs, broker logs, raw outputs)
#        PEERS_DIR      default: <checkout>/../shared/peers
#
# Every broker is started here on free loopback ports (asked from the kernel) with
# its data under a mktemp dir, and stopped by PID (SIGTERM, SIGKILL after 10 s; a
# trap covers exits). Every load is bounded by a record count and by `timeout`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
STARTS="${STARTS:-5}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/peers}"
SCRATCH="$(mktemp -d /tmp/broker_perf.XXXXXX)"
RUNNELD="$ROOT/build-rel/runneld"
RUNNEL="$ROOT/build-rel/runnel"
PIDS=()
source "$ROOT/bench/lib.sh"


cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && stop_pid "$p"; done
  # a broker spawned by the startup probe (python) that the probe did not stop
  for f in "$SCRATCH"/start*/pid; do
    [ -f "$f" ] || continue
    p=$(cat "$f"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && stop_pid "$p"
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "(scratch kept: $SCRATCH)" >&2; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers (python3)
cat > "$SCRATCH/probe.py" <<'PY'
"""ports N | wait PORT | spawn RUNNELD DATADIR LOG PIDFILE  (see broker_perf.sh)"""
import os, signal, socket, struct, subprocess, sys, time
import os
import sys
sys.path.insert(0, os.environ["RN_BENCH_DIR"])
from benchlib import recvn, api_versions, free_ports, wait_ready  # noqa: E402

cmd = sys.argv[1]
if cmd == "ports":
    print(*free_ports(int(sys.argv[2])))
elif cmd == "wait":
    sys.exit(0 if wait_ready(int(sys.argv[2]), time.monotonic() + 10) else 1)
elif cmd == "spawn":
    # time from spawning runneld to the first successful ApiVersions round trip,
    # then stop it (SIGTERM, SIGKILL after 10 s). Prints milliseconds.
    runneld, datadir, logf, pidfile = sys.argv[2:6]
    p, c = free_ports(2)
    args = [runneld, "--override", f"listeners=127.0.0.1:{p}",
            "--override", f"controller.listener=127.0.0.1:{c}",
            "--override", f"controller.quorum.voters=1@127.0.0.1:{c}",
            "--override", f"log.dirs={datadir}"]
    with open(logf, "wb") as lf:
        t0 = time.monotonic()
        proc = subprocess.Popen(args, stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with open(pidfile, "w") as f:
            f.write(str(proc.pid))
        ok = wait_ready(p, t0 + 10, proc)
        ms = (time.monotonic() - t0) * 1000
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill(); proc.wait()
    os.unlink(pidfile)
    if not ok:
        print("NA"); sys.exit(1)
    print(f"{ms:.1f}")
PY
probe() { python3 "$SCRATCH/probe.py" "$@"; }

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo NA; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null || echo NA; }

# ---------------------------------------------------------------- machine
MEM_GIB=$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "# broker_perf $(date -u +%FT%TZ)"
echo "# machine: kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", RAM $MEM_GIB GiB"
echo "# scratch: $SCRATCH on $(df --output=source,fstype "$SCRATCH" | tail -1 | xargs)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# checkout: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ -z "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] || echo ' (uncommitted changes in src/)')"

# ---------------------------------------------------------------- peers' tools
PEERS_OK=1
if [ "${NO_PEERS:-0}" = 1 ]; then
  PEERS_OK=0; echo "# peers: skipped (NO_PEERS=1)"
elif [ ! -f "$PEERS_DIR/measure.sh" ]; then
  PEERS_OK=0; echo "# peers: skipped ($PEERS_DIR/measure.sh not found)"
else
  missing=0
  for t in iperf3 redis-server redis-cli redis-benchmark jq ss; do command -v "$t" >/dev/null || missing=1; done
  if [ "$missing" = 1 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing iperf3, redis (missing)"
      echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections 2>/dev/null
      DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y --no-install-recommends \
        iperf3 redis-server redis-tools jq iproute2 > "$SCRATCH/apt.log" 2>&1 \
        || { echo "apt-get install failed (see below)" >&2; tail -5 "$SCRATCH/apt.log" >&2; }
      # the Debian packages start system services; this benchmark starts its own servers
      for t in iperf3 redis-server redis-benchmark jq; do command -v "$t" >/dev/null || PEERS_OK=0; done
    else
      PEERS_OK=0
    fi
    [ "$PEERS_OK" = 1 ] || echo "# peers: SKIPPED — iperf3/redis-server/redis-benchmark/jq missing and cannot be installed here (need root and apt-get)"
  fi
fi

# ---------------------------------------------------------------- build
if [ "${NO_BUILD:-0}" != 1 ]; then
  log "building Release into build-rel"
  { cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF >/dev/null \
      && cmake --build build-rel -j2 >/dev/null; } \
    || { echo "ERROR: build failed" >&2; exit 1; }
fi
[ -x "$RUNNELD" ] && [ -x "$RUNNEL" ] || { echo "ERROR: $RUNNELD or $RUNNEL missing" >&2; exit 1; }
echo "# runneld: $("$RUNNELD" --version 2>&1 | head -1)"

# ---------------------------------------------------------------- 1. exec -> accepting
log "1. exec -> first ApiVersions round trip, $STARTS starts, fresh data dir each"
START_MS=()
for i in $(seq 1 "$STARTS"); do
  d="$SCRATCH/start$i"; mkdir -p "$d"
  ms=$(timeout 30 python3 "$SCRATCH/probe.py" spawn "$RUNNELD" "$d/data" "$d/broker.log" "$d/pid")
  START_MS+=("${ms:-NA}")
  sleep 0.2
done
echo "startup_ms runs: ${START_MS[*]}"
read -r START_MED START_MIN START_MAX < <(stats "${START_MS[@]}")

# ---------------------------------------------------------------- the broker under load
read -r PORT CPORT < <(probe ports 2)
BLOG="$SCRATCH/broker.log"
"$RUNNELD" --override "listeners=127.0.0.1:$PORT" --override "controller.listener=127.0.0.1:$CPORT" \
  --override "controller.quorum.voters=1@127.0.0.1:$CPORT" --override "log.dirs=$SCRATCH/data" \
  > "$BLOG" 2>&1 < /dev/null &
BPID=$!; PIDS+=("$BPID")
probe wait "$PORT" || { echo "ERROR: broker did not answer ApiVersions within 10 s" >&2; cat "$BLOG" >&2; exit 1; }
B="127.0.0.1:$PORT"
echo "# broker: PID $BPID on $B (controller $CPORT), data $SCRATCH/data"

# ---------------------------------------------------------------- 2. idle RSS
sleep 2
RSS_IDLE_KB=$(rss_kb "$BPID")
echo "idle_rss_kb (2 s after start, no topics): $RSS_IDLE_KB"

# ---------------------------------------------------------------- 3. perf
timeout 30 "$RUNNEL" -b "$B" topic create perf --partitions 1 || { echo "ERROR: topic create perf" >&2; exit 1; }
timeout 30 "$RUNNEL" -b "$B" topic create perf2 --partitions 1 || { echo "ERROR: topic create perf2" >&2; exit 1; }

declare -A V   # V[name]="v1 v2 ..."
# perf_run NAME TIMEOUT ARGS... : runs `runnel perf ARGS`, prints the summary line,
# records wall/client CPU (bash `time`) and broker CPU for the run.
perf_run() {
  local name="$1" to="$2"; shift 2
  local out="$SCRATCH/$name.$r.out" tf="$SCRATCH/$name.$r.time" b0 b1 rc
  b0=$(cpu_s "$BPID")
  TIMEFORMAT='%R %U %S'
  { time timeout "$to" "$RUNNEL" -b "$B" perf "$@" > "$out" 2> "$SCRATCH/$name.$r.err"; } 2> "$tf"
  rc=$?
  b1=$(cpu_s "$BPID")
  read -r wall cu cs < "$tf"
  local line; line=$(grep -E 'records (sent|received)' "$out" | tail -1)
  echo "[$name run $r] ${line:-NO SUMMARY (exit $rc)}"
  printf '    exit %s; wall %.2f s; client cpu %.2f s (user %.2f + sys %.2f); broker cpu %.2f s\n' \
    "$rc" "$wall" "$(calc "$cu+$cs")" "$cu" "$cs" "$(calc "$b1-$b0")"
  [ "$rc" = 0 ] || { echo "    stderr: $(head -3 "$SCRATCH/$name.$r.err")"; }
  local rps mbs p99
  rps=$(sed -nE 's/.* ([0-9.]+) records\/sec.*/\1/p' <<< "$line")
  mbs=$(sed -nE 's/.*\(([0-9.]+) MB\/sec\).*/\1/p' <<< "$line")
  p99=$(sed -nE 's/.* ([0-9.]+) ms 99th.*/\1/p' <<< "$line")
  [ "$rc" = 0 ] || { rps=NA; mbs=NA; p99=NA; }
  V[$name.rps]+=" ${rps:-NA}"; V[$name.mbs]+=" ${mbs:-NA}"; V[$name.p99]+=" ${p99:-NA}"
  V[$name.ccpu]+=" $(calc "round($cu+$cs, 2)")"; V[$name.bcpu]+=" $(calc "round($b1-$b0, 2)")"; V[$name.wall]+=" $wall"
}

log "3. runnel perf, $RUNS rounds (acks=1, acks=0, consume, latency @100k/s)"
for r in $(seq 1 "$RUNS"); do
  perf_run produce_acks1 120 produce perf --num-records 2000000 --record-size 100 --acks 1 --throughput -1
  perf_run produce_acks0 120 produce perf --num-records 2000000 --record-size 100 --acks 0 --throughput -1
  perf_run consume       120 consume perf --num-records 2000000
  perf_run latency_100k   60 produce perf2 --num-records 500000 --record-size 100 --acks 1 --throughput 100000
done

# ---------------------------------------------------------------- 2b. RSS after the runs
sleep 2
RSS_AFTER_KB=$(rss_kb "$BPID"); HWM_KB=$(hwm_kb "$BPID")
echo "rss_after_perf_kb (2 s after the last run): $RSS_AFTER_KB; peak (VmHWM): $HWM_KB"
echo "data dir size: $(du -sh "$SCRATCH/data" | cut -f1)"
stop_pid "$BPID"
BLOG_BAD=$(grep -cE ' (WARN|ERROR|FATAL)' "$BLOG")
echo "broker log: $(wc -l < "$BLOG") lines, $BLOG_BAD WARN/ERROR/FATAL"
grep -E ' (WARN|ERROR|FATAL)' "$BLOG" | head -10 | sed 's/^/    /'
for i in $(seq 1 "$STARTS"); do
  n=$(grep -cE ' (WARN|ERROR|FATAL)' "$SCRATCH/start$i/broker.log" 2>/dev/null)
  [ "${n:-0}" = 0 ] || { echo "start $i broker log: $n WARN/ERROR/FATAL"; grep -E ' (WARN|ERROR|FATAL)' "$SCRATCH/start$i/broker.log" | head -3 | sed 's/^/    /'; }
done

# ---------------------------------------------------------------- 4. peers
IPERF_GBPS=NA; REDIS_RPS=NA; REDIS_MBS=NA
if [ "$PEERS_OK" = 1 ]; then
  log "4. peer baselines: RUNS=1 SKIP=\"disk mem comp nats kafka\" measure.sh"
  RUNS=1 SKIP="disk mem comp nats kafka" SCRATCH="$SCRATCH/peers" \
    timeout 300 bash "$PEERS_DIR/measure.sh" > "$SCRATCH/peers.out" 2> "$SCRATCH/peers.err"
  echo "measure.sh exit $?; its table:"
  sed -n '/^metric /,$p' "$SCRATCH/peers.out" | sed 's/^/    /'
  col() { awk -v m="$1" -v u="$2" '$1==m && $6==u {print $2}' "$SCRATCH/peers.out" | head -1; }
  IPERF_GBPS=$(col net.loopback_tcp_1stream Gbit/s); IPERF_GBPS=${IPERF_GBPS:-NA}
  REDIS_RPS=$(col redis.xadd.everysec.P100.c50 rec/s); REDIS_RPS=${REDIS_RPS:-NA}
  REDIS_MBS=$(col redis.xadd.everysec.P100.c50 MB/s); REDIS_MBS=${REDIS_MBS:-NA}
fi

# ---------------------------------------------------------------- summary
read -r P1_MED P1_MIN P1_MAX < <(stats ${V[produce_acks1.rps]})
read -r P0_MED P0_MIN P0_MAX < <(stats ${V[produce_acks0.rps]})
read -r C_MED C_MIN C_MAX < <(stats ${V[consume.rps]})
read -r L_MED L_MIN L_MAX < <(stats ${V[latency_100k.p99]})
read -r LR_MED LR_MIN LR_MAX < <(stats ${V[latency_100k.rps]})
read -r M1_MED M1_MIN M1_MAX < <(stats ${V[produce_acks1.mbs]})
read -r M0_MED _ _ < <(stats ${V[produce_acks0.mbs]})
read -r MC_MED _ _ < <(stats ${V[consume.mbs]})

kib2mib() { [ "$1" = NA ] && echo NA || calc "round($1/1024, 2)"; }

echo
echo "## summary ($(date -u +%FT%TZ); kernel $(uname -r), $(nproc) CPUs \"$CPU_MODEL\", $MEM_GIB GiB)"
printf "%-44s %14s %25s %16s %s\n" figure median "[min – max]" target verdict
row() { printf "%-44s %14s %25s %16s %s\n" "$1" "$2" "$3" "$4" "$5"; }
row "exec -> ApiVersions ok (ms, $STARTS starts)" "$START_MED" "[$START_MIN – $START_MAX]" "<= 100" "$(verdict "$START_MED" '<=' 100)"
row "idle RSS, 2 s after start (MiB)" "$(kib2mib "$RSS_IDLE_KB")" "" "<= 10" "$(verdict "$(kib2mib "$RSS_IDLE_KB")" '<=' 10)"
row "RSS after the perf runs (MiB)" "$(kib2mib "$RSS_AFTER_KB")" "peak $(kib2mib "$HWM_KB")" "" ""
row "produce acks=1 (records/s, $RUNS runs)" "$(fmtk "$P1_MED")" "[$(fmtk "$P1_MIN") – $(fmtk "$P1_MAX")]" ">= 1,000,000" "$(verdict "$P1_MED" '>=' 1000000)"
row "produce acks=1 (MiB/s payload)" "$M1_MED" "[$M1_MIN – $M1_MAX]" "" ""
row "produce acks=0 (records/s)" "$(fmtk "$P0_MED")" "[$(fmtk "$P0_MIN") – $(fmtk "$P0_MAX")]" ">= acks=1 median" "$(verdict "$P0_MED" '>=' "$P1_MED")"
row "consume (records/s)" "$(fmtk "$C_MED")" "[$(fmtk "$C_MIN") – $(fmtk "$C_MAX")]" ">= 2,000,000" "$(verdict "$C_MED" '>=' 2000000)"
row "p99 latency @ --throughput 100000 (ms)" "$L_MED" "[$L_MIN – $L_MAX]" "<= 5" "$(verdict "$L_MED" '<=' 5)"
row "  achieved rate in that run (records/s)" "$(fmtk "$LR_MED")" "[$(fmtk "$LR_MIN") – $(fmtk "$LR_MAX")]" "" ""
row "peer: iperf3 loopback TCP, 1 stream (Gbit/s)" "$IPERF_GBPS" "" "" ""
row "peer: Redis XADD -P 100 -c 50 everysec (rec/s)" "$(fmtk "$REDIS_RPS")" "($REDIS_MBS MB/s)" "" ""
if [ "$PEERS_OK" = 1 ] && [ "$IPERF_GBPS" != NA ] && [ "$REDIS_RPS" != NA ] && [ "$P1_MED" != NA ]; then
  # runnel's MB/sec are MiB (2^20 B) of payload; iperf3 counts bits (1e9 / Gbit)
  R_REDIS1=$(calc "round($P1_MED/$REDIS_RPS, 2)"); R_REDIS0=$(calc "round($P0_MED/$REDIS_RPS, 2)")
  GBIT1=$(calc "round($M1_MED*1048576*8/1e9, 3)")
  R_NET1=$(calc "round($M1_MED*1048576*8/1e9/$IPERF_GBPS, 3)")
  R_NETC=$(calc "round($MC_MED*1048576*8/1e9/$IPERF_GBPS, 3)")
  row "ratio: produce acks=1 / Redis XADD" "${R_REDIS1}x" "" "" ""
  row "ratio: produce acks=0 / Redis XADD" "${R_REDIS0}x" "" "" ""
  row "ratio: produce acks=1 payload / iperf3" "${R_NET1}x" "($GBIT1 Gbit/s)" "" ""
  row "ratio: consume payload / iperf3" "${R_NETC}x" "" "" ""
else
  echo "(peer ratios not computed: peers skipped or a figure is missing)"
fi
echo "raw per-run values: startup_ms=[${START_MS[*]}]"
for k in produce_acks1 produce_acks0 consume latency_100k; do
  echo "  $k: rps=[${V[$k.rps]# }] p99_ms=[${V[$k.p99]# }] wall_s=[${V[$k.wall]# }] client_cpu_s=[${V[$k.ccpu]# }] broker_cpu_s=[${V[$k.bcpu]# }]"
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
