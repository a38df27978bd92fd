#!/usr/bin/env bash
# Builds the playlist fuzzer with clang (libFuzzer + ASan + UBSan) and runs it for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS]       default 60; the build goes to build-fuzz/ (or $FUZZ_BUILD_DIR)
#
# The seed corpus tests/fuzz/corpus/ is read, never written: new inputs go to
# BUILD/fuzz-corpus/. A crash leaves crash-* / leak-* / timeout-* files in BUILD/fuzz-artifacts/
# and the script fails. Needs clang and libclang-rt-14-dev (platform/debian/install-deps --test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

command -v clang++ >/dev/null || {
  echo "tests/fuzz/run.sh: clang++ not found; run platform/debian/install-deps --test" >&2
  exit 1
}

mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSIGNAGE_BUILD_FUZZ=ON -DSIGNAGE_BUILD_TESTS=OFF >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target playlist_fuzz --parallel "$(nproc)"

mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -max_len: larger than every seed; -rss_limit_mb: a Pi-sized budget; -timeout: per input.
"$build/tests/fuzz/playlist_fuzz" "$build/fuzz-corpus" "$root/tests/fuzz/corpus" \
  -dict="$root/tests/fuzz/playlist.dict" -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/fuzz-artifacts/" \
  -print_final_stats=1
