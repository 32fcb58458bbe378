# lib.sh — shell helpers shared by the bench/*.sh scripts (sourced, not run):
#   log MSG              a progress line on stderr
#   stop_pid PID         stop a process the script started (SIGTERM, SIGKILL after
#                        10 s) and drop it from the caller's PIDS array
#   stats V...           "median min max" of the numeric values (NA when none)
#   calc EXPR            a python3 expression's value (NA when it fails)
#   cpu_s PID            the process's utime+stime in seconds
#   wait_until S CMD...  poll CMD every 0.2 s for up to S seconds; CMD's last status
#   verdict V OP T       met | MISSED | n/a (V or T is NA)
#   fmtk N               N with thousands separators (NA stays NA)
#   ratio A B            round(A/B, 3), or NA
# Python probes import bench/benchlib.py (RN_BENCH_DIR). The scripts keep their own PIDS array, scratch dir and cleanup trap.
# shellcheck shell=bash
export RN_BENCH_DIR="$ROOT/bench"  # where the probes find benchlib.py
log() { echo "== $*" >&2; }

stop_pid() {  # stop a process we started, by PID: SIGTERM, then SIGKILL after 10 s
  local p="$1" q keep=()
  for q in "${PIDS[@]:-}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  PIDS=("${keep[@]:-}")
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
  kill "$p" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }; sleep 0.1; done
  echo "WARNING: PID $p still running 10 s after SIGTERM; SIGKILL" >&2
  kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; return 0
}

# stats V... -> "median min max" (NA if no numeric values)
stats() {
  python3 - "$@" <<'PY'
import sys, statistics
v = [float(x) for x in sys.argv[1:] if x not in ("", "NA")]
print("NA NA NA" if not v else f"{statistics.median(v):.6g} {min(v):.6g} {max(v):.6g}")
PY
}

calc() { python3 -c "print($1)" 2>/dev/null || echo NA; }

cpu_s() {  # utime+stime of PID in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat" 2>/dev/null || echo NA
}

wait_until() {  # wait_until SECONDS CMD... : poll CMD every 0.2 s; 0 once it succeeds
  local end=$((SECONDS + $1)); shift
  while [ "$SECONDS" -lt "$end" ]; do "$@" && return 0; sleep 0.2; done
  "$@"
}

verdict() {  # verdict VALUE OP TARGET -> met|MISSED|n/a
  [ "$1" = NA ] || [ "$3" = NA ] && { echo "n/a"; return; }
  if python3 -c "import sys; sys.exit(0 if $1 $2 $3 else 1)"; then echo met; else echo MISSED; fi
}

fmtk() { [ "$1" = NA ] && echo NA || python3 -c "print(f'{$1:,.0f}')"; }

ratio() { [ "$1" = NA ] || [ "$2" = NA ] && echo NA || calc "round($1/$2, 3)"; }
