#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer + ASan + UBSan) and runs each for its share of a
# bounded time: the playlist parser, player.conf, the store's checks, signatures, pictures,
# live data (feeds, JSON, CSV).
#
#   tests/fuzz/run.sh [SECONDS]       default 80 in all; the build goes to build-fuzz/ (or
#                                     $FUZZ_BUILD_DIR)
#
# The seed corpora tests/fuzz/corpus/NAME/ are read, never written: new inputs go to
# BUILD/fuzz-corpus/NAME/. A crash leaves crash-* / leak-* / timeout-* files in
# BUILD/fuzz-artifacts/ and the script fails (after the other targets had their turn). Needs clang and libclang-rt-14-dev (platform/debian/install-deps --test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
seconds=${1:-80}
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
targets=(playlist config store signature picture feed)
declare -A dicts=([playlist]=playlist.dict [store]=playlist.dict [config]=config.dict)
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/%/_fuzz}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
each=$((seconds / ${#targets[@]}))
((each > 0)) || each=1
failed=()
for name in "${targets[@]}"; do
  mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-artifacts"
  dict=()
  [[ -n ${dicts[$name]:-} ]] && dict=(-dict="$root/tests/fuzz/${dicts[$name]}")
  echo "==> ${name}_fuzz for ${each} s"
  # -max_len: larger than every seed; -rss_limit_mb: a Pi-sized budget; -timeout: per input.
  "$build/tests/fuzz/${name}_fuzz" "$build/fuzz-corpus/$name" "$root/tests/fuzz/corpus/$name" \
    "${dict[@]}" -max_total_time="$each" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/fuzz-artifacts/${name}-" -print_final_stats=1 || failed+=("$name")
done
if ((${#failed[@]})); then
  echo "tests/fuzz/run.sh: failed: ${failed[*]} (inputs in $build/fuzz-artifacts/)" >&2
  exit 1
fi
