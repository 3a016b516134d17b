#!/usr/bin/env bash
# Runs every test vibed has, from a fresh machine:
#   1. installs the Debian packages (scripts/install-deps.sh);
#   2. imports VibeNet's published weights (model/import_vibenet.py; needs PyPI once);
#   3. builds and runs the whole suite (ctest);
#   4. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite there;
#      then the daemon suite and the daemon's watch and fault scripts under ThreadSanitizer;
#   5. fuzzes the query language with libFuzzer for a bounded time;
#   6. checks parity with VibeNet's own Python package on real clips (when ../shared/corpus is there).
# Usage: scripts/test.sh [--quick]   (--quick: steps 1-3 only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=false
[ "${1:-}" = "--quick" ] && quick=true
jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-60}

step() { printf '\n==== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "VibeNet import (teacher model, not committed)"
model/import_vibenet.py

export VIBED_REQUIRE_TEACHER=1  # the teacher was just imported: its tests must not skip

run_suite() {
  local build=$1
  shift
  cmake -S . -B "$build" -G Ninja "$@" >/dev/null
  cmake --build "$build" -j "$jobs"
  ctest --test-dir "$build" --output-on-failure --timeout 1200
}

step "build and test"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
$quick && exit 0

step "build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
# LibTorch is not instrumented; leak reports from inside it are not ours,
# so leaks are checked by the fuzzer and the suites' own ASan runs without torch.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DVIBED_SANITIZE=ON

step "build and test the daemon under ThreadSanitizer"
# The daemon suite, and the real vibed driven by the watch and fault scripts
# (event loop, scanner, workers, index writer, publisher, control socket).
# The other suites add no threads of ours. Races reported inside uninstrumented
# LibTorch/oneDNN are suppressed (tests/tsan.supp says why); ours are not.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIBED_SANITIZE=thread >/dev/null
cmake --build build-tsan -j "$jobs" --target test_daemon vibed vibectl vibed_torch_model fixtures
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp} \
  ctest --test-dir build-tsan -R '^daemon$|^script[.]daemon_(watch|faults)_test$' --output-on-failure --timeout 1200

step "fuzzing the query language for ${fuzz_seconds}s"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DVIBED_FUZZ=ON -DVIBED_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz_query -j "$jobs"
fuzz_corpus=$(mktemp -d)
cp playlist/fuzz/corpus/* "$fuzz_corpus/"
build-fuzz/playlist/fuzz_query -max_total_time="$fuzz_seconds" -max_len=4096 \
  -dict=playlist/fuzz/query.dict "$fuzz_corpus" 2>&1 | tail -n 3
rm -rf "$fuzz_corpus"

corpus=${VIBED_CORPUS:-$root/../shared/corpus/music-clips}
if [ -d "$corpus" ]; then
  step "parity with VibeNet's own package"
  VIBED_CORPUS=$corpus VIBECTL=$root/build/daemon/vibectl tests/parity/check_vibenet_parity.sh
else
  step "parity check skipped: no corpus at $corpus"
fi
step "all tests passed"
