#!/usr/bin/env bash
# Two demo servers, one set of sessions: both keep their sessions in one Redis, so a user
# logged in through one is logged in on the other, and a logout on either ends it on both.
#
# Usage: bash session/examples/two_servers.sh [--check] [REDIS_URL]
#   REDIS_URL   the Redis to share (default: a private redis-server on a free port, in a
#               temporary directory, stopped at the end)
#   --check     run the walk-through and exit, instead of leaving both servers running
# Environment: PORT1, PORT2 (default 8081, 8082); DEMO, a built demo binary (default:
# cargo build -p session --example demo).
#
# The walk-through, with curl: log in through the first server, add a todo; the second
# server shows the list; log out through the second; the first server no longer knows
# the session. Then, without --check, open http://127.0.0.1:8081/ and
# http://127.0.0.1:8082/ in a browser and go back and forth; Ctrl-C stops everything.
set -euo pipefail

CHECK=0
if [ "${1:-}" = --check ]; then CHECK=1; shift; fi
REDIS_URL="${1:-}"
PORT1="${PORT1:-8081}"
PORT2="${PORT2:-8082}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
# Every background job (Redis, the demos) is stopped on the way out, whatever the exit.
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [ -z "${DEMO:-}" ]; then
    (cd "$ROOT" && cargo build -q -p session --example demo)
    DEMO="${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/demo"
fi

if [ -z "$REDIS_URL" ]; then
    command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server, or pass a REDIS_URL" >&2; exit 1; }
    port=$(( 20000 + RANDOM % 20000 ))
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --dir "$WORK" --logfile "$WORK/redis.log" &
        REDIS_URL="redis://127.0.0.1:$port/0"
    sleep 0.3
    echo "started redis-server on port $port"
fi

for port in "$PORT1" "$PORT2"; do
    "$DEMO" --store "$REDIS_URL" --port "$port" >"$WORK/demo-$port.out" 2>"$WORK/demo-$port.log" &
    done
for port in "$PORT1" "$PORT2"; do
    for _ in $(seq 1 100); do
        grep -q '^listening on http://' "$WORK/demo-$port.out" 2>/dev/null && break
        sleep 0.05
    done
    grep -q '^listening on http://' "$WORK/demo-$port.out" || { echo "the demo on port $port did not start:" >&2; cat "$WORK/demo-$port.log" >&2; exit 1; }
done
ONE="http://127.0.0.1:$PORT1"
TWO="http://127.0.0.1:$PORT2"
echo "two demo servers, one Redis ($REDIS_URL): $ONE/ and $TWO/"

JAR="$WORK/jar"
get() { curl -s -c "$JAR" -b "$JAR" "$1"; }
post() { curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" -d "$2" "$1"; }
token() { grep -o 'name="csrf_token" value="[0-9a-f]*' | head -n 1 | sed 's/.*value="//'; }
check() { if eval "$2"; then echo "  ok: $1"; else echo "  FAILED: $1" >&2; exit 1; fi; }

echo "1. log in as ada through the first server, add a todo there"
t=$(get "$ONE/login" | token)
check "login answered 303" '[ "$(post "$ONE/login" "username=ada&password=lovelace&csrf_token=$t")" = 303 ]'
t=$(get "$ONE/" | token)
check "todo added" '[ "$(post "$ONE/todos" "text=added+on+the+first+server&csrf_token=$t")" = 303 ]'
echo "2. the second server knows ada and shows her list"
page=$(get "$TWO/")
check "ada's list on the second server" 'grep -q "ada&#x27;s list\|ada'"'"'s list" <<<"$page"'
check "with the todo from the first" 'grep -q "added on the first server" <<<"$page"'
echo "3. log out through the second server"
t=$(token <<<"$page")
check "logout answered 303" '[ "$(post "$TWO/logout" "csrf_token=$t")" = 303 ]'
echo "4. the first server sends us to the login page"
check "/ on the first server redirects to /login" '[ "$(curl -s -o /dev/null -w "%{http_code} %{redirect_url}" -b "$JAR" "$ONE/")" = "303 $ONE/login" ]'
echo "one set of sessions for both servers."

if [ "$CHECK" = 0 ]; then
    echo "both servers keep running: open $ONE/ and $TWO/ (ada / lovelace); Ctrl-C stops them"
    wait
fi
