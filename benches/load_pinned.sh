#!/usr/bin/env bash
# Load test of the server, pinned: the server on one core, wrk on the other (taskset),
# so that what is measured is the server's work per request, not the scheduler sharing
# two cores between the server and its load generator.
#
# For each server and point (keep-alive at 1, 8 and 32 connections, `Connection: close`
# at 32): requests/s, p99 latency, the server's CPU time per request (user + system from
# /proc/PID/stat), its context switches per request (voluntary + involuntary, summed
# over its threads in /proc/PID/task/*/status), and how long a fresh connection opened
# halfway through waits for its answer (wrk only measures the connections it keeps
# busy: a starved newcomer is invisible to it), and, where `perf` can count tracepoints,
# its system calls per request (every `raw_syscalls:sys_enter` of its threads during
# the point; "n/a" without perf). Then two probes on the idle server:
# `idle`: 12 kept-alive clients that went quiet (more than any server here has workers),
# and a fresh request's wait; `uploaders`: 12 clients trickling request bodies (a byte
# every 100 ms) to `/data` (the full stack's route that reads its body), and a fresh
# request's wait. "timeout" means no answer within 5 s: slow
# clients held every worker. The bare prototypes ignore `Connection: close`, so their
# close row is not a close measurement.
#
# Usage: bash benches/load.sh OPTION... [SECONDS_PER_POINT]    (default 3; load.sh hands
# any of these options to this script)
#   --stack           the full stack: the application layer's app_conformance, /hello/load
#                     (measured whatever the options)
#   --compare         also the wsgi layer alone (its conformance example, `/`), and hyper and
#                     tiny_http hello servers (benches/peers), with ratios
#   --baseline DIR    also the same full stack built from the source tree DIR (before/after)
#   --designs         the HttpConnection chapter's three designs (pinned_worker,
#                     park_and_dispatch, engine_hello) and the bare prototypes
# Run it under the shared lock, as the team does:  flock -x /tmp/webpy-cpu.lock bash benches/load.sh --compare
# Needs: Linux (/proc), taskset, wrk (installed with apt-get if missing), cargo.
set -euo pipefail

DURATION=3
COMPARE=0
DESIGNS=0
BASELINE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --compare) COMPARE=1 ;;
        --designs) DESIGNS=1 ;;
        --baseline) BASELINE="$2"; shift ;;
        --stack) ;;
        *) DURATION="$1" ;;
    esac
    shift
done
THREADS=8
PROBE_CLIENTS=12
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing it with apt-get" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >/dev/null || true
    $SUDO apt-get install -y -qq wrk >/dev/null
fi
SERVER_CPU=0
CLIENT_CPU=1
if [ "$(nproc)" -lt 2 ]; then SERVER_CPU=0; CLIENT_CPU=0; fi

cargo build --release -q -p application --example app_conformance
cargo build --release -q -p httpserver --example pinned_worker --example park_and_dispatch --example engine_hello
cargo build --release -q -p wsgi --example conformance
if [ "$COMPARE" = 1 ] || [ "$DESIGNS" = 1 ]; then
    cargo build --release -q --manifest-path benches/peers/Cargo.toml
fi
PEERS="$ROOT/benches/peers/target/release"
if [ -n "$BASELINE" ]; then
    (cd "$BASELINE" && CARGO_TARGET_DIR="$TARGET_DIR/baseline" cargo build --release -q -p application --example app_conformance)
fi

SERVER_PID=""
LOG="$(mktemp)"
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -f "$LOG"; jobs -p | xargs -r kill 2>/dev/null; }
trap cleanup EXIT

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
switches() { cat /proc/"$SERVER_PID"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }

