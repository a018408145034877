#!/usr/bin/env bash
# What the GIL does to pywsgi's --threads: the same server, swept over --threads (1 2 4 8,
# PYWSGI_THREADS to change), on one core and on every core, with three Python
# applications at 32 keep-alive connections: the raw PEP 3333 hello (hello:app: almost
# all Python time with the GIL held), a handler that sleeps 10 ms (bench:sleep:
# time.sleep releases the GIL, as I/O would) and a web.py 0.76 page (webpy_app:app).
# "one core": the server pinned to cpu 0 and wrk to cpu 1 (taskset), as pywsgi_load.sh
# measures. "every core": the server may run on every cpu but the last, wrk on the last;
# on a two-core machine that is both cpus, the second shared with wrk (the output says
# which cpus each row had).
#
# Prints, per point: requests/s, p99 latency, the server's CPU time per request, and
# busy: the server's CPU seconds per second of the run (1.00 is one core kept busy; above
# it, threads ran at the same time).
#
# Usage: flock -x /tmp/webpy-cpu.lock bash benches/pywsgi_gil.sh [SECONDS_PER_POINT]
# (default 5). LOAD_PROFILE (default release) is the cargo profile pywsgi is built with;
# tidy's test of the book's sample runs `LOAD_PROFILE=dev bash benches/pywsgi_gil.sh 1`.
# Needs: Linux, taskset, wrk, cargo, python3 3.11 with a shared libpython, pip (web.py
# goes into target/pydeps, never the system's site-packages).
set -euo pipefail

DURATION="${1:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APPS="$ROOT/pywsgi/tests/apps"
DEPS="$TARGET_DIR/pydeps"
PROFILE="${LOAD_PROFILE:-release}"
CORES="$(nproc)"
CLIENT_CPU=$(( CORES - 1 ))
ONE=0
EVERY="0-$(( CORES > 2 ? CORES - 2 : CORES - 1 ))"
CLK_TCK="$(getconf CLK_TCK)"

if [ ! -d "$DEPS/web" ]; then
    python3 -m pip install -q --disable-pip-version-check --target "$DEPS" web.py==0.76 cheroot==11.1.2
fi
cargo build -q --profile "$PROFILE" -p pywsgi --features python
PYWSGI="$TARGET_DIR/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")/pywsgi"

# free_port, group_ticks and measure (one point: RPS, P99, CPU_US, BUSY).
# shellcheck source=pywsgi_point.sh
source "$ROOT/benches/pywsgi_point.sh"

echo "server: pywsgi MODULE:CALLABLE --threads N --chdir pywsgi/tests/apps ($PROFILE), path /, 32 connections"
printf "%-6s %-8s %-7s %8s %12s %10s %11s %6s\n" "app" "cores" "cpus" "threads" "req/s" "p99" "cpu_us/req" "busy"
for APP in hello sleep webpy; do
    case "$APP" in
        hello) SPEC=hello:app ;;
        sleep) SPEC=bench:sleep ;;
        webpy) SPEC=webpy_app:app ;;
    esac
    for WHERE in one every; do
        if [ "$WHERE" = one ]; then SERVER_CPU=$ONE; else SERVER_CPU=$EVERY; fi
        for THREADS in ${PYWSGI_THREADS:-1 2 4 8}; do
            PORT="$(free_port)"
            measure "$APP" / 32 "$PORT" -- \
                env PYTHONPATH="$DEPS" "$PYWSGI" "$SPEC" --port "$PORT" --threads "$THREADS" --chdir "$APPS"
            printf "%-6s %-8s %-7s %8s %12s %10s %11s %6s\n" \
                "$APP" "$WHERE" "$SERVER_CPU" "$THREADS" "$RPS" "$P99" "$CPU_US" "$BUSY"
        done
    done
done
echo "(${DURATION}s per point after 1s of warm-up; keep-alive; wrk -t1 -c32 pinned to cpu $CLIENT_CPU (taskset); $CORES cores)"
