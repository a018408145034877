#!/usr/bin/env bash
# Where the full stack's time goes: a perf profile of the server `load.sh --compare`
# calls "stack" (the application layer's app_conformance, /hello/load), pinned to one
# core with wrk on the other, 8 kept-alive connections.
#
# Prints a few `key: value` lines (the server, wrk's requests, the server's CPU time per
# request over the recording, the perf command), then `perf report --stdio --no-children
# --sort dso,sym`: each function's self time, as a share of the samples. tidy's
# bench-report sums it by layer (kernel, libc, httpserver, threadpool, wsgi,
# application, session, std/alloc, other):
#   bash benches/profile.sh 5 >/tmp/profile.txt
#   cargo run -q -p tidy --bin bench-report -- --profile /tmp/profile.txt
# benches/report.sh runs it as part of the run, and the summary becomes
# book/src/generated/profile-ka8.md.
#
# Usage: bash benches/profile.sh [SECONDS]     (default 5)
# Needs: Linux, taskset, wrk (installed with apt-get if missing), perf (root, or
# kernel.perf_event_paranoid at most 1), cargo. Release builds keep their symbol table
# (nothing strips them), which is all `--sort dso,sym` needs.
set -euo pipefail

DURATION="${1:-5}"
CONNS=8
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing it with apt-get" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >/dev/null || true
    $SUDO apt-get install -y -qq wrk >/dev/null
fi
command -v perf >/dev/null 2>&1 || { echo "profile.sh: perf is not installed (linux-tools / linux-perf)" >&2; exit 1; }

SERVER_CPU=0
CLIENT_CPU=1
if [ "$(nproc)" -lt 2 ]; then CLIENT_CPU=0; fi

cargo build --release -q -p application --example app_conformance
SERVER_BIN="$TARGET_DIR/release/examples/app_conformance"
URL_PATH=/hello/load

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

taskset -c "$SERVER_CPU" "$SERVER_BIN" --port 0 >"$WORK/log" 2>/dev/null &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/log" && break; sleep 0.05; done
ADDR="$(grep -o 'http://[^ /]*' "$WORK/log" | head -n 1)"
PORT="${ADDR##*:}"
[ -n "$PORT" ] || { echo "profile.sh: the server did not start" >&2; exit 1; }
URL="http://127.0.0.1:$PORT$URL_PATH"

# A second of load first, so the profile sees the steady state, not the first requests.
taskset -c "$CLIENT_CPU" wrk -t 1 -c "$CONNS" -d 1s "$URL" >/dev/null

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

BEFORE="$(cpu_ticks)"
perf record -q -F 1999 -g -o "$WORK/perf.data" -p "$SERVER_PID" -- sleep "$DURATION" \
    >/dev/null 2>"$WORK/perf.err" &
PERF_PID=$!
taskset -c "$CLIENT_CPU" wrk -t 1 -c "$CONNS" -d "${DURATION}s" "$URL" >"$WORK/wrk.out"
wait "$PERF_PID" || { cat "$WORK/perf.err" >&2; exit 1; }
AFTER="$(cpu_ticks)"
TOTAL="$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")"
RPS="$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.out")"
CPU_US="$(awk -v t=$((AFTER - BEFORE)) -v hz="$CLK_TCK" -v n="$TOTAL" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"

echo "server: application example app_conformance --port 0, path $URL_PATH, pinned to cpu $SERVER_CPU; wrk -t 1 -c $CONNS (kept alive) on cpu $CLIENT_CPU; $(nproc) cores"
echo "requests: $TOTAL in ${DURATION}s ($RPS req/s)"
echo "cpu_us_per_request: $CPU_US"
echo "perf: perf record -F 1999 -g -p SERVER_PID -- sleep $DURATION"
perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null
