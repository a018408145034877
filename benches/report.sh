#!/usr/bin/env bash
# One run of every bench target, of the load script and of the profile, and the book's
# Benchmarks appendix written from it: book/src/generated/benchmarks.md (the run's date,
# machine and commands), bench-TARGET.md (criterion's median of each id, with its
# interval), load-NAME.txt (load.sh against each layer's server and each of the three
# designs; load_demo.sh), chart-*.svg (drawn from those) and profile-ka8.md (the full
# stack's perf profile by layer, from benches/profile.sh). Chapters include those files
# instead of quoting figures, so every figure in the book comes from this one run.
#
# Usage: flock -x /tmp/webpy-cpu.lock bash benches/report.sh     the full run, on a
#            quiet machine (criterion's default times, load.sh 5; about 35 minutes)
#        bash benches/report.sh --quick    a short run, to try the script: its figures
#            are marked provisional in the appendix
# Needs: what load.sh needs (Linux, wrk, installed with apt-get if missing), perf (for
# profile.sh; root, or kernel.perf_event_paranoid at most 1), cargo, git.
# The run's raw files stay in target/report/ (REPORT_DIR to change); tidy's `report`
# module describes them.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUN="${REPORT_DIR:-$ROOT/target/report}"

QUICK=
[ "${1:-}" = --quick ] && QUICK=1
if [ -n "$QUICK" ]; then
    CRITERION=(--warm-up-time 0.5 --measurement-time 1 --sample-size 10)
    LOAD_SECONDS=1
else
    CRITERION=()
    LOAD_SECONDS=5
fi

rm -rf "$RUN"
mkdir -p "$RUN/criterion"
: >"$RUN/commands.txt"
if [ -n "$QUICK" ]; then
    echo "A quick run (\`bash benches/report.sh --quick\`: ${CRITERION[*]}, load.sh $LOAD_SECONDS) on a shared machine while others built." >"$RUN/provisional"
fi

# The facts first: the load average tells how quiet the machine was as the run began.
dirty=
git diff --quiet HEAD 2>/dev/null || dirty=" (with uncommitted changes)"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit: $(git rev-parse --short HEAD)$dirty"
    echo "cores: $(nproc) (\`nproc\`)"
    echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "kernel: $(uname -sr)"
    echo "toolchain: $(rustc --version)"
    echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RUN/machine.txt"

# What to run comes from tidy, which also checks that the appendix covers it all.
PLAN="$(cargo run -q -p tidy --bin bench-report -- --list)"

while read -r kind package bench; do
    [ "$kind" = bench ] || continue
    shown="cargo bench -p $package --bench $bench"
    [ ${#CRITERION[@]} -eq 0 ] || shown="$shown -- ${CRITERION[*]}"
    echo "$shown" >>"$RUN/commands.txt"
    echo "==> $shown" >&2
    # Each target its own criterion home: two targets may share an id.
    CRITERION_HOME="$RUN/criterion/$package/$bench" \
        cargo bench -q -p "$package" --bench "$bench" -- "${CRITERION[@]}" </dev/null >&2
done <<<"$PLAN"

# The load samples, then the profiles: each its command's output after `$ COMMAND`.
while read -r kind name words; do
    [ "$kind" = load ] || [ "$kind" = profile ] || continue
    shown="$words $LOAD_SECONDS"
    echo "$shown" >>"$RUN/commands.txt"
    echo "==> $shown" >&2
    read -r -a argv <<<"$shown"
    { echo "\$ $shown"; env "${argv[@]}" </dev/null; } >"$RUN/$name.txt"
done <<<"$PLAN"

cargo run -q -p tidy --bin bench-report -- "$RUN"
