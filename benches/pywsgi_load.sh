#!/usr/bin/env bash
# Load test of pywsgi against cheroot and granian, each serving the same Python WSGI
# applications (pywsgi/tests/apps): the raw PEP 3333 hello (hello:app), a 10 KB answer
# (bench:big), an echo of a 10 KB upload (bench:echo), a handler that sleeps 10 ms
# (bench:sleep) and a web.py 0.76 page (webpy_app:app, path /). PYWSGI_THREADS (default
# "1 8") is the sweep of pywsgi's --threads; LOAD_APPS (default all five) picks rows. Each server is pinned to cpu 0 and wrk to cpu 1
# (taskset), keep-alive, at 8 and 32 connections, so what is measured is each server's
# work per request on one core.
#
# Prints, per point: requests/s, p99 latency and the server's CPU time per request
# (user + system of every process of the server's process group, from /proc, before
# and after the run: granian runs its worker in a child process).
#
# Usage: flock -x /tmp/webpy-cpu.lock bash benches/pywsgi_load.sh [SECONDS_PER_POINT]
# (default 5). Needs: Linux, taskset, wrk, cargo, python3 3.11 with a shared libpython
# (what pywsgi embeds), pip. cheroot and web.py go into target/pydeps and granian into
# target/pygranian (pip install --target; never the system's site-packages); granian's
# rows are left out, with a line saying so, when it cannot be installed.
set -euo pipefail

DURATION="${1:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APPS="$ROOT/pywsgi/tests/apps"
DEPS="$TARGET_DIR/pydeps"
GRANIAN_DEPS="$TARGET_DIR/pygranian"
SERVER_CPU=0
CLIENT_CPU=1
if [ "$(nproc)" -lt 2 ]; then CLIENT_CPU=0; fi

if [ ! -d "$DEPS/cheroot" ] || [ ! -d "$DEPS/web" ]; then
    python3 -m pip install -q --disable-pip-version-check --target "$DEPS" web.py==0.76 cheroot==11.1.2
fi
HAVE_GRANIAN=1
if [ ! -d "$GRANIAN_DEPS/granian" ]; then
    python3 -m pip install -q --disable-pip-version-check --target "$GRANIAN_DEPS" granian \
        >/dev/null 2>&1 || HAVE_GRANIAN=0
fi
cargo build --release -q -p pywsgi --features python
PYWSGI="$TARGET_DIR/release/pywsgi"
CLK_TCK="$(getconf CLK_TCK)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# utime + stime, in clock ticks, of every process in process group $1.
group_ticks() {
    local total=0 pid
    for pid in $(pgrep -g "$1"); do
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}

# wrk's script for the upload rows: a POST of 10 KB.
UPLOAD_LUA="$(mktemp --suffix=.lua)"
trap 'rm -f "$UPLOAD_LUA"' EXIT
cat >"$UPLOAD_LUA" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 10240)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# point LABEL APP PATH CONNS -- COMMAND...: starts COMMAND (in its own process group,
# pinned), waits for its port, runs wrk, prints one row, stops the server.
point() {
    local label="$1" app="$2" path="$3" conns="$4" port="$5"
    shift 6
    setsid taskset -c "$SERVER_CPU" "$@" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    # Warm up (imports, first requests), then measure.
    local script=()
    [ "$app" = echo ] && script=(-s "$UPLOAD_LUA")
    taskset -c "$CLIENT_CPU" wrk -t 1 -c "$conns" -d 1s "${script[@]}" "http://127.0.0.1:$port$path" >/dev/null
    local before out after
    before="$(group_ticks "$pid")"
    out="$(taskset -c "$CLIENT_CPU" wrk -t 1 -c "$conns" -d "${DURATION}s" --latency "${script[@]}" "http://127.0.0.1:$port$path")"
    after="$(group_ticks "$pid")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local rps p99 total cpu
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
    total="$(awk '/requests in/ { print $1 }' <<<"$out")"
    cpu="$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$total" \
        'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"
    printf "%-28s %-8s %5s %12s %10s %11s\n" "$label" "$app" "$conns" "$rps" "$p99" "$cpu"
}

printf "%-28s %-8s %5s %12s %10s %11s\n" "server" "app" "conns" "req/s" "p99" "cpu_us/req"
for APP in ${LOAD_APPS:-hello big echo sleep webpy}; do
    URL_PATH=/
    case "$APP" in
        hello) SPEC=hello:app ;;
        big | echo | sleep) SPEC="bench:$APP" ;;
        webpy) SPEC=webpy_app:app ;;
        *) echo "unknown app $APP" >&2; exit 2 ;;
    esac
    for CONNS in 8 32; do
        for THREADS in ${PYWSGI_THREADS:-1 8}; do
            PORT="$(free_port)"
            point "pywsgi --threads $THREADS" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- \
                env PYTHONPATH="$DEPS" "$PYWSGI" "$SPEC" --port "$PORT" --threads "$THREADS" --chdir "$APPS"
        done
        PORT="$(free_port)"
        point "cheroot numthreads=10" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- \
            python3 -c "import sys; sys.path[:0] = ['$APPS', '$DEPS']
from cheroot import wsgi
import importlib
module, name = '$SPEC'.split(':')
wsgi.Server(('127.0.0.1', $PORT), getattr(importlib.import_module(module), name), numthreads=10).safe_start()"
        if [ "$HAVE_GRANIAN" = 1 ]; then
            for BLOCKING in 1 default; do
                FLAGS=()
                [ "$BLOCKING" = default ] || FLAGS=(--blocking-threads "$BLOCKING")
                PORT="$(free_port)"
                point "granian blocking=$BLOCKING" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- \
                    env PYTHONPATH="$GRANIAN_DEPS:$DEPS:$APPS" python3 -m granian --interface wsgi \
                    --workers 1 "${FLAGS[@]}" --port "$PORT" --no-ws "$SPEC"
            done
        fi
    done
done
[ "$HAVE_GRANIAN" = 1 ] || echo "(granian left out: pip could not install it into $GRANIAN_DEPS)"
echo "(${DURATION}s per point after 1s of warm-up; keep-alive; servers pinned to cpu $SERVER_CPU, wrk to cpu $CLIENT_CPU (taskset); $(nproc) cores)"
