#!/usr/bin/env bash
# Load test of pywsgi against cheroot and granian, each serving the same Python WSGI
# applications (pywsgi/tests/apps): the raw PEP 3333 hello (hello:app), a 10 KB answer
# (bench:big), an echo of a 10 KB upload (bench:echo), a handler that sleeps 10 ms
# (bench:sleep), a web.py 0.76 page (webpy_app:app, path /), and the blog's front page
# (path /) twice: the web.py program session/examples/ports/blog.py on each Python
# server (blog_production:application: the same with web.config.debug off, as deployed;
# web.py's default debug mode stats every module's file on every request), and its Rust
# port on the same HTTP server (`cargo run --release -p session --example blog`), so the
# row shows what the language costs. PYWSGI_THREADS
# (default "1 2 4 8") is the sweep of pywsgi's --threads; the sleep row at 32
# connections adds --threads 32 (time.sleep releases the GIL, so 32 threads can wait at
# once; cheroot runs its default 10). LOAD_APPS (default all six) picks rows. Each server
# is pinned to cpu 0 and wrk to cpu 1 (taskset), keep-alive, at 8 and 32 connections, so
# what is measured is each server's work per request on one core.
#
# Prints, per point: requests/s, p99 latency, the server's CPU time per request
# (user + system of every process of the server's process group, from /proc, before
# and after the run: granian runs its worker in a child process), and busy: that CPU
# time per second of the run (pinned to one core, below 1.00 the server sat idle while
# wrk's connections waited: a stall, not work); and peak_MiB: the server's peak resident
# memory (VmHWM, summed over its process group), read at the end of the point.
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
cargo build --release -q -p session --example blog
RUST_BLOG="$TARGET_DIR/release/examples/blog"
PORTS="$ROOT/session/examples/ports"
CLK_TCK="$(getconf CLK_TCK)"

# free_port, group_ticks and measure (one point: RPS, P99, CPU_US, BUSY).
# shellcheck source=pywsgi_point.sh
source "$ROOT/benches/pywsgi_point.sh"

# point LABEL APP PATH CONNS PORT -- COMMAND...: measures, prints one row.
point() {
    local label="$1" app="$2" path="$3" conns="$4"
    shift 4
    measure "$app" "$path" "$conns" "$@"
    printf "%-28s %-8s %5s %12s %10s %11s %6s %9s\n" "$label" "$app" "$conns" "$RPS" "$P99" "$CPU_US" "$BUSY" "$RSS_MIB"
}

printf "%-28s %-8s %5s %12s %10s %11s %6s %9s\n" "server" "app" "conns" "req/s" "p99" "cpu_us/req" "busy" "peak_MiB"
for APP in ${LOAD_APPS:-hello big echo sleep webpy blog}; do
    URL_PATH=/
    case "$APP" in
        hello) SPEC=hello:app ;;
        big | echo | sleep) SPEC="bench:$APP" ;;
        webpy) SPEC=webpy_app:app ;;
        blog) SPEC=blog_production:application ;;
        *) echo "unknown app $APP" >&2; exit 2 ;;
    esac
    for CONNS in 8 32; do
        SWEEP="${PYWSGI_THREADS:-1 2 4 8}"
        [ "$APP" = sleep ] && [ "$CONNS" = 32 ] && SWEEP="$SWEEP 32"
        for THREADS in $SWEEP; do
            PORT="$(free_port)"
            point "pywsgi --threads $THREADS" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- \
                env PYTHONPATH="$DEPS:$PORTS" "$PYWSGI" "$SPEC" --port "$PORT" --threads "$THREADS" --chdir "$APPS"
        done
        if [ "$APP" = blog ]; then
            PORT="$(free_port)"
            point "rust blog.rs (same server)" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- "$RUST_BLOG" "$PORT"
        fi
        PORT="$(free_port)"
        point "cheroot numthreads=10" "$APP" "$URL_PATH" "$CONNS" "$PORT" -- \
            python3 -c "import sys; sys.path[:0] = ['$APPS', '$DEPS', '$PORTS']
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
                    env PYTHONPATH="$GRANIAN_DEPS:$DEPS:$PORTS:$APPS" python3 -m granian --interface wsgi \
                    --workers 1 "${FLAGS[@]}" --port "$PORT" --no-ws "$SPEC"
            done
        fi
    done
done
[ "$HAVE_GRANIAN" = 1 ] || echo "(granian left out: pip could not install it into $GRANIAN_DEPS)"
echo "(${DURATION}s per point after 1s of warm-up; keep-alive; servers pinned to cpu $SERVER_CPU, wrk to cpu $CLIENT_CPU (taskset); $(nproc) cores)"
