#!/usr/bin/env bash
# Builds the libFuzzer targets (Swift's -sanitize=fuzzer with AddressSanitizer) and runs each for a while.
#
#   bash Tools/fuzz/run.sh [--seconds N] [TARGET ...]
#
# TARGET is one of the names below (default: all); --seconds is per target (default 20). Each run
# starts from Tools/fuzz/seeds/<corpus> plus Tools/fuzz/regressions/<corpus> (inputs that once crashed),
# grows a working corpus in .build-fuzz/corpus/<corpus>, and leaves any crashing input in
# .build-fuzz/artifacts/. Prints executions and crashes per target; exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=20
selected=()
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) selected+=("$1"); shift ;;
    esac
done

# target:corpus
all=(
    FuzzLicenseExpression:license-expression
    FuzzCanonicalJSON:canonical-json
    FuzzSignedNote:signed-note
    FuzzTLogProof:tlog-proof
    FuzzDSSE:dsse
    FuzzProofBundle:proof-bundle
)
targets=()
for pair in "${all[@]}"; do
    if [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" ${pair%%:*} "* ]]; then targets+=("$pair"); fi
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no such target: ${selected[*]}" >&2; exit 64; }

scratch=.build-fuzz
mkdir -p "$scratch/logs"
for pair in "${targets[@]}"; do
    target=${pair%%:*}
    echo "fuzz: building $target"
    # SwiftPM's --sanitize options arrange the entry point, but the compiler does not always receive the
    # fuzzer's coverage instrumentation from them, so it is also passed directly; dead stripping would drop
    # the coverage counters' sections, leaving libFuzzer blind.
    if ! ASSENT_FUZZ=1 swift build --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address --disable-dead-strip --product "$target" >"$scratch/logs/build-$target.log" 2>&1; then
        grep -v "warning: Cannot export local symbol" "$scratch/logs/build-$target.log" | tail -n 30 >&2
        exit 1
    fi
done

failed=0
printf '%-24s %10s %8s %9s %8s\n' target executions seconds exec/s crashes
for pair in "${targets[@]}"; do
    target=${pair%%:*}
    corpus=${pair#*:}
    work="$scratch/corpus/$corpus"
    artifacts="$scratch/artifacts/$target/"
    mkdir -p "$work" "$artifacts"
    inputs=("$work" "Tools/fuzz/seeds/$corpus")
    [ -d "Tools/fuzz/regressions/$corpus" ] && inputs+=("Tools/fuzz/regressions/$corpus")
    dictionary=()
    [ -f "Tools/fuzz/$corpus.dict" ] && dictionary=("-dict=Tools/fuzz/$corpus.dict")
    log="$scratch/logs/run-$target.log"
    status=0
    "$scratch/debug/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts" ${dictionary[@]+"${dictionary[@]}"} "${inputs[@]}" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if grep -q "no interesting inputs were found" "$log"; then
        echo "fuzz: $target is not instrumented for coverage" >&2
        failed=1
    fi
    crashes=0
    if [ "$status" -ne 0 ]; then
        crashes=1
        failed=1
    fi
    printf '%-24s %10s %8s %9s %8s\n' "$target" "${runs:-?}" "${time:-?}" "${rate:-?}" "$crashes"
    if [ "$status" -ne 0 ]; then
        grep -E "ERROR|Fatal error|panic|Test unit written|SUMMARY" "$log" | head -n 8 | sed 's/^/    /' >&2
    fi
done
[ "$failed" -eq 0 ] && echo "fuzz: no crashes" || { echo "fuzz: crashes found (inputs in $scratch/artifacts)" >&2; exit 1; }
