#!/usr/bin/env bash
# Load test of the full-stack demo's main page (`/`, logged in, eight todos) with each
# session store: memory, disk, and Redis. wrk keeps its connections alive.
#
# The server side (the demo, and redis-server for the Redis run) is pinned to core 0,
# wrk to core 1, so the store's cost shows as the server's throughput. Prints req/s and
# the p99 latency per store.
#
# Usage: bash benches/load_demo.sh [SECONDS] [CONNECTIONS]     (default 5 s, 8 connections)
# LOAD_PROFILE (default release) is the cargo profile the demo is built with, as for
# load.sh: tidy's test of the book's demo sample runs `LOAD_PROFILE=dev bash
# benches/load_demo.sh 1`, whose figures mean nothing but whose lines are the script's.
# Needs: Linux, taskset, curl, wrk and redis-server (installed with apt-get if missing).
# Run it on a quiet machine: flock -x /tmp/webpy-cpu.lock bash benches/load_demo.sh
set -euo pipefail

DURATION="${1:-5}"
CONNS="${2:-8}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

missing=()
for tool in wrk redis-server curl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >/dev/null || true
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PROFILE="${LOAD_PROFILE:-release}"
cargo build --profile "$PROFILE" -q -p session --example demo
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
DEMO="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE_DIR/examples/demo"
WORK="$(mktemp -d)"
# Every background job (Redis, the demos) is stopped on the way out, whatever the exit.
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A private redis-server on a free port: no persistence, its files in the scratch dir.
REDIS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 6390)"
taskset -c 0 redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$WORK" --logfile "$WORK/redis.log" &
for _ in $(seq 1 100); do
    [ "$(printf 'PING\r\n' | timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT; cat >&3; head -c 5 <&3" 2>/dev/null)" = "+PONG" ] && break
    sleep 0.05
done

# Starts the demo on core 0 with `--store $1`, logs in as ada, adds eight todos; sets
# ADDR and COOKIE.
start_demo() {
    local out="$WORK/demo-$RANDOM.out" jar="$WORK/jar-$RANDOM" token
    taskset -c 0 "$DEMO" --store "$1" --port 0 >"$out" 2>/dev/null &
    DEMO_PID=$!
    for _ in $(seq 1 200); do
        grep -q '^listening on http://' "$out" 2>/dev/null && break
        sleep 0.05
    done
    ADDR="$(head -n 1 "$out")"
    ADDR="${ADDR#listening on }"
    token_of() { grep -o 'name="csrf_token" value="[0-9a-f]*' | head -n 1 | sed 's/.*value="//'; }
    token="$(curl -s -c "$jar" -b "$jar" "$ADDR/login" | token_of)"
    curl -s -o /dev/null -c "$jar" -b "$jar" -d "username=ada&password=lovelace&csrf_token=$token" "$ADDR/login"
    token="$(curl -s -c "$jar" -b "$jar" "$ADDR/" | token_of)"
    for i in 1 2 3 4 5 6 7 8; do
        curl -s -o /dev/null -c "$jar" -b "$jar" -d "text=write+chapter+$i&csrf_token=$token" "$ADDR/todos"
    done
    COOKIE="webpy_session_id=$(awk '$6 == "webpy_session_id" { print $7 }' "$jar" | tail -n 1)"
    local todos
    todos="$(curl -s -b "$COOKIE" "$ADDR/" | grep -c '<li class' || true)"
    [ "$todos" = 8 ] || { echo "the demo with --store $1 did not show 8 todos ($todos)" >&2; exit 1; }
}

echo "server: session example demo --store STORE --port 0, path / (ada logged in, eight todos)"
printf "%-8s %6s %12s %10s %10s\n" "store" "conns" "req/s" "p50" "p99"
for STORE in memory disk "redis://127.0.0.1:$REDIS_PORT/0"; do
    start_demo "$STORE"
    OUT="$WORK/wrk.out"
    taskset -c 1 wrk -t 1 -c "$CONNS" -d "${DURATION}s" --latency -H "Cookie: $COOKIE" "$ADDR/" >"$OUT"
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
    NON2XX="$(awk '/Non-2xx/ { print $NF }' "$OUT")"
    [ -z "$NON2XX" ] || { echo "--store $STORE: $NON2XX answers were not 200" >&2; cat "$OUT" >&2; exit 1; }
    printf "%-8s %6s %12s %10s %10s\n" "${STORE%%:*}" "$CONNS" \
        "$(awk '/^Requests\/sec:/ { print $2 }' "$OUT")" \
        "$(awk '$1 == "50%" { print $2 }' "$OUT")" \
        "$(awk '$1 == "99%" { print $2 }' "$OUT")"
done
echo "(demo pinned to core 0 with redis-server, wrk -t1 on core 1; ${DURATION}s per store; $(nproc) cores)"
