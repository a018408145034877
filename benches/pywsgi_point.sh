# Shared by the pywsgi load scripts (pywsgi_load.sh, pywsgi_gil.sh), which source it
# after setting DURATION, SERVER_CPU, CLIENT_CPU and CLK_TCK: a free port, the CPU time
# and peak memory of a server's process group, and one measured point.

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

# The peak resident memory (VmHWM), in MiB, of every process in process group $1 summed:
# granian's worker is a child process, and its memory is the server's too.
group_peak_rss_mib() {
    local total=0 pid kib
    for pid in $(pgrep -g "$1"); do
        kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        total=$(( total + ${kib:-0} ))
    done
    awk -v k="$total" 'BEGIN { printf "%.1f", k / 1024 }'
}

# wrk's script for the upload rows: a POST of 10 KB.
UPLOAD_LUA="$(mktemp --suffix=.lua)"
trap 'rm -f "$UPLOAD_LUA"' EXIT
cat >"$UPLOAD_LUA" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 10240)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# measure APP PATH CONNS PORT -- COMMAND...: starts COMMAND (in its own process group,
# pinned to $SERVER_CPU, a taskset list: "0" or "0,1"), waits for its port, runs wrk
# (pinned to $CLIENT_CPU) for 1s of warm-up and $DURATION seconds measured, stops the
# server, and sets RPS, P99, CPU_US (the server's CPU µs per request), BUSY (the
# server's CPU seconds per second of the run: 1.00 is one core kept busy) and RSS_MIB
# (the server's peak resident memory, read just before it is stopped).
measure() {
    local app="$1" path="$2" conns="$3" port="$4"
    shift 5
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
    RSS_MIB="$(group_peak_rss_mib "$pid")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local total
    RPS="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    P99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
    total="$(awk '/requests in/ { print $1 }' <<<"$out")"
    CPU_US="$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$total" \
        'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"
    BUSY="$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v d="$DURATION" \
        'BEGIN { printf "%.2f", t / hz / d }')"
}

