#!/usr/bin/env bash
# cluster.sh — run the three-broker cluster of config/cluster/ on 127.0.0.1.
#
#   scripts/cluster.sh start        start brokers 1..3, wait until all three are alive
#   scripts/cluster.sh stop         SIGTERM every broker and wait for it to exit
#   scripts/cluster.sh status       `runnel cluster status` against the cluster
#   scripts/cluster.sh kill N       kill -9 broker N (a crash)
#   scripts/cluster.sh restart N    stop broker N (if running) and start it again
#
# Data lives under data/broker-N, logs in data/broker-N.log, pids in data/broker-N.pid
# (all relative to the repository root). Binaries come from $RUNNEL_BUILD (default
# build/: `scripts/run.sh` or `cmake -S . -B build && cmake --build build` makes them).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${RUNNEL_BUILD:-build}
RUNNELD=$BUILD/runneld
RUNNEL=$BUILD/runnel
BOOTSTRAP=127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292
IDS=(1 2 3)

die() { echo "cluster.sh: $*" >&2; exit 1; }

pid_of() { # the running pid of broker $1, or nothing
    local f=data/broker-$1.pid
    [[ -f $f ]] || return 0
    local pid
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

check_id() {
    [[ ${1:-} =~ ^[123]$ ]] || die "broker id must be 1, 2 or 3 (got '${1:-}')"
}

start_one() {
    local n=$1
    [[ -x $RUNNELD ]] || die "no $RUNNELD: build first (scripts/run.sh, or set RUNNEL_BUILD)"
    if [[ -n $(pid_of "$n") ]]; then
        echo "broker $n already running (pid $(pid_of "$n"))"
        return 0
    fi
    mkdir -p data
    nohup "$RUNNELD" --config "config/cluster/broker-$n.properties" >>"data/broker-$n.log" 2>&1 &
    echo $! >"data/broker-$n.pid"
    echo "broker $n started (pid $!, log data/broker-$n.log)"
}

stop_one() {
    local n=$1 pid
    pid=$(pid_of "$n")
    if [[ -z $pid ]]; then
        rm -f "data/broker-$n.pid"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "broker $n did not stop within 30 s: kill -9" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "data/broker-$n.pid"
    echo "broker $n stopped"
}

status() {
    "$RUNNEL" -b "$BOOTSTRAP" cluster status
}

wait_alive() { # until cluster status lists $1 alive brokers, at most 30 s
    local want=$1 out
    for _ in $(seq 1 150); do
        out=$("$RUNNEL" -b "$BOOTSTRAP" cluster status 2>/dev/null || true)
        if [[ $(grep -c "Status: alive" <<<"$out") -ge $want ]]; then
            echo "$out"
            return 0
        fi
        sleep 0.2
    done
    die "fewer than $want brokers alive after 30 s; see data/broker-*.log"
}

case ${1:-} in
start)
    for n in "${IDS[@]}"; do start_one "$n"; done
    wait_alive 3
    ;;
stop)
    for n in "${IDS[@]}"; do stop_one "$n"; done
    ;;
status)
    status
    ;;
kill)
    check_id "${2:-}"
    pid=$(pid_of "$2")
    [[ -n $pid ]] || die "broker $2 is not running"
    kill -KILL "$pid"
    rm -f "data/broker-$2.pid"
    echo "broker $2 killed (pid $pid)"
    ;;
restart)
    check_id "${2:-}"
    stop_one "$2"
    start_one "$2"
    ;;
*)
    echo "usage: $0 start|stop|status|kill N|restart N" >&2
    exit 2
    ;;
esac
