#!/usr/bin/env bash
# Load test of the httpserver layer: the `echo_server` example with 8 workers, driven by
# wrk with keep-alive and with `Connection: close`, at 1, 8 and 32 connections. The server
# is pinned to one core and wrk to the other (taskset), so what is measured is the
# server's work per request, not the scheduler sharing two cores between the server and
# its load generator; the last line says which cores (one core: both on it).
#
# Prints, per point: requests/s, p99 latency, the server's CPU time per request (from
# /proc/<pid>/stat, user + system, before and after), and how long a fresh connection
# opened in the middle of the run waits for its answer: wrk only measures the
# connections it keeps busy, so a starved newcomer (the design notes' pinned keep-alive)
# is invisible to it.
#
# Usage: bash benches/load.sh [SECONDS_PER_POINT]     (default 5)
# Needs: Linux (/proc), taskset, wrk (installed with apt-get if missing), cargo.
#
# Comparisons (context switches per request, the idle-clients and slow-uploaders probes, hyper and tiny_http as peers, the
# server before a change, the HttpConnection chapter's three designs) take a flag and
# run benches/load_pinned.sh, which says what each flag does:
#   flock -x /tmp/webpy-cpu.lock bash benches/load.sh --compare [--baseline DIR] [--designs] [SECONDS]
#
# The same load against an upper layer's example: set LOAD_PACKAGE, LOAD_EXAMPLE, LOAD_PATH
# and LOAD_ARGS (the example must print "listening on http://ADDR" on stdout), e.g.
#   LOAD_PACKAGE=wsgi LOAD_EXAMPLE=conformance LOAD_PATH=/ bash benches/load.sh
#   LOAD_PACKAGE=application LOAD_EXAMPLE=app_conformance LOAD_PATH=/hello/load \
#     LOAD_ARGS="--port 0" bash benches/load.sh
# LOAD_PROFILE (default release) is the cargo profile the server is built with; tidy's
# test of the book's load samples runs `LOAD_PROFILE=dev bash benches/load.sh 1`, whose
# figures mean nothing but whose lines and columns are the script's.
set -euo pipefail

case "${1:-}" in
    --compare | --designs | --baseline | --stack)
        exec bash "$(dirname "$0")/load_pinned.sh" "$@"
        ;;
esac

DURATION="${1:-5}"
WORKERS=8
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing it with apt-get" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >/dev/null || true
    $SUDO apt-get install -y -qq wrk >/dev/null
fi

PACKAGE="${LOAD_PACKAGE:-httpserver}"
EXAMPLE="${LOAD_EXAMPLE:-echo_server}"
URL_PATH="${LOAD_PATH:-/hello}"
read -r -a SERVER_ARGS <<<"${LOAD_ARGS:---port 0 --threads $WORKERS}"
PROFILE="${LOAD_PROFILE:-release}"
cargo build --profile "$PROFILE" -q -p "$PACKAGE" --example "$EXAMPLE"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
SERVER_BIN="$TARGET_DIR/$PROFILE_DIR/examples/$EXAMPLE"
SERVER_CPU=0
CLIENT_CPU=1
if [ "$(nproc)" -lt 2 ]; then CLIENT_CPU=0; fi
echo "server: $PACKAGE example $EXAMPLE ${SERVER_ARGS[*]}, path $URL_PATH"

LOG="$(mktemp)"
taskset -c "$SERVER_CPU" "$SERVER_BIN" "${SERVER_ARGS[@]}" >"$LOG" 2>/dev/null &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT

# The server prints "echo_server listening on http://127.0.0.1:PORT with N workers".
for _ in $(seq 1 100); do
    grep -q "listening on" "$LOG" && break
    sleep 0.05
done
ADDR="$(grep -o 'http://[^ ]*' "$LOG" | head -n 1)"
ADDR="${ADDR%/}"
PORT="${ADDR##*:}"
[ -n "$PORT" ] || { echo "the server did not start" >&2; exit 1; }

CLK_TCK="$(getconf CLK_TCK)"

# utime + stime of the server, in clock ticks (fields 14 and 15 of /proc/PID/stat;
# the command name in field 2 has no spaces here).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

# Microseconds from connect to the first bytes of the answer, on a fresh connection.
# Only bash builtins between the two clock reads ($EPOCHREALTIME, /dev/tcp, read), so
# no process start is counted.
probe_us() {
    taskset -c "$CLIENT_CPU" timeout 10 bash -c '
        t0=${EPOCHREALTIME/./}
        exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
        printf "GET /probe HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n" >&3
        IFS= read -r -N 12 -u 3 status
        t1=${EPOCHREALTIME/./}
        echo $(( 10#$t1 - 10#$t0 ))
    ' 2>/dev/null || echo "timeout"
}

echo "a fresh connection on the idle server waits $(probe_us)us (the baseline)"
printf "%-11s %5s %12s %10s %14s %16s\n" "mode" "conns" "req/s" "p99" "cpu_us/req" "fresh_conn_wait"
for MODE in keep-alive close; do
    for CONNS in 1 8 32; do
        HEADER=()
        [ "$MODE" = close ] && HEADER=(-H "Connection: close")
        BEFORE="$(cpu_ticks)"
        OUT="$(mktemp)"
        taskset -c "$CLIENT_CPU" wrk -t 1 -c "$CONNS" -d "${DURATION}s" --latency "${HEADER[@]}" \
            "http://127.0.0.1:$PORT$URL_PATH" >"$OUT" &
        WRK_PID=$!
        sleep "$(awk "BEGIN { print $DURATION / 2 }")"
        FRESH="$(probe_us)"
        wait "$WRK_PID"
        AFTER="$(cpu_ticks)"
        RPS="$(awk '/^Requests\/sec:/ { print $2 }' "$OUT")"
        P99="$(awk '$1 == "99%" { print $2 }' "$OUT")"
        TOTAL="$(awk '/requests in/ { print $1 }' "$OUT")"
        CPU_US="$(awk -v t=$(( AFTER - BEFORE )) -v hz="$CLK_TCK" -v n="$TOTAL" \
            'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"
        [ "$FRESH" = timeout ] || FRESH="${FRESH}us"
        printf "%-11s %5s %12s %10s %14s %16s\n" "$MODE" "$CONNS" "$RPS" "$P99" "$CPU_US" "$FRESH"
        rm -f "$OUT"
    done
done
# The binary relative to the workspace, so a sample pasted anywhere names no machine's paths.
echo "($WORKERS workers; ${DURATION}s per point; server pinned to cpu $SERVER_CPU, wrk to cpu $CLIENT_CPU (taskset); $(nproc) cores; server ${SERVER_BIN#"$ROOT"/})"