# Microseconds from connect to the first bytes of the answer, on a fresh connection.
# Only bash builtins between the two clock reads, so no process start is counted.
probe_us() {
    timeout 5 bash -c '
        t0=${EPOCHREALTIME/./}
        exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
        printf "GET '"$URL_PATH"' HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n" >&3
        IFS= read -r -N 12 -u 3 status
        t1=${EPOCHREALTIME/./}
        echo $(( 10#$t1 - 10#$t0 ))us
    ' 2>/dev/null || echo "timeout"
}

# PROBE_CLIENTS clients that send one request each and then stay connected, silent.
idle_probe() {
    local pids=()
    for _ in $(seq 1 "$PROBE_CLIENTS"); do
        bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
            printf "GET '"$URL_PATH"' HTTP/1.1\r\nHost: idle\r\n\r\n" >&3; exec sleep 8' 2>/dev/null &
        pids+=($!)
    done
    sleep 0.5
    probe_us
    kill "${pids[@]}" 2>/dev/null || true
}

# PROBE_CLIENTS clients each declaring a 1 MB body and trickling it a byte per 100 ms.
uploaders_probe() {
    local pids=()
    for _ in $(seq 1 "$PROBE_CLIENTS"); do
        bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
            printf "POST /data HTTP/1.1\r\nHost: slow\r\nContent-Length: 1000000\r\n\r\n" >&3
            for i in $(seq 80); do printf x >&3 || exit; sleep 0.1; done' 2>/dev/null &
        pids+=($!)
    done
    sleep 0.5
    probe_us
    kill "${pids[@]}" 2>/dev/null || true
}

declare -A RPS CPU
# measure NAME PATH COMMAND...: one server through the whole matrix.
measure() {
    local name="$1"; URL_PATH="$2"; shift 2
    : >"$LOG"
    taskset -c "$SERVER_CPU" "$@" >"$LOG" 2>/dev/null &
    SERVER_PID=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$LOG" && break; sleep 0.05; done
    local addr; addr="$(grep -o 'http://[^ /]*' "$LOG" | head -n 1)"
    PORT="${addr##*:}"
    [ -n "$PORT" ] || { echo "$name did not start" >&2; return 1; }
    echo
    echo "== $name (pid $SERVER_PID on cpu $SERVER_CPU; wrk on cpu $CLIENT_CPU; ${DURATION}s per point; path $URL_PATH)"
    printf "%-11s %5s %11s %9s %11s %9s %9s %12s\n" mode conns req/s p99 cpu_us/req cs/req sys/req fresh_conn
    for point in keep-alive:1 keep-alive:8 keep-alive:32 close:32; do
        local mode="${point%%:*}" conns="${point##*:}" header=()
        [ "$mode" = close ] && header=(-H "Connection: close")
        local before cs_before out
        before="$(cpu_ticks)"; cs_before="$(switches)"; out="$(mktemp)"
        taskset -c "$CLIENT_CPU" wrk -t 1 -c "$conns" -d "${DURATION}s" --latency "${header[@]}" \
            "http://127.0.0.1:$PORT$URL_PATH" >"$out" &
        local wrk_pid=$!
        local perf_out; perf_out="$(mktemp)"
        local perf_pid=""
        if command -v perf >/dev/null 2>&1; then
            perf stat -e raw_syscalls:sys_enter -x, -o "$perf_out" -p "$SERVER_PID" -- sleep "$DURATION" 2>/dev/null &
            perf_pid=$!
        fi
        sleep "$(awk "BEGIN { print $DURATION / 2 }")"
        local fresh; fresh="$(probe_us)"
        wait "$wrk_pid"
        [ -n "$perf_pid" ] && { wait "$perf_pid" 2>/dev/null || true; }
        local after cs_after rps p99 total
        after="$(cpu_ticks)"; cs_after="$(switches)"
        rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
        p99="$(awk '$1 == "99%" { print $2 }' "$out")"
        total="$(awk '/requests in/ { print $1 }' "$out")"
        local cpu_us cs sys
        sys="$(awk -F, -v n="$total" '/raw_syscalls:sys_enter/ && $1 ~ /^[0-9]+$/ && n > 0 { printf "%.2f", $1 / n; found = 1 } END { if (!found) print "n/a" }' "$perf_out")"
        rm -f "$perf_out"
        cpu_us="$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$total" 'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"
        cs="$(awk -v c=$((cs_after - cs_before)) -v n="$total" 'BEGIN { if (n > 0) printf "%.3f", c / n; else print "n/a" }')"
        printf "%-11s %5s %11s %9s %11s %9s %9s %12s\n" "$mode" "$conns" "$rps" "$p99" "$cpu_us" "$cs" "$sys" "$fresh"
        RPS["$name/$point"]="$rps"; CPU["$name/$point"]="$cpu_us"
        rm -f "$out"
    done
    echo "probes on the idle server: idle clients -> $(idle_probe); slow uploaders -> $(uploaders_probe)"
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

echo "load.sh: server pinned to cpu $SERVER_CPU, wrk to cpu $CLIENT_CPU (taskset); $THREADS workers; $(nproc) cores"
STACK="$TARGET_DIR/release/examples/app_conformance"
measure "stack" /hello/load "$STACK" --port 0
if [ -n "$BASELINE" ]; then
    measure "stack-before" /hello/load "$TARGET_DIR/baseline/release/examples/app_conformance" --port 0
fi
if [ "$COMPARE" = 1 ]; then
    measure "wsgi" / "$TARGET_DIR/release/examples/conformance" --port 0 --threads "$THREADS"
    measure "hyper" /hello/load "$PEERS/hyper_hello" --port 0
    measure "tiny_http" /hello/load "$PEERS/tiny_http_hello" --port 0 --threads "$THREADS"
    echo
    echo "== ratios to hyper, same run (req/s: higher is better; CPU per request: lower is better)"
    printf "%-14s %14s %14s %14s\n" server keep-alive:8 keep-alive:32 close:32
    for name in stack ${BASELINE:+stack-before} wsgi tiny_http; do
        line="$(printf "%-14s" "$name")"
        for point in keep-alive:8 keep-alive:32 close:32; do
            line+="$(awk -v a="${RPS[$name/$point]}" -v b="${RPS[hyper/$point]}" -v c="${CPU[$name/$point]}" -v d="${CPU[hyper/$point]}" \
                'BEGIN { if (b > 0 && d > 0) printf " %6.2fx %5.2fx", a / b, c / d; else printf " %14s", "n/a" }')"
        done
        echo "$line"
    done
    echo "(each cell: req/s ratio, then CPU-per-request ratio)"
fi
if [ "$DESIGNS" = 1 ]; then
    EX="$TARGET_DIR/release/examples"
    measure "pinned_worker" /hello/load "$EX/pinned_worker" --port 0 --threads "$THREADS"
    measure "park_and_dispatch" /hello/load "$EX/park_and_dispatch" --port 0 --threads "$THREADS"
    measure "engine_hello" /hello/load "$EX/engine_hello" --port 0 --threads "$THREADS"
    for mode in shared handoff per_worker dispatch; do
        measure "prototype:$mode" / "$PEERS/prototypes" "$mode" --port 0 --threads "$THREADS"
    done
fi
